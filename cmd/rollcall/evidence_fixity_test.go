package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixityRuns lists the audit entries of whole fixity runs.
func fixityRuns(t *testing.T, env []string) []string {
	t.Helper()
	r := rollcall(t, env, "audit", "list", "--limit", "1000")
	if r.code != 0 {
		t.Fatalf("audit list: %s", r.stderr)
	}
	var runs []string
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.Contains(line, "evidence.fixity") {
			runs = append(runs, line)
		}
	}
	return runs
}

// waitFor polls until cond holds, for at most a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("waited a minute for %s", what)
}

func TestServeChecksEveryOriginalOnItsSchedule(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	r := rollcall(t, env, "evidence", "add", writeFile(t, "a.txt", "first statement\n"), writeFile(t, "b.txt", "second statement\n"))
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	damaged := strings.Fields(strings.Split(r.stdout, "\n")[1])[0]
	path := filepath.Join(dir, "evidence", "objects", damaged+".age")
	raw, _ := os.ReadFile(path)
	raw[len(raw)-1] ^= 1
	os.WriteFile(path, raw, 0o600)

	// Off: no run however long it serves.
	srv := startServeWithPass(t, dir, nil, "--evidence-verify-every", "0")
	srv.mustServe(t)
	time.Sleep(1500 * time.Millisecond)
	if runs := fixityRuns(t, env); len(runs) != 0 {
		t.Fatalf("runs with the schedule off: %q", runs)
	}
	// Weekly by default; none was ever run, so the first runs at once and
	// names the damaged original.
	startServeWithPass(t, dir, nil).mustServe(t)
	waitFor(t, "the first fixity run", func() bool { return len(fixityRuns(t, env)) == 1 })
	if run := fixityRuns(t, env)[0]; !strings.Contains(run, "checked=2 intact=1 not_intact=1 "+damaged+":damaged") || !strings.Contains(run, "system") {
		t.Errorf("the run's entry: %s", run)
	}
	// With a one-second interval the next run comes a second later.
	startServeWithPass(t, dir, nil, "--evidence-verify-every", "1s").mustServe(t)
	waitFor(t, "a second run", func() bool { return len(fixityRuns(t, env)) >= 2 })
	if r := rollcall(t, env, "evidence", "verify", damaged); r.code != 1 || !strings.Contains(r.stdout, "DAMAGED "+damaged) {
		t.Errorf("verify names the damaged original: %d %s", r.code, r.stdout)
	}
}
