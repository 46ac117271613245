package auth

import (
	"context"
	"errors"

	"rollcall/internal/store"
)

// The second factor: TOTP codes and recovery codes, setting one up in a
// pending sign-in, and finishing a sign-in with one.

// NewRecoveryCodes replaces the recovery codes of the session's account,
// which must have signed in freshly; the codes are shown once.
func (s *Service) NewRecoveryCodes(ctx context.Context, token string) ([]string, error) {
	sess, u, err := s.Session(ctx, token)
	if err != nil {
		return nil, err
	}
	if !Fresh(sess, s.Now()) {
		return nil, ErrNotFresh
	}
	if !u.HasTOTP() {
		return nil, errors.New("no second factor is set up")
	}
	codes, hashes := recoveryCodes(recoveryCount)
	return codes, s.Store.ReplaceRecoveryCodes(ctx, u.ID, hashes)
}

// checkSecondFactor accepts a TOTP code (each time step once only) or an
// unspent recovery code.
func (s *Service) checkSecondFactor(ctx context.Context, u store.User, code string) (bool, error) {
	if looksLikeRecoveryCode(code) {
		return s.Store.UseRecoveryCode(ctx, u.ID, HashToken(normalizeRecoveryCode(code)))
	}
	secret, err := s.Store.TOTPSecret(ctx, u)
	if err != nil || secret == "" {
		return false, err
	}
	step, ok := matchTOTP(secret, code, s.Now())
	if !ok || step <= u.TOTPLastStep {
		return false, nil
	}
	return s.Store.UseTOTPStep(ctx, u.ID, step)
}

// SecondFactor finishes a pending sign-in with a TOTP or recovery code and
// returns the full session's new token (the pending one ends).
func (s *Service) SecondFactor(ctx context.Context, pendingToken, code, client string) (string, error) {
	_, u, err := s.pendingSession(ctx, pendingToken)
	if err != nil {
		return "", err
	}
	now := s.Now()
	done, err := s.begin(now, "id:"+u.ID, clientKey(client))
	if err != nil {
		return "", err
	}
	defer done()
	ok, err := s.checkSecondFactor(ctx, u, code)
	if err != nil {
		return "", err
	}
	if !ok {
		if _, err := s.Store.RecordSignInFailure(ctx, u.ID, "second_factor", LockAfter); err != nil {
			return "", err
		}
		return "", ErrBadCode
	}
	s.Accounts.Succeed(now, "id:"+u.ID)
	if err := s.Store.RecordSignInSuccess(ctx, u.ID); err != nil {
		return "", err
	}
	token, err := s.startSession(ctx, u.ID, false, pendingToken)
	if errors.Is(err, store.ErrLocked) {
		return "", ErrNoSession
	}
	return token, err
}

// BeginEnrollment starts setting up a second factor for a pending sign-in
// of an account that has none; account is the name the app will show.
func (s *Service) BeginEnrollment(ctx context.Context, pendingToken, account string) (Enrollment, error) {
	_, u, err := s.pendingSession(ctx, pendingToken)
	if err != nil {
		return Enrollment{}, err
	}
	if u.HasTOTP() {
		return Enrollment{}, errors.New("a second factor is set up already")
	}
	secret, err := newTOTPSecret()
	if err != nil {
		return Enrollment{}, err
	}
	if err := s.Store.SetPendingTOTP(ctx, u.ID, secret); err != nil {
		return Enrollment{}, err
	}
	return enrollmentFor(secret, account)
}

// PendingEnrollment returns the second factor being set up for a pending
// sign-in, beginning one when none is: the enrollment page, a reload of it
// and its QR code all show the same secret (a new secret at each request
// would make the code scanned a moment ago wrong).
func (s *Service) PendingEnrollment(ctx context.Context, pendingToken, account string) (Enrollment, error) {
	_, u, err := s.pendingSession(ctx, pendingToken)
	if err != nil {
		return Enrollment{}, err
	}
	secret, err := s.Store.PendingTOTP(ctx, u)
	if err != nil {
		return Enrollment{}, err
	}
	if secret == "" {
		return s.BeginEnrollment(ctx, pendingToken, account)
	}
	return enrollmentFor(secret, account)
}

// ConfirmEnrollment checks a code from the new second factor, makes it the
// account's, and finishes the sign-in: it returns the full session's token
// and the recovery codes (shown once; only their hashes are kept).
func (s *Service) ConfirmEnrollment(ctx context.Context, pendingToken, code string) (token string, recovery []string, err error) {
	_, u, err := s.pendingSession(ctx, pendingToken)
	if err != nil {
		return "", nil, err
	}
	secret, err := s.Store.PendingTOTP(ctx, u)
	if err != nil {
		return "", nil, err
	}
	if secret == "" {
		return "", nil, errors.New("no second factor is being set up")
	}
	now := s.Now()
	done, err := s.begin(now, "id:"+u.ID, "")
	if err != nil {
		return "", nil, err
	}
	defer done()
	step, ok := matchTOTP(secret, code, now)
	if !ok {
		if _, err := s.Store.RecordSignInFailure(ctx, u.ID, "enrollment", LockAfter); err != nil {
			return "", nil, err
		}
		return "", nil, ErrBadCode
	}
	codes, hashes := recoveryCodes(recoveryCount)
	if err := s.Store.ConfirmTOTP(ctx, u.ID, step, hashes); err != nil {
		return "", nil, err
	}
	if err := s.Store.RecordSignInSuccess(ctx, u.ID); err != nil {
		return "", nil, err
	}
	token, err = s.startSession(ctx, u.ID, false, pendingToken)
	if errors.Is(err, store.ErrLocked) {
		return "", nil, ErrNoSession
	}
	return token, codes, err
}
