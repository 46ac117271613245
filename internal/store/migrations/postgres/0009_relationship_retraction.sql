-- A relationship is retracted in the workspace, never deleted: retracted_at
-- (already in relationships) is set and the editor's reason is kept here
-- (free text stays out of the audit log, which holds ids only).
ALTER TABLE relationships ADD COLUMN retract_reason TEXT NOT NULL DEFAULT '';
