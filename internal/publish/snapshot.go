package publish

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// SnapshotFormat names the format of a snapshot file.
const SnapshotFormat = "rollcall-snapshot/1"

// Files in the data directory.
const (
	keyDir         = "keys"
	privateKeyFile = "snapshot-signing.key"
	// PublicKeyFile is the public key's file name, in the data directory's
	// keys folder and on the site under /downloads/.
	PublicKeyFile = "snapshot-signing.pub"
	snapshotDir   = "snapshots"
)

// SnapshotHeader is all of a snapshot file but its list of people.
type SnapshotHeader struct {
	Format          string          `json:"format"`
	Slug            string          `json:"slug"`
	AsOf            string          `json:"as_of"`
	KnownAt         string          `json:"known_at"`
	MinVerification string          `json:"min_verification"`
	Note            string          `json:"note,omitempty"`
	Rules           string          `json:"rules"`
	PublicKey       string          `json:"public_key"`
	Counts          registry.Counts `json:"counts"`
}

// SnapshotFile is the content of a snapshot file: the counts and the
// public list as of a day, as known at the moment of publication.
type SnapshotFile struct {
	SnapshotHeader
	People []registry.PublicPerson `json:"people"`
}

// snapshotRules says in the file itself which rules made it.
const snapshotRules = "Counts follow docs/counting.md: claims corroborated or better, dated on or before as_of, recorded at or before known_at and not retracted by then. " +
	"People are the public projection (registry.Project): only corroborated or verified claims; no notes, no sources' identities (only their kind); " +
	"minors, relatives and persons an editor withheld appear as 'Name withheld (#ID)' with region and state only."

// SigningKey returns the ed25519 key in dataDir, making it at first use
// (the private key file is mode 0600 in a 0700 folder).
func SigningKey(dataDir string) (ed25519.PrivateKey, error) {
	dir := filepath.Join(dataDir, keyDir)
	path := filepath.Join(dir, privateKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("%s: not an ed25519 key", path)
		}
		return ed25519.NewKeyFromSeed(seed), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := fmt.Fprintln(f, base64.StdEncoding.EncodeToString(priv.Seed())); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return priv, os.WriteFile(filepath.Join(dir, PublicKeyFile), EncodePublicKey(pub), 0o644)
}

// PublicKey returns the public key in dataDir, or nil when none was made yet.
func PublicKey(dataDir string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, keyDir, PublicKeyFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParsePublicKey(b)
}

// EncodePublicKey writes a public key as its file holds it: base64, one line.
func EncodePublicKey(pub ed25519.PublicKey) []byte {
	return []byte(base64.StdEncoding.EncodeToString(pub) + "\n")
}

// ParsePublicKey reads a public key file.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, errors.New("not an ed25519 public key (want one line of base64)")
	}
	return ed25519.PublicKey(k), nil
}

// Fingerprint is a short, readable digest of a public key.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "SHA256:" + hex.EncodeToString(sum[:16])
}

// PublishOptions say what to publish.
type PublishOptions struct {
	AsOf registry.Day
	Note string
}

// Publish freezes the counts and the public list as of opt.AsOf, as known
// now, into a signed snapshot: stored in the database and written to the
// data directory's snapshots folder (the file and its .sig).
func Publish(ctx context.Context, st *store.Store, dataDir string, opt PublishOptions) (store.Snapshot, error) {
	return publish(ctx, st, dataDir, opt, st.SaveSnapshot)
}

// publish is Publish with the last step, storing the snapshot, given by
// the caller (PublishRecorded stores it together with its audit entry).
func publish(ctx context.Context, st *store.Store, dataDir string, opt PublishOptions, save func(context.Context, store.Snapshot) error) (store.Snapshot, error) {
	key, err := SigningKey(dataDir)
	if err != nil {
		return store.Snapshot{}, fmt.Errorf("signing key: %w", err)
	}
	now := st.Now().UTC()
	q := registry.Query{AsOf: opt.AsOf, KnownAt: now, MinVerification: registry.DefaultMinVerification}
	counts, err := st.Counts(ctx, q)
	if err != nil {
		return store.Snapshot{}, err
	}
	slug, err := st.NextSnapshotSlug(ctx, opt.AsOf)
	if err != nil {
		return store.Snapshot{}, err
	}
	pub := key.Public().(ed25519.PublicKey)
	header := SnapshotHeader{Format: SnapshotFormat, Slug: slug, AsOf: opt.AsOf.String(), KnownAt: now.Format(time.RFC3339Nano),
		MinVerification: q.MinVerification.String(), Note: opt.Note, Rules: snapshotRules,
		PublicKey: base64.StdEncoding.EncodeToString(pub), Counts: counts}
	// The people are written one by one as they are projected: holding
	// 100,000 of them and then encoding them all took a gigabyte.
	head, err := json.Marshal(header)
	if err != nil {
		return store.Snapshot{}, err
	}
	var body bytes.Buffer
	body.Write(head[:len(head)-1])
	body.WriteString(`,"people":[`)
	people := 0
	var shown []string // every id the snapshot shows: each keeps its human from now on
	err = st.ProjectAll(ctx, q, func(p registry.PublicPerson) error {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if people > 0 {
			body.WriteByte(',')
		}
		body.WriteString("\n")
		body.Write(b)
		people++
		shown = append(shown, p.ID)
		return nil
	})
	if err != nil {
		return store.Snapshot{}, err
	}
	body.WriteString("\n]}\n")
	countsJSON, _ := json.Marshal(counts)
	sig := ed25519.Sign(key, body.Bytes())
	sn := store.Snapshot{ID: store.NewID(), Slug: slug, AsOf: opt.AsOf, KnownAt: now, Note: opt.Note, CountsJSON: string(countsJSON),
		People: people, Body: body.Bytes(), Signature: base64.StdEncoding.EncodeToString(sig),
		PublicKey: header.PublicKey, PublishedAt: now}
	dir := filepath.Join(dataDir, snapshotDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return sn, err
	}
	name := SnapshotFileName(slug)
	if err := writeAtomic(filepath.Join(dir, name), sn.Body); err != nil {
		return sn, err
	}
	if err := writeAtomic(filepath.Join(dir, name+".sig"), SignatureFile(sn)); err != nil {
		return sn, err
	}
	if err := save(ctx, sn); err != nil {
		return sn, err
	}
	return sn, st.AnchorShown(ctx, sn.ID, shown)
}

// SnapshotFileName is a snapshot's file name, on disk and on the site.
func SnapshotFileName(slug string) string { return "rollcall-snapshot-" + slug + ".json" }

// SignatureFile is the content of a snapshot's .sig file.
func SignatureFile(sn store.Snapshot) []byte { return []byte(sn.Signature + "\n") }

func writeAtomic(path string, body []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ErrBadSignature means a snapshot was changed after it was signed, or was
// not signed by the key given.
var ErrBadSignature = errors.New("the signature does not match: the file was changed after it was signed, or another key signed it")

// Verify checks a snapshot file against its signature (the .sig file's
// content) and a public key, and returns what it holds.
func Verify(body, sigFile []byte, pub ed25519.PublicKey) (SnapshotFile, error) {
	var file SnapshotFile
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sigFile)))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return file, errors.New("the signature file does not hold an ed25519 signature")
	}
	if !ed25519.Verify(pub, body, sig) {
		return file, ErrBadSignature
	}
	if err := json.Unmarshal(body, &file); err != nil || file.Format != SnapshotFormat {
		return file, fmt.Errorf("signed, but not a %s file", SnapshotFormat)
	}
	return file, nil
}
