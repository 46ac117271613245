-- The public side: editors' marks on persons, name search keys, the
-- precomputed public list, its change log (for the feed) and snapshots.
-- Times are Unix microseconds (UTC); days are integers yyyymmdd.

-- Editors' marks, appended, never edited: the latest row of a person is
-- in force; the earlier ones are its history.
CREATE TABLE person_publicity (
    id        TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    mark      TEXT NOT NULL CHECK (mark IN ('withheld', 'public')),
    reason    TEXT NOT NULL,
    by_whom   TEXT NOT NULL,
    marked_at BIGINT NOT NULL
);
CREATE INDEX person_publicity_person ON person_publicity (person_id, marked_at);

-- names.SearchKeys of every spelling of every record.
CREATE TABLE record_search_keys (
    key       TEXT NOT NULL,
    record_id TEXT NOT NULL REFERENCES records(id),
    PRIMARY KEY (key, record_id)
);
CREATE INDEX record_search_keys_record ON record_search_keys (record_id);

-- The public projection of every person shown, as of the last refresh
-- (import, dedupe, marks, publish, serve start). doc is the JSON of
-- registry.PublicPerson; the other columns serve filters and the list.
CREATE TABLE public_people (
    person_id   TEXT PRIMARY KEY,
    sort_key    TEXT NOT NULL,
    name        TEXT NOT NULL,
    withheld    BIGINT NOT NULL,
    state       TEXT NOT NULL,
    state_since TEXT NOT NULL,
    region      TEXT NOT NULL,
    region_key  TEXT NOT NULL,
    sex         TEXT NOT NULL,
    birth_year  BIGINT NOT NULL,
    roles       TEXT NOT NULL,
    first_day   BIGINT NOT NULL,
    last_day    BIGINT NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX public_people_order ON public_people (sort_key, person_id);
CREATE INDEX public_people_state ON public_people (state, sort_key, person_id);
CREATE INDEX public_people_region ON public_people (region_key, sort_key, person_id);

-- Search keys of the public spellings of shown, not withheld persons.
CREATE TABLE public_search (
    key       TEXT NOT NULL,
    person_id TEXT NOT NULL,
    PRIMARY KEY (key, person_id)
);

CREATE TABLE public_regions (
    region_key TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    people     BIGINT NOT NULL
);

CREATE TABLE public_meta (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

-- What changed in the public list at each refresh: a person shown for the
-- first time ('new') or whose state changed ('state'). Names are not kept
-- here: the feed takes them from public_people, so a person withheld later
-- is withheld in old entries too.
CREATE TABLE public_changes (
    id        TEXT PRIMARY KEY,
    at        BIGINT NOT NULL,
    person_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    state     TEXT NOT NULL
);
CREATE INDEX public_changes_at ON public_changes (at);

-- Published snapshots. body is the signed file, byte for byte; signature
-- is its ed25519 signature (base64). Never updated or deleted.
CREATE TABLE snapshots (
    id           TEXT PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    as_of        BIGINT NOT NULL,
    known_at     BIGINT NOT NULL,
    note         TEXT NOT NULL,
    counts       TEXT NOT NULL,
    people       BIGINT NOT NULL,
    body         TEXT NOT NULL,
    signature    TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
CREATE FUNCTION snapshots_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'snapshots are immutable'; END $$;
CREATE TRIGGER snapshots_immutable BEFORE UPDATE OR DELETE ON snapshots
FOR EACH ROW EXECUTE FUNCTION snapshots_immutable();
