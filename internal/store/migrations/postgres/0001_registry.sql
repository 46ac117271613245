-- The registry: sources, records, claims, persons and the history of links.
-- Times are Unix microseconds (UTC); days are integers yyyymmdd.
CREATE TABLE sources (
    id          TEXT PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL DEFAULT '',
    reliability BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

-- What is known of a person beyond their records (added by later
-- migrations). A person exists as long as some record points at it, so a
-- row here is made only when there is something to say.
CREATE TABLE persons (
    id         TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

CREATE TABLE records (
    id            TEXT PRIMARY KEY,
    source_id     TEXT NOT NULL REFERENCES sources(id),
    source_record TEXT NOT NULL,
    -- The person the record was put in when it was first stored; moves
    -- later are rows in links.
    person_id     TEXT NOT NULL,
    name          TEXT NOT NULL,
    name_norm     TEXT NOT NULL,
    name_alt      TEXT NOT NULL DEFAULT '',
    name_alt_norm TEXT NOT NULL DEFAULT '',
    sex           TEXT NOT NULL DEFAULT '',
    birth_year    BIGINT NOT NULL DEFAULT 0,
    birth_date    TEXT NOT NULL DEFAULT '',
    region        TEXT NOT NULL DEFAULT '',
    locality      TEXT NOT NULL DEFAULT '',
    roles         TEXT NOT NULL DEFAULT '',
    fields_hash   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (source_id, source_record)
);
CREATE INDEX records_person ON records (person_id);

CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    date_start  BIGINT NOT NULL,
    precision   TEXT NOT NULL,
    place       TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE claims (
    id           TEXT PRIMARY KEY,
    record_id    TEXT NOT NULL REFERENCES records(id),
    -- The record's first person (records.person_id), copied because it
    -- never changes: counting then reads claims without a join.
    record_person TEXT NOT NULL,
    status       TEXT NOT NULL,
    date_start   BIGINT NOT NULL,
    date_end     BIGINT NOT NULL,
    precision    TEXT NOT NULL,
    place        TEXT NOT NULL DEFAULT '',
    details      TEXT NOT NULL DEFAULT '',
    incident_id  TEXT REFERENCES incidents(id),
    verification BIGINT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    fingerprint  TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    retracted_at BIGINT,
    UNIQUE (record_id, fingerprint)
);

-- Moves of records between persons: one row per period, after the first,
-- in which a record belonged to a person. A row is closed (unlinked_at set)
-- when the record moves again; it is never deleted. A record with no row
-- whose period holds a moment was, at that moment, in records.person_id:
-- the import stores a million records without a million link rows.
CREATE TABLE links (
    id          TEXT PRIMARY KEY,
    record_id   TEXT NOT NULL REFERENCES records(id),
    person_id   TEXT NOT NULL,
    linked_at   BIGINT NOT NULL,
    unlinked_at BIGINT,
    by_whom     TEXT NOT NULL DEFAULT '',
    why         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX links_record ON links (record_id, linked_at);
CREATE UNIQUE INDEX links_current ON links (record_id) WHERE unlinked_at IS NULL;
CREATE INDEX links_person ON links (person_id) WHERE unlinked_at IS NULL;

CREATE TABLE relationships (
    id           TEXT PRIMARY KEY,
    person_a     TEXT NOT NULL,
    person_b     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    retracted_at BIGINT
);

-- Every file imported, so an operator can see what came in when.
CREATE TABLE imports (
    id          TEXT PRIMARY KEY,
    file_name   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows_read   BIGINT NOT NULL,
    claims_new  BIGINT NOT NULL,
    records_new BIGINT NOT NULL,
    imported_at BIGINT NOT NULL
);
