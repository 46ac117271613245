-- A public report's content (the person's name and other spellings, age
-- or birth year, region, locality, status, date and place) is sealed as a
-- whole in content_sealed, bound to "reports.content:ID"; the clear
-- columns of a report filed from now on stay empty. Reports filed before
-- keep their clear columns (docs/security.md).
ALTER TABLE reports ADD COLUMN content_sealed TEXT NOT NULL DEFAULT '';
