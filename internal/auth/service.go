package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"rollcall/internal/seal"
	"rollcall/internal/store"
)

// Limits of sessions and links.
const (
	IdleLimit     = 30 * time.Minute // a session unused this long ends
	AbsoluteLimit = 12 * time.Hour   // a session ends this long after sign-in, used or not
	PendingLimit  = 5 * time.Minute  // time to give the second factor after the password
	FreshLimit    = 10 * time.Minute // how recent a sign-in must be for Fresh
	SetupLinkLife = 72 * time.Hour   // a new account's set-up link
	ResetLinkLife = 24 * time.Hour   // an unlock/reset link
	LockAfter     = 20               // consecutive failures that lock an account
	touchEvery    = time.Minute      // last-seen is written at most this often
	recoveryCount = 10
)

// Link purposes (the paths the web serves them under: /admin/setup and
// /admin/reset, with ?token=…).
const (
	PurposeSetup = "setup"
	PurposeReset = "reset"
)

// Errors a sign-in answers with. ErrBadCredentials is the one answer for an
// unknown address, a wrong password, a disabled or locked account and an
// account without a password yet.
var (
	ErrBadCredentials = errors.New("wrong e-mail address or password (if your account is locked, ask an administrator for a reset link)")
	ErrBadCode        = errors.New("wrong or already used code")
	ErrNoSession      = errors.New("not signed in, or the session has ended")
	ErrNotFresh       = errors.New("sign in again to do this")
)

// ErrThrottled asks the client to wait before trying again: too many
// attempts of this account or client, or (Busy) every check slot is in use.
type ErrThrottled struct {
	Wait time.Duration
	Busy bool
}

func (e *ErrThrottled) Error() string {
	if e.Busy {
		return "too many sign-ins at once: try again in a second"
	}
	return fmt.Sprintf("too many attempts: try again in %d seconds", int(e.Wait.Seconds()+0.999))
}

// Service is the workspace's sign-in and account logic over the store.
// One Service lives as long as the server: its throttles are in memory.
type Service struct {
	Store *store.Store
	Now   func() time.Time
	// Per account (by keyed hash of the address, known or not) and per
	// client (by keyed hash of whatever the web gives as its address).
	Accounts *Throttle
	Clients  *Throttle

	attempts sync.Mutex    // makes checking and counting both throttles one step
	checks   chan struct{} // a slot per password or code check running now
}

// MaxChecks is how many password (argon2id) and second-factor checks run
// at once: each argon2id check holds 19 MiB, so four hold 76 MiB at most
// whatever the load. An attempt that finds every slot taken is not queued:
// it is answered at once (ErrThrottled with Busy, one second), having
// changed nothing.
const MaxChecks = 4

// Default throttles of New: free failures per account and per client.
const (
	AccountFree = 5
	ClientFree  = 20
)

// New returns a Service with the default throttles: 5 free failures per
// account, 20 per client, then waits doubling from a second.
func New(st *store.Store) *Service {
	return &Service{Store: st, Now: func() time.Time { return st.Now() },
		Accounts: NewThrottle(AccountFree), Clients: NewThrottle(ClientFree), checks: make(chan struct{}, MaxChecks)}
}

// begin takes a check slot and counts an attempt under each throttle key
// (accountKey first, then clientKey; "" skips one) before anything is
// verified. It refuses, changing nothing, when every slot is in use or a
// key must wait. The caller runs done when the check is over.
func (s *Service) begin(now time.Time, account, client string) (done func(), err error) {
	select {
	case s.checks <- struct{}{}:
	default:
		return nil, &ErrThrottled{Wait: time.Second, Busy: true}
	}
	release := func() { <-s.checks }
	s.attempts.Lock()
	defer s.attempts.Unlock()
	var wait time.Duration
	if account != "" {
		wait = s.Accounts.Wait(now, account)
	}
	if client != "" {
		wait = max(wait, s.Clients.Wait(now, client))
	}
	if wait > 0 {
		release()
		return nil, &ErrThrottled{Wait: wait}
	}
	if account != "" {
		s.Accounts.Attempt(now, account)
	}
	if client != "" {
		s.Clients.Attempt(now, client)
	}
	return release, nil
}

