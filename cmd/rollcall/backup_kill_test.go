package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"rollcall/internal/store/storetest"
)

// TestKilledBackupAndRestoreLeaveNothingHalfDone kills backup and restore
// with SIGKILL after growing delays: afterwards the backup file is absent
// or whole, and the restored directory is absent or a complete copy.
func TestKilledBackupAndRestoreLeaveNothingHalfDone(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		firstPerson(t, env)
		offline, _ := age.GenerateX25519Identity()
		if r := rollcall(t, env, "key", "recipients", "add", "--backup", offline.Recipient().String()); r.code != 0 {
			t.Fatal(r.stderr)
		}
		key := writeFile(t, "backup.key", offline.String()+"\n")
		head := rollcall(t, env, "audit", "head").stdout
		postgres := strings.Contains(strings.Join(env, " "), "ROLLCALL_DB=")
		killAfter := func(delay time.Duration, extraEnv []string, args ...string) {
			cmd := exec.Command(binary, args...)
			cmd.Env = append(append([]string{"PATH=" + os.Getenv("PATH")}, env...), extraEnv...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(delay)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
		}
		good := filepath.Join(t.TempDir(), "good.backup")
		if r := rollcall(t, env, "backup", "--out", good); r.code != 0 {
			t.Fatal(r.stderr)
		}
		for i := 0; i < 6; i++ {
			delay := time.Duration(i*15) * time.Millisecond
			out := filepath.Join(t.TempDir(), "b.backup")
			killAfter(delay, nil, "backup", "--out", out)
			if _, err := os.Stat(out); err == nil {
				if r := rollcall(t, env, "backup", "verify", out, "--identity", key); r.code != 0 {
					t.Errorf("backup killed after %v left a damaged file: %s", delay, r.stderr)
				}
			}
			target := filepath.Join(t.TempDir(), "restored")
			var restoreEnv []string
			if postgres {
				restoreEnv = []string{"ROLLCALL_DB=" + storetest.FreshPostgres(t)}
			}
			killAfter(delay, restoreEnv, "restore", good, "--identity", key, "--into", target)
			if _, err := os.Stat(target); err == nil {
				r := rollcall(t, append([]string{"ROLLCALL_DATA=" + target}, restoreEnv...), "audit", "head")
				if r.stdout != head {
					t.Errorf("restore killed after %v left %q, want %q: %s", delay, r.stdout, head, r.stderr)
				}
			} else if postgres {
				// No directory: the database must be as empty as it was,
				// so that the restore can simply be run again.
				if r := rollcall(t, restoreEnv, "restore", good, "--identity", key, "--into", target); r.code != 0 {
					t.Errorf("restore again after a kill at %v: %s", delay, r.stderr)
				}
			}
		}
	})
}
