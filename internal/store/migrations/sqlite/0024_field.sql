-- Field instances and headquarters (issue 17, docs/operations.md "Through
-- a shutdown"). Times are Unix microseconds (UTC).

-- The other instances this one knows: at headquarters, the field devices
-- whose bundles it accepts (role 'field'); on a field laptop, the
-- headquarters it sends bundles to and takes acknowledgements from (role
-- 'headquarters'). sign_key is the base64url ed25519 public key every part
-- they send is signed with; recipient the age key messages to them are
-- encrypted to. A revoked device stays, so its past rows keep their origin.
CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('field', 'headquarters')),
    sign_key   TEXT NOT NULL UNIQUE,
    recipient  TEXT NOT NULL,
    added_at   INTEGER NOT NULL,
    added_by   TEXT NOT NULL,
    revoked_at INTEGER,
    revoked_by TEXT NOT NULL DEFAULT ''
);

-- On a field instance: each bundle made, and which version (row_hash) of
-- which row it carried, so that an acknowledgement of the bundle leaves
-- exactly those versions out of the next export.
CREATE TABLE bundles_sent (
    id        TEXT PRIMARY KEY,
    to_device TEXT NOT NULL REFERENCES devices(id),
    made_at   INTEGER NOT NULL,
    row_count INTEGER NOT NULL,
    acked_at  INTEGER
);
CREATE TABLE bundle_sent_rows (
    bundle_id TEXT NOT NULL REFERENCES bundles_sent(id),
    tbl       TEXT NOT NULL,
    row_id    TEXT NOT NULL,
    row_hash  TEXT NOT NULL,
    PRIMARY KEY (bundle_id, tbl, row_id)
);
CREATE INDEX bundle_sent_rows_row ON bundle_sent_rows (tbl, row_id);

-- At headquarters: each bundle applied, from which device, when.
CREATE TABLE bundles_received (
    id          TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    made_at     INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    rows_new    INTEGER NOT NULL
);

-- At headquarters: every row that came from a field device, the row it is
-- here (local_id: the same id, or the row headquarters already had with the
-- same natural key), the field's version of it (row_doc, row_hash), when
-- the field recorded it (field_at) and when headquarters received it. The
-- row itself carries the time received, so counts known at T use it.
CREATE TABLE field_origins (
    device_id   TEXT NOT NULL REFERENCES devices(id),
    tbl         TEXT NOT NULL,
    field_id    TEXT NOT NULL,
    local_id    TEXT NOT NULL,
    row_hash    TEXT NOT NULL,
    row_doc     TEXT NOT NULL,
    field_at    INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    bundle_id   TEXT NOT NULL,
    PRIMARY KEY (device_id, tbl, field_id)
);
CREATE INDEX field_origins_local ON field_origins (tbl, local_id);

-- At headquarters: a field version that differs from what headquarters
-- holds in more than a later retraction (the same record corrected on both
-- sides). Headquarters' row stays; the field's is kept here for editors.
CREATE TABLE field_conflicts (
    id          TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    tbl         TEXT NOT NULL,
    field_id    TEXT NOT NULL,
    local_id    TEXT NOT NULL,
    row_hash    TEXT NOT NULL,
    row_doc     TEXT NOT NULL,
    bundle_id   TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (device_id, tbl, field_id, row_hash)
);
