package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// ErrExists means an account with that e-mail address exists already.
var ErrExists = errors.New("an account with that address exists already")

// ErrLocked means the account is locked or disabled: no session starts for
// it (checked in the same transaction that would start one).
var ErrLocked = errors.New("the account is locked or disabled")

// ErrTokenInvalid means a one-time link is unknown, used or expired (one
// answer for all three: which one is nobody's business).
var ErrTokenInvalid = errors.New("this link is not valid: it was used already, has expired, or never existed")

// User is an account of the editors' workspace. The e-mail address is
// sealed in the database; Email is filled only by the calls that unseal it.
type User struct {
	ID           string
	Email        string
	Role         string
	PasswordHash string
	TOTPSealed   string // the second-factor secret, sealed ("" before set-up)
	TOTPPending  string // a secret being set up, sealed
	TOTPLastStep int64
	Failures     int
	LockedAt     time.Time
	DisabledAt   time.Time
	CreatedAt    time.Time
}

// HasTOTP says whether a second factor is set up.
func (u User) HasTOTP() bool { return u.TOTPSealed != "" }

// State is the account's state as the accounts page and `rollcall user
// list` show it: disabled, locked, new (no password set yet) or active.
func (u User) State() string {
	switch {
	case !u.DisabledAt.IsZero():
		return "disabled"
	case !u.LockedAt.IsZero():
		return "locked"
	case u.PasswordHash == "":
		return "new"
	}
	return "active"
}

// Where sealed user fields are bound (seal additional data).
func emailPlace(userID string) string       { return "users.email:" + userID }
func totpPlace(userID string) string        { return "users.totp:" + userID }
func totpPendingPlace(userID string) string { return "users.totp_pending:" + userID }

// PasswordPlace is where an account's sealed (peppered) password hash is
// bound: internal/auth seals the argon2id hash there.
func PasswordPlace(userID string) string { return "users.password:" + userID }

// NormalizeEmail is the form an address is looked up by.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

const userColumns = `id, role, password_hash, totp_sealed, totp_pending_sealed, totp_last_step, failures, locked_at, disabled_at, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var locked, disabled sql.NullInt64
	var created int64
	err := row.Scan(&u.ID, &u.Role, &u.PasswordHash, &u.TOTPSealed, &u.TOTPPending, &u.TOTPLastStep, &u.Failures, &locked, &disabled, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	u.LockedAt, u.DisabledAt, u.CreatedAt = fromMicros(locked), fromMicros(disabled), time.UnixMicro(created).UTC()
	return u, err
}

// CreateUser adds an account without password; the caller hands out a
// set-up link (AddUserToken) in the same breath.
func (s *Store) CreateUser(ctx context.Context, actor, email, role string) (User, error) {
	email = NormalizeEmail(email)
	u := User{ID: NewID(), Role: role, CreatedAt: s.Now().UTC()}
	sealed, err := s.keys.SealString(emailPlace(u.ID), email)
	if err != nil {
		return u, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM users WHERE email_lookup = ?`), s.keys.Lookup(email)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrExists
		}
		now := u.CreatedAt.UnixMicro()
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO users (id, email_lookup, email_sealed, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`),
			u.ID, s.keys.Lookup(email), sealed, role, now, now); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "user.create", u.ID, "role="+role)
		return err
	})
	return u, err
}

// UserByEmail finds an account by its address (through the keyed lookup
// hash; nothing is unsealed). ErrNotFound when there is none.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	return scanUser(s.write.QueryRowContext(ctx, s.rebind(`SELECT `+userColumns+` FROM users WHERE email_lookup = ?`), s.keys.Lookup(NormalizeEmail(email))))
}

// UserByID finds an account by id.
func (s *Store) UserByID(ctx context.Context, id string) (User, error) {
	return scanUser(s.write.QueryRowContext(ctx, s.rebind(`SELECT `+userColumns+` FROM users WHERE id = ?`), id))
}

// Users lists every account, oldest first, with their addresses unsealed;
// each address read is an audit entry.
func (s *Store) Users(ctx context.Context, actor string) ([]User, error) {
	var out []User
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+userColumns+`, email_sealed FROM users ORDER BY created_at, id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		var sealed []string
		for rows.Next() {
			var u User
			var locked, disabled sql.NullInt64
			var created int64
			var e string
			if err := rows.Scan(&u.ID, &u.Role, &u.PasswordHash, &u.TOTPSealed, &u.TOTPPending, &u.TOTPLastStep, &u.Failures, &locked, &disabled, &created, &e); err != nil {
				return err
			}
			u.LockedAt, u.DisabledAt, u.CreatedAt = fromMicros(locked), fromMicros(disabled), time.UnixMicro(created).UTC()
			out = append(out, u)
			sealed = append(sealed, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for i := range out {
			if out[i].Email, err = s.keys.UnsealString(emailPlace(out[i].ID), sealed[i]); err != nil {
				return err
			}
			if _, err := s.appendAudit(ctx, tx, actor, "sealed.read", out[i].ID, "user.email"); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// SetUserRole changes an account's role and ends its sessions, so the new
// rights apply from the next sign-in.
func (s *Store) SetUserRole(ctx context.Context, actor, id, role string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET role = ?, updated_at = ? WHERE id = ?`), role, s.Now().UnixMicro(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err := s.endUserSessions(ctx, tx, id); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, "user.role", id, "role="+role)
		return err
	})
}

// DisableUser shuts an account and ends all its sessions; it returns how
// many sessions ended.
func (s *Store) DisableUser(ctx context.Context, actor, id string) (int64, error) {
	var ended int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ? AND disabled_at IS NULL`), s.Now().UnixMicro(), s.Now().UnixMicro(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := s.userExists(ctx, tx, id); err != nil {
				return err
			}
		}
		if ended, err = s.endUserSessions(ctx, tx, id); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, "user.disable", id, "")
		return err
	})
	return ended, err
}

