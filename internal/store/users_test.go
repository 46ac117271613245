package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

func testKeys(t *testing.T) *seal.Keyring {
	t.Helper()
	k, err := seal.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fixedClock makes the store's time stand still until the test moves it.
func fixedClock(s *store.Store) *time.Time {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	return &now
}

func auditActions(t *testing.T, s *store.Store) []string {
	t.Helper()
	es, err := s.AuditEntries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action+" "+e.Object+" "+e.Detail)
	}
	return out
}

func TestUsersAddressSealedAndFoundByLookup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, store.ActorCLI, "Editor@Example.org ", "editor")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, store.ActorCLI, "editor@example.ORG", "viewer"); !errors.Is(err, store.ErrExists) {
			t.Errorf("same address again: %v, want ErrExists", err)
		}
		got, err := s.UserByEmail(ctx, "EDITOR@example.org")
		if err != nil || got.ID != u.ID || got.Role != "editor" || got.Email != "" {
			t.Fatalf("by address: %+v %v", got, err)
		}
		if _, err := s.UserByEmail(ctx, "nobody@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown address: %v", err)
		}
		if _, err := s.CreateUser(ctx, store.ActorCLI, "x@example.org", "superuser"); err == nil {
			t.Error("unknown role accepted by the database")
		}
		list, err := s.Users(ctx, "admin-1")
		if err != nil || len(list) != 1 || list[0].Email != "editor@example.org" {
			t.Fatalf("list: %+v %v", list, err)
		}
		acts := auditActions(t, s)
		if want := "sealed.read " + u.ID + " user.email"; acts[len(acts)-1] != want {
			t.Errorf("last audit entry %q, want %q", acts[len(acts)-1], want)
		}
		// Another key cannot find the account (the lookup hash is keyed).
		s.SetKeys(testKeys(t))
		if _, err := s.UserByEmail(ctx, "editor@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("lookup under another key: %v", err)
		}
	})
}

func TestOneTimeLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := fixedClock(s)
		u, _ := s.CreateUser(ctx, store.ActorCLI, "v@example.org", "volunteer")
		if err := s.AddUserToken(ctx, store.ActorCLI, u.ID, "setup", "hash-1", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPasswordWithToken(ctx, "reset", "hash-1", "$argon2id$x"); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("setup link used as a reset link: %v", err)
		}
		if _, err := s.SetPasswordWithToken(ctx, "setup", "unknown", "$argon2id$x"); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("unknown link: %v", err)
		}
		got, err := s.SetPasswordWithToken(ctx, "setup", "hash-1", "$argon2id$x")
		if err != nil || got.PasswordHash != "$argon2id$x" {
			t.Fatalf("first use: %+v %v", got, err)
		}
		if _, err := s.SetPasswordWithToken(ctx, "setup", "hash-1", "$argon2id$y"); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("second use: %v", err)
		}
		// Expired.
		s.AddUserToken(ctx, store.ActorCLI, u.ID, "reset", "hash-2", now.Add(time.Hour))
		*now = now.Add(2 * time.Hour)
		if _, err := s.CheckUserToken(ctx, "reset", "hash-2"); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("expired link: %v", err)
		}
		// A newer link replaces an unused older one.
		s.AddUserToken(ctx, store.ActorCLI, u.ID, "reset", "hash-3", now.Add(time.Hour))
		s.AddUserToken(ctx, store.ActorCLI, u.ID, "reset", "hash-4", now.Add(time.Hour))
		if _, err := s.CheckUserToken(ctx, "reset", "hash-3"); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("replaced link still works: %v", err)
		}
		if _, err := s.CheckUserToken(ctx, "reset", "hash-4"); err != nil {
			t.Errorf("newest link: %v", err)
		}
		// A disabled account's link does not work.
		s.DisableUser(ctx, store.ActorCLI, u.ID)
		if _, err := s.SetPasswordWithToken(ctx, "reset", "hash-4", "$argon2id$z"); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("disabled account's link: %v", err)
		}
	})
}

func TestDisableAndRoleChangeEndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := fixedClock(s)
		u, _ := s.CreateUser(ctx, store.ActorCLI, "e@example.org", "editor")
		newSession := func(hash string) {
			if err := s.CreateSession(ctx, store.Session{TokenHash: hash, UserID: u.ID, CreatedAt: *now, LastSeen: *now, FreshAt: *now}, ""); err != nil {
				t.Fatal(err)
			}
		}
		newSession("a")
		newSession("b")
		if err := s.SetUserRole(ctx, "admin-1", u.ID, "viewer"); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountSessions(ctx, u.ID); n != 0 {
			t.Errorf("%d sessions after a role change", n)
		}
		newSession("c")
		if _, err := s.SessionByHash(ctx, "c"); err != nil {
			t.Fatal(err)
		}
		ended, err := s.DisableUser(ctx, "admin-1", u.ID)
		if err != nil || ended != 1 {
			t.Fatalf("disable: ended %d, %v", ended, err)
		}
		if _, err := s.SessionByHash(ctx, "c"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session of a disabled account: %v", err)
		}
		if err := s.SetUserRole(ctx, "admin-1", "no-such-id", "viewer"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown user: %v", err)
		}
		if _, err := s.DisableUser(ctx, "admin-1", "no-such-id"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("disable unknown user: %v", err)
		}
	})
}

func TestSessionsReplaceAndEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := fixedClock(s)
		u, _ := s.CreateUser(ctx, store.ActorCLI, "e@example.org", "editor")
		s.CreateSession(ctx, store.Session{TokenHash: "pending", UserID: u.ID, Pending: true, CreatedAt: *now, LastSeen: *now, FreshAt: *now}, "")
		got, err := s.SessionByHash(ctx, "pending")
		if err != nil || !got.Pending || !got.CreatedAt.Equal(*now) {
			t.Fatalf("pending session: %+v %v", got, err)
		}
		if err := s.CreateSession(ctx, store.Session{TokenHash: "full", UserID: u.ID, CreatedAt: *now, LastSeen: *now, FreshAt: *now}, "pending"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionByHash(ctx, "pending"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the pending token survived its replacement: %v", err)
		}
		later := now.Add(5 * time.Minute)
		s.TouchSession(ctx, "full", later)
		s.MarkSessionFresh(ctx, "full", later)
		got, _ = s.SessionByHash(ctx, "full")
		if !got.LastSeen.Equal(later) || !got.FreshAt.Equal(later) || got.Pending {
			t.Errorf("after touch and fresh: %+v", got)
		}
		if err := s.EndSession(ctx, "full", "signout"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionByHash(ctx, "full"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("signed-out session: %v", err)
		}
	})
}

func TestFailuresLockAndSecondFactorOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fixedClock(s)
		u, _ := s.CreateUser(ctx, store.ActorCLI, "t@example.org", "treasurer")
		for i := 1; i <= 3; i++ {
			n, err := s.RecordSignInFailure(ctx, u.ID, "password", 3)
			if err != nil || n != i {
				t.Fatalf("failure %d: %d %v", i, n, err)
			}
		}
		got, _ := s.UserByID(ctx, u.ID)
		if got.LockedAt.IsZero() {
			t.Fatal("not locked after 3 failures")
		}
		s.AddUserToken(ctx, store.ActorCLI, u.ID, "reset", "r", s.Now().Add(time.Hour))
		got, err := s.SetPasswordWithToken(ctx, "reset", "r", "$argon2id$new")
		if err != nil || !got.LockedAt.IsZero() || got.Failures != 0 {
			t.Fatalf("after reset: %+v %v", got, err)
		}

		if err := s.SetPendingTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXP"); err != nil {
			t.Fatal(err)
		}
		got, _ = s.UserByID(ctx, u.ID)
		if p, _ := s.PendingTOTP(ctx, got); p != "JBSWY3DPEHPK3PXP" || got.HasTOTP() {
			t.Fatalf("pending secret %q, has %v", p, got.HasTOTP())
		}
		if err := s.ConfirmTOTP(ctx, u.ID, 100, []string{"h1", "h2"}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.UserByID(ctx, u.ID)
		if sec, _ := s.TOTPSecret(ctx, got); sec != "JBSWY3DPEHPK3PXP" || got.TOTPPending != "" || got.TOTPLastStep != 100 {
			t.Fatalf("confirmed: %q %+v", sec, got)
		}
		for _, c := range []struct {
			step int64
			ok   bool
		}{{100, false}, {99, false}, {101, true}, {101, false}} {
			if ok, err := s.UseTOTPStep(ctx, u.ID, c.step); err != nil || ok != c.ok {
				t.Errorf("step %d: %v %v, want %v", c.step, ok, err, c.ok)
			}
		}
		if ok, _ := s.UseRecoveryCode(ctx, u.ID, "h1"); !ok {
			t.Error("recovery code refused")
		}
		if ok, _ := s.UseRecoveryCode(ctx, u.ID, "h1"); ok {
			t.Error("recovery code accepted twice")
		}
		if ok, _ := s.UseRecoveryCode(ctx, u.ID, "nope"); ok {
			t.Error("unknown recovery code accepted")
		}
		if n, _ := s.RecoveryCodesLeft(ctx, u.ID); n != 1 {
			t.Errorf("%d codes left, want 1", n)
		}
		if _, _, err := s.VerifyAudit(ctx, nil); err != nil {
			t.Fatal(err)
		}
		joined := strings.Join(auditActions(t, s), "\n")
		for _, want := range []string{"user.lock " + u.ID, "signin.fail " + u.ID + " stage=password", "user.password " + u.ID + " via=reset", "user.second_factor " + u.ID, "user.recovery_code_used " + u.ID} {
			if !strings.Contains(joined, want) {
				t.Errorf("audit lacks %q:\n%s", want, joined)
			}
		}
	})
}

// rawDB opens the store's database a second time, as an intruder would.
func rawDB(t *testing.T, dir, dsn string) *sql.DB {
	t.Helper()
	var raw *sql.DB
	var err error
	if dsn == "" {
		raw, err = sql.Open("sqlite", "file:"+dir+"/rollcall.db?mode=ro")
	} else {
		raw, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}
