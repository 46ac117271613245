package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// rollcallIn runs the binary with stdin (where --passphrase-fd 0 reads).
func rollcallIn(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

var oneTimeLinkRE = regexp.MustCompile(`http://127\.0\.0\.1:8080/admin/(setup|reset)\?token=([A-Za-z0-9_-]{43})\n`)

func envValue(env []string, name string) string {
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, name+"="); ok {
			return v
		}
	}
	return ""
}

// openStore opens the database the binary uses in env, with its data key
// given to the store (as openWithKeys does), for a test to set up or look at
// what the commands cannot. The caller closes it.
func openStore(t *testing.T, env []string) *store.Store {
	t.Helper()
	dir := envValue(env, "ROLLCALL_DATA")
	st, err := store.Open(context.Background(), dir, envValue(env, "ROLLCALL_DB"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := seal.Open(dir, nil)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	st.SetKeys(keys)
	return st
}

func usersJSON(t *testing.T, env []string) []userJSON {
	t.Helper()
	r := rollcall(t, env, "user", "list", "--json")
	if r.code != 0 {
		t.Fatalf("user list: %d %s", r.code, r.stderr)
	}
	var out []userJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("user list --json: %v\n%s", err, r.stdout)
	}
	return out
}

// One-time links are built on the site's public origin: --origin, else ROLLCALL_ORIGIN, and
// the command says which one it used.
func TestUserAddOrigin(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		r := rollcall(t, env, "user", "add", "--origin", "https://rollcall.example.org:8443/", "--role", "viewer", "viewer@example.org")
		if r.code != 0 || !regexp.MustCompile(`\nhttps://rollcall\.example\.org:8443/admin/setup\?token=[A-Za-z0-9_-]{43}\n`).MatchString(r.stdout) ||
			!strings.Contains(r.stdout, "uses the origin https://rollcall.example.org:8443;") {
			t.Errorf("user add --origin: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		r = rollcall(t, append(env, "ROLLCALL_ORIGIN=http://onion.example:9000"), "user", "unlock", "viewer@example.org")
		if r.code != 0 || !strings.Contains(r.stdout, "\nhttp://onion.example:9000/admin/reset?token=") ||
			!strings.Contains(r.stdout, "uses the origin http://onion.example:9000;") {
			t.Errorf("user unlock with ROLLCALL_ORIGIN: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
}

func TestUserCommands(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		r := rollcall(t, env, "user", "add", "--role", "editor", "Editor@Example.org")
		m := oneTimeLinkRE.FindStringSubmatch(r.stdout)
		if r.code != 0 || m == nil || m[1] != "setup" {
			t.Fatalf("user add: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, "uses the origin http://127.0.0.1:8080;") {
			t.Errorf("user add does not say which origin it used:\n%s", r.stdout)
		}
		if r := rollcall(t, env, "user", "add", "--role", "viewer", "editor@example.org"); r.code != 1 || !strings.Contains(r.stderr, "exists already") {
			t.Errorf("same address twice: %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, env, "user", "add", "--role", "root", "x@example.org"); r.code != 1 || !strings.Contains(r.stderr, "unknown role") {
			t.Errorf("unknown role: %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, env, "user", "add", "y@example.org"); r.code != 2 || !strings.Contains(r.stderr, "--role is required") {
			t.Errorf("no role: %d %s", r.code, r.stderr)
		}
		list := usersJSON(t, env)
		if len(list) != 1 || list[0].Email != "editor@example.org" || list[0].Role != "editor" || list[0].State != "new" || list[0].SecondFactor {
			t.Fatalf("list: %+v", list)
		}

		// The owner uses the link (as the web's set-up page will).
		ctx := context.Background()
		st := openStore(t, env)
		defer st.Close()
		svc := auth.New(st)
		if _, err := svc.SetPassword(ctx, auth.PurposeSetup, m[2], "a long and unusual phrase"); err != nil {
			t.Fatal(err)
		}
		res, err := svc.SignIn(ctx, "editor@example.org", "a long and unusual phrase", "c")
		if err != nil || !res.Enroll {
			t.Fatalf("sign-in through the link's password: %+v %v", res, err)
		}
		if usersJSON(t, env)[0].State != "active" {
			t.Error("not active after setting a password")
		}

		// A viewer too sets up a second factor (issue 14 item 3).
		if r := rollcall(t, env, "user", "role", "EDITOR@example.org", "viewer"); r.code != 0 || !strings.Contains(r.stdout, "from editor to viewer") ||
			!strings.Contains(r.stdout, "must set up a second factor") {
			t.Errorf("user role: %d %s %s", r.code, r.stdout, r.stderr)
		}
		viewer, err := svc.SignIn(ctx, "editor@example.org", "a long and unusual phrase", "c")
		if err != nil || !viewer.Pending || !viewer.Enroll {
			t.Fatalf("viewer sign-in: %+v %v", viewer, err)
		}
		r = rollcall(t, env, "user", "disable", "editor@example.org")
		if r.code != 0 || !strings.Contains(r.stdout, "1 sessions ended") {
			t.Errorf("user disable: %d %s %s", r.code, r.stdout, r.stderr)
		}
		if _, _, err := svc.PendingSignIn(ctx, viewer.Token); err == nil {
			t.Error("session survived disable")
		}
		if usersJSON(t, env)[0].State != "disabled" {
			t.Error("not shown as disabled")
		}
		if r := rollcall(t, env, "user", "enable", "editor@example.org"); r.code != 0 {
			t.Errorf("user enable: %s", r.stderr)
		}
		r = rollcall(t, env, "user", "unlock", "editor@example.org")
		m = oneTimeLinkRE.FindStringSubmatch(r.stdout)
		if r.code != 0 || m == nil || m[1] != "reset" {
			t.Fatalf("user unlock: %d %s %s", r.code, r.stdout, r.stderr)
		}
		if _, err := svc.SetPassword(ctx, auth.PurposeReset, m[2], "another long phrase here"); err != nil {
			t.Errorf("reset link: %v", err)
		}
		if r := rollcall(t, env, "user", "reset-2fa", "editor@example.org"); r.code != 0 || !strings.Contains(r.stdout, "second factor and recovery codes removed") {
			t.Errorf("user reset-2fa: %d %s %s", r.code, r.stdout, r.stderr)
		}
		if r := rollcall(t, env, "user", "disable", "nobody@example.org"); r.code != 1 || !strings.Contains(r.stderr, "no account with that address") || strings.Contains(r.stderr, "nobody@") {
			t.Errorf("unknown account: %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, env, "user", "frob"); r.code != 1 || !strings.Contains(r.stderr, "unknown subcommand") {
			t.Errorf("unknown subcommand: %d %s", r.code, r.stderr)
		}
	})
}

// Canary values entered through the command line and the store appear in
// clear nowhere: not in the SQLite file or its WAL, not in any PostgreSQL
// table, not in anything the commands write to stderr (their log).
func TestCanariesThroughCommandLine(t *testing.T) {
	const email = "canary.cli.5519@example.org"
	const contact = "canary contact 5519 Nukus"
	eachDatabase(t, func(t *testing.T, env []string) {
		var logs strings.Builder
		run := func(args ...string) result {
			r := rollcall(t, env, args...)
			if r.code != 0 {
				t.Fatalf("%v: %d %s", args, r.code, r.stderr)
			}
			logs.WriteString(r.stderr)
			return r
		}
		run("user", "add", "--role", "admin", email)
		if r := run("user", "list"); !strings.Contains(r.stdout, email) {
			t.Fatalf("user list does not show the address:\n%s", r.stdout)
		}
		dir, dsn := envValue(env, "ROLLCALL_DATA"), envValue(env, "ROLLCALL_DB")
		func() {
			st := openStore(t, env)
			defer st.Close()
			if err := st.SetSealed(context.Background(), "u", store.SealedRelativeContact, "person-1", contact); err != nil {
				t.Fatal(err)
			}
		}()
		for _, args := range [][]string{{"user", "role", email, "editor"}, {"user", "unlock", email}, {"key", "rotate"}, {"audit", "verify"}, {"audit", "list"}, {"user", "disable", email}} {
			r := run(args...)
			if strings.Contains(r.stdout, email) || strings.Contains(r.stdout, contact) {
				t.Errorf("%v printed a canary:\n%s", args, r.stdout)
			}
		}
		if strings.Contains(logs.String(), email) || strings.Contains(logs.String(), contact) {
			t.Errorf("a canary is in the logs:\n%s", logs.String())
		}
		dump := storetest.AtRest(t, dir, dsn)
		if !bytes.Contains(dump, []byte("user.unlock")) && !bytes.Contains(dump, []byte("purpose=reset")) {
			t.Fatal("the dump does not even hold the audit log: the search is broken")
		}
		for _, c := range []string{email, contact} {
			if bytes.Contains(bytes.ToLower(dump), []byte(strings.ToLower(c))) {
				t.Errorf("%q is in the database in clear", c)
			}
		}
	})
}
