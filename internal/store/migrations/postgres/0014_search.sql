-- Search as people type (issue 13): names.SearchKeys now makes loose
-- forms (Karakalpak letters and Russian stand-ins meet), the words as
-- written for prefixes, and initials. The old keys are dropped; the next
-- refresh of the public list makes every record's and person's keys again
-- (BuildSearchKeys), and forgetting when the list was refreshed makes it
-- due at the next start of serve.
DELETE FROM record_search_keys;
DELETE FROM public_search;
DELETE FROM public_meta WHERE name = 'refreshed_at';
-- Prefix search reads key ranges (key >= 'x:dau' AND key < 'x:dau~'):
-- in byte order whatever the database's collation, as in SQLite.
ALTER TABLE record_search_keys ALTER COLUMN key TYPE TEXT COLLATE "C";
ALTER TABLE public_search ALTER COLUMN key TYPE TEXT COLLATE "C";