// EnableUser opens a disabled account again.
func (s *Store) EnableUser(ctx context.Context, actor, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.userExists(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET disabled_at = NULL, updated_at = ? WHERE id = ?`), s.Now().UnixMicro(), id); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "user.enable", id, "")
		return err
	})
}

func (s *Store) userExists(ctx context.Context, tx *sql.Tx, id string) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM users WHERE id = ?`), id).Scan(&n); err != nil {
		return false, err
	}
	if n == 0 {
		return false, ErrNotFound
	}
	return true, nil
}

// AddUserToken stores a one-time link's hash (purpose "setup" or "reset").
// Earlier unused links of the same purpose stop working.
func (s *Store) AddUserToken(ctx context.Context, actor, userID, purpose, tokenHash string, expires time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.userExists(ctx, tx, userID); err != nil {
			return err
		}
		now := s.Now().UnixMicro()
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE user_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`), now, userID, purpose); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
			tokenHash, userID, purpose, now, expires.UnixMicro()); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "user.link", userID, "purpose="+purpose)
		return err
	})
}

// CheckUserToken says whose a one-time link is without using it (to show
// the set-up form); ErrTokenInvalid when unknown, used or expired.
func (s *Store) CheckUserToken(ctx context.Context, purpose, tokenHash string) (User, error) {
	var userID string
	err := s.write.QueryRowContext(ctx, s.rebind(`SELECT user_id FROM user_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`),
		tokenHash, purpose, s.Now().UnixMicro()).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrTokenInvalid
	}
	if err != nil {
		return User{}, err
	}
	u, err := s.UserByID(ctx, userID)
	if err == nil && !u.DisabledAt.IsZero() {
		return User{}, ErrTokenInvalid
	}
	return u, err
}

// SetPasswordWithToken uses a one-time link: it sets the password hash,
// clears failures and the lock, ends every session of the account, and
// marks the link used, all in one transaction. It returns the account.
func (s *Store) SetPasswordWithToken(ctx context.Context, purpose, tokenHash, passwordHash string) (User, error) {
	var userID string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.Now().UnixMicro()
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT t.user_id FROM user_tokens t JOIN users u ON u.id = t.user_id
			WHERE t.token_hash = ? AND t.purpose = ? AND t.used_at IS NULL AND t.expires_at > ? AND u.disabled_at IS NULL`),
			tokenHash, purpose, now).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrTokenInvalid
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE user_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`), now, tokenHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrTokenInvalid
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET password_hash = ?, failures = 0, locked_at = NULL, updated_at = ? WHERE id = ?`), passwordHash, now, userID); err != nil {
			return err
		}
		if _, err := s.endUserSessions(ctx, tx, userID); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, userID, "user.password", userID, "via="+purpose)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return s.UserByID(ctx, userID)
}

// ChangePassword replaces an account's password (its owner proved the old
// one) and ends every session of the account.
func (s *Store) ChangePassword(ctx context.Context, userID, passwordHash string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET password_hash = ?, failures = 0, updated_at = ? WHERE id = ? AND disabled_at IS NULL`),
			passwordHash, s.Now().UnixMicro(), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		if _, err := s.endUserSessions(ctx, tx, userID); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, userID, "user.password", userID, "via=change")
		return err
	})
}

// RecordSignInFailure counts a failed sign-in of an existing account and
// locks it when the count reaches lockAfter. It returns the new count.
func (s *Store) RecordSignInFailure(ctx context.Context, userID, stage string, lockAfter int) (int, error) {
	var failures int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.Now().UnixMicro()
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET failures = failures + 1, updated_at = ? WHERE id = ?`), now, userID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT failures FROM users WHERE id = ?`), userID).Scan(&failures); err != nil {
			return err
		}
		if _, err := s.appendAudit(ctx, tx, ActorAnonymous, "signin.fail", userID, "stage="+stage); err != nil {
			return err
		}
		if failures >= lockAfter {
			res, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET locked_at = ? WHERE id = ? AND locked_at IS NULL`), now, userID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if _, err := s.appendAudit(ctx, tx, ActorSystem, "user.lock", userID, ""); err != nil {
					return err
				}
			}
			// A locked account keeps no session, whether it began
			// before the guessing or in the middle of it.
			if _, err := s.endUserSessions(ctx, tx, userID); err != nil {
				return err
			}
		}
		return nil
	})
	return failures, err
}

