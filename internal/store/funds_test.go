package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rollcall/internal/funds"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

func testCampaign(t *testing.T, s *store.Store, slug, currency string) funds.Campaign {
	t.Helper()
	c, err := s.CreateCampaign(context.Background(), "treasurer-1", funds.Campaign{Slug: slug, Currency: currency, Goal: 1_000_000, Starts: 20261101,
		Texts: map[string]funds.CampaignText{"en": {Title: "Legal aid " + slug, Body: "Lawyers for the detained."}, "ru": {Title: "Юридическая помощь"}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// donationEvents are the events of one card gift: paid through an
// asynchronous method (completed unpaid, then succeeded), then refunded in
// two steps and disputed. prefix keeps event ids apart between gifts.
func donationEvents(prefix, giftID, session, intent, currency string, amount int64, refunds []int64, dispute int64) []funds.ProcessorEvent {
	at := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	pay := func(id, typ string, paid bool) funds.ProcessorEvent {
		return funds.ProcessorEvent{Processor: "stripe", ID: prefix + id, Type: typ, Created: at, Action: funds.ActionPayment, GiftID: giftID, SessionID: session,
			PaymentKey: session, PaymentIntent: intent, Amount: amount, Currency: currency, Paid: paid, Fee: amount / 40}
	}
	evs := []funds.ProcessorEvent{
		pay("evt_completed", "checkout.session.completed", false),
		pay("evt_succeeded", "checkout.session.async_payment_succeeded", true),
	}
	var total int64
	for i, r := range refunds {
		total += r
		evs = append(evs, funds.ProcessorEvent{Processor: "stripe", ID: fmt.Sprintf("%sevt_refund_%d", prefix, i), Type: "charge.refunded", Created: at, Action: funds.ActionRefund,
			ReversalKey: "refund:ch_" + intent, PaymentIntent: intent, Amount: total, Currency: currency})
	}
	if dispute > 0 {
		evs = append(evs, funds.ProcessorEvent{Processor: "stripe", ID: prefix + "evt_dispute", Type: "charge.dispute.created", Created: at, Action: funds.ActionDispute,
			ReversalKey: "dispute:dp_" + intent, PaymentIntent: intent, Amount: dispute, Currency: currency})
	}
	return evs
}

// campaignBalances are a campaign's balances with its slug taken out of
// the account names, so two campaigns can be compared.
func campaignBalances(t *testing.T, s *store.Store, c funds.Campaign) map[string]int64 {
	t.Helper()
	txs, err := s.LedgerTransactions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, tx := range txs {
		if tx.CampaignID != c.ID {
			continue
		}
		for _, e := range tx.Entries {
			out[strings.TrimSuffix(e.Account, ":"+c.Slug)+" "+e.Currency] += e.Amount
		}
	}
	for k, v := range out {
		if v == 0 {
			delete(out, k)
		}
	}
	return out
}

// checkLedger asserts the invariants on what is stored: every transaction
// sums to zero per currency, and the balances SQL sums are the sums of the
// entries read one by one.
func checkLedger(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	txs, err := s.LedgerTransactions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var all []funds.Entry
	for _, tx := range txs {
		if err := (funds.Transaction{Kind: tx.Kind, Entries: tx.Entries}).Check(); err != nil {
			t.Fatalf("stored transaction %s (%s): %v", tx.ID, tx.Kind, err)
		}
		all = append(all, tx.Entries...)
	}
	want := funds.Balances(all)
	got, err := s.LedgerBalances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("balance %v: SQL says %d, the entries sum to %d", k, got[k], v)
		}
	}
	for k, v := range got {
		if want[k] != v {
			t.Fatalf("balance %v: SQL says %d, the entries sum to %d", k, v, want[k])
		}
	}
}

// Property: a card gift's events, delivered in any order and any number of
// times, leave the same ledger as delivered once in order; repeats change
// nothing; and the ledger's invariants hold after every event.
func TestEventsConvergeInAnyOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seeds := 12
		if testing.Short() {
			seeds = 4
		}
		for seed := 1; seed <= seeds; seed++ {
			rng := rand.New(rand.NewSource(int64(seed)))
			cur := []string{"EUR", "JPY", "KWD"}[seed%3]
			amount := rng.Int63n(100_000) + 100
			refunds := []int64{}
			if rng.Intn(2) == 0 {
				refunds = append(refunds, amount/3, amount/4)
			}
			dispute := int64(0)
			if rng.Intn(3) == 0 {
				dispute = amount / 5
			}
			var results []map[string]int64
			for run, shuffle := range []bool{false, true} {
				slug := fmt.Sprintf("s%d-r%d", seed, run)
				c := testCampaign(t, s, slug, cur)
				gift, err := s.NewCardGift(ctx, c, funds.GiftCard, amount, "")
				if err != nil {
					t.Fatal(err)
				}
				session, intent := "cs_"+slug, "pi_"+slug
				if err := s.SetGiftSession(ctx, gift, session); err != nil {
					t.Fatal(err)
				}
				evs := donationEvents(slug, gift, session, intent, cur, amount, refunds, dispute)
				if shuffle {
					// Every event once, in a random order, and a third of
					// them again.
					rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
					for _, e := range evs[:len(evs)/3+1] {
						evs = append(evs, e)
					}
					rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
				}
				seen := map[string]bool{}
				for _, e := range evs {
					before := campaignBalances(t, s, c)
					outcome, err := s.ApplyProcessorEvent(ctx, e)
					if err != nil {
						t.Fatalf("seed %d %s: %v", seed, e.ID, err)
					}
					if seen[e.ID] {
						if outcome != store.EventDuplicate {
							t.Fatalf("seed %d: a repeat of %s was %s", seed, e.ID, outcome)
						}
						if after := campaignBalances(t, s, c); fmt.Sprint(after) != fmt.Sprint(before) {
							t.Fatalf("seed %d: the repeat of %s changed the ledger from %v to %v", seed, e.ID, before, after)
						}
					}
					seen[e.ID] = true
					checkLedger(t, s)
				}
				results = append(results, campaignBalances(t, s, c))
			}
			if fmt.Sprint(results[0]) != fmt.Sprint(results[1]) {
				t.Fatalf("seed %d: in order the ledger is %v; shuffled with repeats %v", seed, results[0], results[1])
			}
			// The expected figures, worked out by hand.
			var refunded int64
			if len(refunds) > 0 {
				refunded = refunds[0] + refunds[1]
			}
			net := amount - min(amount, refunded+dispute)
			if got := -results[0]["income "+cur]; got != net {
				t.Fatalf("seed %d: income %d; want %d (gift %d, refunded %d, disputed %d)", seed, got, net, amount, refunded, dispute)
			}
			if got := results[0][funds.AccountFees("stripe")+" "+cur]; got != amount/40 {
				t.Fatalf("seed %d: fee %d booked; want %d", seed, got, amount/40)
			}
		}
	})
}

