-- What dedupe learns and what people decide beyond pairs (issue 13):
-- name forms learned from the data, persons whose records conflict, and
-- what a queued decision would change. Times are Unix microseconds (UTC).

-- Two forms of one given name or surname that linkage.LearnNameForms
-- found in pairs of records agreeing on everything else. Editors accept or
-- refuse them; accepted ones are used by every later dedupe run. A refused
-- form is never proposed again. Each decision is in the audit log too.
-- id is derived from kind and the two folded forms (form_a < form_b).
CREATE TABLE name_forms (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('given', 'surname')),
    form_a      TEXT NOT NULL,
    form_b      TEXT NOT NULL,
    shown_a     TEXT NOT NULL DEFAULT '',
    shown_b     TEXT NOT NULL DEFAULT '',
    support     INTEGER NOT NULL DEFAULT 0,
    evidence    TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted', 'refused')),
    proposed_at INTEGER NOT NULL,
    decided_by  TEXT NOT NULL DEFAULT '',
    why         TEXT NOT NULL DEFAULT '',
    decided_at  INTEGER,
    CHECK (form_a < form_b),
    UNIQUE (kind, form_a, form_b)
);

-- Persons whose records conflict (two birth years, fates that exclude each
-- other, two records of one list, different sex), as the last dedupe run
-- found them; each run replaces the whole queue. records is the sorted,
-- comma-separated list of the person's records when queued (a person whose
-- records changed since is looked at again); reasons and split are JSON.
CREATE TABLE person_review (
    person_id     TEXT PRIMARY KEY,
    records       TEXT NOT NULL,
    reasons       TEXT NOT NULL,
    split         TEXT NOT NULL,
    impact        INTEGER NOT NULL DEFAULT 0,
    impact_reason TEXT NOT NULL DEFAULT '',
    queued_at     INTEGER NOT NULL
);

-- People's decisions on a person as a whole: 'keep' (these records are one
-- person) or 'split' (into the groups in split). Appended like pair
-- decisions; a later decision on the same person supersedes the earlier.
CREATE TABLE person_decisions (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL,
    records       TEXT NOT NULL,
    verdict       TEXT NOT NULL CHECK (verdict IN ('keep', 'split')),
    split         TEXT NOT NULL DEFAULT '',
    by_whom       TEXT NOT NULL,
    why           TEXT NOT NULL DEFAULT '',
    decided_at    INTEGER NOT NULL,
    superseded_at INTEGER
);
CREATE INDEX person_decisions_person ON person_decisions (person_id, decided_at);

-- What deciding a queued pair would change: how many counts as of today
-- move if the two persons are one (impact, plus 100 when one of them is
-- listed by name), and which, for people to read.
ALTER TABLE review_queue ADD COLUMN impact INTEGER NOT NULL DEFAULT 0;
ALTER TABLE review_queue ADD COLUMN impact_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX review_queue_impact ON review_queue (impact DESC, weight DESC, id);
