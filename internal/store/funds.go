package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"rollcall/internal/funds"
	"rollcall/internal/registry"
)

// Errors of the money side.
var (
	// ErrSamePerson refuses a confirmation or approval by the treasurer
	// who entered or proposed it: money needs two people.
	ErrSamePerson = errors.New("it must be confirmed by a treasurer other than the one who entered it")
	// ErrAlreadyDone is a confirmation or approval of what already was.
	ErrAlreadyDone = errors.New("this was already confirmed")
	// ErrFundsDuplicate is a bank transfer or crypto transaction entered
	// twice.
	ErrFundsDuplicate = errors.New("this transfer was entered already")
	// ErrCampaignExists is a new campaign with a short name in use.
	ErrCampaignExists = errors.New("a campaign of this short name exists already")
	// ErrCurrencyMismatch is a bank transfer in another currency than its
	// pledge: the amount credited in the pledge's currency is entered.
	ErrCurrencyMismatch = errors.New("the transfer is in another currency than its pledge")
	// ErrNoPayee is a disbursement that names nobody to pay.
	ErrNoPayee = errors.New("say who is paid (kept sealed, never shown publicly)")
)

// Places sealed donor and payee data are bound to.
func giftPlace(column, giftID string) string { return "fund_gifts." + column + ":" + giftID }
func disbursementPlace(column, id string) string {
	return "fund_disbursements." + column + ":" + id
}

// ---- campaigns

// CreateCampaign stores a campaign with its texts.
func (s *Store) CreateCampaign(ctx context.Context, actor string, c funds.Campaign) (funds.Campaign, error) {
	if err := c.Check(); err != nil {
		return c, err
	}
	c.ID = NewID()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM fund_campaigns WHERE slug = ?`), c.Slug).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%q: %w", c.Slug, ErrCampaignExists)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_campaigns (id, slug, currency, goal, starts, ends, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			c.ID, c.Slug, c.Currency, c.Goal, c.Starts, c.Ends, s.Now().UnixMicro(), actor); err != nil {
			return err
		}
		for lang, t := range c.Texts {
			if strings.TrimSpace(t.Title) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_campaign_texts (campaign_id, lang, title, body) VALUES (?, ?, ?, ?)`),
				c.ID, lang, strings.TrimSpace(t.Title), strings.TrimSpace(t.Body)); err != nil {
				return err
			}
		}
		_, err := s.appendAudit(ctx, tx, actor, "funds.campaign.create", c.ID, c.Slug+" goal "+funds.FormatAmount(c.Goal, c.Currency))
		return err
	})
	return c, err
}

// Campaigns lists every campaign, newest start first.
func (s *Store) Campaigns(ctx context.Context) ([]funds.Campaign, error) {
	return s.campaigns(ctx, "")
}

// CampaignBySlug finds a campaign; ErrNotFound when there is none.
func (s *Store) CampaignBySlug(ctx context.Context, slug string) (funds.Campaign, error) {
	cs, err := s.campaigns(ctx, slug)
	if err != nil {
		return funds.Campaign{}, err
	}
	if len(cs) == 0 {
		return funds.Campaign{}, fmt.Errorf("campaign %q: %w", slug, ErrNotFound)
	}
	return cs[0], nil
}