// AddUser makes an account without password and returns the set-up token
// for its one-time link (shown once; only its hash is kept).
func (s *Service) AddUser(ctx context.Context, actor, email string, role Role) (store.User, string, error) {
	if _, err := ParseRole(string(role)); err != nil {
		return store.User{}, "", err
	}
	if !plausibleEmail(email) {
		return store.User{}, "", fmt.Errorf("not an e-mail address")
	}
	u, err := s.Store.CreateUser(ctx, actor, email, string(role))
	if err != nil {
		return u, "", err
	}
	token, err := s.NewLink(ctx, actor, u.ID, PurposeSetup)
	return u, token, err
}

// NewLink makes a one-time link's token for an account: PurposeSetup for a
// new account, PurposeReset to set a new password and lift a lock.
// Earlier unused links of the same purpose stop working.
func (s *Service) NewLink(ctx context.Context, actor, userID, purpose string) (string, error) {
	life := SetupLinkLife
	if purpose == PurposeReset {
		life = ResetLinkLife
	}
	token, hash := NewToken()
	if err := s.Store.AddUserToken(ctx, actor, userID, purpose, hash, s.Now().Add(life)); err != nil {
		return "", err
	}
	return token, nil
}

// CheckLink says whose a one-time link is, without using it.
func (s *Service) CheckLink(ctx context.Context, purpose, token string) (store.User, error) {
	return s.Store.CheckUserToken(ctx, purpose, HashToken(token))
}

// SetPassword uses a one-time link to set a password (checked against the
// policy first: a refused password does not use up the link). Every
// session of the account ends.
func (s *Service) SetPassword(ctx context.Context, purpose, token, password string) (store.User, error) {
	if err := CheckPassword(password); err != nil {
		return store.User{}, err
	}
	u, err := s.CheckLink(ctx, purpose, token)
	if err != nil {
		return store.User{}, err
	}
	hash, err := s.hashPassword(u.ID, password)
	if err != nil {
		return store.User{}, err
	}
	return s.Store.SetPasswordWithToken(ctx, purpose, HashToken(token), hash)
}

// ChangePassword sets a new password for the session's own account: the
// current password (and a code, when the account has a second factor) is
// proved first, counted like a sign-in, and the new one must pass the
// policy. Every session of the account then ends, this one included.
func (s *Service) ChangePassword(ctx context.Context, token, current, code, newPassword, client string) error {
	if err := CheckPassword(newPassword); err != nil {
		return err
	}
	if err := s.Reauthenticate(ctx, token, current, code, client); err != nil {
		return err
	}
	_, u, err := s.Session(ctx, token)
	if err != nil {
		return err
	}
	hash, err := s.hashPassword(u.ID, newPassword)
	if err != nil {
		return err
	}
	return s.Store.ChangePassword(ctx, u.ID, hash)
}

// SignInResult is a started session. When Pending, the session only lets
// its holder give the second factor (SecondFactor), or set one up first
// (BeginEnrollment) when Enroll is true.
type SignInResult struct {
	Token   string
	User    store.User
	Pending bool
	Enroll  bool
}

func accountKey(email string) string { return "account:" + store.NormalizeEmail(email) }
func clientKey(client string) string { return "client:" + client }

