-- The publication rule (issue 12): a person is listed by name only by a
-- recorded decision. A source's public basis is an editor's statement that
-- the source published these names itself; appended, never edited: the
-- latest row of a source is in force, and an empty basis withdraws it.
CREATE TABLE source_basis (
    id        TEXT PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(id),
    basis     TEXT NOT NULL,
    by_whom   TEXT NOT NULL,
    set_at    BIGINT NOT NULL
);
CREATE INDEX source_basis_source ON source_basis (source_id, set_at);

-- Marks the migration made: persons listed by name before the rule keep
-- being listed, on a ground editors can see and review.
ALTER TABLE person_publicity ADD COLUMN legacy INTEGER NOT NULL DEFAULT 0;

-- Everyone listed by name today (the public list as last refreshed) with
-- no public mark of their own gets the migration's mark.
INSERT INTO person_publicity (id, person_id, mark, reason, by_whom, marked_at, legacy)
SELECT 'legacy-' || p.person_id, p.person_id, 'public', 'public before the publication rule', 'system', (extract(epoch FROM now()) * 1000000)::BIGINT, 1
FROM public_people p
WHERE p.withheld = 0
  AND NOT EXISTS (SELECT 1 FROM person_publicity m WHERE m.person_id = p.person_id AND m.mark = 'public');
