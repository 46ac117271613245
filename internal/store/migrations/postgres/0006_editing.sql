-- Editing in the workspace: who entered a record (a volunteer sees only
-- their own entries until an editor takes them), who appended a claim and
-- which claim it restates at another verification level, and the consent
-- behind a person's public mark. Times are Unix microseconds (UTC); days
-- are integers yyyymmdd.

-- entered_by is the user id that entered the record in the workspace ('' for
-- imported records); taken_at is set when an editor takes it over.
ALTER TABLE records ADD COLUMN entered_by TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN taken_by TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN taken_at BIGINT;
CREATE INDEX records_entered_by ON records (entered_by, id) WHERE entered_by <> '';

-- A verification is a new claim that supersedes the one it restates (which
-- is retracted at the same moment): the history stays, and the counting
-- rules see one claim in force at any known-at time.
ALTER TABLE claims ADD COLUMN entered_by TEXT NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN supersedes TEXT NOT NULL DEFAULT '';
-- Why a claim was withdrawn, in the editor's words (free text stays out of
-- the audit log, which holds ids only).
ALTER TABLE claims ADD COLUMN retract_reason TEXT NOT NULL DEFAULT '';

-- Consent to show a person publicly, given with a mark. Who gave it (a
-- relative's identity) is a sealed value (sealed_values, kind
-- relative_contact, owner this row's id), never a column here.
CREATE TABLE person_consents (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL,
    publicity_id TEXT NOT NULL REFERENCES person_publicity(id),
    given_on     BIGINT NOT NULL,
    how          TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL
);
CREATE INDEX person_consents_person ON person_consents (person_id, recorded_at);
