package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rollcall/internal/registry"
)

// fieldEnv is a field instance's environment: a SQLite data directory of
// its own (a laptop runs the embedded database).
func fieldEnv(t *testing.T) []string {
	return []string{"ROLLCALL_DATA=" + filepath.Join(t.TempDir(), "field")}
}

func TestBundleKeyAndDevices(t *testing.T) {
	laptop := fieldEnv(t)
	r := rollcall(t, laptop, "bundle", "key")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "rollcall-device1:") || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("bundle key: %d %q %s", r.code, r.stdout, r.stderr)
	}
	identity := strings.TrimSpace(r.stdout)
	if again := rollcall(t, laptop, "bundle", "key"); strings.TrimSpace(again.stdout) != identity {
		t.Fatalf("the identity changed between two runs: %q then %q", identity, again.stdout)
	}
	if !strings.Contains(identity, ":age1") {
		t.Errorf("no age recipient in %q", identity)
	}
	eachDatabase(t, func(t *testing.T, hq []string) {
		if r := rollcall(t, hq, "device", "add", "laptop-1", "rollcall-device1:nonsense"); r.code != 1 {
			t.Errorf("a broken identity accepted: %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, hq, "device", "add", "laptop-1", identity); r.code != 0 || !strings.Contains(r.stdout, "laptop-1 added") {
			t.Fatalf("device add: %d %s %s", r.code, r.stdout, r.stderr)
		}
		if r := rollcall(t, hq, "device", "add", "laptop-2", identity); r.code != 1 || !strings.Contains(r.stderr, "registered already") {
			t.Errorf("the same key under a second name: %d %s", r.code, r.stderr)
		}
		r := rollcall(t, hq, "device", "list")
		if r.code != 0 || !strings.Contains(r.stdout, "laptop-1\tfield") || !strings.Contains(r.stdout, "accepted") {
			t.Fatalf("device list: %s %s", r.stdout, r.stderr)
		}
		if r := rollcall(t, hq, "device", "revoke", "laptop-1"); r.code != 0 {
			t.Fatalf("device revoke: %s", r.stderr)
		}
		if r := rollcall(t, hq, "device", "revoke", "nobody"); r.code != 1 || !strings.Contains(r.stderr, `no device named "nobody"`) {
			t.Errorf("revoking an unknown device: %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, hq, "device", "list"); !strings.Contains(r.stdout, "revoked") {
			t.Errorf("device list after revoke: %s", r.stdout)
		}
		audit := rollcall(t, hq, "audit", "list")
		if !strings.Contains(audit.stdout, "device.add") || !strings.Contains(audit.stdout, "device.revoke") {
			t.Errorf("device add and revoke not audited:\n%s%s", audit.stdout, audit.stderr)
		}
	})
}

// bundleParts exports from the field instance to hq and returns the part
// files, in order.
func bundleParts(t *testing.T, laptop []string, hqIdentity, out string, extra ...string) []string {
	t.Helper()
	r := rollcall(t, laptop, append([]string{"bundle", "export", "--to", hqIdentity, "--out", out}, extra...)...)
	if r.code != 0 {
		t.Fatalf("bundle export: %d %s %s", r.code, r.stdout, r.stderr)
	}
	var files []string
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "  ") {
			files = append(files, strings.TrimSpace(line))
		}
	}
	return files
}

func auditHead(t *testing.T, env []string) string {
	t.Helper()
	r := rollcall(t, env, "audit", "head")
	if r.code != 0 {
		t.Fatalf("audit head: %s", r.stderr)
	}
	return r.stdout
}

