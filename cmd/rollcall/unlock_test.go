package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const servePass = "a passphrase of some length"

// serveRun is a `rollcall serve` that either serves (base is its URL) or
// has exited (code, with stderr saying why).
type serveRun struct {
	base   string
	code   int
	stderr *strings.Builder
	proc   *os.Process // while it serves
}

// startServeWithPass starts serve with args and, when pass is not nil, that
// text on file descriptor 3 (a pipe, as from a password manager). It waits
// until serve prints its address or exits.
func startServeWithPass(t *testing.T, dir string, pass *string, args ...string) serveRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, binary, append([]string{"--data", dir, "serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	// Standard input is no terminal: serve must never wait on it.
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	if pass != nil {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.WriteString(*pass); err != nil {
			t.Fatal(err)
		}
		w.Close()
		cmd.ExtraFiles = []*os.File{r} // descriptor 3 in the child
		defer r.Close()
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if i := strings.Index(line, "http"); i >= 0 {
		t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
		return serveRun{base: strings.TrimSpace(line[i:]), stderr: stderr, proc: cmd.Process}
	}
	cmd.Wait()
	return serveRun{code: cmd.ProcessState.ExitCode(), stderr: stderr}
}

func (r serveRun) mustServe(t *testing.T) {
	t.Helper()
	if r.base == "" {
		t.Fatalf("serve did not start: exit %d\n%s", r.code, r.stderr)
	}
	if body, code := get(t, r.base+"en/"); code != 200 || !strings.Contains(body, `<html lang="en"`) {
		t.Fatalf("serve answered %d\n%.300s", code, body)
	}
}

func (r serveRun) mustRefuse(t *testing.T, why ...string) {
	t.Helper()
	if r.base != "" {
		t.Fatalf("serve started at %s; want it refused (%v)", r.base, why)
	}
	if r.code != 1 {
		t.Errorf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, w := range why {
		if !strings.Contains(r.stderr.String(), w) {
			t.Errorf("stderr does not say %q:\n%s", w, r.stderr)
		}
	}
}

func TestServeUnlocksAKeyUnderAPassphrase(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	if r := rollcall(t, env, "user", "add", "--role", "viewer", "v@example.org"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := rollcallIn(t, env, servePass+"\n", "key", "passphrase", "--new-passphrase-fd", "0"); r.code != 0 {
		t.Fatalf("key passphrase: %s", r.stderr)
	}

	startServeWithPass(t, dir, nil).mustRefuse(t, "sealed under a passphrase", "--unlock")
	wrong := "not the passphrase at all\n"
	startServeWithPass(t, dir, &wrong, "--unlock", "--passphrase-fd", "3").mustRefuse(t, "wrong passphrase")
	// --unlock without a descriptor asks the terminal, and there is none.
	startServeWithPass(t, dir, nil, "--unlock").mustRefuse(t, "not a terminal")

	right := servePass + "\n"
	run := startServeWithPass(t, dir, &right, "--unlock", "--passphrase-fd", "3")
	run.mustServe(t)
	if !strings.Contains(run.stderr.String(), "under_passphrase=true") {
		t.Errorf("serve did not say the key was unlocked:\n%s", run.stderr)
	}
	if strings.Contains(run.stderr.String(), servePass) {
		t.Errorf("the passphrase is in the log:\n%s", run.stderr)
	}
}

func TestServeUnlockMakesANewKeyUnderThePassphrase(t *testing.T) {
	dir := t.TempDir()
	short := "short\n"
	startServeWithPass(t, dir, &short, "--unlock", "--passphrase-fd", "3").mustRefuse(t, "at least 12")
	if _, err := os.Stat(filepath.Join(dir, "seal.key.age")); !os.IsNotExist(err) {
		t.Fatalf("a key was made under a passphrase too short: %v", err)
	}
	pass := servePass + "\n"
	startServeWithPass(t, dir, &pass, "--unlock", "--passphrase-fd", "3").mustServe(t)
	if _, err := os.Stat(filepath.Join(dir, "seal.key")); !os.IsNotExist(err) {
		t.Errorf("a plain key file was written: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "seal.key.age")); err != nil {
		t.Fatalf("no sealed key file: %v", err)
	}
	// The new key opens with that passphrase only.
	env := []string{"ROLLCALL_DATA=" + dir}
	if r := rollcallIn(t, env, pass, "key", "status", "--passphrase-fd", "0"); r.code != 0 || !strings.Contains(r.stdout, "under a passphrase") {
		t.Errorf("key status: %d %s %s", r.code, r.stdout, r.stderr)
	}
	startServeWithPass(t, dir, nil).mustRefuse(t, "--unlock")
}

func TestServeMakesAPlainKeyWithoutUnlock(t *testing.T) {
	dir := t.TempDir()
	startServeWithPass(t, dir, nil).mustServe(t)
	info, err := os.Stat(filepath.Join(dir, "seal.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key made at first start: %v %v", info, err)
	}
	// --unlock on a plain key opens it and says there was nothing to unlock.
	pass := servePass + "\n"
	run := startServeWithPass(t, dir, &pass, "--unlock", "--passphrase-fd", "3")
	run.mustServe(t)
	if !strings.Contains(run.stderr.String(), "nothing to unlock") {
		t.Errorf("no warning that the key is plain:\n%s", run.stderr)
	}
}
