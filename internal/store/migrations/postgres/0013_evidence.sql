-- Evidence items (internal/evidence, docs/evidence.md): each a file kept
-- exactly as received, encrypted with age to the evidence key (whose
-- identity is a sealed value, sealed_values kind 'evidence_identity') and to
-- the offline recipients below. What could identify the person who filmed
-- (the file's name, its metadata: GPS, device, serial, times) is sealed in
-- sealed_values (kind 'evidence_item', owner the item's id). Hashes, size
-- and type are plain: they are the fixity that exports and public pages
-- show.
CREATE TABLE evidence_items (
    id          TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE,
    md5         TEXT NOT NULL,
    size        BIGINT NOT NULL,
    media_type  TEXT NOT NULL,
    -- The object's name in the evidence store (ciphertext).
    blob        TEXT NOT NULL,
    -- Who handed it in: 'user:ID', 'device:ID' or 'cli'.
    received_by TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    -- The last fixity check: 'ok', 'mismatch' or 'missing', and when.
    checked     TEXT NOT NULL DEFAULT '',
    checked_at  BIGINT
);
CREATE INDEX evidence_items_received ON evidence_items (received_at);

-- Which persons, claims and incidents an item belongs to (many to many).
CREATE TABLE evidence_links (
    item_id   TEXT NOT NULL REFERENCES evidence_items(id),
    kind      TEXT NOT NULL CHECK (kind IN ('person', 'claim', 'incident')),
    target_id TEXT NOT NULL,
    linked_at BIGINT NOT NULL,
    linked_by TEXT NOT NULL,
    PRIMARY KEY (item_id, kind, target_id)
);
CREATE INDEX evidence_links_target ON evidence_links (kind, target_id);

-- Public derivatives an editor made: metadata-free, marked areas
-- pixelated. Stored encrypted like originals until published; shown
-- publicly only while published and the item's persons are not withheld.
CREATE TABLE evidence_derivatives (
    id             TEXT PRIMARY KEY,
    item_id        TEXT NOT NULL REFERENCES evidence_items(id),
    sha256         TEXT NOT NULL,
    size           BIGINT NOT NULL,
    media_type     TEXT NOT NULL,
    blob           TEXT NOT NULL,
    redactions     TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    published_by   TEXT NOT NULL DEFAULT '',
    published_at   BIGINT,
    publish_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX evidence_derivatives_item ON evidence_derivatives (item_id);

-- Offline recipients every new original is also encrypted to (age public
-- keys whose private halves are kept away from the server).
CREATE TABLE evidence_recipients (
    recipient TEXT PRIMARY KEY,
    added_at  BIGINT NOT NULL,
    added_by  TEXT NOT NULL
);

-- An item's chain of custody is its entries in the audit log.
CREATE INDEX audit_log_object ON audit_log (object, seq);
