package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// evaluated counts the password checks the audit log shows for an
// account: every checked attempt ends in signin.fail or signin.ok (or a
// pending session), a refused one leaves nothing.
func evaluated(t *testing.T, st *store.Store, userID string) (fails, oks int) {
	t.Helper()
	es, err := st.AuditEntries(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		switch {
		case e.Object == userID && e.Action == "signin.fail":
			fails++
		case e.Object == userID && e.Action == "session.start":
			oks++
		}
	}
	return fails, oks
}

// Issue 14 item 1: wrong passwords sent together used to be checked all at
// once (60 × 401, no 429), since the throttle was asked before argon2 ran
// and told after. Now each attempt is counted before it is checked: of a
// burst of 60 at one account, only AccountFree are checked and the rest
// are refused at once without changing anything; the right password sent inside the burst after the limit does
// not sign in.
func TestBurstOfGuessesCountedFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.svc.Clients = NewThrottle(1000) // the account's limit alone (each guess from another client)
		// Slots enough for the whole burst, so the count alone decides
		// (TestCheckSlots covers the slots).
		f.svc.checks = make(chan struct{}, 64)
		u := f.account(t, "target@example.org", Viewer)
		var wg sync.WaitGroup
		var mu sync.Mutex
		answers := map[string]int{}
		for i := range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.SignIn(ctx, "target@example.org", fmt.Sprintf("wrong guess number %d", i), fmt.Sprintf("client-%d", i))
				var th *ErrThrottled
				mu.Lock()
				defer mu.Unlock()
				switch {
				case errors.Is(err, ErrBadCredentials):
					answers["bad"]++
				case errors.As(err, &th) && th.Busy:
					answers["busy"]++
				case errors.As(err, &th):
					answers["throttled"]++
				default:
					t.Errorf("guess %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		fails, _ := evaluated(t, st, u.ID)
		t.Logf("60 guesses at once: %v; %d checked", answers, fails)
		if fails != AccountFree || answers["bad"] != fails {
			t.Errorf("%d guesses checked (%d answered wrong), at most %d allowed", fails, answers["bad"], AccountFree)
		}
		if answers["throttled"] != 60-AccountFree {
			t.Errorf("answers %v", answers)
		}
		// The limit reached, the right password (a moment later, same
		// fixed clock) is refused unchecked and starts no session.
		{
			var th *ErrThrottled
			if _, err := f.svc.SignIn(ctx, "target@example.org", goodPassword, "owner"); !errors.As(err, &th) || th.Busy {
				t.Errorf("the right password after the limit: %v", err)
			}
			if n, _ := st.CountSessions(ctx, u.ID); n != 0 {
				t.Errorf("%d sessions after the burst", n)
			}
		}
	})
}

// At most MaxChecks checks run at once; beyond, an attempt is answered at
// once (Busy), counted nowhere.
func TestCheckSlots(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newFixture(t, st)
	var held []func()
	for range MaxChecks {
		done, err := f.svc.begin(*f.now, "", "")
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, done)
	}
	var th *ErrThrottled
	if _, err := f.svc.SignIn(context.Background(), "a@example.org", "wrong password here", "c"); !errors.As(err, &th) || !th.Busy || th.Wait != time.Second {
		t.Fatalf("with every slot taken: %v", err)
	}
	if w := f.svc.Accounts.Wait(*f.now, accountKey("a@example.org")); w != 0 {
		t.Error("a refused attempt was counted")
	}
	for _, done := range held {
		done()
	}
	if _, err := f.svc.SignIn(context.Background(), "a@example.org", "wrong password here", "c"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("with the slots free again: %v", err)
	}
}