func TestRefundReturnsCampaignToZero(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := testCampaign(t, s, "refund", "EUR")
		gift, _ := s.NewCardGift(ctx, c, funds.GiftCard, 2500, "A Donor")
		evs := donationEvents("x", gift, "cs_1", "pi_1", "EUR", 2500, []int64{2500}, 0)
		for _, e := range evs[:2] {
			if _, err := s.ApplyProcessorEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		tot, err := s.CampaignTotals(ctx, c)
		if err != nil || tot.Raised["EUR"] != 2500 || tot.Donors != 1 || len(tot.Named) != 1 || tot.Named[0] != "A Donor" {
			t.Fatalf("after the gift: %+v %v", tot, err)
		}
		if _, err := s.ApplyProcessorEvent(ctx, evs[2]); err != nil {
			t.Fatal(err)
		}
		tot, _ = s.CampaignTotals(ctx, c)
		if tot.Raised["EUR"] != 0 || tot.Donors != 0 {
			t.Fatalf("after the full refund: raised %v, donors %d", tot.Raised, tot.Donors)
		}
		b, _ := s.LedgerBalances(ctx)
		if b[funds.BalanceKey{Account: funds.AccountIncome("refund"), Currency: "EUR"}] != 0 {
			t.Fatalf("income after the refund: %v", b)
		}
	})
}

func TestAnomaliesAreKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := testCampaign(t, s, "anomaly", "EUR")
		unknown := funds.ProcessorEvent{Processor: "stripe", ID: "evt_unknown", Type: "checkout.session.completed", Action: funds.ActionPayment, SessionID: "cs_nobody",
			PaymentKey: "cs_nobody", Amount: 999, Currency: "EUR", Paid: true, Created: time.Now()}
		if out, err := s.ApplyProcessorEvent(ctx, unknown); err != nil || out != store.EventAnomaly {
			t.Fatalf("unknown session: %s %v", out, err)
		}
		refundFirst := funds.ProcessorEvent{Processor: "stripe", ID: "evt_refund_early", Type: "charge.refunded", Action: funds.ActionRefund, ReversalKey: "refund:ch_9",
			PaymentIntent: "pi_9", Amount: 500, Currency: "EUR"}
		if out, err := s.ApplyProcessorEvent(ctx, refundFirst); err != nil || out != store.EventWaiting {
			t.Fatalf("early refund: %s %v", out, err)
		}
		ignored := funds.ProcessorEvent{Processor: "stripe", ID: "evt_other", Type: "customer.created", Action: funds.ActionIgnore}
		if out, err := s.ApplyProcessorEvent(ctx, ignored); err != nil || out != store.EventIgnored {
			t.Fatalf("other event: %s %v", out, err)
		}
		as, err := s.FundAnomalies(ctx)
		if err != nil || len(as) != 2 {
			t.Fatalf("anomalies: %+v %v", as, err)
		}
		kinds := map[string]store.AnomalyKind{}
		for _, a := range as {
			kinds[a.EventID+" "+a.Detail] = a.Kind
		}
		if kinds["evt_unknown cs_nobody / ?: 9.99 EUR"] != store.AnomalyUnknownGift || kinds["evt_refund_early pi_9"] != store.AnomalyWaiting {
			t.Fatalf("anomalies: %+v", as)
		}
		if b, _ := s.LedgerBalances(ctx); len(b) != 0 {
			t.Fatalf("anomalies booked money: %v", b)
		}
		// Its payment arrives: the waiting refund is booked and is no
		// longer an anomaly.
		gift, _ := s.NewCardGift(ctx, c, funds.GiftCard, 2000, "")
		pay := funds.ProcessorEvent{Processor: "stripe", ID: "evt_pay_9", Type: "checkout.session.completed", Action: funds.ActionPayment, GiftID: gift, SessionID: "cs_9",
			PaymentKey: "cs_9", PaymentIntent: "pi_9", Amount: 2000, Currency: "EUR", Paid: true, Created: time.Now()}
		if out, err := s.ApplyProcessorEvent(ctx, pay); err != nil || out != store.EventApplied {
			t.Fatalf("payment: %s %v", out, err)
		}
		if as, _ := s.FundAnomalies(ctx); len(as) != 1 || as[0].EventID != "evt_unknown" {
			t.Fatalf("anomalies after the payment: %+v", as)
		}
		tot, _ := s.CampaignTotals(ctx, c)
		if tot.Raised["EUR"] != 1500 {
			t.Fatalf("raised %v; want 15.00 (20.00 less the early refund of 5.00)", tot.Raised)
		}
		checkLedger(t, s)
	})
}

