package store_test

import (
	"context"
	"testing"
	"time"

	"rollcall/internal/funds"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// Migration 0010 (processors are plural): a data directory left by a
// release with one processor keeps its ledger's balances, its events
// still count as seen, and what comes after is booked against its
// payments as before.
func TestMigration0010KeepsTheLedger(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			old, keys, dir, dsn := storetest.OldRelease(t, d, 9)
			old.SetKeys(keys)
			c, err := old.CreateCampaign(ctx, "t", funds.Campaign{Slug: "legal-aid", Currency: "EUR", Goal: 100000, Starts: 20200101, Texts: map[string]funds.CampaignText{"en": {Title: "L"}}})
			if err != nil {
				t.Fatal(err)
			}
			gift, err := old.NewCardGift(ctx, c, funds.GiftCard, 2500, "")
			if err != nil {
				t.Fatal(err)
			}
			// What the release before wrote for a paid gift of 25.00
			// with a fee of 0.59, and a refund waiting for a payment.
			now := time.Now().UnixMicro()
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO fund_events (id, type, received_at, outcome, gift_id, detail) VALUES (?, ?, ?, ?, ?, ?)`, []any{"evt_old", "checkout.session.completed", now, "applied", gift, ""}},
				{`INSERT INTO fund_events (id, type, received_at, outcome, detail) VALUES (?, ?, ?, ?, ?)`, []any{"evt_wait", "charge.refunded", now, "waiting", "pi_later"}},
				{`INSERT INTO fund_reversals (pkey, payment_intent, amount, currency) VALUES (?, ?, ?, ?)`, []any{"refund:ch_later", "pi_later", 300, "EUR"}},
				{`INSERT INTO fund_payments (pkey, gift_id, payment_intent, balance_txn, amount, currency, paid, failed, fee, booked, booked_fee, reversed, day)
					VALUES (?, ?, ?, ?, ?, ?, 1, 0, ?, ?, ?, 0, ?)`, []any{"cs_old", gift, "pi_old", "txn_old", 2500, "EUR", 59, 2500, 59, 20261201}},
			} {
				if err := old.ExecForTest(ctx, q.sql, q.args...); err != nil {
					t.Fatal(err)
				}
			}
			for _, tx := range []funds.Transaction{funds.Donation("legal-aid", "assets:stripe", "EUR", 2500), funds.Fee("stripe", "legal-aid", "EUR", 59)} {
				if err := old.BookForTest(ctx, tx, c.ID, gift, 20261201, "evt_old"); err != nil {
					t.Fatal(err)
				}
			}
			before, err := old.LedgerBalances(ctx)
			if err != nil {
				t.Fatal(err)
			}
			old.Close()

			s, err := store.Open(ctx, dir, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.SetKeys(keys)
			after, err := s.LedgerBalances(ctx)
			if err != nil || len(after) != 3 || len(after) != len(before) {
				t.Fatalf("balances after the migration %v (%v); before %v", after, err, before)
			}
			for k, v := range before {
				if after[k] != v {
					t.Errorf("%v: %d after the migration, %d before", k, after[k], v)
				}
			}
			if after[funds.BalanceKey{Account: funds.AccountProcessor("stripe"), Currency: "EUR"}] != 2500-59 {
				t.Errorf("assets:stripe %v", after)
			}
			// The old event is the processor's: its repeat changes nothing;
			// another processor's event of the same id is its own.
			if out, err := s.ApplyProcessorEvent(ctx, funds.ProcessorEvent{Processor: "stripe", ID: "evt_old", Type: "checkout.session.completed", Action: funds.ActionPayment,
				GiftID: gift, SessionID: "cs_old", PaymentKey: "cs_old", PaymentIntent: "pi_old", Amount: 2500, Currency: "EUR", Paid: true, Created: time.Now()}); err != nil || out != store.EventDuplicate {
				t.Errorf("the old event again: %q %v", out, err)
			}
			if out, err := s.ApplyProcessorEvent(ctx, funds.ProcessorEvent{Processor: "acme", ID: "evt_old", Type: "customer.created", Action: funds.ActionIgnore}); err != nil || out != store.EventIgnored {
				t.Errorf("another processor's event of the same id: %q %v", out, err)
			}
			// A refund of the old payment is booked against it.
			if out, err := s.ApplyProcessorEvent(ctx, funds.ProcessorEvent{Processor: "stripe", ID: "evt_refund", Type: "charge.refunded", Action: funds.ActionRefund,
				ReversalKey: "refund:ch_old", PaymentIntent: "pi_old", Amount: 1000, Currency: "EUR", Created: time.Now()}); err != nil || out != store.EventApplied {
				t.Fatalf("refund after the migration: %q %v", out, err)
			}
			b, _ := s.LedgerBalances(ctx)
			if b[funds.BalanceKey{Account: funds.AccountIncome("legal-aid"), Currency: "EUR"}] != -1500 || b[funds.BalanceKey{Account: funds.AccountProcessor("stripe"), Currency: "EUR"}] != 2500-59-1000 {
				t.Errorf("after the refund: %v", b)
			}
			ps, err := s.BookedPayments(ctx, 0, 99991231)
			if err != nil || len(ps) != 1 || ps[0].Processor != "stripe" || ps[0].Fee != 59 || ps[0].Reversed != 1000 {
				t.Errorf("booked payments %+v %v", ps, err)
			}
			// The waiting refund is still shown to the treasurer, and booked
			// when its payment arrives.
			as, err := s.FundAnomalies(ctx)
			if err != nil || len(as) != 1 || as[0].EventID != "evt_wait" || as[0].Kind != store.AnomalyWaiting {
				t.Errorf("anomalies %+v %v", as, err)
			}
			gift2, _ := s.NewCardGift(ctx, c, funds.GiftCard, 800, "")
			if _, err := s.ApplyProcessorEvent(ctx, funds.ProcessorEvent{Processor: "stripe", ID: "evt_late", Type: "checkout.session.completed", Action: funds.ActionPayment,
				GiftID: gift2, SessionID: "cs_late", PaymentKey: "cs_late", PaymentIntent: "pi_later", Amount: 800, Currency: "EUR", Paid: true, Created: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if b, _ := s.LedgerBalances(ctx); b[funds.BalanceKey{Account: funds.AccountIncome("legal-aid"), Currency: "EUR"}] != -1500-800+300 {
				t.Errorf("the waiting refund was not booked with its payment: %v", b)
			}
		})
	}
}

// Two processors: each event books to its own processor's accounts, and
// their ids do not meet.
func TestEachProcessorItsAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c, err := s.CreateCampaign(ctx, "t", funds.Campaign{Slug: "cc", Currency: "EUR", Goal: 100000, Starts: 20200101, Texts: map[string]funds.CampaignText{"en": {Title: "C"}}})
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range []string{"stripe", "acme"} {
			gift, _ := s.NewCardGift(ctx, c, funds.GiftCard, 1000, "")
			ev := funds.ProcessorEvent{Processor: p, ID: "evt_1", Type: "paid", Action: funds.ActionPayment, GiftID: gift, PaymentKey: "pay_1", PaymentIntent: "pi_1",
				Amount: int64(1000 * (i + 1)), Currency: "EUR", Paid: true, Fee: 10, Created: time.Now()}
			if out, err := s.ApplyProcessorEvent(ctx, ev); err != nil || out != store.EventApplied {
				t.Fatalf("%s: %q %v", p, out, err)
			}
			refund := funds.ProcessorEvent{Processor: p, ID: "evt_2", Type: "refund", Action: funds.ActionRefund, ReversalKey: "r_1", PaymentIntent: "pi_1", Amount: 100, Currency: "EUR"}
			if out, err := s.ApplyProcessorEvent(ctx, refund); err != nil || out != store.EventApplied {
				t.Fatalf("%s refund: %q %v", p, out, err)
			}
		}
		b, _ := s.LedgerBalances(ctx)
		want := map[funds.BalanceKey]int64{
			{Account: "assets:stripe", Currency: "EUR"}: 1000 - 10 - 100, {Account: "fees:stripe", Currency: "EUR"}: 10,
			{Account: "assets:acme", Currency: "EUR"}: 2000 - 10 - 100, {Account: "fees:acme", Currency: "EUR"}: 10,
			{Account: "income:cc", Currency: "EUR"}: -(1000 + 2000 - 200),
		}
		if len(b) != len(want) {
			t.Errorf("balances %v; want %v", b, want)
		}
		for k, v := range want {
			if b[k] != v {
				t.Errorf("%v = %d; want %d", k, b[k], v)
			}
		}
		// The audit log names each event's processor as its actor.
		es, err := s.AuditEntries(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		actors := map[string]int{}
		for _, e := range es {
			if e.Action == "funds.event" {
				actors[e.Actor]++
			}
		}
		if actors["stripe"] != 2 || actors["acme"] != 2 || len(actors) != 2 {
			t.Errorf("actors of the events: %v", actors)
		}
		// A name that cannot name an account is refused.
		for _, bad := range []string{"", "Bank", "bank"} {
			if _, err := s.ApplyProcessorEvent(ctx, funds.ProcessorEvent{Processor: bad, ID: "evt_x", Action: funds.ActionIgnore}); err == nil {
				t.Errorf("an event of processor %q was taken", bad)
			}
		}
	})
}
