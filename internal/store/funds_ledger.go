package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"rollcall/internal/funds"
)

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

// BookedPayment is a card payment as the ledger holds it.
type BookedPayment struct {
	Processor                                string
	Key, PaymentIntent, BalanceTxn, Currency string
	Booked, Fee, Reversed                    int64
	Day                                      int
}

// BookedPayments lists card payments with money booked, in [from, to],
// of every processor.
func (s *Store) BookedPayments(ctx context.Context, from, to int) ([]BookedPayment, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT processor, pkey, payment_intent, balance_txn, currency, booked, booked_fee, reversed, day FROM fund_payments
		WHERE booked > 0 AND day >= ? AND day <= ? ORDER BY day, processor, pkey`), from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BookedPayment
	for rows.Next() {
		var p BookedPayment
		if err := rows.Scan(&p.Processor, &p.Key, &p.PaymentIntent, &p.BalanceTxn, &p.Currency, &p.Booked, &p.Fee, &p.Reversed, &p.Day); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ProcessorMovements sums the ledger's entries on a processor's balance
// per transaction kind and currency, for transactions dated in [from, to]
// (yyyymmdd): donations positive, fees and reversals negative.
func (s *Store) ProcessorMovements(ctx context.Context, processor string, from, to int) (map[string]map[string]int64, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT t.kind, e.currency, sum(e.amount) FROM fund_entries e JOIN fund_transactions t ON t.id = e.transaction_id
		WHERE e.account = ? AND t.day >= ? AND t.day <= ? GROUP BY t.kind, e.currency`), funds.AccountProcessor(processor), from, to)
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
