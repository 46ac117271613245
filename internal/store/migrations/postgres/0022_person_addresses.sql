-- One public address, one human (issue 12): a person id once shown
-- publicly keeps leading to the same human being. Times are Unix
-- microseconds (UTC).

-- The records each person id held when it was first shown publicly (in
-- the public list, which every page, download, feed, mirror and snapshot
-- is made from). Written once per id, never changed: dedupe and decisions
-- give the id to whichever person holds most of these records, so a merge
-- or split never moves an address to another human.
CREATE TABLE person_anchors (
    person_id    TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, record_id)
);

-- A published id whose records all went into another person: the site
-- and the API answer 301 to the survivor. A chain is kept one step long
-- (when the survivor merges in turn, its redirects move on), and a row
-- goes away when the id holds records again.
CREATE TABLE person_redirects (
    person_id   TEXT PRIMARY KEY,
    survivor_id TEXT NOT NULL,
    merged_at   BIGINT NOT NULL,
    by_whom     TEXT NOT NULL DEFAULT '',
    why         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX person_redirects_survivor ON person_redirects (survivor_id);

-- Records that left a published person that still exists (a split, or
-- records found to be someone else's): its page says where they went.
CREATE TABLE person_splits (
    person_id  TEXT NOT NULL,
    to_person  TEXT NOT NULL,
    records    INTEGER NOT NULL,
    split_at   BIGINT NOT NULL,
    PRIMARY KEY (person_id, to_person, split_at)
);

-- Every person listed publicly today was shown with the records it holds
-- now.
INSERT INTO person_anchors (person_id, record_id, published_at)
SELECT cur.person_id, cur.record_id, COALESCE((SELECT value FROM public_meta WHERE name = 'refreshed_at'), 0)
FROM (SELECT r.id AS record_id, COALESCE(l.person_id, r.person_id) AS person_id
      FROM records r LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL) cur
WHERE cur.person_id IN (SELECT person_id FROM public_people);
