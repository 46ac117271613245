package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `publish --dry-run` prints what would be published against the snapshot
// it would follow, with its warnings, and stores nothing: no snapshot row, no
// file, no signing key.
func TestPublishDryRunStoresNothing(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	if r := rollcall(t, env, "import", writeFile(t, "list.csv", list)); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := rollcall(t, env, "publish", "--as-of", "2022-08-03", "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "DRY RUN: nothing published") || !strings.Contains(r.stdout, "no snapshot published as of this day or before") {
		t.Fatalf("first dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "keys")); !os.IsNotExist(err) {
		t.Errorf("a dry run made the signing key (%v)", err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "snapshots", "*")); len(files) != 0 {
		t.Errorf("a dry run left files: %v", files)
	}
	if r := rollcall(t, env, "publish", "--as-of", "2022-08-03"); r.code != 0 || !strings.Contains(r.stdout, "published snapshot 2022-08-03:") {
		t.Fatalf("publish: %s%s", r.stdout, r.stderr)
	}
	more := "source,record,name,sex,birth_year,region,status,date,verification\n" +
		"vol,9,Timur Ismailov,m,1975,Nukus,detained,2022-07-04,corroborated\n"
	if r := rollcall(t, env, "import", writeFile(t, "more.csv", more)); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r = rollcall(t, env, "publish", "--as-of", "2022-08-03", "--dry-run")
	for _, want := range []string{"against the snapshot 2022-08-03 (the latest as of this day or before", "1 enter the public list", "(was ", "WARNING: 1 persons changed since that snapshot"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the dry run after an import lacks %q:\n%s", want, r.stdout)
		}
	}
	// Had the dry run stored a snapshot, the next would be 2022-08-03-3.
	if r := rollcall(t, env, "publish", "--as-of", "2022-08-03"); !strings.Contains(r.stdout, "published snapshot 2022-08-03-2:") {
		t.Errorf("the publish after a dry run: %s%s", r.stdout, r.stderr)
	}
	if r := rollcall(t, env, "publish", "--as-of", "2999-01-01", "--dry-run"); r.code == 0 || !strings.Contains(r.stderr, "is in the future") {
		t.Errorf("a dry run as of a day to come: exit %d %s", r.code, r.stderr)
	}
}
