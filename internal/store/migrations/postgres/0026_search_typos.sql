-- Search finds one letter wrong (issue 13): names.SearchKeys now adds
-- "d:" keys (a word and the word with each letter deleted), and a typed
-- three-letter prefix counts its letters as written. The old keys are
-- dropped; the next refresh of the public list makes every record's and
-- person's keys again (BuildSearchKeys), and forgetting when the list was
-- refreshed makes it due at the next start of serve.
DELETE FROM record_search_keys;
DELETE FROM public_search;
DELETE FROM public_meta WHERE name = 'refreshed_at';
