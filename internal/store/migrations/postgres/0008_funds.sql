-- Donations and the ledger (internal/funds). Amounts are integers of the
-- currency's minor unit; days are yyyymmdd; times Unix microseconds.

CREATE TABLE fund_campaigns (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    currency   TEXT NOT NULL,
    goal       BIGINT NOT NULL CHECK (goal > 0),
    starts     INTEGER NOT NULL,
    ends       INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE fund_campaign_texts (
    campaign_id TEXT NOT NULL REFERENCES fund_campaigns (id),
    lang        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (campaign_id, lang)
);

-- A gift: a card payment, a monthly subscription, a bank pledge or a crypto
-- transfer. The donor's details are sealed; display_name is '' unless the
-- donor chose to be named.
CREATE TABLE fund_gifts (
    id              TEXT PRIMARY KEY,
    campaign_id     TEXT NOT NULL REFERENCES fund_campaigns (id),
    kind            TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    session_id      TEXT UNIQUE,
    subscription_id TEXT UNIQUE,
    reference       TEXT UNIQUE,
    display_name    TEXT NOT NULL DEFAULT '',
    donor_email     TEXT NOT NULL DEFAULT '',
    donor_name      TEXT NOT NULL DEFAULT ''
);

-- Every processor event processed, once: the primary key is what makes a
-- repeated delivery change nothing.
CREATE TABLE fund_events (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    outcome     TEXT NOT NULL,
    gift_id     TEXT,
    detail      TEXT NOT NULL DEFAULT ''
);

-- One card payment (a one-off gift's session, a monthly gift's invoice):
-- what the events said (paid, failed, fee) and what the ledger holds for it
-- (booked, booked_fee, reversed), so every event books only the difference.
CREATE TABLE fund_payments (
    pkey           TEXT PRIMARY KEY,
    gift_id        TEXT NOT NULL REFERENCES fund_gifts (id),
    payment_intent TEXT NOT NULL DEFAULT '',
    balance_txn    TEXT NOT NULL DEFAULT '',
    amount         BIGINT NOT NULL,
    currency       TEXT NOT NULL,
    paid           INTEGER NOT NULL DEFAULT 0,
    failed         INTEGER NOT NULL DEFAULT 0,
    fee            BIGINT NOT NULL DEFAULT 0,
    booked         BIGINT NOT NULL DEFAULT 0,
    booked_fee     BIGINT NOT NULL DEFAULT 0,
    reversed       BIGINT NOT NULL DEFAULT 0,
    day            INTEGER NOT NULL
);
CREATE INDEX fund_payments_intent ON fund_payments (payment_intent);

-- Refunds (per charge, the refunded total so far) and disputes.
CREATE TABLE fund_reversals (
    pkey           TEXT PRIMARY KEY,
    payment_intent TEXT NOT NULL,
    amount         BIGINT NOT NULL,
    currency       TEXT NOT NULL
);
CREATE INDEX fund_reversals_intent ON fund_reversals (payment_intent);

-- Bank transfers and crypto gifts: entered by one treasurer, counted once
-- another confirms.
CREATE TABLE fund_receipts (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    gift_id        TEXT NOT NULL REFERENCES fund_gifts (id),
    amount         BIGINT NOT NULL CHECK (amount > 0),
    currency       TEXT NOT NULL,
    day            INTEGER NOT NULL,
    asset          TEXT NOT NULL DEFAULT '',
    asset_amount   TEXT NOT NULL DEFAULT '',
    external_id    TEXT NOT NULL,
    entered_by     TEXT NOT NULL,
    entered_at     BIGINT NOT NULL,
    confirmed_by   TEXT,
    confirmed_at   BIGINT,
    transaction_id TEXT,
    UNIQUE (kind, external_id)
);

-- Money paid out: proposed by one treasurer, approved by another. The payee
-- and the note are sealed; only the category reaches public pages.
CREATE TABLE fund_disbursements (
    id             TEXT PRIMARY KEY,
    campaign_id    TEXT NOT NULL REFERENCES fund_campaigns (id),
    category       TEXT NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount > 0),
    currency       TEXT NOT NULL,
    day            INTEGER NOT NULL,
    payee          TEXT NOT NULL,
    memo           TEXT NOT NULL,
    proposed_by    TEXT NOT NULL,
    proposed_at    BIGINT NOT NULL,
    approved_by    TEXT,
    approved_at    BIGINT,
    transaction_id TEXT
);

-- The ledger: transactions of entries that sum to zero per currency.
-- Append-only; every balance is a sum of entries.
CREATE TABLE fund_transactions (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    campaign_id TEXT REFERENCES fund_campaigns (id),
    gift_id     TEXT,
    day         INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    ref         TEXT NOT NULL
);
CREATE INDEX fund_transactions_campaign ON fund_transactions (campaign_id, day);

CREATE TABLE fund_entries (
    transaction_id TEXT NOT NULL REFERENCES fund_transactions (id),
    seq            INTEGER NOT NULL,
    account        TEXT NOT NULL,
    currency       TEXT NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (transaction_id, seq)
);
CREATE INDEX fund_entries_account ON fund_entries (account);

CREATE FUNCTION fund_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER fund_transactions_no_change BEFORE UPDATE OR DELETE ON fund_transactions
FOR EACH ROW EXECUTE FUNCTION fund_ledger_append_only();
CREATE TRIGGER fund_entries_no_change BEFORE UPDATE OR DELETE ON fund_entries
FOR EACH ROW EXECUTE FUNCTION fund_ledger_append_only();
