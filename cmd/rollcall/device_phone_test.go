package main

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"rollcall/internal/openrosa"
)

// 'device add NAME --openrosa' prints the server URL for Collect or Tella
// once, keeps only the token's hash, and 'device list' and 'device revoke'
// know the phone; each step is audited.
func TestDeviceAddOpenRosa(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		if r := rollcall(t, env, "user", "add", "--role", "volunteer", "nukus-volunteer@example.org"); r.code != 0 {
			t.Fatalf("user add: %s", r.stderr)
		}
		if r := rollcall(t, env, "device", "add", "phone-1", "--openrosa", "--volunteer", "nukus-volunteer@example.org", "--origin", "http://rollcall.example.org"); r.code != 1 || !strings.Contains(r.stderr, "https") {
			t.Errorf("a plain-HTTP origin accepted: %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, env, "device", "add", "phone-1", "--openrosa", "--volunteer", "nobody@example.org", "--origin", "https://rollcall.example.org"); r.code != 1 || !strings.Contains(r.stderr, "no account") {
			t.Errorf("an unknown volunteer accepted: %d %s", r.code, r.stderr)
		}
		qrPath := filepath.Join(t.TempDir(), "phone-1.png")
		r := rollcall(t, env, "device", "add", "phone-1", "--openrosa", "--volunteer", "nukus-volunteer@example.org", "--origin", "https://rollcall.example.org/", "--qr", qrPath)
		if r.code != 0 {
			t.Fatalf("device add --openrosa: %d %s", r.code, r.stderr)
		}
		m := regexp.MustCompile(`https://rollcall\.example\.org/openrosa/key/([A-Za-z0-9_-]{43})\n`).FindStringSubmatch(r.stdout)
		if m == nil || !strings.Contains(r.stdout, "phone-phone-1") {
			t.Fatalf("no server URL printed:\n%s", r.stdout)
		}
		token := m[1]
		if fi, err := os.Stat(qrPath); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("QR file: %v %v", fi, err)
		} else if f, _ := os.Open(qrPath); f != nil {
			img, err := png.Decode(f)
			f.Close()
			if err != nil || img.Bounds().Dx() != 512 {
				t.Errorf("QR code: %v %v", err, img)
			}
		}
		st := openStore(t, env)
		p, err := st.PhoneByToken(context.Background(), openrosa.TokenHash(token))
		st.Close()
		if err != nil || p.Name != "phone-1" || p.Revoked() {
			t.Fatalf("phone by its token: %+v %v", p, err)
		}
		if envValue(env, "ROLLCALL_DB") == "" {
			db, _ := os.ReadFile(filepath.Join(envValue(env, "ROLLCALL_DATA"), "rollcall.db"))
			if len(db) == 0 || strings.Contains(string(db), token) {
				t.Errorf("the database file holds the token itself (or was not found: %d bytes)", len(db))
			}
		}
		if r := rollcall(t, env, "device", "list"); !strings.Contains(r.stdout, "phone-1\tphone") || !strings.Contains(r.stdout, "accepted") {
			t.Errorf("device list: %s", r.stdout)
		}
		if r := rollcall(t, env, "device", "revoke", "phone-1"); r.code != 0 || !strings.Contains(r.stdout, "phone phone-1 revoked") {
			t.Fatalf("device revoke: %d %s %s", r.code, r.stdout, r.stderr)
		}
		st = openStore(t, env)
		p, _ = st.PhoneByToken(context.Background(), openrosa.TokenHash(token))
		st.Close()
		if !p.Revoked() {
			t.Error("the phone is not revoked")
		}
		audit := rollcall(t, env, "audit", "list")
		if strings.Count(audit.stdout, "device.add") != 1 || !strings.Contains(audit.stdout, "device.revoke") || !strings.Contains(audit.stdout, "source.add") {
			t.Errorf("phone add and revoke not audited:\n%s", audit.stdout)
		}
	})
}
