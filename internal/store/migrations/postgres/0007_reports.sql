-- Public reports: what a relative or witness sent through /{lang}/report/,
-- waiting for an editor to turn it into a record or dismiss it.
-- The reporter's contact, their relationship to the person and their own
-- words are sealed (internal/seal) before the row is written, each bound to
-- its place ("reports.contact:ID", "reports.relation:ID", "reports.text:ID").
-- No column holds a client address, a browser's user agent or anything else
-- about the connection the report came by.
CREATE TABLE reports (
    id               TEXT PRIMARY KEY,
    -- The short random code the reporter was shown, to quote when they
    -- write to the group: not the id, and not derived from it.
    reference        TEXT NOT NULL UNIQUE,
    lang             TEXT NOT NULL,
    name             TEXT NOT NULL,
    name_alt         TEXT NOT NULL DEFAULT '',
    -- Given, or estimated from the age given (age > 0 then).
    birth_year       INTEGER NOT NULL DEFAULT 0,
    age              INTEGER NOT NULL DEFAULT 0,
    region           TEXT NOT NULL DEFAULT '',
    locality         TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    date_start       INTEGER NOT NULL,
    precision        TEXT NOT NULL,
    place            TEXT NOT NULL DEFAULT '',
    relation_sealed  TEXT NOT NULL,
    contact_sealed   TEXT NOT NULL,
    text_sealed      TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    -- open until an editor makes a record of it (recorded) or dismisses it.
    state            TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'recorded', 'dismissed')),
    record_id        TEXT NOT NULL DEFAULT '',
    dismiss_reason   TEXT NOT NULL DEFAULT '',
    closed_by        TEXT NOT NULL DEFAULT '',
    closed_at        BIGINT
);
CREATE INDEX reports_state ON reports (state, created_at);