func (s *Store) campaigns(ctx context.Context, slug string) ([]funds.Campaign, error) {
	q := `SELECT id, slug, currency, goal, starts, ends FROM fund_campaigns`
	args := []any{}
	if slug != "" {
		q += ` WHERE slug = ?`
		args = append(args, slug)
	}
	rows, err := s.read.QueryContext(ctx, s.rebind(q+` ORDER BY starts DESC, slug`), args...)
	if err != nil {
		return nil, err
	}
	var out []funds.Campaign
	byID := map[string]int{}
	for rows.Next() {
		var c funds.Campaign
		if err := rows.Scan(&c.ID, &c.Slug, &c.Currency, &c.Goal, &c.Starts, &c.Ends); err != nil {
			rows.Close()
			return nil, err
		}
		c.Texts = map[string]funds.CampaignText{}
		byID[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	trows, err := s.read.QueryContext(ctx, `SELECT campaign_id, lang, title, body FROM fund_campaign_texts`)
	if err != nil {
		return nil, err
	}
	defer trows.Close()
	for trows.Next() {
		var id, lang string
		var t funds.CampaignText
		if err := trows.Scan(&id, &lang, &t.Title, &t.Body); err != nil {
			return nil, err
		}
		if i, ok := byID[id]; ok {
			out[i].Texts[lang] = t
		}
	}
	return out, trows.Err()
}

// CampaignTotals is what a campaign's public page shows.
type CampaignTotals struct {
	// Raised is income net of refunds and disputes, per currency.
	Raised map[string]int64
	// Donors counts the gifts that brought money and were not reversed
	// in full.
	Donors int
	// Spending is what was paid out, per category and currency.
	Spending []CategoryTotal
	// Named are the display names donors chose to show.
	Named []string
}

// CategoryTotal is spending in one category and currency.
type CategoryTotal struct {
	Category funds.Category
	Currency string
	Amount   int64
}

// CampaignTotals computes a campaign's figures from the ledger's entries.
func (s *Store) CampaignTotals(ctx context.Context, c funds.Campaign) (CampaignTotals, error) {
	t := CampaignTotals{Raised: map[string]int64{}}
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT e.account, e.currency, sum(e.amount) FROM fund_entries e
		JOIN fund_transactions t ON t.id = e.transaction_id WHERE t.campaign_id = ? GROUP BY e.account, e.currency`), c.ID)
	if err != nil {
		return t, err
	}
	for rows.Next() {
		var account, cur string
		var sum int64
		if err := rows.Scan(&account, &cur, &sum); err != nil {
			rows.Close()
			return t, err
		}
		switch _, cat := funds.Describe(account); {
		case account == funds.AccountIncome(c.Slug):
			t.Raised[cur] = -sum
		case strings.HasPrefix(account, "spending:") && sum != 0:
			t.Spending = append(t.Spending, CategoryTotal{funds.Category(cat), cur, sum})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t, err
	}
	sort.Slice(t.Spending, func(i, j int) bool { return t.Spending[i].Category < t.Spending[j].Category })
	grows, err := s.read.QueryContext(ctx, s.rebind(`SELECT g.id, g.display_name FROM fund_gifts g WHERE g.id IN (
		SELECT t.gift_id FROM fund_transactions t JOIN fund_entries e ON e.transaction_id = t.id
		WHERE t.campaign_id = ? AND t.gift_id IS NOT NULL AND e.account = ?
		GROUP BY t.gift_id HAVING sum(e.amount) < 0) ORDER BY g.created_at`), c.ID, funds.AccountIncome(c.Slug))
	if err != nil {
		return t, err
	}
	defer grows.Close()
	for grows.Next() {
		var id, name string
		if err := grows.Scan(&id, &name); err != nil {
			return t, err
		}
		t.Donors++
		if name != "" && s.keys != nil {
			if plain, err := s.keys.UnsealString(giftPlace("display_name", id), name); err == nil && plain != "" {
				t.Named = append(t.Named, plain)
			}
		}
	}
	return t, grows.Err()
}

// ---- the ledger

// book writes a transaction after checking that it balances.
func (s *Store) book(ctx context.Context, tx *sql.Tx, t funds.Transaction, campaignID, giftID string, day int, ref string) (string, error) {
	if err := t.Check(); err != nil {
		return "", fmt.Errorf("ledger: %s: %w", t.Kind, err)
	}
	id := NewID()
	var gift any
	if giftID != "" {
		gift = giftID
	}
	var campaign any
	if campaignID != "" {
		campaign = campaignID
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_transactions (id, kind, campaign_id, gift_id, day, at, ref) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		id, t.Kind, campaign, gift, day, s.Now().UnixMicro(), ref); err != nil {
		return "", err
	}
	for i, e := range t.Entries {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_entries (transaction_id, seq, account, currency, amount) VALUES (?, ?, ?, ?, ?)`),
			id, i+1, e.Account, e.Currency, e.Amount); err != nil {
			return "", err
		}
	}
	return id, nil
}

