package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rollcall/internal/funds"
	"rollcall/internal/registry"
)

// Event outcomes.
const (
	EventApplied   = "applied"   // the ledger took it (perhaps changing nothing)
	EventDuplicate = "duplicate" // seen before: nothing changed
	EventIgnored   = "ignored"   // a type we do not act on
	EventAnomaly   = "anomaly"   // for a gift we do not know: kept for the treasurer
	EventWaiting   = "waiting"   // a refund or dispute of a payment not seen yet
)

type giftRow struct {
	id, campaignID, slug, kind string
}

func (s *Store) giftFor(ctx context.Context, tx *sql.Tx, ev funds.ProcessorEvent) (giftRow, bool, error) {
	var g giftRow
	q := `SELECT g.id, g.campaign_id, c.slug, g.kind FROM fund_gifts g JOIN fund_campaigns c ON c.id = g.campaign_id WHERE `
	try := func(where, v string) (bool, error) {
		if v == "" {
			return false, nil
		}
		err := tx.QueryRowContext(ctx, s.rebind(q+where), v).Scan(&g.id, &g.campaignID, &g.slug, &g.kind)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	}
	for _, c := range []struct{ where, v string }{{"g.id = ?", ev.GiftID}, {"g.session_id = ?", ev.SessionID}, {"g.subscription_id = ?", ev.Subscription}} {
		if ok, err := try(c.where, c.v); ok || err != nil {
			return g, ok, err
		}
	}
	return g, false, nil
}

// ApplyProcessorEvent processes a verified webhook event exactly once: its
// processor and id are inserted under a primary key in the same
// transaction as the ledger entries it causes, so a repeated delivery
// changes nothing. Events record facts (a payment paid or failed, a
// charge's refunded total, a dispute) and the ledger is then brought to
// what the facts imply (funds.Settle), booking only differences: so
// events in any order end in the same ledger.
func (s *Store) ApplyProcessorEvent(ctx context.Context, ev funds.ProcessorEvent) (string, error) {
	if ev.ID == "" {
		return "", errors.New("an event without an id")
	}
	if err := funds.CheckProcessorName(ev.Processor); err != nil {
		return "", fmt.Errorf("event %s: %w", ev.ID, err)
	}
	outcome := EventApplied
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_events (processor, id, type, received_at, outcome) VALUES (?, ?, ?, ?, '') ON CONFLICT (processor, id) DO NOTHING`),
			ev.Processor, ev.ID, ev.Type, s.Now().UnixMicro())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			outcome = EventDuplicate
			return err
		}
		// The audit entry first: on PostgreSQL it serialises money
		// transactions, so the reads below see every earlier event.
		if _, err := s.appendAudit(ctx, tx, ev.Processor, "funds.event", ev.ID, ev.Type); err != nil {
			return err
		}
		detail := ""
		var giftID string
		switch ev.Action {
		case funds.ActionIgnore:
			outcome = EventIgnored
		case funds.ActionPayment, funds.ActionSubscription:
			g, ok, err := s.giftFor(ctx, tx, ev)
			if err != nil {
				return err
			}
			if !ok {
				outcome = EventAnomaly
				// Ids and amount only: pages put the words around it.
				detail = fmt.Sprintf("%s / %s: %s", orDash(ev.SessionID), orDash(ev.Subscription), funds.FormatAmount(ev.Amount, orDash(ev.Currency)))
				break
			}
			giftID = g.id
			if err := s.recordDonor(ctx, tx, g.id, ev); err != nil {
				return err
			}
			if ev.Action == funds.ActionSubscription {
				if ev.Subscription != "" {
					if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE fund_gifts SET subscription_id = ? WHERE id = ? AND subscription_id IS NULL`), ev.Subscription, g.id); err != nil {
						return err
					}
				}
				break
			}
			if err := s.recordPayment(ctx, tx, g.id, ev); err != nil {
				return err
			}
			if err := s.settle(ctx, tx, ev.Processor, ev.PaymentKey, ev.ID); err != nil {
				return err
			}
		case funds.ActionRefund, funds.ActionDispute:
			if ev.PaymentIntent == "" {
				// An anomaly with no detail: a reversal naming no payment.
				outcome = EventAnomaly
				break
			}
			// A charge's refunded total only grows: keep the largest.
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_reversals (processor, pkey, payment_intent, amount, currency) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (processor, pkey) DO UPDATE SET amount = CASE WHEN excluded.amount > fund_reversals.amount THEN excluded.amount ELSE fund_reversals.amount END`),
				ev.Processor, ev.ReversalKey, ev.PaymentIntent, ev.Amount, ev.Currency); err != nil {
				return err
			}
			keys, err := queryStrings(ctx, tx, s.rebind(`SELECT pkey FROM fund_payments WHERE processor = ? AND payment_intent = ? ORDER BY pkey`), ev.Processor, ev.PaymentIntent)
			if err != nil {
				return err
			}
			if len(keys) == 0 {
				// Booked when (if) its payment arrives; until then the
				// treasurer sees it among the anomalies.
				outcome, detail = EventWaiting, ev.PaymentIntent
			}
			for _, k := range keys {
				if err := s.settle(ctx, tx, ev.Processor, k, ev.ID); err != nil {
					return err
				}
			}
		}
		var gift any
		if giftID != "" {
			gift = giftID
		}
		_, err = tx.ExecContext(ctx, s.rebind(`UPDATE fund_events SET outcome = ?, gift_id = ?, detail = ? WHERE processor = ? AND id = ?`), outcome, gift, detail, ev.Processor, ev.ID)
		return err
	})
	return outcome, err
}

func orDash(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// recordDonor keeps what the processor returned of the donor, sealed.
func (s *Store) recordDonor(ctx context.Context, tx *sql.Tx, giftID string, ev funds.ProcessorEvent) error {
	for _, f := range []struct{ column, value string }{{"donor_email", ev.Email}, {"donor_name", ev.Name}} {
		if f.value == "" {
			continue
		}
		sealed, err := s.sealOptional(giftPlace(f.column, giftID), f.value)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE fund_gifts SET `+f.column+` = ? WHERE id = ? AND `+f.column+` = ''`), sealed, giftID); err != nil {
			return err
		}
	}
	return nil
}

