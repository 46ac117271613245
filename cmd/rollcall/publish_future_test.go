package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A snapshot as of a day to come is refused and leaves nothing behind;
// today is still a day one may publish.
func TestPublishRefusesAnAsOfDateInTheFuture(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	if r := rollcall(t, env, "import", writeFile(t, "list.csv", list)); r.code != 0 {
		t.Fatal(r.stderr)
	}
	now := time.Now().UTC()
	today, tomorrow := now.Format("2006-01-02"), now.AddDate(0, 0, 1).Format("2006-01-02")
	r := rollcall(t, env, "publish", "--as-of", tomorrow, "--note", "too early")
	if r.code == 0 || !strings.Contains(r.stderr, "is in the future") {
		t.Fatalf("publish as of tomorrow: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "snapshots", "*")); len(files) != 0 {
		t.Errorf("a refused publish left files: %v", files)
	}
	// Had the refused one been stored, today's would not be the first.
	r = rollcall(t, env, "publish", "--as-of", today)
	if r.code != 0 || !strings.Contains(r.stdout, "published snapshot "+today+":") {
		t.Fatalf("publish as of today: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "snapshots", "rollcall-snapshot-*.json")); len(files) != 1 {
		t.Errorf("snapshots after one refused and one accepted publish: %v", files)
	}
	body, code := get(t, startServe(t, dir)+"/api/v1/snapshots")
	if code != 200 || strings.Contains(body, tomorrow) || !strings.Contains(body, today) {
		t.Errorf("/api/v1/snapshots after the refusal: %d\n%s", code, body)
	}
}
