-- Phones that send over OpenRosa: ODK Collect and Tella (issue 18,
-- docs/operations.md "Phones"). Times are Unix microseconds (UTC).

-- A phone is a device of its own kind: it has no signing key (it speaks
-- OpenRosa, not bundles) but a token in the URL it was given, of which only
-- the SHA-256 is kept. Its records are entered as the volunteer account
-- user_id and belong to its own source, source_id ("phone-NAME"). Names
-- share one space with devices ('rollcall device revoke NAME' finds
-- either). A revoked phone stays, so its past rows keep their origin.
CREATE TABLE phones (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL REFERENCES users(id),
    source_id  TEXT NOT NULL REFERENCES sources(id),
    added_at   INTEGER NOT NULL,
    added_by   TEXT NOT NULL,
    revoked_at INTEGER,
    revoked_by TEXT NOT NULL DEFAULT ''
);

-- Each submission taken, by its form and the phone's instanceID, so the
-- same instance sent again is answered without a second copy: what it
-- became (a report or a record), the phone's own times (the form's start
-- and end) and when Rollcall received it. complete is 0 while a submission
-- split over several POSTs (*isIncomplete*) still waits for its last part.
CREATE TABLE phone_submissions (
    form_id     TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    phone_id    TEXT NOT NULL REFERENCES phones(id),
    kind        TEXT NOT NULL CHECK (kind IN ('report', 'record', 'pending')),
    target_id   TEXT NOT NULL DEFAULT '',
    started_at  INTEGER,
    ended_at    INTEGER,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (form_id, instance_id)
);

-- Each attachment of a submission, and the evidence item it became.
CREATE TABLE phone_attachments (
    form_id     TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    item_id     TEXT NOT NULL REFERENCES evidence_items(id),
    PRIMARY KEY (form_id, instance_id, name)
);
