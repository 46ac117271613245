-- People's decisions on pairs of records, and the queue of pairs the
-- model could not decide. Times are Unix microseconds (UTC).

-- A decision is appended, never edited: a later decision on the same pair
-- supersedes the earlier one (superseded_at set), which stays as history.
-- record_a sorts before record_b (byte order, in Go), so a pair has one spelling.
CREATE TABLE decisions (
    id            TEXT PRIMARY KEY,
    record_a      TEXT NOT NULL REFERENCES records(id),
    record_b      TEXT NOT NULL REFERENCES records(id),
    verdict       TEXT NOT NULL CHECK (verdict IN ('same', 'different', 'unsure')),
    by_whom       TEXT NOT NULL,
    why           TEXT NOT NULL DEFAULT '',
    decided_at    INTEGER NOT NULL,
    superseded_at INTEGER,
    CHECK (record_a <> record_b)
);
CREATE INDEX decisions_pair ON decisions (record_a, record_b, decided_at);
CREATE UNIQUE INDEX decisions_current ON decisions (record_a, record_b) WHERE superseded_at IS NULL;

-- Pairs whose match weight lies between the thresholds, as the last
-- `dedupe --auto` left them; each run replaces the whole queue. The id is
-- derived from the two record ids, so a pair keeps its id across runs.
-- evidence is the JSON list of per-field evidence ('' when the run kept
-- none: only the heaviest pairs carry it).
CREATE TABLE review_queue (
    id        TEXT PRIMARY KEY,
    record_a  TEXT NOT NULL REFERENCES records(id),
    record_b  TEXT NOT NULL REFERENCES records(id),
    weight    REAL NOT NULL,
    evidence  TEXT NOT NULL DEFAULT '',
    queued_at INTEGER NOT NULL,
    CHECK (record_a <> record_b)
);
CREATE INDEX review_queue_order ON review_queue (weight DESC, id);
