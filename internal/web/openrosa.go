package web

import (
	"crypto/rsa"
	"errors"
	"net/http"
	"strings"

	"rollcall/internal/openrosa"
	"rollcall/internal/store"
)

// phonesSite is what the OpenRosa side of the site (ODK Collect, Tella)
// needs beyond the store: the forms' encryption key.
type phonesSite struct {
	// publicKey is the base64 DER RSA public key the forms carry
	// (base64RsaPublicKey); empty: phones send plain instances.
	publicKey string
	// privateKey opens what phones encrypted to publicKey
	// (EnableOpenRosaEncryption, openrosa_encrypted.go).
	privateKey *rsa.PrivateKey
	// pending holds the earlier POSTs of split encrypted submissions.
	pending encryptedPending
}

// SetOpenRosaPublicKey makes every form served to phones carry key, so that
// ODK Collect encrypts what it sends (ODK's encryption: the submission
// element's base64RsaPublicKey).
func (s *Server) SetOpenRosaPublicKey(key string) { s.phones.publicKey = key }

// openrosaRoutes registers what phones use, under the URL each phone was
// given (openrosa.ServerURL, `rollcall device add NAME --openrosa`):
// /openrosa/key/TOKEN/formList, the forms and their manifests, and
// /openrosa/key/TOKEN/submission. They are no pages of the workspace (no
// session, no form token: a phone has neither); the token in the path is
// the credential, checked by phoneFor.
func (s *Server) openrosaRoutes() {
	s.public("GET /openrosa/key/{token}/formList", s.openrosaFormList)
	s.public("GET /openrosa/key/{token}/forms/{form}/form.xml", s.openrosaForm)
	s.public("GET /openrosa/key/{token}/forms/{form}/manifest", s.openrosaManifest)
	s.public("HEAD /openrosa/key/{token}/submission", s.openrosaSubmissionHead)
	s.public("POST /openrosa/key/{token}/submission", s.openrosaSubmission)
}

// openrosaError answers with an OpenRosaResponse holding a plain message,
// which Collect and Tella show to the person holding the phone.
func (s *Server) openrosaError(w http.ResponseWriter, status int, msg string) {
	openrosa.SetHeaders(w.Header(), s.store.Now())
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	w.Write(openrosa.Response(msg))
}

// secureRequest says whether the request came over HTTPS (served with
// --tls-cert, or through --https-proxy) or to an onion address, whose
// transport is encrypted by Tor: the only ways a token may travel.
func secureRequest(r *http.Request) bool {
	host := r.Host
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	return r.TLS != nil || strings.HasSuffix(host, ".onion")
}

// phoneFor finds the phone of the request's token, or answers: 403 over
// plain HTTP (the token would have crossed the network in clear), 401 for
// an unknown or revoked token. Nothing tells a wrong token from a revoked
// one, and neither is logged.
func (s *Server) phoneFor(w http.ResponseWriter, r *http.Request) (store.Phone, bool) {
	privatePage(w)
	if s.auth == nil {
		s.openrosaError(w, http.StatusNotFound, "This copy of the site takes no submissions.")
		return store.Phone{}, false
	}
	if !secureRequest(r) {
		s.openrosaError(w, http.StatusForbidden, "Use the https:// address: this server takes phones only over HTTPS.")
		return store.Phone{}, false
	}
	p, err := s.store.PhoneByToken(r.Context(), openrosa.TokenHash(r.PathValue("token")))
	if errors.Is(err, store.ErrUnknownDevice) || (err == nil && p.Revoked()) {
		s.openrosaError(w, http.StatusUnauthorized, "This server URL is not valid (wrong, or revoked). Ask for a new one.")
		return store.Phone{}, false
	}
	if err != nil {
		s.log.Error("openrosa: phone", "err", err)
		s.openrosaError(w, http.StatusInternalServerError, "The server failed; try again later.")
		return store.Phone{}, false
	}
	return p, true
}

// phoneBase is the server URL of the request's phone, as the phone uses
// it: the links of formList are absolute.
func phoneBase(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http" // an onion address
	}
	return scheme + "://" + r.Host + "/openrosa/key/" + r.PathValue("token")
}
