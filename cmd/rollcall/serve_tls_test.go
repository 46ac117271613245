package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 with serial and its key
// to certFile and keyFile, and returns the certificate.
func selfSigned(t *testing.T, serial int64, certFile, keyFile string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "rollcall test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// The key first: a reload between the two writes must not load a
	// mismatched pair silently (it fails and keeps the old one).
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert
}

// httpsGet fetches url over a new TLS connection that trusts roots, and
// returns the answer and the serial of the certificate the server showed.
func httpsGet(t *testing.T, roots *x509.CertPool, url string) (*http.Response, int64) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp, resp.TLS.PeerCertificates[0].SerialNumber.Int64()
}

func TestServeTLSItselfReloadsOnHangup(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(t.TempDir(), "cert.pem"), filepath.Join(t.TempDir(), "key.pem")
	roots := x509.NewCertPool()
	roots.AddCert(selfSigned(t, 1, certFile, keyFile))
	r := startServeWithPass(t, dir, nil, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(r.base, "https://127.0.0.1:") {
		t.Fatalf("serve --tls-cert: %q, exit %d\n%s", r.base, r.code, r.stderr)
	}
	resp, serial := httpsGet(t, roots, r.base+"en/")
	if resp.StatusCode != 200 || serial != 1 {
		t.Fatalf("over TLS: %d, certificate %d", resp.StatusCode, serial)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=31536000" {
		t.Errorf("Strict-Transport-Security %q", got)
	}
	// Plain HTTP on the TLS port is no page.
	if resp, err := http.Get(strings.Replace(r.base, "https:", "http:", 1) + "en/"); err == nil {
		if resp.StatusCode == 200 {
			t.Error("plain HTTP on the TLS port answered 200")
		}
		resp.Body.Close()
	}

	// A renewal: new files, then SIGHUP.
	roots.AddCert(selfSigned(t, 2, certFile, keyFile))
	if _, serial := httpsGet(t, roots, r.base+"en/"); serial != 1 {
		t.Fatalf("certificate %d before SIGHUP", serial)
	}
	if err := r.proc.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, serial = httpsGet(t, roots, r.base+"en/"); serial == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if serial != 2 {
		t.Fatalf("after SIGHUP the server still shows certificate %d", serial)
	}
	// A broken renewal keeps the certificate in use, and the server up.
	if err := os.WriteFile(certFile, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.proc.Signal(syscall.SIGHUP)
	deadline = time.Now().Add(10 * time.Second)
	for !strings.Contains(r.stderr.String(), "certificate in use is kept") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if resp, serial := httpsGet(t, roots, r.base+"en/"); resp.StatusCode != 200 || serial != 2 {
		t.Errorf("after a broken renewal: %d, certificate %d\n%s", resp.StatusCode, serial, r.stderr)
	}
}

func TestServeTLSOptions(t *testing.T) {
	certFile, keyFile := filepath.Join(t.TempDir(), "cert.pem"), filepath.Join(t.TempDir(), "key.pem")
	roots := x509.NewCertPool()
	roots.AddCert(selfSigned(t, 7, certFile, keyFile))
	r := startServeWithPass(t, t.TempDir(), nil, "--tls-cert", certFile, "--tls-key", keyFile, "--hsts-max-age", "0")
	if r.base == "" {
		t.Fatalf("serve: exit %d\n%s", r.code, r.stderr)
	}
	if resp, _ := httpsGet(t, roots, r.base+"en/"); resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("--hsts-max-age 0: %d, Strict-Transport-Security %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	// Plain HTTP sends none either.
	plain := startServeWithPass(t, t.TempDir(), nil)
	if resp, err := http.Get(plain.base + "en/"); err != nil || resp.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("plain HTTP: %v %v", err, resp.Header)
	} else {
		resp.Body.Close()
	}
	for _, bad := range []struct {
		args []string
		why  string
	}{
		{[]string{"--tls-cert", certFile}, "go together"},
		{[]string{"--tls-cert", certFile, "--tls-key", keyFile, "--https-proxy"}, "--https-proxy"},
		{[]string{"--tls-cert", keyFile, "--tls-key", keyFile}, "TLS certificate"},
	} {
		startServeWithPass(t, t.TempDir(), nil, bad.args...).mustRefuse(t, bad.why)
	}
}
