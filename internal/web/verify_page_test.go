package web_test

import (
	"context"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"rollcall/internal/publish"
)

// A journalist downloads a snapshot, its signature and the key from the site and runs the
// OpenSSL commands the verify page prints, as printed: an unchanged file verifies, a file
// with one digit changed does not.
func TestVerifyPageCommandsWorkWithOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatal("openssl is not installed (Debian's openssl package): the verify page's commands cannot be checked")
	}
	site, s := newSite(t)
	ctx := context.Background()
	if _, err := publish.Publish(ctx, s, t.TempDir(), publish.PublishOptions{AsOf: 20220801}); err != nil {
		t.Fatal(err)
	}
	data := body(t, get(t, site, "/en/data/"))
	m := regexp.MustCompile(`href="(/data/snapshots/(rollcall-snapshot-[^"]+\.json))\.sig"`).FindStringSubmatch(data)
	if m == nil || !strings.Contains(data, `href="/en/data/verify/"`) {
		t.Fatalf("the data page links no signature or no verify page:\n%s", data)
	}
	page := body(t, get(t, site, "/en/data/verify/"))
	cmds := regexp.MustCompile(`(?s)<pre><code>(base64 -d .*?)</code></pre>`).FindStringSubmatch(page)
	if cmds == nil || !strings.Contains(page, `href="`+m[1]+`.sig"`) {
		t.Fatalf("the verify page shows no OpenSSL commands or no signature link:\n%s", page)
	}
	dir := t.TempDir()
	for file, url := range map[string]string{m[2]: m[1], m[2] + ".sig": m[1] + ".sig", "snapshot-signing.pem": "/data/snapshot-signing.pem"} {
		res := get(t, site, url)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", url, res.StatusCode)
		}
		if err := os.WriteFile(filepath.Join(dir, file), []byte(body(t, res)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func() (string, error) {
		var out strings.Builder
		for _, line := range strings.Split(html.UnescapeString(cmds[1]), "\n") {
			line = strings.ReplaceAll(line, "openssl ", openssl+" ")
			cmd := exec.Command("sh", "-c", line)
			cmd.Dir = dir
			b, err := cmd.CombinedOutput()
			out.Write(b)
			if err != nil {
				return out.String(), err
			}
		}
		return out.String(), nil
	}
	if out, err := run(); err != nil || !strings.Contains(out, "Signature Verified Successfully") {
		t.Fatalf("the unchanged snapshot does not verify with the page's commands: %v\n%s", err, out)
	}
	path := filepath.Join(dir, m[2])
	b, _ := os.ReadFile(path)
	i := strings.IndexAny(string(b), "0123456789")
	b[i] = '0' + (b[i]-'0'+1)%10
	os.WriteFile(path, b, 0o600)
	if out, err := run(); err == nil || strings.Contains(out, "Signature Verified Successfully") {
		t.Errorf("a changed snapshot verified:\n%s", out)
	}
	for _, lang := range []string{"ru", "kaa", "uz"} {
		if p := body(t, get(t, site, "/"+lang+"/data/verify/")); !strings.Contains(p, "openssl pkeyutl -verify") || strings.Contains(p, "verify.") {
			t.Errorf("%s verify page incomplete", lang)
		}
	}
}

// Issue 17, item 8: the verify page explains, in every language, how to
// check a mirror folder received by hand; its commands without rollcall,
// run as printed, pass an untouched signed mirror and name a changed file.
func TestVerifyPageExplainsMirrors(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatal("openssl is not installed (Debian's openssl package): the verify page's commands cannot be checked")
	}
	site, s := newSite(t)
	data := t.TempDir()
	if _, err := publish.Publish(context.Background(), s, data, publish.PublishOptions{AsOf: 20220801}); err != nil {
		t.Fatal(err)
	}
	key, err := publish.SigningKey(data)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	mirror := filepath.Join(work, "mirror")
	for name, text := range map[string]string{"index.html": "<p>home</p>", "ru/people/index.html": "<p>список</p>"} {
		os.MkdirAll(filepath.Join(mirror, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(mirror, name), []byte(text), 0o644)
	}
	if _, err := publish.SignMirror(mirror, key); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(work, "snapshot-signing.pem"), []byte(body(t, get(t, site, "/data/snapshot-signing.pem"))), 0o644)

	says := map[string]string{"en": "Check a mirror someone gave you", "ru": "Проверка зеркала", "kaa": "aynanı tekseriw", "uz": "oynani tekshirish"}
	var cmds []string
	for lang, heading := range says {
		page := body(t, get(t, site, "/"+lang+"/data/verify/"))
		if !strings.Contains(page, heading) || !strings.Contains(page, "rollcall verify --key snapshot-signing.pub mirror") || strings.Contains(page, "verify.mirror") {
			t.Errorf("%s: the verify page does not explain mirrors", lang)
		}
		m := regexp.MustCompile(`(?s)<pre><code>(base64 -d mirror/.*?)</code></pre>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no commands for a mirror", lang)
		}
		cmds = strings.Split(html.UnescapeString(m[1]), "\n")
	}
	run := func() (string, error) {
		var out strings.Builder
		for _, line := range cmds {
			cmd := exec.Command("sh", "-c", strings.ReplaceAll(line, "openssl ", openssl+" "))
			cmd.Dir = work
			b, err := cmd.CombinedOutput()
			out.Write(b)
			if err != nil {
				return out.String(), err
			}
		}
		return out.String(), nil
	}
	if out, err := run(); err != nil || !strings.Contains(out, "Signature Verified Successfully") {
		t.Fatalf("an untouched mirror fails the page's commands: %v\n%s", err, out)
	}
	os.WriteFile(filepath.Join(mirror, "ru/people/index.html"), []byte("<p>другой</p>"), 0o644)
	if out, err := run(); err == nil || !strings.Contains(out, "ru/people/index.html: FAILED") {
		t.Errorf("a changed file passes the page's commands: %v\n%s", err, out)
	}
}