// payment is a row of fund_payments: a card payment's facts, what the
// ledger holds for it, and where it is booked.
type payment struct {
	giftID, campaignID string
	day                int
	facts              funds.PaymentFacts
	booked             funds.Booked
}

// loadPayment reads a payment, with its reversals summed (false when
// there is none yet).
func (s *Store) loadPayment(ctx context.Context, tx *sql.Tx, processor, key string) (payment, bool, error) {
	p := payment{facts: funds.PaymentFacts{Processor: processor}}
	f, b := &p.facts, &p.booked
	var paid, failed int
	err := tx.QueryRowContext(ctx, s.rebind(`SELECT p.gift_id, g.campaign_id, c.slug, p.payment_intent, p.balance_txn, p.currency, p.amount, p.fee, p.booked, p.booked_fee, p.reversed, p.paid, p.failed, p.day
		FROM fund_payments p JOIN fund_gifts g ON g.id = p.gift_id JOIN fund_campaigns c ON c.id = g.campaign_id WHERE p.processor = ? AND p.pkey = ?`), processor, key).
		Scan(&p.giftID, &p.campaignID, &f.Campaign, &f.PaymentIntent, &f.BalanceTxn, &f.Currency, &f.Amount, &f.Fee, &b.Amount, &b.Fee, &b.Reversed, &paid, &failed, &p.day)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, err
	}
	f.Paid, f.Failed = paid == 1, failed == 1
	if f.PaymentIntent != "" {
		err = tx.QueryRowContext(ctx, s.rebind(`SELECT COALESCE(sum(amount), 0) FROM fund_reversals WHERE processor = ? AND payment_intent = ? AND currency = ?`),
			processor, f.PaymentIntent, f.Currency).Scan(&f.Reversals)
	}
	return p, true, err
}