// SignIn checks an address and password. client identifies the client for
// throttling (the web passes the remote address; it is only hashed, in
// memory). Unknown, disabled, locked and password-less accounts get
// ErrBadCredentials after the same work as a wrong password. The attempt
// is counted (per address and per client) before the password is checked,
// and at most MaxChecks checks run at once.
func (s *Service) SignIn(ctx context.Context, email, password, client string) (SignInResult, error) {
	now := s.Now()
	done, err := s.begin(now, accountKey(email), clientKey(client))
	if err != nil {
		return SignInResult{}, err
	}
	defer done()
	fail := func(u *store.User) (SignInResult, error) {
		if u == nil {
			if err := s.Store.Audit(ctx, store.ActorAnonymous, "signin.fail", "", "stage=password"); err != nil {
				return SignInResult{}, err
			}
		} else if _, err := s.Store.RecordSignInFailure(ctx, u.ID, "password", LockAfter); err != nil {
			return SignInResult{}, err
		}
		return SignInResult{}, ErrBadCredentials
	}
	if len(password) > MaxPasswordLen {
		VerifyPassword(password[:MaxPasswordLen], dummyHash())
		return fail(nil)
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		VerifyPassword(password, dummyHash())
		return fail(nil)
	}
	if err != nil {
		return SignInResult{}, err
	}
	if u.PasswordHash == "" || !u.DisabledAt.IsZero() || !u.LockedAt.IsZero() {
		VerifyPassword(password, dummyHash())
		return fail(&u)
	}
	if !s.checkPassword(ctx, u, password) {
		return fail(&u)
	}
	s.Accounts.Succeed(now, accountKey(email))
	res := SignInResult{User: u}
	if u.HasTOTP() || Role(u.Role).NeedsSecondFactor() {
		res.Pending, res.Enroll = true, !u.HasTOTP()
	} else if err := s.Store.RecordSignInSuccess(ctx, u.ID); err != nil {
		return SignInResult{}, err
	}
	res.Token, err = s.startSession(ctx, u.ID, res.Pending, "")
	if errors.Is(err, store.ErrLocked) {
		return SignInResult{}, ErrBadCredentials
	}
	return res, err
}

func (s *Service) startSession(ctx context.Context, userID string, pending bool, replaceToken string) (string, error) {
	token, hash := NewToken()
	now := s.Now().UTC()
	replace := ""
	if replaceToken != "" {
		replace = HashToken(replaceToken)
	}
	err := s.Store.CreateSession(ctx, store.Session{TokenHash: hash, UserID: userID, Pending: pending, CreatedAt: now, LastSeen: now, FreshAt: now}, replace)
	return token, err
}

// pendingSession finds the half-finished sign-in a token belongs to.
func (s *Service) pendingSession(ctx context.Context, token string) (store.Session, store.User, error) {
	sess, err := s.Store.SessionByHash(ctx, HashToken(token))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!sess.Pending || s.Now().Sub(sess.CreatedAt) > PendingLimit)) {
		return store.Session{}, store.User{}, ErrNoSession
	}
	if err != nil {
		return sess, store.User{}, err
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if err == nil && !u.LockedAt.IsZero() {
		// Locked by failed codes: the half-finished sign-in ends with it,
		// or it could go on guessing codes.
		return store.Session{}, store.User{}, ErrNoSession
	}
	return sess, u, err
}

// PendingSignIn says whose half-finished sign-in a token is and whether
// it must set up a second factor first (Enroll) or give one: the web shows
// the matching form.
func (s *Service) PendingSignIn(ctx context.Context, token string) (u store.User, enroll bool, err error) {
	_, u, err = s.pendingSession(ctx, token)
	return u, err == nil && !u.HasTOTP(), err
}

// Session returns the live, complete session a token names and its
// account, ending it when it has been idle or alive too long.
func (s *Service) Session(ctx context.Context, token string) (store.Session, store.User, error) {
	hash := HashToken(token)
	sess, err := s.Store.SessionByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return sess, store.User{}, ErrNoSession
	}
	if err != nil {
		return sess, store.User{}, err
	}
	if sess.Pending {
		return store.Session{}, store.User{}, ErrNoSession
	}
	now := s.Now()
	why := ""
	switch {
	case now.Sub(sess.CreatedAt) > AbsoluteLimit:
		why = "absolute"
	case now.Sub(sess.LastSeen) > IdleLimit:
		why = "idle"
	}
	if why != "" {
		if err := s.Store.EndSession(ctx, hash, why); err != nil {
			return store.Session{}, store.User{}, err
		}
		return store.Session{}, store.User{}, ErrNoSession
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if err != nil {
		return sess, u, err
	}
	if now.Sub(sess.LastSeen) > touchEvery {
		if err := s.Store.TouchSession(ctx, hash, now); err != nil {
			return sess, u, err
		}
		sess.LastSeen = now
	}
	return sess, u, nil
}

