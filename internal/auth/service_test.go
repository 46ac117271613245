package auth

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

const goodPassword = "a long and unusual phrase"

type fixture struct {
	svc *Service
	st  *store.Store
	now *time.Time
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	keys, err := seal.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Start at the beginning of a TOTP step, so "a step later" is exact.
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	st.SetKeys(keys)
	return &fixture{svc: New(st), st: st, now: &now}
}

func (f *fixture) advance(d time.Duration) { *f.now = f.now.Add(d) }

// account makes an account with a password through its set-up link.
func (f *fixture) account(t *testing.T, email string, role Role) store.User {
	t.Helper()
	ctx := context.Background()
	u, token, err := f.svc.AddUser(ctx, store.ActorCLI, email, role)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetPassword(ctx, PurposeSetup, token, goodPassword); err != nil {
		t.Fatal(err)
	}
	return u
}

// enroll signs in for the first time and sets up TOTP; it returns the
// secret, the full session's token and the recovery codes.
func (f *fixture) enroll(t *testing.T, email string) (secret, token string, recovery []string) {
	t.Helper()
	ctx := context.Background()
	res, err := f.svc.SignIn(ctx, email, goodPassword, "client-1")
	if err != nil || !res.Pending || !res.Enroll {
		t.Fatalf("first sign-in: %+v %v", res, err)
	}
	if _, _, err := f.svc.Session(ctx, res.Token); !errors.Is(err, ErrNoSession) {
		t.Fatalf("a pending session opened the workspace: %v", err)
	}
	e, err := f.svc.BeginEnrollment(ctx, res.Token, email)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(e.Secret, *f.now)
	token, recovery, err = f.svc.ConfirmEnrollment(ctx, res.Token, code)
	if err != nil {
		t.Fatal(err)
	}
	return e.Secret, token, recovery
}

func TestSetUpLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		u, token, err := f.svc.AddUser(ctx, store.ActorCLI, "new@example.org", Volunteer)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) != 43 {
			t.Errorf("token %d characters, want 43 (256 bits)", len(token))
		}
		if _, err := f.svc.SignIn(ctx, "new@example.org", "", "c"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("account without password signed in: %v", err)
		}
		// A refused password does not use up the link.
		if _, err := f.svc.SetPassword(ctx, PurposeSetup, token, "password1234"); !errors.Is(err, ErrPasswordCommon) {
			t.Errorf("common password: %v", err)
		}
		if got, err := f.svc.CheckLink(ctx, PurposeSetup, token); err != nil || got.ID != u.ID {
			t.Fatalf("link after a refused password: %v", err)
		}
		if _, err := f.svc.SetPassword(ctx, PurposeSetup, token, goodPassword); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetPassword(ctx, PurposeSetup, token, goodPassword+"!"); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("link used twice: %v", err)
		}
		// Expired link.
		_, token2, _ := f.svc.AddUser(ctx, store.ActorCLI, "late@example.org", Viewer)
		f.advance(SetupLinkLife + time.Minute)
		if _, err := f.svc.SetPassword(ctx, PurposeSetup, token2, goodPassword); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("expired link: %v", err)
		}
		if _, _, err := f.svc.AddUser(ctx, store.ActorCLI, "not an address", Viewer); err == nil {
			t.Error("a non-address accepted")
		}
		if _, _, err := f.svc.AddUser(ctx, store.ActorCLI, "x@example.org", "root"); err == nil {
			t.Error("unknown role accepted")
		}
	})
}

func TestSignInWithTOTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.account(t, "editor@example.org", Editor)
		secret, token, recovery := f.enroll(t, "editor@example.org")
		if len(recovery) != 10 {
			t.Fatalf("%d recovery codes", len(recovery))
		}
		sess, u, err := f.svc.Session(ctx, token)
		if err != nil || u.Role != "editor" || sess.Pending {
			t.Fatalf("session after enrollment: %+v %v", sess, err)
		}
		if err := f.svc.SignOut(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Session(ctx, token); !errors.Is(err, ErrNoSession) {
			t.Errorf("signed-out session: %v", err)
		}

		// The enrollment's code cannot be used again, even a step later.
		usedCode, _ := totp.GenerateCode(secret, *f.now)
		res, err := f.svc.SignIn(ctx, "EDITOR@example.org", goodPassword, "client-1")
		if err != nil || !res.Pending || res.Enroll {
			t.Fatalf("second sign-in: %+v %v", res, err)
		}
		if _, err := f.svc.SecondFactor(ctx, res.Token, usedCode, "client-1"); !errors.Is(err, ErrBadCode) {
			t.Errorf("reused TOTP code: %v", err)
		}
		if _, err := f.svc.SecondFactor(ctx, res.Token, "000000", "client-1"); !errors.Is(err, ErrBadCode) {
			t.Errorf("wrong code: %v", err)
		}
		f.advance(30 * time.Second)
		code, _ := totp.GenerateCode(secret, *f.now)
		full, err := f.svc.SecondFactor(ctx, res.Token, code, "client-1")
		if err != nil {
			t.Fatal(err)
		}
		if full == res.Token {
			t.Error("the token did not change at the second factor")
		}
		if _, _, err := f.svc.Session(ctx, res.Token); !errors.Is(err, ErrNoSession) {
			t.Errorf("pending token still works: %v", err)
		}
		// The same code on another sign-in within its step: refused.
		res2, _ := f.svc.SignIn(ctx, "editor@example.org", goodPassword, "client-2")
		if _, err := f.svc.SecondFactor(ctx, res2.Token, code, "client-2"); !errors.Is(err, ErrBadCode) {
			t.Errorf("code reused on another sign-in: %v", err)
		}
		// A recovery code works once, written any way.
		if _, err := f.svc.SecondFactor(ctx, res2.Token, strings.ToUpper(recovery[0]), "client-2"); err != nil {
			t.Errorf("recovery code: %v", err)
		}
		res3, _ := f.svc.SignIn(ctx, "editor@example.org", goodPassword, "client-2")
		if _, err := f.svc.SecondFactor(ctx, res3.Token, recovery[0], "client-2"); !errors.Is(err, ErrBadCode) {
			t.Errorf("recovery code used twice: %v", err)
		}
		// A pending sign-in expires.
		f.advance(PendingLimit + time.Second)
		code, _ = totp.GenerateCode(secret, *f.now)
		if _, err := f.svc.SecondFactor(ctx, res3.Token, code, "client-2"); !errors.Is(err, ErrNoSession) {
			t.Errorf("expired pending sign-in: %v", err)
		}
	})
}

func TestEnrollmentQRCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.account(t, "admin@example.org", Admin)
		res, _ := f.svc.SignIn(ctx, "admin@example.org", goodPassword, "c")
		e, err := f.svc.BeginEnrollment(ctx, res.Token, "admin@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(e.URL, "otpauth://totp/Rollcall:") || !strings.Contains(e.URL, "secret="+e.Secret) {
			t.Errorf("URL %q", e.URL)
		}
		b, err := e.QRPNG(240)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() != 240 {
			t.Fatalf("QR code is not a 240px PNG: %v", err)
		}
		if _, _, err := f.svc.ConfirmEnrollment(ctx, res.Token, "123456"); !errors.Is(err, ErrBadCode) {
			t.Errorf("wrong enrollment code: %v", err)
		}
		// Asking again (a reload, the QR code's own request) shows the same
		// secret, not a new one.
		again, err := f.svc.PendingEnrollment(ctx, res.Token, "admin@example.org")
		if err != nil || again.Secret != e.Secret {
			t.Errorf("PendingEnrollment gave another secret (%v)", err)
		}
		// The secret is sealed in the database until confirmed.
		u, _ := st.UserByEmail(ctx, "admin@example.org")
		if u.TOTPPending == "" || strings.Contains(u.TOTPPending, e.Secret) || u.HasTOTP() {
			t.Errorf("pending secret stored as %q", u.TOTPPending)
		}
	})
}