// LedgerTransaction is a stored transaction with its entries.
type LedgerTransaction struct {
	ID, Kind, CampaignID, GiftID, Ref string
	Day                               int
	Entries                           []funds.Entry
}

// LedgerTransactions reads the whole ledger in order.
func (s *Store) LedgerTransactions(ctx context.Context) ([]LedgerTransaction, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT t.id, t.kind, COALESCE(t.campaign_id, ''), COALESCE(t.gift_id, ''), t.ref, t.day, e.account, e.currency, e.amount
		FROM fund_transactions t JOIN fund_entries e ON e.transaction_id = t.id ORDER BY t.at, t.id, e.seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LedgerTransaction
	for rows.Next() {
		var t LedgerTransaction
		var e funds.Entry
		if err := rows.Scan(&t.ID, &t.Kind, &t.CampaignID, &t.GiftID, &t.Ref, &t.Day, &e.Account, &e.Currency, &e.Amount); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].ID == t.ID {
			out[n-1].Entries = append(out[n-1].Entries, e)
			continue
		}
		t.Entries = []funds.Entry{e}
		out = append(out, t)
	}
	return out, rows.Err()
}

// LedgerBalances sums every entry per account and currency, in SQL.
func (s *Store) LedgerBalances(ctx context.Context) (map[funds.BalanceKey]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT account, currency, sum(amount) FROM fund_entries GROUP BY account, currency`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	b := map[funds.BalanceKey]int64{}
	for rows.Next() {
		var k funds.BalanceKey
		var v int64
		if err := rows.Scan(&k.Account, &k.Currency, &v); err != nil {
			return nil, err
		}
		b[k] = v
	}
	return b, rows.Err()
}

// MonthlyTotal is one line of the public monthly report: money in (net
// income), processor fees, or spending in a category, in one month.
type MonthlyTotal struct {
	Month    string // "2026-11"
	Line     string // "income", "fees" or a spending category
	Currency string
	Amount   int64 // positive
}

// MonthlyTotals sums the ledger per month, line and currency (no payees:
// the ledger never holds them).
func (s *Store) MonthlyTotals(ctx context.Context) ([]MonthlyTotal, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT t.day / 100, e.account, e.currency, sum(e.amount) FROM fund_entries e
		JOIN fund_transactions t ON t.id = e.transaction_id GROUP BY t.day / 100, e.account, e.currency`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type key struct{ month, line, cur string }
	sums := map[key]int64{}
	for rows.Next() {
		var ym int
		var account, cur string
		var v int64
		if err := rows.Scan(&ym, &account, &cur, &v); err != nil {
			return nil, err
		}
		_, line := funds.Describe(account)
		if line == "" {
			continue
		}
		if line == "income" {
			v = -v
		}
		sums[key{fmt.Sprintf("%04d-%02d", ym/100, ym%100), line, cur}] += v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []MonthlyTotal
	for k, v := range sums {
		if v != 0 {
			out = append(out, MonthlyTotal{k.month, k.line, k.cur, v})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Currency < b.Currency
	})
	return out, nil
}

// ---- card gifts

// NewCardGift records a gift about to go to Checkout (kind funds.GiftCard
// or funds.GiftCardMonthly). displayName is "" for an anonymous gift; a
// name is sealed.
func (s *Store) NewCardGift(ctx context.Context, c funds.Campaign, kind string, amount int64, displayName string) (string, error) {
	if kind != funds.GiftCard && kind != funds.GiftCardMonthly {
		return "", fmt.Errorf("not a card gift: %q", kind)
	}
	return s.newGift(ctx, c, kind, amount, displayName, "")
}

func (s *Store) newGift(ctx context.Context, c funds.Campaign, kind string, amount int64, displayName, reference string) (string, error) {
	if amount <= 0 {
		return "", errors.New("the amount must be more than zero")
	}
	id := NewID()
	sealedName, err := s.sealOptional(giftPlace("display_name", id), displayName)
	if err != nil {
		return "", err
	}
	var ref any
	if reference != "" {
		ref = reference
	}
	_, err = s.write.ExecContext(ctx, s.rebind(`INSERT INTO fund_gifts (id, campaign_id, kind, amount, currency, created_at, reference, display_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		id, c.ID, kind, amount, c.Currency, s.Now().UnixMicro(), ref, sealedName)
	return id, err
}

func (s *Store) sealOptional(where, value string) (string, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", nil
	}
	if s.keys == nil {
		return "", errors.New("the data key is not open: personal data cannot be stored")
	}
	return s.keys.SealString(where, value)
}

// SetGiftSession records the Checkout session a gift was sent to.
func (s *Store) SetGiftSession(ctx context.Context, giftID, sessionID string) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`UPDATE fund_gifts SET session_id = ? WHERE id = ?`), sessionID, giftID)
	return err
}

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
// id is inserted under a primary key in the same transaction as the
// ledger entries it causes, so a repeated delivery changes nothing. Events
// record facts (a payment paid or failed, a charge's refunded total, a
// dispute) and the ledger is then brought to what the facts imply, booking
// only differences: so events in any order end in the same ledger.
func (s *Store) ApplyProcessorEvent(ctx context.Context, ev funds.ProcessorEvent) (string, error) {
	if ev.ID == "" {
		return "", errors.New("an event without an id")
	}
	outcome := EventApplied
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_events (id, type, received_at, outcome) VALUES (?, ?, ?, '') ON CONFLICT (id) DO NOTHING`),
			ev.ID, ev.Type, s.Now().UnixMicro())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			outcome = EventDuplicate
			return err
		}
		// The audit entry first: on PostgreSQL it serialises money
		// transactions, so the reads below see every earlier event.
		if _, err := s.appendAudit(ctx, tx, "stripe", "funds.event", ev.ID, ev.Type); err != nil {
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
			if err := s.settle(ctx, tx, ev.PaymentKey, ev.ID); err != nil {
				return err
			}
		case funds.ActionRefund, funds.ActionDispute:
			if ev.PaymentIntent == "" {
				outcome = EventAnomaly
				detail = ""
				break
			}
			// A charge's refunded total only grows: keep the largest.
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_reversals (pkey, payment_intent, amount, currency) VALUES (?, ?, ?, ?)
				ON CONFLICT (pkey) DO UPDATE SET amount = CASE WHEN excluded.amount > fund_reversals.amount THEN excluded.amount ELSE fund_reversals.amount END`),
				ev.ReversalKey, ev.PaymentIntent, ev.Amount, ev.Currency); err != nil {
				return err
			}
			keys, err := queryStrings(ctx, tx, s.rebind(`SELECT pkey FROM fund_payments WHERE payment_intent = ? ORDER BY pkey`), ev.PaymentIntent)
			if err != nil {
				return err
			}
			if len(keys) == 0 {
				// Booked when (if) its payment arrives; until then the
				// treasurer sees it among the anomalies.
				outcome, detail = EventWaiting, ev.PaymentIntent
			}
			for _, k := range keys {
				if err := s.settle(ctx, tx, k, ev.ID); err != nil {
					return err
				}
			}
		}
		var gift any
		if giftID != "" {
			gift = giftID
		}
		_, err = tx.ExecContext(ctx, s.rebind(`UPDATE fund_events SET outcome = ?, gift_id = ?, detail = ? WHERE id = ?`), outcome, gift, detail, ev.ID)
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

// recordPayment merges an event's facts into its payment: paid and failed
// only ever become true, the fee only grows, ids fill in once.
func (s *Store) recordPayment(ctx context.Context, tx *sql.Tx, giftID string, ev funds.ProcessorEvent) error {
	paid, failed := boolInt(ev.Paid), boolInt(ev.Failed)
	_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_payments (pkey, gift_id, payment_intent, balance_txn, amount, currency, paid, failed, fee, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (pkey) DO UPDATE SET
		  paid = CASE WHEN excluded.paid > fund_payments.paid THEN excluded.paid ELSE fund_payments.paid END,
		  failed = CASE WHEN excluded.failed > fund_payments.failed THEN excluded.failed ELSE fund_payments.failed END,
		  fee = CASE WHEN excluded.fee > fund_payments.fee THEN excluded.fee ELSE fund_payments.fee END,
		  payment_intent = CASE WHEN fund_payments.payment_intent = '' THEN excluded.payment_intent ELSE fund_payments.payment_intent END,
		  balance_txn = CASE WHEN fund_payments.balance_txn = '' THEN excluded.balance_txn ELSE fund_payments.balance_txn END`),
		ev.PaymentKey, giftID, ev.PaymentIntent, ev.BalanceTxn, ev.Amount, ev.Currency, paid, failed, ev.Fee, int(registry.DayOf(ev.Created)))
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// settle brings the ledger to what a payment's facts imply: its amount
// booked once paid (never if it failed first), its fee booked apart, and
// its refunds and disputes reversed (never more than was booked).
func (s *Store) settle(ctx context.Context, tx *sql.Tx, key, ref string) error {
	var giftID, campaignID, slug, intent, currency string
	var amount, fee, booked, bookedFee, reversed int64
	var paid, failed, day int
	err := tx.QueryRowContext(ctx, s.rebind(`SELECT p.gift_id, g.campaign_id, c.slug, p.payment_intent, p.currency, p.amount, p.fee, p.booked, p.booked_fee, p.reversed, p.paid, p.failed, p.day
		FROM fund_payments p JOIN fund_gifts g ON g.id = p.gift_id JOIN fund_campaigns c ON c.id = g.campaign_id WHERE p.pkey = ?`), key).
		Scan(&giftID, &campaignID, &slug, &intent, &currency, &amount, &fee, &booked, &bookedFee, &reversed, &paid, &failed, &day)
	if err != nil {
		return err
	}
	// A payment counts once it is paid, even when a "failed" event for it
	// came late or out of order: the processor pays out only on success.
	target := int64(0)
	if paid == 1 {
		target = amount
	}
	targetFee := int64(0)
	if target > 0 {
		targetFee = fee
	}
	var reversals int64
	if intent != "" {
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT COALESCE(sum(amount), 0) FROM fund_reversals WHERE payment_intent = ? AND currency = ?`), intent, currency).Scan(&reversals); err != nil {
			return err
		}
	}
	targetReversed := min(reversals, target)
	if d := target - booked; d > 0 {
		if _, err := s.book(ctx, tx, funds.Donation(slug, funds.AccountStripe, currency, d), campaignID, giftID, day, ref); err != nil {
			return err
		}
	}
	if d := targetFee - bookedFee; d > 0 {
		if _, err := s.book(ctx, tx, funds.Fee(slug, currency, d), campaignID, giftID, day, ref); err != nil {
			return err
		}
	}
	if d := targetReversed - reversed; d > 0 {
		if _, err := s.book(ctx, tx, funds.Reversal(slug, funds.AccountStripe, currency, d), campaignID, giftID, int(registry.DayOf(s.Now())), ref); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, s.rebind(`UPDATE fund_payments SET booked = ?, booked_fee = ?, reversed = ? WHERE pkey = ?`),
		max(target, booked), max(targetFee, bookedFee), max(targetReversed, reversed), key)
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
		OR (e.outcome = 'waiting' AND NOT EXISTS (SELECT 1 FROM fund_payments p WHERE p.payment_intent = e.detail))
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
		case strings.HasPrefix(a.Type, "charge."):
			a.Kind = AnomalyNoPayment
		default:
			a.Kind = AnomalyUnknownGift
		}
		a.At = time.UnixMicro(at).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// ---- bank transfers and crypto

// Pledge is a bank transfer a donor promised, with its reference code.
type Pledge struct {
	GiftID    string
	Reference string
	Campaign  funds.Campaign
	Amount    int64
	Currency  string
}

// NewPledge records a bank pledge and gives it a reference code.
func (s *Store) NewPledge(ctx context.Context, c funds.Campaign, amount int64, displayName string) (Pledge, error) {
	ref := funds.NewReference()
	id, err := s.newGift(ctx, c, funds.GiftBank, amount, displayName, ref)
	return Pledge{GiftID: id, Reference: ref, Campaign: c, Amount: amount, Currency: c.Currency}, err
}

// PledgeByReference finds a pledge by its code; ErrNotFound when none.
func (s *Store) PledgeByReference(ctx context.Context, reference string) (Pledge, error) {
	var p Pledge
	var slug string
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT g.id, g.reference, g.amount, g.currency, c.slug FROM fund_gifts g JOIN fund_campaigns c ON c.id = g.campaign_id
		WHERE g.reference = ? AND g.kind = ?`), reference, funds.GiftBank).Scan(&p.GiftID, &p.Reference, &p.Amount, &p.Currency, &slug)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("pledge %q: %w", reference, ErrNotFound)
	}
	if err != nil {
		return p, err
	}
	p.Campaign, err = s.CampaignBySlug(ctx, slug)
	return p, err
}

