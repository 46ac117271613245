package main

import (
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A fresh log with some entries, and a raw connection to change it behind
// the program's back.
func tamperableLog(t *testing.T) ([]string, *sql.DB, string) {
	t.Helper()
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	for _, email := range []string{"a@example.org", "b@example.org"} {
		if r := rollcall(t, env, "user", "add", "--role", "viewer", email); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	rollcall(t, env, "user", "disable", "a@example.org") // entries 1-2, 3-4, 5
	r := rollcall(t, env, "audit", "verify")
	if r.code != 0 || !strings.Contains(r.stdout, "intact: 5 entries") {
		t.Fatalf("audit verify: %d %s %s", r.code, r.stdout, r.stderr)
	}
	head := rollcall(t, env, "audit", "head").stdout
	if !regexp.MustCompile(`^5:[0-9a-f]{64}\n$`).MatchString(head) {
		t.Fatalf("audit head %q", head)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "rollcall.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return env, db, strings.TrimSpace(head)
}

func TestAuditVerifySaysWhere(t *testing.T) {
	cases := []struct {
		name, sql, want string
	}{
		{"edited", `UPDATE audit_log SET detail = 'role=admin' WHERE seq = 1`, "BROKEN at entry 1: its content does not match its hash (edited)"},
		{"deleted", `DELETE FROM audit_log WHERE seq = 3`, "BROKEN at entry 3: entries 3 to 3 are missing"},
		{"reordered", `UPDATE audit_log SET seq = 100 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 100`, "BROKEN at entry 2: it does not follow entry 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, db, _ := tamperableLog(t)
			if _, err := db.Exec(c.sql); err != nil {
				t.Fatal(err)
			}
			r := rollcall(t, env, "audit", "verify")
			if r.code != 1 || !strings.Contains(r.stdout, c.want) {
				t.Errorf("verify after %s: exit %d\n%s%s", c.name, r.code, r.stdout, r.stderr)
			}
		})
	}
	t.Run("cut from the end", func(t *testing.T) {
		env, db, head := tamperableLog(t)
		if _, err := db.Exec(`DELETE FROM audit_log WHERE seq = 5`); err != nil {
			t.Fatal(err)
		}
		if r := rollcall(t, env, "audit", "verify"); r.code != 0 {
			t.Fatalf("a cut log is consistent in itself: %s", r.stdout)
		}
		r := rollcall(t, env, "audit", "verify", "--head", head)
		if r.code != 1 || !strings.Contains(r.stdout, "cut from the end") {
			t.Errorf("verify --head: %d %s %s", r.code, r.stdout, r.stderr)
		}
	})
}