// recordPayment merges an event's facts into its payment (funds.MergeFacts).
func (s *Store) recordPayment(ctx context.Context, tx *sql.Tx, giftID string, ev funds.ProcessorEvent) error {
	seen := funds.PaymentFacts{Processor: ev.Processor, Currency: ev.Currency, Amount: ev.Amount, Paid: ev.Paid, Failed: ev.Failed, Fee: ev.Fee,
		PaymentIntent: ev.PaymentIntent, BalanceTxn: ev.BalanceTxn}
	known, ok, err := s.loadPayment(ctx, tx, ev.Processor, ev.PaymentKey)
	if err != nil {
		return err
	}
	if !ok {
		_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_payments (processor, pkey, gift_id, payment_intent, balance_txn, amount, currency, paid, failed, fee, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			ev.Processor, ev.PaymentKey, giftID, seen.PaymentIntent, seen.BalanceTxn, seen.Amount, seen.Currency, boolInt(seen.Paid), boolInt(seen.Failed), seen.Fee, int(registry.DayOf(ev.Created)))
		return err
	}
	f := funds.MergeFacts(known.facts, seen)
	_, err = tx.ExecContext(ctx, s.rebind(`UPDATE fund_payments SET paid = ?, failed = ?, fee = ?, payment_intent = ?, balance_txn = ? WHERE processor = ? AND pkey = ?`),
		boolInt(f.Paid), boolInt(f.Failed), f.Fee, f.PaymentIntent, f.BalanceTxn, ev.Processor, ev.PaymentKey)
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// settle books what funds.Settle says a payment's facts imply: the gift
// and its fee on the payment's day, reversals on today's.
func (s *Store) settle(ctx context.Context, tx *sql.Tx, processor, key, ref string) error {
	p, ok, err := s.loadPayment(ctx, tx, processor, key)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("payment %s/%s: %w", processor, key, ErrNotFound)
	}
	txs, booked := funds.Settle(p.facts, p.booked)
	for _, t := range txs {
		day := p.day
		if t.Kind == funds.KindReversal {
			day = int(registry.DayOf(s.Now()))
		}
		if _, err := s.book(ctx, tx, t, p.campaignID, p.giftID, day, ref); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, s.rebind(`UPDATE fund_payments SET booked = ?, booked_fee = ?, reversed = ? WHERE processor = ? AND pkey = ?`),
		booked.Amount, booked.Fee, booked.Reversed, processor, key)
	return err
}

// FundAnomaly is something the treasurer must look at: an event for a gift
// we do not know, or a refund or dispute whose payment has not arrived.
type FundAnomaly struct {
	EventID, Type string
	Kind          AnomalyKind
	// Detail is the ids and amount of an unknown gift's event (session /
	// subscription: amount), or the payment intent a reversal waits for.
	Detail string
	At     time.Time
}

// AnomalyKind says what is wrong, for pages to say it in their language.
type AnomalyKind string

const (
	AnomalyUnknownGift AnomalyKind = "unknown_gift" // a payment of no gift of ours
	AnomalyNoPayment   AnomalyKind = "no_payment"   // a refund or dispute naming no payment
	AnomalyWaiting     AnomalyKind = "waiting"      // a refund or dispute whose payment has not arrived
)

// FundAnomalies lists the anomalies, newest first.
func (s *Store) FundAnomalies(ctx context.Context) ([]FundAnomaly, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT e.id, e.type, e.outcome, e.detail, e.received_at FROM fund_events e WHERE e.outcome = 'anomaly'
		OR (e.outcome = 'waiting' AND NOT EXISTS (SELECT 1 FROM fund_payments p WHERE p.processor = e.processor AND p.payment_intent = e.detail))
		ORDER BY e.received_at DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FundAnomaly
	for rows.Next() {
		var a FundAnomaly
		var at int64
		var outcome string
		if err := rows.Scan(&a.EventID, &a.Type, &outcome, &a.Detail, &at); err != nil {
			return nil, err
		}
		switch {
		case outcome == EventWaiting:
			a.Kind = AnomalyWaiting
		case a.Detail == "":
			// An unknown gift's event always has its ids and amount.
			a.Kind = AnomalyNoPayment
		default:
			a.Kind = AnomalyUnknownGift
		}
		a.At = time.UnixMicro(at).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}
