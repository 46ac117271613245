package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"rollcall/internal/funds"
	"rollcall/internal/funds/stripepay/stripetest"
	"rollcall/internal/store"
)

// stripe-mock's fixture balance transaction: a charge of 1.00 USD with no
// fee, created 2009-02-13.
const (
	mockTxn     = "txn_1PgaxNB7WZ01zgkWEV3TLf40"
	mockCreated = 1234567890
)

func TestFundsLedgerAndReconcile(t *testing.T) {
	base := stripetest.URL(t)
	eachDatabase(t, func(t *testing.T, env []string) {
		ctx := context.Background()
		for _, args := range [][]string{{"funds", "ledger", "--help"}, {"funds", "reconcile", "--help"}} {
			if r := rollcall(t, env, args...); r.code != 0 || !strings.Contains(r.stderr, "Usage: rollcall "+strings.Join(args[:2], " ")) {
				t.Errorf("%v: %d %s", args, r.code, r.stderr)
			}
		}
		if r := rollcall(t, env, "funds", "ledger"); r.code != 0 || !strings.Contains(r.stdout, "The ledger is empty.") {
			t.Fatalf("empty ledger: %d %s%s", r.code, r.stdout, r.stderr)
		}
		st := openStore(t, env)
		c, err := st.CreateCampaign(ctx, "cli", funds.Campaign{Slug: "legal-aid", Currency: "USD", Goal: 100000, Starts: 20090101, Texts: map[string]funds.CampaignText{"en": {Title: "Legal aid"}}})
		if err != nil {
			t.Fatal(err)
		}
		gift, _ := st.NewCardGift(ctx, c, funds.GiftCard, 100, "")
		at := time.Unix(mockCreated, 0).UTC()
		if _, err := st.ApplyProcessorEvent(ctx, funds.ProcessorEvent{Processor: "stripe", ID: "evt_1", Type: "checkout.session.completed", Created: at, Action: funds.ActionPayment,
			GiftID: gift, SessionID: "cs_1", PaymentKey: "cs_1", PaymentIntent: "pi_1", Amount: 100, Currency: "USD", Paid: true, BalanceTxn: mockTxn}); err != nil {
			t.Fatal(err)
		}
		id, _ := st.ProposeDisbursement(ctx, "alice", store.Disbursement{Campaign: c, Category: funds.Parcels, Amount: 40, Day: 20090214, Payee: "x"})
		if err := st.ApproveDisbursement(ctx, "bob", id); err != nil {
			t.Fatal(err)
		}

		r := rollcall(t, env, "funds", "ledger", "--json")
		var lines []funds.Balance
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &lines) != nil {
			t.Fatalf("ledger --json: %d %s%s", r.code, r.stdout, r.stderr)
		}
		want := map[string]funds.Balance{
			"income:legal-aid":           {Account: "income:legal-aid", Campaign: "legal-aid", Category: "income", Currency: "USD", Minor: -100, Amount: "-1.00"},
			"spending:parcels:legal-aid": {Account: "spending:parcels:legal-aid", Campaign: "legal-aid", Category: "parcels", Currency: "USD", Minor: 40, Amount: "0.40"},
			"assets:stripe":              {Account: "assets:stripe", Currency: "USD", Minor: 100, Amount: "1.00"},
			"assets:bank":                {Account: "assets:bank", Currency: "USD", Minor: -40, Amount: "-0.40"},
		}
		if len(lines) != len(want) {
			t.Errorf("ledger lines %+v", lines)
		}
		for _, l := range lines {
			if want[l.Account] != l {
				t.Errorf("ledger line %+v; want %+v", l, want[l.Account])
			}
		}

		stripeEnv := append(env, "ROLLCALL_STRIPE_KEY="+stripetest.Key, "ROLLCALL_STRIPE_API_BASE="+base)
		if r := rollcall(t, env, "funds", "reconcile", "--from", "2009-02-13", "--to", "2009-02-13"); r.code != 1 || !strings.Contains(r.stderr, "ROLLCALL_STRIPE_KEY is not set") {
			t.Errorf("without a key: %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, stripeEnv, "funds", "reconcile", "--from", "2009-02-14", "--to", "2009-02-13"); r.code != 1 || !strings.Contains(r.stderr, "--to is before --from") {
			t.Errorf("reversed dates: %d %s", r.code, r.stderr)
		}
		r = rollcall(t, stripeEnv, "funds", "reconcile", "--from", "2009-02-13", "--to", "2009-02-13")
		if r.code != 0 || !strings.Contains(r.stdout, "1 Stripe balance transactions, 1 card payments in the ledger.") || !strings.Contains(r.stdout, "No differences.") {
			t.Fatalf("matching period: %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		// A payment the processor does not list, and a day without the
		// fixture: every difference is listed and the exit status says so.
		gift2, _ := st.NewCardGift(ctx, c, funds.GiftCard, 500, "")
		if _, err := st.ApplyProcessorEvent(ctx, funds.ProcessorEvent{Processor: "stripe", ID: "evt_2", Type: "checkout.session.completed", Created: at, Action: funds.ActionPayment,
			GiftID: gift2, SessionID: "cs_2", PaymentKey: "cs_2", PaymentIntent: "pi_2", Amount: 500, Currency: "USD", Paid: true}); err != nil {
			t.Fatal(err)
		}
		r = rollcall(t, stripeEnv, "funds", "reconcile", "--from", "2009-02-13", "--to", "2009-02-13", "--json")
		var out struct {
			Differences []funds.Difference `json:"differences"`
		}
		if r.code != 1 || json.Unmarshal([]byte(r.stdout), &out) != nil || len(out.Differences) != 1 || out.Differences[0].Kind != funds.DiffNoProcessorRef || out.Differences[0].Ref != "cs_2" {
			t.Fatalf("with an unmatched payment: %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		r = rollcall(t, stripeEnv, "funds", "reconcile", "--from", "2009-02-12", "--to", "2009-02-12")
		if r.code != 0 || !strings.Contains(r.stdout, "0 Stripe balance transactions, 0 card payments") {
			t.Errorf("empty period: %d %s%s", r.code, r.stdout, r.stderr)
		}
		st.Close()
	})
}