// Receipt is a bank transfer or crypto gift a treasurer entered.
type Receipt struct {
	ID, Kind, GiftID, Campaign string
	Amount                     int64
	Currency                   string
	Day                        int
	Asset, AssetAmount         string
	ExternalID                 string // the bank reference and day, or the crypto transaction id
	EnteredBy, ConfirmedBy     string
}

// EnterBankTransfer records a received transfer matched to the pledge of
// reference; it counts once another treasurer confirms it. The same
// reference, day and amount cannot be entered twice.
func (s *Store) EnterBankTransfer(ctx context.Context, actor, reference string, amount int64, currency string, day int) (Receipt, error) {
	p, err := s.PledgeByReference(ctx, reference)
	if err != nil {
		return Receipt{}, err
	}
	if currency != p.Currency {
		return Receipt{}, fmt.Errorf("%w: the pledge is in %s, the transfer in %s: enter the amount credited in %s", ErrCurrencyMismatch, p.Currency, currency, p.Currency)
	}
	r := Receipt{ID: NewID(), Kind: funds.GiftBank, GiftID: p.GiftID, Campaign: p.Campaign.Slug, Amount: amount, Currency: currency, Day: day,
		ExternalID: fmt.Sprintf("%s/%d/%d", reference, day, amount), EnteredBy: actor}
	return r, s.enterReceipt(ctx, r)
}

