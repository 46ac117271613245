package web

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// CertReloader holds the certificate of a server that terminates TLS
// itself (serve --tls-cert/--tls-key). Reload reads the two files again,
// so a renewed certificate (certbot, acme.sh) takes effect on SIGHUP
// without a restart; a failed reload keeps the certificate in use, so a
// half-written renewal never takes the site down.
type CertReloader struct {
	certFile, keyFile string
	mu                sync.RWMutex
	cert              *tls.Certificate
}

// NewCertReloader loads the pair once; an unreadable or mismatched pair is
// an error at start, not at the first handshake.
func NewCertReloader(certFile, keyFile string) (*CertReloader, error) {
	r := &CertReloader{certFile: certFile, keyFile: keyFile}
	if err := r.Reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// Reload replaces the certificate with the files' current content.
func (r *CertReloader) Reload() error {
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s, key %s: %w", r.certFile, r.keyFile, err)
	}
	r.mu.Lock()
	r.cert = &cert
	r.mu.Unlock()
	return nil
}

// GetCertificate is for tls.Config.GetCertificate.
func (r *CertReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.cert, nil
}

// TLSConfig is the configuration of a server that terminates TLS itself:
// TLS 1.2 at least, the certificate from r.
func (r *CertReloader) TLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.GetCertificate}
}

// StrictTransport adds Strict-Transport-Security with maxAge to every
// answer (none when it is zero), so that a browser that came once over
// HTTPS never tries plain HTTP. For the HTTPS modes only: behind a
// TLS-terminating proxy (BehindTLSProxy) and when serving TLS directly.
func StrictTransport(h http.Handler, maxAge time.Duration) http.Handler {
	if maxAge <= 0 {
		return h
	}
	hsts := fmt.Sprintf("max-age=%d", int64(maxAge.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", hsts)
		h.ServeHTTP(w, r)
	})
}
