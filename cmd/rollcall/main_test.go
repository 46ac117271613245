package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// binary is the rollcall command built once for these tests: the command
// line is a contract with programs outside the project, so it is tested as
// they use it, in a process of its own.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rollcall-cmd-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "rollcall")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// rollcall runs the binary with env (KEY=VALUE) added to a clean environment.
func rollcall(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return rollcallIn(t, env, "", args...)
}

const list = "source,record,name,name_alt,sex,birth_year,region,roles,status,date,verification,place,note\n" +
	"vol,1,Лалагул Каллыханова,Lolagul Kallykhanova,f,1987,Нукус,journalist,detained,2022-07-02,verified,СИЗО,secret note\n" +
	"vol,2,Даулет Сапаров,,m,1990,Нукус,protester,missing,2022-07-01,corroborated,,\n" +
	"vol,3,Azamat Qurbanov,,m,,Chimbay,protester,detained,2022-07-03,corroborated,,\n" +
	"vol,3,Azamat Qurbanov,,m,,Chimbay,protester,restricted,2022-07-28,corroborated,,\n" +
	"vol,4,Bekzod Mambetov,,m,,Chimbay,,killed,2022-07-01,corroborated,,\n" +
	"vol,5,Weak Claim,,m,,Chimbay,,detained,2022-07-01,unverified,,\n"

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEveryCommandHasHelp(t *testing.T) {
	for name := range commands {
		r := rollcall(t, nil, name, "--help")
		if r.code != 0 || !strings.Contains(r.stderr, "Usage: rollcall "+name) {
			t.Errorf("%s --help: exit %d\n%s", name, r.code, r.stderr)
		}
	}
	if r := rollcall(t, nil, "--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "rollcall ") {
		t.Errorf("--version: exit %d %q", r.code, r.stdout)
	}
	if r := rollcall(t, nil, "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d %q", r.code, r.stderr)
	}
}

// eachDatabase runs f with the environment of a fresh SQLite directory and
// of a fresh PostgreSQL schema.
func eachDatabase(t *testing.T, f func(t *testing.T, env []string)) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			dir, dsn := storetest.Fresh(t, d)
			env := []string{"ROLLCALL_DATA=" + dir}
			if dsn != "" {
				env = append(env, "ROLLCALL_DB="+dsn)
			}
			f(t, env)
		})
	}
}