// UpgradePasswordHash replaces an account's password hash by another form
// of the same password (the sealed form of a hash stored before peppering),
// only if it still is old: a password changed meanwhile is left alone.
func (s *Store) UpgradePasswordHash(ctx context.Context, userID, old, upgraded string) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`), upgraded, userID, old)
	return err
}

// RecordSignInSuccess clears the failure count.
func (s *Store) RecordSignInSuccess(ctx context.Context, userID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET failures = 0 WHERE id = ?`), userID); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, userID, "signin.ok", userID, "")
		return err
	})
}

// SetPendingTOTP keeps a second-factor secret being set up, sealed, until
// the user proves with a code that their app has it.
func (s *Store) SetPendingTOTP(ctx context.Context, userID, secret string) error {
	sealed, err := s.keys.SealString(totpPendingPlace(userID), secret)
	if err != nil {
		return err
	}
	res, err := s.write.ExecContext(ctx, s.rebind(`UPDATE users SET totp_pending_sealed = ?, updated_at = ? WHERE id = ?`), sealed, s.Now().UnixMicro(), userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// PendingTOTP unseals the secret being set up ("" when none).
func (s *Store) PendingTOTP(ctx context.Context, u User) (string, error) {
	if u.TOTPPending == "" {
		return "", nil
	}
	return s.keys.UnsealString(totpPendingPlace(u.ID), u.TOTPPending)
}

// TOTPSecret unseals an account's second-factor secret. The caller (a
// sign-in) is audited as a whole, so this read adds no entry.
func (s *Store) TOTPSecret(ctx context.Context, u User) (string, error) {
	if u.TOTPSealed == "" {
		return "", nil
	}
	return s.keys.UnsealString(totpPlace(u.ID), u.TOTPSealed)
}

// ConfirmTOTP makes the pending secret the account's second factor, marks
// step as used, and replaces the recovery codes with the given hashes.
func (s *Store) ConfirmTOTP(ctx context.Context, userID string, step int64, recoveryHashes []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var pending string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT totp_pending_sealed FROM users WHERE id = ?`), userID).Scan(&pending)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if pending == "" {
			return errors.New("no second factor is being set up")
		}
		secret, err := s.keys.UnsealString(totpPendingPlace(userID), pending)
		if err != nil {
			return err
		}
		sealed, err := s.keys.SealString(totpPlace(userID), secret)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET totp_sealed = ?, totp_pending_sealed = '', totp_last_step = ?, updated_at = ? WHERE id = ?`),
			sealed, step, s.Now().UnixMicro(), userID); err != nil {
			return err
		}
		if err := s.replaceRecoveryCodes(ctx, tx, userID, recoveryHashes); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, userID, "user.second_factor", userID, "totp")
		return err
	})
}

// ReplaceRecoveryCodes throws away an account's recovery codes and keeps
// the hashes of new ones.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.replaceRecoveryCodes(ctx, tx, userID, hashes); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, userID, "user.recovery_codes", userID, "")
		return err
	})
}

func (s *Store) replaceRecoveryCodes(ctx context.Context, tx *sql.Tx, userID string, hashes []string) error {
	if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM recovery_codes WHERE user_id = ?`), userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`), userID, h); err != nil {
			return err
		}
	}
	return nil
}

// UseTOTPStep records that the code of time step was used; false when that
// step or a later one was used already (a replayed code).
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	res, err := s.write.ExecContext(ctx, s.rebind(`UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`), step, userID, step)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UseRecoveryCode spends a recovery code; false when it is unknown or
// spent already.
func (s *Store) UseRecoveryCode(ctx context.Context, userID, codeHash string) (bool, error) {
	var ok bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`), s.Now().UnixMicro(), userID, codeHash)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if ok = n == 1; ok {
			_, err = s.appendAudit(ctx, tx, userID, "user.recovery_code_used", userID, "")
		}
		return err
	})
	return ok, err
}

// RecoveryCodesLeft counts an account's unspent recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`), userID).Scan(&n)
	return n, err
}

// ClearSecondFactor removes an account's second factor and recovery codes
// (a lost phone and lost codes); the next sign-in sets up a new one. Every
// session of the account ends.
func (s *Store) ClearSecondFactor(ctx context.Context, actor, userID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.userExists(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET totp_sealed = '', totp_pending_sealed = '', updated_at = ? WHERE id = ?`), s.Now().UnixMicro(), userID); err != nil {
			return err
		}
		if err := s.replaceRecoveryCodes(ctx, tx, userID, nil); err != nil {
			return err
		}
		if _, err := s.endUserSessions(ctx, tx, userID); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "user.second_factor_cleared", userID, "")
		return err
	})
}