func TestMonthlyGift(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := testCampaign(t, s, "monthly", "EUR")
		gift, _ := s.NewCardGift(ctx, c, funds.GiftCardMonthly, 1000, "")
		at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		invoice := func(n int) funds.ProcessorEvent {
			return funds.ProcessorEvent{Processor: "stripe", ID: fmt.Sprintf("evt_inv_%d", n), Type: "invoice.paid", Action: funds.ActionPayment, GiftID: gift, Subscription: "sub_1",
				PaymentKey: fmt.Sprintf("in_%d", n), Amount: 1000, Currency: "EUR", Paid: true, Created: at.AddDate(0, n, 0)}
		}
		// The first invoice can come before the session's completion.
		for _, e := range []funds.ProcessorEvent{invoice(0),
			{Processor: "stripe", ID: "evt_sess", Type: "checkout.session.completed", Action: funds.ActionSubscription, GiftID: gift, SessionID: "cs_m", Subscription: "sub_1"},
			invoice(1), invoice(1)} {
			if _, err := s.ApplyProcessorEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		tot, _ := s.CampaignTotals(ctx, c)
		if tot.Raised["EUR"] != 2000 || tot.Donors != 1 {
			t.Fatalf("two monthly payments: %+v", tot)
		}
		months, err := s.MonthlyTotals(ctx)
		if err != nil || len(months) != 2 || months[0] != (store.MonthlyTotal{Month: "2026-11", Line: "income", Currency: "EUR", Amount: 1000}) || months[1].Month != "2026-12" {
			t.Fatalf("monthly totals: %+v %v", months, err)
		}
	})
}

func TestBankAndCryptoNeedTwoTreasurers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := testCampaign(t, s, "bank", "EUR")
		p, err := s.NewPledge(ctx, c, 5000, "")
		if err != nil || funds.FindReference(p.Reference) != p.Reference {
			t.Fatalf("pledge %+v %v", p, err)
		}
		r, err := s.EnterBankTransfer(ctx, "alice", p.Reference, 5000, "EUR", 20261105)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnterBankTransfer(ctx, "bob", p.Reference, 5000, "EUR", 20261105); !errors.Is(err, store.ErrFundsDuplicate) {
			t.Errorf("the same transfer entered twice: %v", err)
		}
		if _, err := s.EnterBankTransfer(ctx, "bob", "RC-AAAA-BBBB", 5000, "EUR", 20261105); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an unknown reference: %v", err)
		}
		if err := s.ConfirmReceipt(ctx, "alice", r.ID); !errors.Is(err, funds.ErrSamePerson) {
			t.Fatalf("confirmed by the one who entered it: %v", err)
		}
		if tot, _ := s.CampaignTotals(ctx, c); tot.Raised["EUR"] != 0 {
			t.Fatalf("an unconfirmed transfer counted: %v", tot.Raised)
		}
		if err := s.ConfirmReceipt(ctx, "bob", r.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.ConfirmReceipt(ctx, "carol", r.ID); !errors.Is(err, funds.ErrAlreadyDone) {
			t.Errorf("confirmed twice: %v", err)
		}
		cr, err := s.EnterCryptoGift(ctx, "alice", c, "BTC", "0.0012", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 7000, 20261106)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnterCryptoGift(ctx, "bob", c, "BTC", "0.0012", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 7000, 20261106); !errors.Is(err, store.ErrFundsDuplicate) {
			t.Errorf("the same crypto transaction twice: %v", err)
		}
		if err := s.ConfirmReceipt(ctx, "bob", cr.ID); err != nil {
			t.Fatal(err)
		}
		tot, _ := s.CampaignTotals(ctx, c)
		if tot.Raised["EUR"] != 12000 || tot.Donors != 2 {
			t.Fatalf("after confirmations: %+v", tot)
		}
		b, _ := s.LedgerBalances(ctx)
		if b[funds.BalanceKey{Account: funds.AccountBank, Currency: "EUR"}] != 5000 || b[funds.BalanceKey{Account: funds.AccountCrypto("BTC"), Currency: "EUR"}] != 7000 {
			t.Fatalf("balances %v", b)
		}
		acts := strings.Join(auditActions(t, s), "\n")
		for _, a := range []string{"funds.bank.enter", "funds.crypto.enter", "funds.receipt.confirm " + r.ID} {
			if !strings.Contains(acts, a) {
				t.Errorf("no audit entry %q in\n%s", a, acts)
			}
		}
		checkLedger(t, s)
	})
}

