-- Card processors are plural (issue 11): every processor event, payment
-- and reversal belongs to the processor that sent it, and is unique only
-- among that processor's ids. Before this migration there was one
-- processor, Stripe, so every existing row is its own. Its accounts
-- (assets:stripe, fees:stripe) are already named as processor accounts
-- are (assets:NAME, fees:NAME): the ledger, append-only, is untouched and
-- keeps its balances.

CREATE TABLE fund_events_0010 (
    processor   TEXT NOT NULL,
    id          TEXT NOT NULL,
    type        TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    outcome     TEXT NOT NULL,
    gift_id     TEXT,
    detail      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (processor, id)
);
INSERT INTO fund_events_0010 (processor, id, type, received_at, outcome, gift_id, detail)
    SELECT 'stripe', id, type, received_at, outcome, gift_id, detail FROM fund_events;
DROP TABLE fund_events;
ALTER TABLE fund_events_0010 RENAME TO fund_events;

CREATE TABLE fund_payments_0010 (
    processor      TEXT NOT NULL,
    pkey           TEXT NOT NULL,
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
    day            INTEGER NOT NULL,
    PRIMARY KEY (processor, pkey)
);
INSERT INTO fund_payments_0010 (processor, pkey, gift_id, payment_intent, balance_txn, amount, currency, paid, failed, fee, booked, booked_fee, reversed, day)
    SELECT 'stripe', pkey, gift_id, payment_intent, balance_txn, amount, currency, paid, failed, fee, booked, booked_fee, reversed, day FROM fund_payments;
DROP TABLE fund_payments;
ALTER TABLE fund_payments_0010 RENAME TO fund_payments;
CREATE INDEX fund_payments_intent ON fund_payments (processor, payment_intent);

CREATE TABLE fund_reversals_0010 (
    processor      TEXT NOT NULL,
    pkey           TEXT NOT NULL,
    payment_intent TEXT NOT NULL,
    amount         BIGINT NOT NULL,
    currency       TEXT NOT NULL,
    PRIMARY KEY (processor, pkey)
);
INSERT INTO fund_reversals_0010 (processor, pkey, payment_intent, amount, currency)
    SELECT 'stripe', pkey, payment_intent, amount, currency FROM fund_reversals;
DROP TABLE fund_reversals;
ALTER TABLE fund_reversals_0010 RENAME TO fund_reversals;
CREATE INDEX fund_reversals_intent ON fund_reversals (processor, payment_intent);
