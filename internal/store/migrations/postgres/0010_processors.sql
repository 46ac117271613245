-- Card processors are plural (issue 11): every processor event, payment
-- and reversal belongs to the processor that sent it, and is unique only
-- among that processor's ids. Before this migration there was one
-- processor, Stripe, so every existing row is its own. Its accounts
-- (assets:stripe, fees:stripe) are already named as processor accounts
-- are (assets:NAME, fees:NAME): the ledger, append-only, is untouched and
-- keeps its balances.

ALTER TABLE fund_events ADD COLUMN processor TEXT NOT NULL DEFAULT 'stripe';
ALTER TABLE fund_events ALTER COLUMN processor DROP DEFAULT;
ALTER TABLE fund_events DROP CONSTRAINT fund_events_pkey;
ALTER TABLE fund_events ADD PRIMARY KEY (processor, id);

ALTER TABLE fund_payments ADD COLUMN processor TEXT NOT NULL DEFAULT 'stripe';
ALTER TABLE fund_payments ALTER COLUMN processor DROP DEFAULT;
ALTER TABLE fund_payments DROP CONSTRAINT fund_payments_pkey;
ALTER TABLE fund_payments ADD PRIMARY KEY (processor, pkey);
DROP INDEX fund_payments_intent;
CREATE INDEX fund_payments_intent ON fund_payments (processor, payment_intent);

ALTER TABLE fund_reversals ADD COLUMN processor TEXT NOT NULL DEFAULT 'stripe';
ALTER TABLE fund_reversals ALTER COLUMN processor DROP DEFAULT;
ALTER TABLE fund_reversals DROP CONSTRAINT fund_reversals_pkey;
ALTER TABLE fund_reversals ADD PRIMARY KEY (processor, pkey);
DROP INDEX fund_reversals_intent;
CREATE INDEX fund_reversals_intent ON fund_reversals (processor, payment_intent);