func TestBundleFromFieldToHeadquarters(t *testing.T) {
	eachDatabase(t, func(t *testing.T, hq []string) {
		laptop := fieldEnv(t)
		person := firstPerson(t, laptop)
		if r := rollcall(t, laptop, "evidence", "add", writeFile(t, "statement.txt", "a witness statement\n"), "--person", person); r.code != 0 {
			t.Fatalf("evidence add in the field: %s", r.stderr)
		}
		fieldKey := strings.TrimSpace(rollcall(t, laptop, "bundle", "key").stdout)
		hqKey := strings.TrimSpace(rollcall(t, hq, "bundle", "key").stdout)
		dir := t.TempDir()
		parts := bundleParts(t, laptop, hqKey, filepath.Join(dir, "b1"), "--part-size", "1K")
		if len(parts) < 3 {
			t.Fatalf("--part-size 1K made %d part(s) of a bundle of 6 claims", len(parts))
		}
		head := auditHead(t, hq)

		// Not registered yet: refused, nothing written.
		if r := rollcall(t, hq, append([]string{"bundle", "import"}, parts...)...); r.code != 1 || !strings.Contains(r.stderr, "unknown device") {
			t.Fatalf("a bundle from an unknown device: %d %s", r.code, r.stderr)
		}
		if auditHead(t, hq) != head {
			t.Errorf("a refused bundle changed the audit log")
		}
		if r := rollcall(t, hq, "device", "add", "laptop-1", fieldKey); r.code != 0 {
			t.Fatal(r.stderr)
		}

		// A part missing: named, nothing imported.
		r := rollcall(t, hq, append([]string{"bundle", "import"}, parts[0], parts[2])...)
		if r.code != 1 || !strings.Contains(r.stderr, "part(s) 2") || !strings.Contains(r.stderr, "missing") {
			t.Fatalf("a missing part: %d %s", r.code, r.stderr)
		}
		// A part altered: refused, naming it.
		raw, _ := os.ReadFile(parts[1])
		raw[len(raw)-10] ^= 1
		tampered := filepath.Join(dir, "tampered")
		os.WriteFile(tampered, raw, 0o600)
		withTampered := append([]string{"bundle", "import", parts[0], tampered}, parts[2:]...)
		if r := rollcall(t, hq, withTampered...); r.code != 1 || !strings.Contains(r.stderr, tampered) || !strings.Contains(r.stderr, "does not match its hash") {
			t.Fatalf("a tampered body: %d %s", r.code, r.stderr)
		}
		// Its header altered (moved to another place): the signature fails.
		raw, _ = os.ReadFile(parts[1])
		moved := strings.Replace(string(raw), "part: 2/", "part: 1/", 1)
		os.WriteFile(tampered, []byte(moved), 0o600)
		if r := rollcall(t, hq, append([]string{"bundle", "import", tampered}, parts[1:]...)...); r.code != 1 || !strings.Contains(r.stderr, "signature does not verify") || !strings.Contains(r.stderr, tampered) {
			t.Fatalf("a part whose header was edited: %d %s", r.code, r.stderr)
		}
		if got := statsJSON(t, hq); got != (statsJSON(t, []string{"ROLLCALL_DATA=" + t.TempDir()})) {
			t.Fatalf("refused bundles changed the counts: %+v", got)
		}

		// Parts out of order: applied, in one go.
		reversed := make([]string, len(parts))
		for i, p := range parts {
			reversed[len(parts)-1-i] = p
		}
		beforeImport := time.Now().UTC().Format(time.RFC3339Nano)
		time.Sleep(10 * time.Millisecond)
		ack := filepath.Join(dir, "ack")
		r = rollcall(t, hq, append([]string{"bundle", "import", "--ack", ack}, reversed...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "14 new") {
			t.Fatalf("bundle import: %d %s %s", r.code, r.stdout, r.stderr)
		}
		want := statsJSON(t, laptop)
		if got := statsJSON(t, hq); got != want {
			t.Errorf("headquarters counts %+v, the field %+v", got, want)
		}
		// Known at a moment before the bundle arrived, headquarters knew
		// none of it, whenever the field recorded it.
		if got := statsJSON(t, hq, "--known-at", beforeImport); got != (registry.Counts{}) {
			t.Errorf("counts known before the bundle arrived: %+v", got)
		}
		exported := rollcall(t, hq, "export", "--format", "csv").stdout
		if !strings.Contains(exported, "secret note") || !strings.Contains(exported, "Лалагул Каллыханова") {
			t.Errorf("headquarters' export lacks the field's records or notes:\n%s", exported)
		}

		// The evidence came with its original, encrypted to headquarters' key.
		if r := rollcall(t, hq, "evidence", "verify", "--all"); r.code != 0 || !strings.Contains(r.stdout, "1 checked, 1 intact") {
			t.Errorf("headquarters' evidence after the bundle: %d %s %s", r.code, r.stdout, r.stderr)
		}
		if r := rollcall(t, hq, "evidence", "list", "--person", person); r.code != 0 || !strings.Contains(r.stdout, "text/plain") {
			t.Errorf("the item is not linked to its person at headquarters: %s %s", r.stdout, r.stderr)
		}

		// The same bundle again: nothing changes, and it says so.
		head = auditHead(t, hq)
		r = rollcall(t, hq, append([]string{"bundle", "import"}, parts...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "imported before: nothing changed") {
			t.Fatalf("the same bundle again: %d %s %s", r.code, r.stdout, r.stderr)
		}
		if got := statsJSON(t, hq); got != want {
			t.Errorf("a replay changed the counts: %+v", got)
		}
		if auditHead(t, hq) != head {
			t.Errorf("a replay wrote to the audit log")
		}

		// The acknowledgement back in the field: the next export carries
		// only what is new.
		if r := rollcall(t, laptop, "bundle", "import", ack); r.code != 0 || !strings.Contains(r.stdout, "1 bundle(s) newly acknowledged") {
			t.Fatalf("ack import in the field: %d %s %s", r.code, r.stdout, r.stderr)
		}
		if r := rollcall(t, laptop, "bundle", "export", "--to", hqKey, "--out", filepath.Join(dir, "empty")); r.code != 0 || !strings.Contains(r.stdout, "nothing to send") {
			t.Fatalf("export after the ack: %d %s %s", r.code, r.stdout, r.stderr)
		}
		more := "source,record,name,name_alt,sex,birth_year,region,roles,status,date,verification,place,note\n" +
			"vol,9,Ержан Турсынов,,m,1980,Нукус,protester,detained,2022-07-02,verified,,\n"
		if r := rollcall(t, laptop, "import", writeFile(t, "more.csv", more)); r.code != 0 {
			t.Fatal(r.stderr)
		}
		second := bundleParts(t, laptop, hqKey, filepath.Join(dir, "b2"), "--armor")
		body, _ := os.ReadFile(second[0])
		for _, c := range body {
			if c != '\n' && (c < 0x20 || c > 0x7e) {
				t.Fatalf("an --armor part holds the byte %#x", c)
			}
		}
		// Parts of two bundles mixed: the incomplete one is named.
		mixed := append([]string{"bundle", "import", parts[0]}, second...)
		if r := rollcall(t, hq, mixed...); r.code != 1 || !strings.Contains(r.stderr, "missing") || !strings.Contains(r.stderr, parts[0]) {
			t.Fatalf("parts of two bundles mixed: %d %s", r.code, r.stderr)
		}
		r = rollcall(t, hq, append([]string{"bundle", "import"}, second...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "2 new") {
			t.Fatalf("the second, armored bundle: %d %s %s", r.code, r.stdout, r.stderr)
		}
		if got, want := statsJSON(t, hq), statsJSON(t, laptop); got != want {
			t.Errorf("after the second bundle headquarters counts %+v, the field %+v", got, want)
		}

		// The laptop is taken: its bundles are refused from now on.
		if r := rollcall(t, hq, "device", "revoke", "laptop-1"); r.code != 0 {
			t.Fatal(r.stderr)
		}
		if r := rollcall(t, laptop, "import", writeFile(t, "late.csv", strings.Replace(more, "vol,9,", "vol,10,", 1))); r.code != 0 {
			t.Fatal(r.stderr)
		}
		third := bundleParts(t, laptop, hqKey, filepath.Join(dir, "b3"))
		head = auditHead(t, hq)
		before := statsJSON(t, hq)
		if r := rollcall(t, hq, append([]string{"bundle", "import"}, third...)...); r.code != 1 || !strings.Contains(r.stderr, "revoked") {
			t.Fatalf("a bundle from a revoked device: %d %s", r.code, r.stderr)
		}
		if statsJSON(t, hq) != before || auditHead(t, hq) != head {
			t.Errorf("a refused bundle from a revoked device changed something")
		}
	})
}

func TestBundleForAnotherHeadquartersIsRefused(t *testing.T) {
	laptop, hq, other := fieldEnv(t), fieldEnv(t), fieldEnv(t)
	if r := rollcall(t, laptop, "import", writeFile(t, "list.csv", list)); r.code != 0 {
		t.Fatal(r.stderr)
	}
	fieldKey := strings.TrimSpace(rollcall(t, laptop, "bundle", "key").stdout)
	otherKey := strings.TrimSpace(rollcall(t, other, "bundle", "key").stdout)
	if r := rollcall(t, hq, "device", "add", "laptop-1", fieldKey); r.code != 0 {
		t.Fatal(r.stderr)
	}
	parts := bundleParts(t, laptop, otherKey, filepath.Join(t.TempDir(), "b"))
	if r := rollcall(t, hq, append([]string{"bundle", "import"}, parts...)...); r.code != 1 || !strings.Contains(r.stderr, "encrypted to another instance") {
		t.Fatalf("a bundle for another headquarters: %d %s", r.code, r.stderr)
	}
}
