package main

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"rollcall/internal/openrosa/odkcrypt/odkcrypttest"
)

// serve makes the instance's OpenRosa key at its first start and keeps it:
// the forms a phone fetches carry the same public key after a restart, so
// what phones encrypted before the restart still opens.
func TestServeFormsCarryTheSameOpenRosaKeyAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	if r := rollcall(t, env, "user", "add", "--role", "volunteer", "phone-owner@example.org"); r.code != 0 {
		t.Fatalf("user add: %s", r.stderr)
	}
	added := rollcall(t, env, "device", "add", "collect-1", "--openrosa", "--volunteer", "phone-owner@example.org", "--origin", "https://rollcall.example.org")
	m := regexp.MustCompile(`https://rollcall\.example\.org(/openrosa/key/\S+)`).FindStringSubmatch(added.stdout)
	if added.code != 0 || m == nil {
		t.Fatalf("device add: %d %s %s", added.code, added.stdout, added.stderr)
	}
	formKey := func() string {
		t.Helper()
		run := startServeWithPass(t, dir, nil)
		run.mustServe(t)
		defer func() { run.proc.Signal(os.Interrupt); run.proc.Wait() }()
		req, _ := http.NewRequest(http.MethodGet, strings.TrimSuffix(run.base, "/")+m[1]+"/forms/rollcall_report/form.xml", nil)
		// An onion address: the transport is Tor's, so the token may travel
		// over plain HTTP to it.
		req.Host = "rollcallexample.onion"
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		form, _ := io.ReadAll(res.Body)
		key := regexp.MustCompile(`base64RsaPublicKey="([^"]+)"`).FindSubmatch(form)
		if res.StatusCode != http.StatusOK || key == nil {
			t.Fatalf("the form served to the phone: %d, no base64RsaPublicKey\n%.500s", res.StatusCode, form)
		}
		if _, err := odkcrypttest.ParsePublicKey(string(key[1])); err != nil {
			t.Fatalf("the form's key is not one Collect reads: %v", err)
		}
		return string(key[1])
	}
	first := formKey()
	if again := formKey(); again != first {
		t.Fatal("the forms carry another key after a restart: what phones encrypted before would not open")
	}
	audit := rollcall(t, env, "audit", "list")
	if n := strings.Count(audit.stdout, "openrosa.key"); n != 1 {
		t.Errorf("the audit log names the OpenRosa key %d times, want once (created):\n%s", n, audit.stdout)
	}
}