// Locking ends the account's sessions, and no session starts for a locked
// account, even one whose password step passed before the lock.
func TestLockEndsSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		f.svc.Accounts, f.svc.Clients = NewThrottle(1000), NewThrottle(1000)
		u := f.account(t, "victim@example.org", Viewer)
		_, token, recovery := f.enroll(t, "victim@example.org")
		res, err := f.svc.SignIn(ctx, "victim@example.org", goodPassword, "c")
		if err != nil || !res.Pending {
			t.Fatal(res, err)
		}
		for i := range LockAfter {
			f.svc.SignIn(ctx, "victim@example.org", fmt.Sprintf("guess number %d", i), "c")
		}
		if _, _, err := f.svc.Session(ctx, token); !errors.Is(err, ErrNoSession) {
			t.Errorf("a session outlived the lock: %v", err)
		}
		if _, err := f.svc.SecondFactor(ctx, res.Token, recovery[0], "c"); !errors.Is(err, ErrNoSession) {
			t.Errorf("a sign-in begun before the lock finished: %v", err)
		}
		if n, _ := st.CountSessions(ctx, u.ID); n != 0 {
			t.Errorf("%d sessions left", n)
		}
		// The store refuses one too, whoever asks.
		err = st.CreateSession(ctx, store.Session{TokenHash: "x", UserID: u.ID, CreatedAt: *f.now, LastSeen: *f.now, FreshAt: *f.now}, "")
		if !errors.Is(err, store.ErrLocked) {
			t.Errorf("CreateSession for a locked account: %v", err)
		}
	})
}

func TestMostIn(t *testing.T) {
	th := NewThrottle(5)
	for _, c := range []struct {
		d    time.Duration
		want int
	}{{0, 5}, {999 * time.Millisecond, 5}, {time.Second, 6}, {3 * time.Second, 7}, {10 * time.Second, 8}} {
		if got := th.MostIn(c.d); got != c.want {
			t.Errorf("MostIn(%v) = %d, want %d", c.d, got, c.want)
		}
	}
}

// Issue 14 item 7: the stored password hash is sealed with a key derived
// from the data key, so the database alone cannot check a guess; a hash
// stored before that (plain argon2id) still signs in and is replaced by
// the sealed form at that sign-in; key rotation keeps it working.
func TestPepperedHashes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		keys, err := seal.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		f := newFixture(t, st)
		st.SetKeys(keys)
		// An account as an older version left it: a plain argon2id hash.
		u, token, err := f.svc.AddUser(ctx, store.ActorCLI, "old@example.org", Viewer)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := HashPassword(goodPassword)
		if _, err := st.SetPasswordWithToken(ctx, PurposeSetup, HashToken(token), plain); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SignIn(ctx, "old@example.org", goodPassword, "c"); err != nil {
			t.Fatal(err)
		}
		got, _ := st.UserByID(ctx, u.ID)
		if got.PasswordHash == plain || !seal.IsSealed(got.PasswordHash) {
			t.Fatalf("hash not upgraded at sign-in: %q", got.PasswordHash)
		}
		// The database alone: the stored value is no argon2id hash, and
		// another key does not open it.
		if VerifyPassword(goodPassword, got.PasswordHash) {
			t.Error("the stored value verifies without the key")
		}
		other, _ := seal.Open(t.TempDir(), nil)
		if _, err := other.UnsealString(store.PasswordPlace(u.ID), got.PasswordHash); err == nil {
			t.Error("another key opens the stored hash")
		}
		// With the key it still works, wrong passwords still fail.
		if _, err := f.svc.SignIn(ctx, "old@example.org", "not the password at all", "c"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("wrong password: %v", err)
		}
		if _, err := f.svc.SignIn(ctx, "old@example.org", goodPassword, "c"); err != nil {
			t.Errorf("after the upgrade: %v", err)
		}
		// A new password is stored sealed at once.
		f.account(t, "new@example.org", Viewer)
		n, _ := st.UserByEmail(ctx, "new@example.org")
		if !seal.IsSealed(n.PasswordHash) {
			t.Errorf("a new password stored unsealed: %q", n.PasswordHash)
		}
		// Key rotation reseals it.
		if err := keys.BeginRotation(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ResealAll(ctx, store.ActorCLI); err != nil {
			t.Fatal(err)
		}
		if err := keys.FinishRotation(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SignIn(ctx, "old@example.org", goodPassword, "c"); err != nil {
			t.Errorf("after key rotation: %v", err)
		}
	})
}