// SignOut ends the session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.Store.EndSession(ctx, HashToken(token), "signout")
}

// Fresh says whether the session's last proof of identity is recent enough
// for exports, publishing, key and role changes (NeedsFreshSignIn).
func Fresh(sess store.Session, now time.Time) bool {
	return !sess.FreshAt.IsZero() && now.Sub(sess.FreshAt) <= FreshLimit
}

// Reauthenticate proves identity again inside a live session (password,
// and the second factor when the account has one) and marks it fresh.
// Failures count like failed sign-ins.
func (s *Service) Reauthenticate(ctx context.Context, token, password, code, client string) error {
	sess, u, err := s.Session(ctx, token)
	if err != nil {
		return err
	}
	now := s.Now()
	done, err := s.begin(now, "id:"+u.ID, clientKey(client))
	if err != nil {
		return err
	}
	defer done()
	ok := s.checkPassword(ctx, u, password)
	if ok && u.HasTOTP() {
		if ok, err = s.checkSecondFactor(ctx, u, code); err != nil {
			return err
		}
	}
	if !ok {
		if _, err := s.Store.RecordSignInFailure(ctx, u.ID, "reauthenticate", LockAfter); err != nil {
			return err
		}
		return ErrBadCredentials
	}
	s.Accounts.Succeed(now, "id:"+u.ID)
	return s.Store.MarkSessionFresh(ctx, sess.TokenHash, now)
}

// Authorize says whether the session's account may use p now: the role
// must have it, and for NeedsFreshSignIn permissions the session must be
// fresh (ErrNotFresh otherwise, so the web can ask for the password).
func Authorize(sess store.Session, u store.User, p Permission, now time.Time) error {
	if !Can(Role(u.Role), p) {
		return errors.New("not allowed")
	}
	if NeedsFreshSignIn[p] && !Fresh(sess, now) {
		return ErrNotFresh
	}
	return nil
}

// plausibleEmail accepts something@something.tld with no spaces; the
// set-up link is what proves the address works.
func plausibleEmail(s string) bool {
	s = store.NormalizeEmail(s)
	if len(s) < 3 || len(s) > 254 {
		return false
	}
	at := -1
	for i, r := range s {
		if r == ' ' || r == '<' || r == '>' || r == ',' || r < 0x20 {
			return false
		}
		if r == '@' {
			if at >= 0 {
				return false
			}
			at = i
		}
	}
	return at > 0 && at < len(s)-1
}

// hashPassword makes the stored form of a new password: its argon2id hash
// sealed with the data key and bound to the account (the pepper: a copy of
// the database alone holds nothing a guess can be checked against, and
// key rotation reseals it like every other sealed value). Hashing takes a
// check slot like a verification.
func (s *Service) hashPassword(userID, password string) (string, error) {
	done, err := s.begin(s.Now(), "", "")
	if err != nil {
		return "", err
	}
	defer done()
	h, err := HashPassword(password)
	if err != nil {
		return "", err
	}
	return s.Store.Keys().SealString(store.PasswordPlace(userID), h)
}

// checkPassword verifies a password against the account's stored hash
// (the caller holds a check slot). A hash stored before peppering (plain
// argon2id) still verifies, and is sealed in place once it has: the
// upgrade happens at the account's next sign-in.
func (s *Service) checkPassword(ctx context.Context, u store.User, password string) bool {
	encoded := u.PasswordHash
	peppered := seal.IsSealed(encoded)
	if peppered {
		h, err := s.Store.Keys().UnsealString(store.PasswordPlace(u.ID), encoded)
		if err != nil {
			VerifyPassword(password, dummyHash())
			return false
		}
		encoded = h
	}
	if !VerifyPassword(password, encoded) {
		return false
	}
	if !peppered {
		// A failed upgrade is tried again at the next sign-in; the
		// password was right either way.
		if sealed, err := s.Store.Keys().SealString(store.PasswordPlace(u.ID), encoded); err == nil {
			_ = s.Store.UpgradePasswordHash(ctx, u.ID, u.PasswordHash, sealed)
		}
	}
	return true
}
