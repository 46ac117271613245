-- The daily review (issue 15): a decision that took a pair off the review
-- queue keeps the queue's row (id, weight, evidence, impact, as JSON), so
-- that undoing the decision puts the pair back as it was.
ALTER TABLE decisions ADD COLUMN queued TEXT NOT NULL DEFAULT '';