// EnterCryptoGift records a crypto transfer (asset, amount as the chain
// shows it, transaction id) and its value in the campaign's currency.
func (s *Store) EnterCryptoGift(ctx context.Context, actor string, c funds.Campaign, asset, assetAmount, txID string, value int64, day int) (Receipt, error) {
	if err := funds.CheckTxID(txID); err != nil {
		return Receipt{}, err
	}
	giftID, err := s.newGift(ctx, c, funds.GiftCrypto, value, "", "")
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{ID: NewID(), Kind: funds.GiftCrypto, GiftID: giftID, Campaign: c.Slug, Amount: value, Currency: c.Currency, Day: day,
		Asset: asset, AssetAmount: assetAmount, ExternalID: asset + ":" + txID, EnteredBy: actor}
	return r, s.enterReceipt(ctx, r)
}

func (s *Store) enterReceipt(ctx context.Context, r Receipt) error {
	if r.Amount <= 0 {
		return &funds.AmountError{Problem: funds.AmountNotPositive, Currency: r.Currency}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM fund_receipts WHERE kind = ? AND external_id = ?`), r.Kind, r.ExternalID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrFundsDuplicate
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_receipts (id, kind, gift_id, amount, currency, day, asset, asset_amount, external_id, entered_by, entered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), r.ID, r.Kind, r.GiftID, r.Amount, r.Currency, r.Day, r.Asset, r.AssetAmount, r.ExternalID, r.EnteredBy, s.Now().UnixMicro()); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, r.EnteredBy, "funds."+r.Kind+".enter", r.ID, funds.FormatAmount(r.Amount, r.Currency))
		return err
	})
}

// ConfirmReceipt counts a bank transfer or crypto gift: a second treasurer
// confirms what the first entered, and the ledger books it.
func (s *Store) ConfirmReceipt(ctx context.Context, actor, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.appendAudit(ctx, tx, actor, "funds.receipt.confirm", id, ""); err != nil {
			return err
		}
		var r Receipt
		var confirmed sql.NullString
		var campaignID string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT r.kind, r.gift_id, r.amount, r.currency, r.day, r.asset, r.entered_by, r.confirmed_by, c.id, c.slug
			FROM fund_receipts r JOIN fund_gifts g ON g.id = r.gift_id JOIN fund_campaigns c ON c.id = g.campaign_id WHERE r.id = ?`), id).
			Scan(&r.Kind, &r.GiftID, &r.Amount, &r.Currency, &r.Day, &r.Asset, &r.EnteredBy, &confirmed, &campaignID, &r.Campaign)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("receipt %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if confirmed.Valid {
			return ErrAlreadyDone
		}
		if r.EnteredBy == actor {
			return ErrSamePerson
		}
		asset := funds.AccountBank
		if r.Kind == funds.GiftCrypto {
			asset = funds.AccountCrypto(r.Asset)
		}
		txID, err := s.book(ctx, tx, funds.Donation(r.Campaign, asset, r.Currency, r.Amount), campaignID, r.GiftID, r.Day, "receipt:"+id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`UPDATE fund_receipts SET confirmed_by = ?, confirmed_at = ?, transaction_id = ? WHERE id = ?`), actor, s.Now().UnixMicro(), txID, id)
		return err
	})
}