func TestDisbursementNeedsAnotherApprover(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := testCampaign(t, s, "spend", "EUR")
		id, err := s.ProposeDisbursement(ctx, "alice", store.Disbursement{Campaign: c, Category: funds.Lawyers, Amount: 30000, Day: 20261110, Payee: "Advocate Canary", Memo: "case fee"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ProposeDisbursement(ctx, "alice", store.Disbursement{Campaign: c, Category: "bribes", Amount: 1, Day: 20261110, Payee: "x"}); err == nil {
			t.Error("an unknown category was accepted")
		}
		if err := s.ApproveDisbursement(ctx, "alice", id); !errors.Is(err, funds.ErrSamePerson) {
			t.Fatalf("approved by its proposer: %v", err)
		}
		if tot, _ := s.CampaignTotals(ctx, c); len(tot.Spending) != 0 {
			t.Fatalf("an unapproved disbursement counted: %+v", tot.Spending)
		}
		if err := s.ApproveDisbursement(ctx, "bob", id); err != nil {
			t.Fatal(err)
		}
		tot, _ := s.CampaignTotals(ctx, c)
		if len(tot.Spending) != 1 || tot.Spending[0] != (store.CategoryTotal{Category: funds.Lawyers, Currency: "EUR", Amount: 30000}) {
			t.Fatalf("spending %+v", tot.Spending)
		}
		ds, err := s.Disbursements(ctx, "bob")
		if err != nil || len(ds) != 1 || ds[0].Payee != "Advocate Canary" || ds[0].ApprovedBy != "bob" {
			t.Fatalf("disbursements %+v %v", ds, err)
		}
		months, _ := s.MonthlyTotals(ctx)
		if len(months) != 1 || months[0] != (store.MonthlyTotal{Month: "2026-11", Line: "lawyers", Currency: "EUR", Amount: 30000}) {
			t.Fatalf("monthly %+v", months)
		}
		checkLedger(t, s)
	})
}

func TestLedgerIsAppendOnly(t *testing.T) {
	eachRaw(t, func(t *testing.T, s *store.Store, raw *sql.DB, d store.Dialect) {
		ctx := context.Background()
		keys := testKeys(t)
		s.SetKeys(keys)
		c := testCampaign(t, s, "append", "EUR")
		id, _ := s.ProposeDisbursement(ctx, "alice", store.Disbursement{Campaign: c, Category: funds.Parcels, Amount: 100, Day: 20261110, Payee: "x"})
		if err := s.ApproveDisbursement(ctx, "bob", id); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`UPDATE fund_entries SET amount = 1`, `DELETE FROM fund_entries`, `UPDATE fund_transactions SET day = 1`, `DELETE FROM fund_transactions`} {
			if _, err := raw.Exec(q); err == nil {
				t.Errorf("%s was allowed", q)
			}
		}
	})
}

