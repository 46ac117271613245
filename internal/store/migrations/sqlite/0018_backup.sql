-- Who a backup is encrypted to (rollcall key recipients add --backup): age
-- public keys whose private halves are kept away from the server, so that
-- a backup copied off it is readable only by whoever holds one of them.
CREATE TABLE backup_recipients (
    recipient TEXT PRIMARY KEY,
    added_at  INTEGER NOT NULL,
    added_by  TEXT NOT NULL
);