// Receipts lists entered receipts, unconfirmed first, newest first.
func (s *Store) Receipts(ctx context.Context) ([]Receipt, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT r.id, r.kind, r.gift_id, c.slug, r.amount, r.currency, r.day, r.asset, r.asset_amount, r.external_id, r.entered_by, COALESCE(r.confirmed_by, '')
		FROM fund_receipts r JOIN fund_gifts g ON g.id = r.gift_id JOIN fund_campaigns c ON c.id = g.campaign_id
		ORDER BY CASE WHEN r.confirmed_by IS NULL THEN 0 ELSE 1 END, r.entered_at DESC LIMIT 500`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Receipt
	for rows.Next() {
		var r Receipt
		if err := rows.Scan(&r.ID, &r.Kind, &r.GiftID, &r.Campaign, &r.Amount, &r.Currency, &r.Day, &r.Asset, &r.AssetAmount, &r.ExternalID, &r.EnteredBy, &r.ConfirmedBy); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ---- disbursements

// Disbursement is money paid out for a campaign, by category.
type Disbursement struct {
	ID         string
	Campaign   funds.Campaign
	Category   funds.Category
	Amount     int64
	Currency   string
	Day        int
	Payee      string // sealed at rest; never public
	Memo       string // sealed at rest; never public
	ProposedBy string
	ApprovedBy string
}

// ProposeDisbursement records a payment to be made; it is booked once
// another treasurer approves it.
func (s *Store) ProposeDisbursement(ctx context.Context, actor string, d Disbursement) (string, error) {
	if d.Amount <= 0 {
		return "", &funds.AmountError{Problem: funds.AmountNotPositive, Currency: d.Campaign.Currency}
	}
	if _, err := funds.ParseCategory(string(d.Category)); err != nil {
		return "", err
	}
	if strings.TrimSpace(d.Payee) == "" {
		return "", ErrNoPayee
	}
	id := NewID()
	payee, err := s.sealOptional(disbursementPlace("payee", id), d.Payee)
	if err != nil {
		return "", err
	}
	memo, err := s.sealOptional(disbursementPlace("memo", id), d.Memo)
	if err != nil {
		return "", err
	}
	return id, s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO fund_disbursements (id, campaign_id, category, amount, currency, day, payee, memo, proposed_by, proposed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), id, d.Campaign.ID, string(d.Category), d.Amount, d.Campaign.Currency, d.Day, payee, memo, actor, s.Now().UnixMicro()); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "funds.disbursement.propose", id, string(d.Category)+" "+funds.FormatAmount(d.Amount, d.Campaign.Currency))
		return err
	})
}

// ApproveDisbursement books a proposed disbursement; the proposer may not
// approve their own.
func (s *Store) ApproveDisbursement(ctx context.Context, actor, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.appendAudit(ctx, tx, actor, "funds.disbursement.approve", id, ""); err != nil {
			return err
		}
		var campaignID, slug, category, currency, proposer string
		var approved sql.NullString
		var amount int64
		var day int
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT d.campaign_id, c.slug, d.category, d.currency, d.amount, d.day, d.proposed_by, d.approved_by
			FROM fund_disbursements d JOIN fund_campaigns c ON c.id = d.campaign_id WHERE d.id = ?`), id).
			Scan(&campaignID, &slug, &category, &currency, &amount, &day, &proposer, &approved)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("disbursement %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if approved.Valid {
			return ErrAlreadyDone
		}
		if proposer == actor {
			return ErrSamePerson
		}
		txID, err := s.book(ctx, tx, funds.Disbursement(slug, funds.Category(category), funds.AccountBank, currency, amount), campaignID, "", day, "disbursement:"+id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`UPDATE fund_disbursements SET approved_by = ?, approved_at = ?, transaction_id = ? WHERE id = ?`), actor, s.Now().UnixMicro(), txID, id)
		return err
	})
}

