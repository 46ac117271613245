-- The editors' workspace: accounts, one-time links, second factor,
-- sessions, sealed values and the hash-chained audit log.
-- Times are Unix microseconds (UTC). Secrets are never stored in clear:
-- tokens and recovery codes as SHA-256 hashes, passwords as argon2id,
-- e-mail addresses and TOTP secrets sealed (internal/seal), with a keyed
-- hash of the address as the lookup index.
CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    email_lookup        TEXT NOT NULL UNIQUE,
    email_sealed        TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'volunteer', 'treasurer', 'viewer')),
    password_hash       TEXT NOT NULL DEFAULT '',
    totp_sealed         TEXT NOT NULL DEFAULT '',
    totp_pending_sealed TEXT NOT NULL DEFAULT '',
    -- The last TOTP time step accepted: a code is good once only.
    totp_last_step      INTEGER NOT NULL DEFAULT 0,
    -- Consecutive failed sign-ins; the account locks after too many and
    -- only a reset link (rollcall user unlock) opens it again.
    failures            INTEGER NOT NULL DEFAULT 0,
    locked_at           INTEGER,
    disabled_at         INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);

-- One-time links: set-up (a new account) and reset (after a lock).
CREATE TABLE user_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('setup', 'reset')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX user_tokens_user ON user_tokens (user_id);

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

-- A session is pending (password given, second factor not yet) or full.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    pending      INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    -- When the user last proved who they are (password and second factor).
    fresh_at     INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Sealed values that belong to other objects: a source's identity, a
-- reporter's or a relative's contact details, private notes.
CREATE TABLE sealed_values (
    kind       TEXT NOT NULL,
    owner_id   TEXT NOT NULL,
    sealed     TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, owner_id)
);

-- The audit log: append-only, each entry's hash covering the previous
-- entry's hash and its own content (see store/audit.go). Actors and objects
-- are ids; nothing here names a person, an address or a token.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

-- Refuse edits and deletions (someone with the file can drop these; the
-- hash chain is what catches them then).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