// Donors' and payees' details are sealed at rest.
func TestFundsCanariesNotInClear(t *testing.T) {
	canaries := []string{"canary.donor.5521@example.org", "Canary Donorname 5521", "Canary Displayname 5521", "Canary Payee 5521", "canary memo 5521"}
	eachRaw(t, func(t *testing.T, s *store.Store, raw *sql.DB, d store.Dialect) {
		ctx := context.Background()
		s.SetKeys(testKeys(t))
		c := testCampaign(t, s, "canary", "EUR")
		gift, err := s.NewCardGift(ctx, c, funds.GiftCard, 1000, canaries[2])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ApplyProcessorEvent(ctx, funds.ProcessorEvent{Processor: "stripe", ID: "evt_c", Type: "checkout.session.completed", Action: funds.ActionPayment, GiftID: gift,
			SessionID: "cs_c", PaymentKey: "cs_c", PaymentIntent: "pi_c", Amount: 1000, Currency: "EUR", Paid: true, Email: canaries[0], Name: canaries[1], Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ProposeDisbursement(ctx, "alice", store.Disbursement{Campaign: c, Category: funds.Travel, Amount: 100, Day: 20261110, Payee: canaries[3], Memo: canaries[4]}); err != nil {
			t.Fatal(err)
		}
		var haystack []byte
		for _, table := range []string{"fund_gifts", "fund_disbursements", "fund_events", "audit_log"} {
			rows, err := raw.Query(`SELECT * FROM ` + table)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]sql.NullString, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				for _, v := range vals {
					haystack = append(haystack, v.String...)
					haystack = append(haystack, '\n')
				}
			}
			rows.Close()
		}
		if d == store.SQLite {
			for _, name := range []string{"rollcall.db", "rollcall.db-wal"} {
				b, _ := os.ReadFile(filepath.Join(filepath.Dir(sqliteFile(t, raw)), name))
				haystack = append(haystack, b...)
			}
		}
		if !bytes.Contains(haystack, []byte("sealed1:")) {
			t.Fatal("no sealed value found at all: the search is broken")
		}
		for _, c := range canaries {
			if bytes.Contains(haystack, []byte(c)) {
				t.Errorf("%q is stored in clear", c)
			}
		}
		tot, _ := s.CampaignTotals(ctx, c)
		if len(tot.Named) != 1 || tot.Named[0] != canaries[2] {
			t.Errorf("the display name does not read back: %v", tot.Named)
		}
	})
}

func sqliteFile(t *testing.T, raw *sql.DB) string {
	t.Helper()
	var seq int
	var name, file string
	if err := raw.QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		t.Fatal(err)
	}
	return file
}

// The same event delivered at once on several connections is applied
// once: the primary key decides, not a read before the write.
func TestConcurrentDuplicateDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := testCampaign(t, s, "race", "EUR")
		gift, _ := s.NewCardGift(ctx, c, funds.GiftCard, 1000, "")
		ev := funds.ProcessorEvent{Processor: "stripe", ID: "evt_race", Type: "checkout.session.completed", Action: funds.ActionPayment, GiftID: gift, SessionID: "cs_r",
			PaymentKey: "cs_r", PaymentIntent: "pi_r", Amount: 1000, Currency: "EUR", Paid: true, Fee: 30, Created: time.Now()}
		outcomes := make(chan string, 8)
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			go func() {
				o, err := s.ApplyProcessorEvent(ctx, ev)
				outcomes <- o
				errs <- err
			}()
		}
		applied := 0
		for i := 0; i < 8; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
			if <-outcomes == store.EventApplied {
				applied++
			}
		}
		tot, _ := s.CampaignTotals(ctx, c)
		if applied != 1 || tot.Raised["EUR"] != 1000 {
			t.Fatalf("applied %d times; raised %v", applied, tot.Raised)
		}
		checkLedger(t, s)
	})
}