// Disbursements lists disbursements, those awaiting approval first. The
// payee and note are unsealed for the treasurer's page (the caller has
// MoneyView) and the reading is audited.
func (s *Store) Disbursements(ctx context.Context, actor string) ([]Disbursement, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT d.id, c.slug, d.category, d.amount, d.currency, d.day, d.payee, d.memo, d.proposed_by, COALESCE(d.approved_by, '')
		FROM fund_disbursements d JOIN fund_campaigns c ON c.id = d.campaign_id
		ORDER BY CASE WHEN d.approved_by IS NULL THEN 0 ELSE 1 END, d.proposed_at DESC LIMIT 500`)
	if err != nil {
		return nil, err
	}
	var out []Disbursement
	for rows.Next() {
		var d Disbursement
		var cat string
		if err := rows.Scan(&d.ID, &d.Campaign.Slug, &cat, &d.Amount, &d.Currency, &d.Day, &d.Payee, &d.Memo, &d.ProposedBy, &d.ApprovedBy); err != nil {
			rows.Close()
			return nil, err
		}
		d.Category = funds.Category(cat)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		d := &out[i]
		if s.keys == nil {
			d.Payee, d.Memo = "(sealed)", ""
			continue
		}
		if d.Payee, err = s.keys.UnsealString(disbursementPlace("payee", d.ID), d.Payee); err != nil {
			return nil, err
		}
		if d.Memo != "" {
			if d.Memo, err = s.keys.UnsealString(disbursementPlace("memo", d.ID), d.Memo); err != nil {
				return nil, err
			}
		}
	}
	if len(out) > 0 {
		if err := s.Audit(ctx, actor, "funds.disbursement.read", "", fmt.Sprintf("%d payees unsealed", len(out))); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BookedPayment is a card payment as the ledger holds it.
type BookedPayment struct {
	Key, PaymentIntent, BalanceTxn, Currency string
	Booked, Fee, Reversed                    int64
	Day                                      int
}

// BookedPayments lists card payments with money booked, in [from, to].
func (s *Store) BookedPayments(ctx context.Context, from, to int) ([]BookedPayment, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT pkey, payment_intent, balance_txn, currency, booked, booked_fee, reversed, day FROM fund_payments
		WHERE booked > 0 AND day >= ? AND day <= ? ORDER BY day, pkey`), from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BookedPayment
	for rows.Next() {
		var p BookedPayment
		if err := rows.Scan(&p.Key, &p.PaymentIntent, &p.BalanceTxn, &p.Currency, &p.Booked, &p.Fee, &p.Reversed, &p.Day); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// StripeMovements sums the ledger's entries on the processor's balance
// per transaction kind and currency, for transactions dated in [from, to]
// (yyyymmdd): donations positive, fees and reversals negative.
func (s *Store) StripeMovements(ctx context.Context, from, to int) (map[string]map[string]int64, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT t.kind, e.currency, sum(e.amount) FROM fund_entries e JOIN fund_transactions t ON t.id = e.transaction_id
		WHERE e.account = ? AND t.day >= ? AND t.day <= ? GROUP BY t.kind, e.currency`), funds.AccountStripe, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]int64{}
	for rows.Next() {
		var kind, cur string
		var v int64
		if err := rows.Scan(&kind, &cur, &v); err != nil {
			return nil, err
		}
		if out[kind] == nil {
			out[kind] = map[string]int64{}
		}
		out[kind][cur] = v
	}
	return out, rows.Err()
}