// Viewers and volunteers read what the public cannot: their first sign-in
// sets up a second factor, with recovery codes, like everyone else's, and
// the password alone never opens the workspace.
func TestViewerAndVolunteerEnrollSecondFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		for _, role := range []Role{Viewer, Volunteer} {
			email := string(role) + "@example.org"
			f.account(t, email, role)
			res, err := f.svc.SignIn(ctx, email, goodPassword, "c")
			if err != nil || !res.Pending || !res.Enroll {
				t.Fatalf("%s's first sign-in: pending %v, enroll %v, %v", role, res.Pending, res.Enroll, err)
			}
			if _, _, err := f.svc.Session(ctx, res.Token); !errors.Is(err, ErrNoSession) {
				t.Fatalf("%s's password alone opened the workspace: %v", role, err)
			}
			_, token, recovery := f.enroll(t, email)
			if len(recovery) != recoveryCount {
				t.Errorf("%s got %d recovery codes", role, len(recovery))
			}
			if _, _, err := f.svc.Session(ctx, token); err != nil {
				t.Fatal(err)
			}
			// The next sign-in asks for a code.
			res, err = f.svc.SignIn(ctx, email, goodPassword, "c")
			if err != nil || !res.Pending || res.Enroll {
				t.Fatalf("%s's second sign-in: pending %v, enroll %v, %v", role, res.Pending, res.Enroll, err)
			}
			if _, err := f.svc.SecondFactor(ctx, res.Token, recovery[0], "c"); err != nil {
				t.Errorf("%s's recovery code: %v", role, err)
			}
		}
	})
}

func TestSameAnswerForUnknownAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.account(t, "known@example.org", Viewer)
		time1 := time.Now()
		_, errWrong := f.svc.SignIn(ctx, "known@example.org", "wrong password here", "c1")
		wrong := time.Since(time1)
		time2 := time.Now()
		_, errUnknown := f.svc.SignIn(ctx, "unknown@example.org", "wrong password here", "c2")
		unknown := time.Since(time2)
		if errWrong == nil || errUnknown == nil || errWrong.Error() != errUnknown.Error() {
			t.Fatalf("answers differ: %v / %v", errWrong, errUnknown)
		}
		// Both pay for one argon2id verification (tens of milliseconds):
		// an unknown address is not answered at once.
		argon := time.Hour
		for range 3 {
			start := time.Now()
			VerifyPassword("x", dummyHash())
			argon = min(argon, time.Since(start))
		}
		t.Logf("unknown account %v, wrong password %v, one argon2id check %v", unknown, wrong, argon)
		if unknown < argon/2 || wrong < argon/2 {
			t.Errorf("unknown account answered in %v, wrong password in %v; one argon2id check takes %v", unknown, wrong, argon)
		}
		// Disabled and locked accounts answer the same too.
		u, _ := st.UserByEmail(ctx, "known@example.org")
		st.DisableUser(ctx, store.ActorCLI, u.ID)
		if _, err := f.svc.SignIn(ctx, "known@example.org", goodPassword, "c3"); err == nil || err.Error() != errUnknown.Error() {
			t.Errorf("disabled account: %v", err)
		}
		// Nothing of the address is in the audit log.
		es, _ := st.AuditEntries(ctx, 0, 100)
		for _, e := range es {
			if strings.Contains(e.Actor+e.Object+e.Detail, "example.org") {
				t.Errorf("audit entry names an address: %+v", e)
			}
		}
	})
}

