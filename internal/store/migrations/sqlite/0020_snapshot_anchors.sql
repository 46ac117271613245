-- One public address, one human, for ids that only a snapshot showed
-- (issue 12): snapshots published before person ids were anchored
-- (migration 0022) showed ids nobody anchored. After the migrations the
-- store anchors each snapshot's ids to the records they held as known at
-- the snapshot's known-at time (store.anchorSnapshots), once per snapshot;
-- a row here says that snapshot's ids are anchored (publishing writes it
-- too).
CREATE TABLE snapshot_anchoring (
    snapshot_id TEXT PRIMARY KEY,
    anchored_at BIGINT NOT NULL
);
