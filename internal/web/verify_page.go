package web

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"

	"rollcall/internal/publish"
	"rollcall/internal/registry"
)

// snapshotKeyPEMPath serves the signing key as OpenSSL reads it (PKIX, PEM), so that
// a snapshot can be checked with a common tool as well as with the rollcall binary.
const snapshotKeyPEMPath = "/data/snapshot-signing.pem"

type verifyPageData struct {
	page
	Snapshots   []snapshotLine
	PublicKey   string // base64, as snapshot-signing.pub holds it
	Fingerprint string
	Example     string // a snapshot's file name for the commands
	KeyPath     string
	KeyPEMPath  string
}

// verifyPage explains how to check a downloaded snapshot, with the binary and with
// OpenSSL 3, and lists every snapshot with its signature.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	p.Title = p.T("verify.title")
	snaps, err := s.store.Snapshots(r.Context())
	if err != nil {
		s.serverError(w, "snapshots", err)
		return
	}
	data := verifyPageData{page: p, Example: "rollcall-snapshot-2022-08-01.json", KeyPath: snapshotKeyPath, KeyPEMPath: snapshotKeyPEMPath}
	for _, sn := range snaps {
		data.Snapshots = append(data.Snapshots, snapshotLine{AsOf: sn.AsOf, Published: registry.DayOf(sn.PublishedAt), Note: sn.Note, URL: SnapshotURL(sn.Slug)})
	}
	if len(snaps) > 0 {
		data.Example = "rollcall-snapshot-" + snaps[0].Slug + ".json"
		if pub, err := publish.ParsePublicKey([]byte(snaps[0].PublicKey)); err == nil {
			data.PublicKey, data.Fingerprint = snaps[0].PublicKey, publish.Fingerprint(pub)
		}
	}
	s.render(w, "verify.html", data)
}

// publicKeyPEM serves the key that signed the latest snapshot as a PEM public key.
func (s *Server) publicKeyPEM(w http.ResponseWriter, r *http.Request) {
	snaps, err := s.store.Snapshots(r.Context())
	if err != nil {
		s.serverError(w, "public key", err)
		return
	}
	if len(snaps) == 0 {
		s.notFound(w, r)
		return
	}
	raw, err := base64.StdEncoding.DecodeString(snaps[0].PublicKey)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		s.serverError(w, "public key", err)
		return
	}
	der, err := x509.MarshalPKIXPublicKey(ed25519.PublicKey(raw))
	if err != nil {
		s.serverError(w, "public key", err)
		return
	}
	openData(w)
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Write(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