func TestThrottlingPerAccountAndClient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.account(t, "known@example.org", Viewer)
		for _, email := range []string{"known@example.org", "unknown@example.org"} {
			for i := 0; i < 5; i++ {
				if _, err := f.svc.SignIn(ctx, email, "wrong password here", "c-"+email); !errors.Is(err, ErrBadCredentials) {
					t.Fatalf("%s attempt %d: %v", email, i+1, err)
				}
			}
			_, err := f.svc.SignIn(ctx, email, goodPassword, "c-"+email)
			var th *ErrThrottled
			if !errors.As(err, &th) || th.Wait != time.Second {
				t.Fatalf("%s after 5 failures: %v", email, err)
			}
		}
		// Waiting out the delay lets the right password in.
		f.advance(time.Second)
		if _, err := f.svc.SignIn(ctx, "known@example.org", goodPassword, "c-known@example.org"); err != nil {
			t.Errorf("after waiting: %v", err)
		}
		// One client trying many addresses is slowed too.
		for i := 0; i < 20; i++ {
			f.svc.SignIn(ctx, "spray"+string(rune('a'+i))+"@example.org", "wrong password here", "sprayer")
		}
		var th *ErrThrottled
		if _, err := f.svc.SignIn(ctx, "known@example.org", goodPassword, "sprayer"); !errors.As(err, &th) {
			t.Errorf("client after 20 failures: %v", err)
		}
		if _, err := f.svc.SignIn(ctx, "known@example.org", goodPassword, "someone-else"); err != nil {
			t.Errorf("another client: %v", err)
		}
	})
}

func TestLockAndResetLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.svc.Accounts, f.svc.Clients = NewThrottle(1000), NewThrottle(1000) // count the database's lock alone
		u := f.account(t, "victim@example.org", Viewer)
		for i := 0; i < LockAfter; i++ {
			f.svc.SignIn(ctx, "victim@example.org", "guess number "+string(rune('a'+i)), "c")
		}
		if _, err := f.svc.SignIn(ctx, "victim@example.org", goodPassword, "c"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("locked account opened with the right password: %v", err)
		}
		token, err := f.svc.NewLink(ctx, store.ActorCLI, u.ID, PurposeReset)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetPassword(ctx, PurposeReset, token, "the owner's new passphrase"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SignIn(ctx, "victim@example.org", "the owner's new passphrase", "c"); err != nil {
			t.Errorf("after the reset link: %v", err)
		}
	})
}

