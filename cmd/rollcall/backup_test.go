package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// evidenceHashes maps each file under data/evidence to its SHA-256.
func evidenceHashes(t *testing.T, data string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	root := filepath.Join(data, "evidence")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		s := sha256.Sum256(b)
		rel, _ := filepath.Rel(root, p)
		sums[rel] = hex.EncodeToString(s[:])
		return nil
	})
	return sums
}

func TestBackupRestoresCountsAuditHeadAndEvidence(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			dir, dsn := storetest.Fresh(t, d)
			env := []string{"ROLLCALL_DATA=" + dir}
			if dsn != "" {
				env = append(env, "ROLLCALL_DB="+dsn)
			}
			person := firstPerson(t, env)
			if r := rollcall(t, env, "evidence", "add", writeFile(t, "a.txt", "a statement\n"), "--person", person); r.code != 0 {
				t.Fatalf("evidence add: %s", r.stderr)
			}
			out := filepath.Join(t.TempDir(), "rollcall.backup")
			if r := rollcall(t, env, "backup", "--out", out); r.code != 1 || !strings.Contains(r.stderr, "no backup recipients") {
				t.Fatalf("a backup with no recipient: %d %s", r.code, r.stderr)
			}
			offline, _ := age.GenerateX25519Identity()
			if r := rollcall(t, env, "key", "recipients", "add", "--backup", offline.Recipient().String()); r.code != 0 {
				t.Fatalf("recipients add --backup: %s", r.stderr)
			}
			if r := rollcall(t, env, "backup", "--out", out); r.code != 0 {
				t.Fatalf("backup: %s", r.stderr)
			}
			key := writeFile(t, "backup.key", offline.String()+"\n")
			if r := rollcall(t, env, "backup", "verify", out, "--identity", key); r.code != 0 || !strings.Contains(r.stdout, "intact") {
				t.Fatalf("backup verify: %d %s %s", r.code, r.stdout, r.stderr)
			}
			other, _ := age.GenerateX25519Identity()
			wrong := writeFile(t, "other.key", other.String()+"\n")
			if r := rollcall(t, env, "backup", "verify", out, "--identity", wrong); r.code != 1 || !strings.Contains(r.stderr, "not encrypted to the key given") {
				t.Errorf("the wrong key: %d %s", r.code, r.stderr)
			}
			raw, _ := os.ReadFile(out)
			cut := writeFile(t, "cut.backup", string(raw[:len(raw)-100]))
			if r := rollcall(t, env, "backup", "verify", cut, "--identity", key); r.code != 1 || !strings.Contains(r.stderr, "cut short") {
				t.Errorf("a truncated backup: %d %s", r.code, r.stderr)
			}

			target := filepath.Join(t.TempDir(), "restored")
			restoreEnv := []string{}
			var targetDSN string
			if d == store.Postgres {
				targetDSN = storetest.FreshPostgres(t)
				restoreEnv = append(restoreEnv, "ROLLCALL_DB="+targetDSN)
			}
			if r := rollcall(t, restoreEnv, "restore", cut, "--identity", key, "--into", target); r.code != 1 {
				t.Errorf("restore of a truncated backup: %d %s", r.code, r.stderr)
			}
			if _, err := os.Stat(target); err == nil {
				t.Error("a failed restore left the target directory")
			}
			if r := rollcall(t, restoreEnv, "restore", out, "--identity", key, "--into", dir); r.code != 1 || !strings.Contains(r.stderr, "not empty") {
				t.Errorf("restore over a live data directory: %d %s", r.code, r.stderr)
			}
			if r := rollcall(t, restoreEnv, "restore", out, "--identity", key, "--into", target); r.code != 0 {
				t.Fatalf("restore: %s", r.stderr)
			}
			if d == store.Postgres {
				again := filepath.Join(t.TempDir(), "again")
				if r := rollcall(t, restoreEnv, "restore", out, "--identity", key, "--into", again); r.code != 1 || !strings.Contains(r.stderr, "not empty") {
					t.Errorf("restore into a database with tables: %d %s", r.code, r.stderr)
				}
			}
			restored := append([]string{"ROLLCALL_DATA=" + target}, restoreEnv...)
			for _, args := range [][]string{{"audit", "head"}, {"stats", "--as-of", "2022-08-03", "--json"}, {"evidence", "list"}, {"key", "recipients", "list"}} {
				before, after := rollcall(t, env, args...), rollcall(t, restored, args...)
				// Counts are asked as known now, which moves between the two runs.
				b, a := stripKnownAt(before.stdout), stripKnownAt(after.stdout)
				if before.code != 0 || after.code != 0 || b != a {
					t.Errorf("%v before and after the restore:\n%s%s\n---\n%s%s", args, before.stdout, before.stderr, after.stdout, after.stderr)
				}
			}
			if r := rollcall(t, restored, "evidence", "verify", "--all"); r.code != 0 {
				t.Errorf("evidence verify after the restore: %s %s", r.stdout, r.stderr)
			}
			if a, b := evidenceHashes(t, dir), evidenceHashes(t, target); len(a) == 0 || len(a) != len(b) {
				t.Errorf("evidence files: %v then %v", a, b)
			} else {
				for k, v := range a {
					if b[k] != v {
						t.Errorf("evidence %s changed in the restore", k)
					}
				}
			}
		})
	}
}

func stripKnownAt(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if !strings.Contains(l, `"known_at"`) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
