package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Session is a signed-in browser, found by the hash of its token (the
// token itself is only ever in the cookie). The rules on its age live in
// internal/auth.
type Session struct {
	TokenHash string
	UserID    string
	Pending   bool // password given, second factor not yet
	CreatedAt time.Time
	LastSeen  time.Time
	FreshAt   time.Time // last proof of identity
}

// CreateSession stores a new session; if replaceHash is not empty that
// session ends in the same transaction (a new token at each step of a
// sign-in). An audit entry records the sign-in step.
func (s *Store) CreateSession(ctx context.Context, sess Session, replaceHash string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// The account's lock is checked again here, as a write: a lock
		// committed by a concurrent failure is seen (PostgreSQL waits for
		// it and re-reads the row), so no session starts for a locked or
		// disabled account, and one started just before a lock is ended
		// by it (RecordSignInFailure).
		res, err := tx.ExecContext(ctx, s.rebind(`UPDATE users SET updated_at = updated_at WHERE id = ? AND locked_at IS NULL AND disabled_at IS NULL`), sess.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLocked
		}
		if replaceHash != "" {
			if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE token_hash = ?`), replaceHash); err != nil {
				return err
			}
		}
		pending := 0
		detail := "full"
		if sess.Pending {
			pending, detail = 1, "pending_second_factor"
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO sessions (token_hash, user_id, pending, created_at, last_seen_at, fresh_at) VALUES (?, ?, ?, ?, ?, ?)`),
			sess.TokenHash, sess.UserID, pending, sess.CreatedAt.UnixMicro(), sess.LastSeen.UnixMicro(), sess.FreshAt.UnixMicro()); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, sess.UserID, "session.start", sess.UserID, detail)
		return err
	})
}

// SessionByHash finds a live session of an enabled, unlocked account;
// ErrNotFound otherwise.
func (s *Store) SessionByHash(ctx context.Context, tokenHash string) (Session, error) {
	var sess Session
	var pending int
	var created, seen, fresh int64
	err := s.write.QueryRowContext(ctx, s.rebind(`SELECT s.token_hash, s.user_id, s.pending, s.created_at, s.last_seen_at, s.fresh_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.disabled_at IS NULL AND u.locked_at IS NULL`), tokenHash).
		Scan(&sess.TokenHash, &sess.UserID, &pending, &created, &seen, &fresh)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, ErrNotFound
	}
	sess.Pending = pending != 0
	sess.CreatedAt, sess.LastSeen, sess.FreshAt = time.UnixMicro(created).UTC(), time.UnixMicro(seen).UTC(), time.UnixMicro(fresh).UTC()
	return sess, err
}

// TouchSession moves a session's last-seen time forward.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?`), at.UnixMicro(), tokenHash, at.UnixMicro())
	return err
}

// MarkSessionFresh records a new proof of identity in a session.
func (s *Store) MarkSessionFresh(ctx context.Context, tokenHash string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var userID string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT user_id FROM sessions WHERE token_hash = ?`), tokenHash).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE sessions SET fresh_at = ?, last_seen_at = ? WHERE token_hash = ?`), at.UnixMicro(), at.UnixMicro(), tokenHash); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, userID, "session.fresh", userID, "")
		return err
	})
}

// EndSession ends one session (sign-out, or a limit passed); why goes to
// the audit log ("signout", "idle", "absolute").
func (s *Store) EndSession(ctx context.Context, tokenHash, why string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var userID string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT user_id FROM sessions WHERE token_hash = ?`), tokenHash).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, userID, "session.end", userID, why)
		return err
	})
}

// EndUserSessions ends every session of an account ("sign out
// everywhere"); it returns how many ended.
func (s *Store) EndUserSessions(ctx context.Context, actor, userID string) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if n, err = s.endUserSessions(ctx, tx, userID); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, "session.end_all", userID, "")
		return err
	})
	return n, err
}

func (s *Store) endUserSessions(ctx context.Context, tx *sql.Tx, userID string) (int64, error) {
	res, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE user_id = ?`), userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CountSessions counts an account's sessions.
func (s *Store) CountSessions(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.write.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM sessions WHERE user_id = ?`), userID).Scan(&n)
	return n, err
}