func TestSessionLimitsAndFreshness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		u := f.account(t, "viewer@example.org", Viewer)
		_, first, recovery := f.enroll(t, "viewer@example.org")
		signIn := func() string {
			res, err := f.svc.SignIn(ctx, "viewer@example.org", goodPassword, "c")
			if err != nil {
				t.Fatal(err)
			}
			token, err := f.svc.SecondFactor(ctx, res.Token, recovery[0], "c")
			if err != nil {
				t.Fatal(err)
			}
			recovery = recovery[1:]
			return token
		}
		// Idle.
		token := first
		f.advance(IdleLimit - time.Minute)
		if _, _, err := f.svc.Session(ctx, token); err != nil {
			t.Fatalf("within the idle limit: %v", err)
		}
		f.advance(IdleLimit + time.Second)
		if _, _, err := f.svc.Session(ctx, token); !errors.Is(err, ErrNoSession) {
			t.Errorf("idle session: %v", err)
		}
		// Absolute, though used every 20 minutes.
		token = signIn()
		for elapsed := time.Duration(0); elapsed < AbsoluteLimit-20*time.Minute; elapsed += 20 * time.Minute {
			f.advance(20 * time.Minute)
			if _, _, err := f.svc.Session(ctx, token); err != nil {
				t.Fatalf("in use after %v: %v", elapsed, err)
			}
		}
		f.advance(21 * time.Minute)
		if _, _, err := f.svc.Session(ctx, token); !errors.Is(err, ErrNoSession) {
			t.Errorf("session past the absolute limit: %v", err)
		}
		// Freshness.
		token = signIn()
		sess, user, _ := f.svc.Session(ctx, token)
		if !Fresh(sess, *f.now) {
			t.Error("a new sign-in is not fresh")
		}
		if err := Authorize(sess, user, ReadRegistry, *f.now); err != nil {
			t.Errorf("viewer reads the registry: %v", err)
		}
		if err := Authorize(sess, user, Publish, *f.now); err == nil {
			t.Error("viewer may publish")
		}
		f.advance(FreshLimit + time.Minute)
		sess, _, _ = f.svc.Session(ctx, token)
		if Fresh(sess, *f.now) {
			t.Error("still fresh after the limit")
		}
		user.Role = string(Editor)
		if err := Authorize(sess, user, Publish, *f.now); !errors.Is(err, ErrNotFresh) {
			t.Errorf("stale session publishing: %v", err)
		}
		if err := f.svc.Reauthenticate(ctx, token, "wrong password here", "", "c"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("reauthenticate with a wrong password: %v", err)
		}
		if err := f.svc.Reauthenticate(ctx, token, goodPassword, "", "c"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("reauthenticate without the second factor: %v", err)
		}
		if err := f.svc.Reauthenticate(ctx, token, goodPassword, recovery[0], "c"); err != nil {
			t.Fatal(err)
		}
		recovery = recovery[1:]
		sess, _, _ = f.svc.Session(ctx, token)
		if !Fresh(sess, *f.now) {
			t.Error("not fresh after reauthenticating")
		}
		// Disabling ends every session.
		other := signIn()
		if _, err := st.DisableUser(ctx, store.ActorCLI, u.ID); err != nil {
			t.Fatal(err)
		}
		for _, tk := range []string{token, other} {
			if _, _, err := f.svc.Session(ctx, tk); !errors.Is(err, ErrNoSession) {
				t.Errorf("session of a disabled account: %v", err)
			}
		}
		if _, _, err := f.svc.Session(ctx, "made-up-token"); !errors.Is(err, ErrNoSession) {
			t.Errorf("unknown token: %v", err)
		}
	})
}

func TestNewRecoveryCodesAndLostPhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		u := f.account(t, "treasurer@example.org", Treasurer)
		res, _ := f.svc.SignIn(ctx, "treasurer@example.org", goodPassword, "c")
		if who, enroll, err := f.svc.PendingSignIn(ctx, res.Token); err != nil || !enroll || who.ID != u.ID {
			t.Fatalf("pending sign-in: %v %v", enroll, err)
		}
		_, token, old := f.enroll(t, "treasurer@example.org")
		if _, _, err := f.svc.PendingSignIn(ctx, token); !errors.Is(err, ErrNoSession) {
			t.Errorf("a full session taken for a pending one: %v", err)
		}
		fresh, err := f.svc.NewRecoveryCodes(ctx, token)
		if err != nil || len(fresh) != 10 {
			t.Fatalf("new codes: %v", err)
		}
		res, _ = f.svc.SignIn(ctx, "treasurer@example.org", goodPassword, "c")
		if _, err := f.svc.SecondFactor(ctx, res.Token, old[1], "c"); !errors.Is(err, ErrBadCode) {
			t.Errorf("an old recovery code still works: %v", err)
		}
		if _, err := f.svc.SecondFactor(ctx, res.Token, fresh[1], "c"); err != nil {
			t.Errorf("a new recovery code: %v", err)
		}
		f.advance(FreshLimit + time.Minute)
		if _, err := f.svc.NewRecoveryCodes(ctx, token); !errors.Is(err, ErrNotFresh) {
			t.Errorf("new codes from a stale session: %v", err)
		}
		// Phone and codes lost: an admin clears the second factor.
		if err := st.ClearSecondFactor(ctx, "admin-1", u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Session(ctx, token); !errors.Is(err, ErrNoSession) {
			t.Errorf("session survived clearing the second factor: %v", err)
		}
		res, err = f.svc.SignIn(ctx, "treasurer@example.org", goodPassword, "c")
		if err != nil || !res.Enroll {
			t.Errorf("after clearing: %+v %v", res, err)
		}
	})
}
