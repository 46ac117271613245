-- Corrections of a record's person fields (issue 15): each one is an
-- appended revision holding every corrected field as it stands after it;
-- revision 0 keeps the record as it was first stored, written with the
-- first correction. The records row always holds the latest revision, so
-- the public list, search, counts and linkage use the correction; its
-- fields_hash stays the original's, so importing the original file again
-- changes nothing. Who corrected is a user id; why is the editor's own
-- words (free text stays out of the audit log, which holds ids only).
-- Times are Unix microseconds (UTC).
CREATE TABLE record_revisions (
    record_id  TEXT NOT NULL REFERENCES records(id),
    seq        INTEGER NOT NULL,
    name       TEXT NOT NULL,
    name_alt   TEXT NOT NULL DEFAULT '',
    sex        TEXT NOT NULL DEFAULT '',
    birth_year INTEGER NOT NULL DEFAULT 0,
    birth_date TEXT NOT NULL DEFAULT '',
    region     TEXT NOT NULL DEFAULT '',
    locality   TEXT NOT NULL DEFAULT '',
    why        TEXT NOT NULL DEFAULT '',
    revised_by TEXT NOT NULL DEFAULT '',
    revised_at INTEGER NOT NULL,
    PRIMARY KEY (record_id, seq)
);