// BenchmarkApplyProcessorEvent: one paid one-off gift per event (event
// row, audit entry, payment, donation and fee transactions).
func BenchmarkApplyProcessorEvent(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			s := storetest.Open(b, d)
			ctx := context.Background()
			c, err := s.CreateCampaign(ctx, "t", funds.Campaign{Slug: "bench", Currency: "EUR", Goal: 100, Starts: 20260101, Texts: map[string]funds.CampaignText{"en": {Title: "B"}}})
			if err != nil {
				b.Fatal(err)
			}
			gifts := make([]string, b.N)
			for i := range gifts {
				gifts[i], _ = s.NewCardGift(ctx, c, funds.GiftCard, 1000, "")
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				key := fmt.Sprintf("cs_%d", i)
				if _, err := s.ApplyProcessorEvent(ctx, funds.ProcessorEvent{Processor: "stripe", ID: fmt.Sprintf("evt_%d", i), Type: "checkout.session.completed", Action: funds.ActionPayment,
					GiftID: gifts[i], SessionID: key, PaymentKey: key, PaymentIntent: "pi_" + key, Amount: 1000, Currency: "EUR", Paid: true, Fee: 30, Created: time.Now()}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Property: a monthly gift's invoices, their refunds and disputes (which
// name only the payment intent), delivered in any order and any number of
// times, leave the same ledger, with every reversal booked against its
// own invoice and none left as an anomaly.
func TestMonthlyReversalsConvergeInAnyOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		for seed := int64(0); seed < 6; seed++ {
			slug := fmt.Sprintf("monthly-%d", seed)
			c := testCampaign(t, s, slug, "EUR")
			gift, err := s.NewCardGift(ctx, c, funds.GiftCardMonthly, 1000, "")
			if err != nil {
				t.Fatal(err)
			}
			sub, intent := "sub_"+slug, func(n int) string { return fmt.Sprintf("pi_%s_%d", slug, n) }
			invoice := func(n int) funds.ProcessorEvent {
				return funds.ProcessorEvent{Processor: "stripe", ID: fmt.Sprintf("%s_evt_inv_%d", slug, n), Type: "invoice.paid", Action: funds.ActionPayment, GiftID: gift, Subscription: sub,
					PaymentKey: fmt.Sprintf("in_%s_%d", slug, n), Invoice: fmt.Sprintf("in_%s_%d", slug, n), PaymentIntent: intent(n),
					Amount: 1000, Currency: "EUR", Paid: true, Fee: 25, Created: at.AddDate(0, n, 0)}
			}
			refund := func(id string, n int, total int64) funds.ProcessorEvent {
				return funds.ProcessorEvent{Processor: "stripe", ID: slug + id, Type: "charge.refunded", Action: funds.ActionRefund, ReversalKey: fmt.Sprintf("refund:ch_%s_%d", slug, n),
					PaymentIntent: intent(n), Amount: total, Currency: "EUR", Created: at}
			}
			evs := []funds.ProcessorEvent{
				{Processor: "stripe", ID: slug + "_evt_sess", Type: "checkout.session.completed", Action: funds.ActionSubscription, GiftID: gift, SessionID: "cs_" + slug, Subscription: sub},
				invoice(0), invoice(1),
				refund("_evt_ref_0a", 0, 200), refund("_evt_ref_0b", 0, 1000), // the first month refunded in full, in two steps
				{Processor: "stripe", ID: slug + "_evt_dispute_1", Type: "charge.dispute.created", Action: funds.ActionDispute, ReversalKey: "dispute:dp_" + slug,
					PaymentIntent: intent(1), Amount: 400, Currency: "EUR", Created: at},
			}
			if seed > 0 {
				rng := rand.New(rand.NewSource(seed))
				rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
				evs = append(evs, evs[:3]...)
				rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
			}
			for _, e := range evs {
				if _, err := s.ApplyProcessorEvent(ctx, e); err != nil {
					t.Fatalf("seed %d %s: %v", seed, e.ID, err)
				}
				checkLedger(t, s)
			}
			got := campaignBalances(t, s, c)
			want := map[string]int64{"income EUR": -(2000 - 1000 - 400), funds.AccountProcessor("stripe") + " EUR": 2000 - 1000 - 400 - 50, funds.AccountFees("stripe") + " EUR": 50}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("seed %d: ledger %v; want %v", seed, got, want)
			}
		}
		if as, err := s.FundAnomalies(ctx); err != nil || len(as) != 0 {
			t.Fatalf("anomalies left: %+v %v", as, err)
		}
	})
}