func TestImportStatsExport(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		path := writeFile(t, "list.csv", list)
		if r := rollcall(t, env, "import", "--dry-run", path); r.code != 0 || !strings.Contains(r.stdout, "would import 6 new claims, 5 new records") {
			t.Fatalf("dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		r := rollcall(t, env, "stats", "--as-of", "2022-08-03", "--json")
		var empty statsOutput
		if err := json.Unmarshal([]byte(r.stdout), &empty); err != nil || empty.Counts != (registry.Counts{}) {
			t.Fatalf("after a dry run the registry is not empty: %s %v", r.stdout, err)
		}
		if r := rollcall(t, env, "import", path); r.code != 0 || !strings.Contains(r.stdout, "imported 6 new claims") {
			t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		} else if r.stderr != "" {
			// Not a terminal (as in CI logs): no progress bar, nothing at all.
			t.Errorf("import wrote to stderr when it is not a terminal: %q", r.stderr)
		}
		if r := rollcall(t, env, "import", path); r.code != 0 || !strings.Contains(r.stdout, "imported 0 new claims, 0 new records") {
			t.Fatalf("second import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}

		r = rollcall(t, env, "stats", "--as-of", "2022-08-03", "--json", "--known-at", "2030-01-01T00:00:00Z")
		if r.code != 0 {
			t.Fatalf("stats: %s", r.stderr)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
			t.Fatal(err)
		}
		keys := func(m map[string]json.RawMessage) []string {
			var k []string
			for key := range m {
				k = append(k, key)
			}
			sort.Strings(k)
			return k
		}
		if got := keys(raw); !reflect.DeepEqual(got, []string{"as_of", "counts", "known_at", "min_verification"}) {
			t.Errorf("stats --json keys %v", got)
		}
		var countsRaw map[string]json.RawMessage
		json.Unmarshal(raw["counts"], &countsRaw)
		want := append([]string(nil), registry.CountNames...)
		sort.Strings(want)
		if got := keys(countsRaw); !reflect.DeepEqual(got, want) {
			t.Errorf("count names %v, want %v", got, want)
		}
		var out statsOutput
		json.Unmarshal([]byte(r.stdout), &out)
		if out.AsOf != "2022-08-03" || out.KnownAt != "2030-01-01T00:00:00Z" || out.MinVerification != "corroborated" {
			t.Errorf("stats header %+v", out)
		}
		if want := (registry.Counts{MissingNow: 1, DetainedNow: 1, RestrictedNow: 1, ReleasedNow: 1, Killed: 1, DetainedEver: 2, MissingEver: 1}); out.Counts != want {
			t.Errorf("counts %+v\nwant   %+v", out.Counts, want)
		}
		// Known before anything was imported: nothing.
		r = rollcall(t, env, "stats", "--as-of", "2022-08-03", "--json", "--known-at", "2022-08-03T00:00:00Z")
		json.Unmarshal([]byte(r.stdout), &out)
		if out.Counts != (registry.Counts{}) {
			t.Errorf("counts as known in 2022, before the import: %+v", out.Counts)
		}
		r = rollcall(t, env, "stats", "--as-of", "2022-08-03", "--min-verification", "unverified", "--json")
		json.Unmarshal([]byte(r.stdout), &out)
		if out.Counts.DetainedNow != 2 || out.MinVerification != "unverified" {
			t.Errorf("with unverified claims: %+v", out)
		}
		r = rollcall(t, env, "stats", "--as-of", "2022-08-03")
		if r.code != 0 || !strings.Contains(r.stdout, "missing_now") {
			t.Errorf("plain stats: %s %s", r.stdout, r.stderr)
		}

		r = rollcall(t, env, "export", "--format", "csv")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if r.code != 0 || len(lines) != 7 || !strings.HasPrefix(lines[0], "person,source,record,name,name_alt,sex,birth_year,birth_date,region,locality,roles,status,date,verification,place,note") {
			t.Errorf("export csv: exit %d\n%s", r.code, r.stdout)
		}
		if !strings.Contains(r.stdout, "secret note") || !strings.Contains(r.stdout, "Лалагул Каллыханова") {
			t.Errorf("full export lacks the note or the name:\n%s", r.stdout)
		}
		// The export reads back in: strip the person column and import it.
		var back strings.Builder
		for _, l := range lines {
			back.WriteString(l[strings.Index(l, ",")+1:] + "\n")
		}
		if r := rollcall(t, env, "import", writeFile(t, "back.csv", back.String())); r.code != 0 || !strings.Contains(r.stdout, "0 new claims") {
			t.Errorf("re-importing the export: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}

		out2 := filepath.Join(t.TempDir(), "public.json")
		if r := rollcall(t, env, "export", "--format", "json", "--public", "--out", out2); r.code != 0 {
			t.Fatalf("export json: %s", r.stderr)
		}
		body, _ := os.ReadFile(out2)
		var records []map[string]any
		if err := json.Unmarshal(body, &records); err != nil {
			t.Fatalf("public json: %v\n%s", err, body)
		}
		if len(records) != 4 {
			t.Errorf("public export has %d records, want 4 (the unverified one left out)", len(records))
		}
		for _, leak := range []string{"secret note", `"vol"`, "Weak Claim"} {
			if strings.Contains(string(body), leak) {
				t.Errorf("public export contains %q", leak)
			}
		}
		if r := rollcall(t, env, "export", "--format", "xml"); r.code == 0 {
			t.Error("export --format xml succeeded")
		}
	})
}

func TestBadCommandLines(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"stats"}, "--as-of is required"},
		{[]string{"stats", "--as-of", "3 August"}, "--as-of"},
		{[]string{"stats", "--as-of", "2022-08-03", "--known-at", "yesterday"}, "RFC 3339"},
		{[]string{"stats", "--as-of", "2022-08-03", "--min-verification", "sure"}, "unknown verification"},
		{[]string{"import"}, "Usage"},
		{[]string{"import", filepath.Join(dir, "missing.csv")}, "no such file"},
		{[]string{"--db", "mysql://x", "stats", "--as-of", "2022-08-03"}, "only postgres://"},
	} {
		r := rollcall(t, env, tc.args...)
		if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want it to say %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

func TestImportReportsEveryBadRowAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	bad := writeFile(t, "bad.csv", "source,record,name,status,date\nv,1,A,detained,2022-07-01\nv,2,B,arrested,2022-07-01\nv,3,C,missing,July\n")
	good := writeFile(t, "good.csv", "source,record,name,status,date\nw,1,D,detained,2022-07-01\n")
	r := rollcall(t, env, "import", good, bad)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, want := range []string{"bad.csv:3: unknown status \"arrested\"", "bad.csv:4: date \"July\"", "bad.csv: nothing imported", "1 of 2 files had errors"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	// The good file landed; nothing of the bad one did.
	r = rollcall(t, env, "export")
	if !strings.Contains(r.stdout, ",w,1,D,") || strings.Contains(r.stdout, ",v,") {
		t.Errorf("after a good and a bad file the registry holds:\n%s", r.stdout)
	}
}

// TestKilledImportLeavesDatabaseAsBefore kills the process with SIGKILL in
// the middle of writing a large file and checks nothing of it remains.
func TestKilledImportLeavesDatabaseAsBefore(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		first := writeFile(t, "first.csv", "source,record,name,status,date,verification\nw,1,D,detained,2022-07-01,verified\n")
		if r := rollcall(t, env, "import", first); r.code != 0 {
			t.Fatal(r.stderr)
		}
		// Long enough to be still running after 1.5 s on either database.
		big := bigList(t, 600000)
		cmd := exec.Command(binary, "import", big)
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if err == nil {
			t.Skip("the import finished before it could be killed; the machine is faster than this test assumes")
		}
		r := rollcall(t, env, "export")
		if got := strings.Count(r.stdout, "\n"); got != 2 || strings.Contains(r.stdout, ",big,") {
			t.Errorf("after a killed import the export has %d lines:\n%.500s", got, r.stdout)
		}
	})
}

func TestServeShowsCountsInEnglishAndRussian(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(binary, "--data", dir, "serve", "--demo", "--addr", "127.0.0.1:0")
	var out bytes.Buffer
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	buf := make([]byte, 200)
	n, _ := stdout.Read(buf)
	line := string(buf[:n])
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("serve printed %q; stderr %s", line, out.String())
	}
	base := strings.TrimSpace(line[i:])
	for lang, want := range map[string]string{"en/": "missing now", "ru/": "пропали без вести"} {
		body, code := get(t, base+lang)
		if code != 200 || !strings.Contains(body, want) || !strings.Contains(body, `<html lang="`+strings.TrimSuffix(lang, "/")+`"`) {
			t.Errorf("%s: %d\n%s", lang, code, body)
		}
	}
	if _, code := get(t, base+"xx/"); code != 404 {
		t.Errorf("unknown language: %d", code)
	}
	st, err := store.Open(t.Context(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if tot, _ := st.Totals(t.Context()); tot.Records < 400 {
		t.Errorf("serve --demo loaded %+v", tot)
	}
}
