package stripepay_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"rollcall/internal/funds"
	"rollcall/internal/funds/stripepay"
	"rollcall/internal/funds/stripepay/stripetest"
)

func mockClient(t *testing.T) *stripepay.Client {
	return stripepay.New(stripepay.Config{Key: stripetest.Key, WebhookSecret: stripetest.Secret, APIBase: stripetest.URL(t)})
}

func TestCheckoutAgainstStripeMock(t *testing.T) {
	c := mockClient(t)
	ctx := context.Background()
	for _, monthly := range []bool{false, true} {
		co, err := c.CreateCheckout(ctx, funds.CheckoutRequest{GiftID: "gift-1", Title: "Legal aid", Amount: 2500, Currency: "EUR", Monthly: monthly,
			SuccessURL: "https://rollcall.example/en/donate/thanks/", CancelURL: "https://rollcall.example/en/donate/legal-aid/", Locale: "ru"})
		if err != nil {
			t.Fatalf("monthly %v: %v", monthly, err)
		}
		if !strings.HasPrefix(co.SessionID, "cs_") || !strings.HasPrefix(co.URL, "https://") {
			t.Errorf("monthly %v: session %q url %q", monthly, co.SessionID, co.URL)
		}
	}
	// stripe-mock checks parameters against Stripe's API: a bad one fails.
	if _, err := c.CreateCheckout(ctx, funds.CheckoutRequest{GiftID: "g", Title: "x", Amount: 100, Currency: "EUR", SuccessURL: "https://x/", CancelURL: "https://x/", Locale: "xx-nonsense"}); err == nil {
		t.Error("stripe-mock accepted a locale Stripe does not have: the requests are not checked")
	}
}

func TestFeeAndBalanceTransactionsAgainstStripeMock(t *testing.T) {
	c := mockClient(t)
	ctx := context.Background()
	fee, txn, err := c.PaymentFee(ctx, "pi_123")
	if err != nil || fee < 0 || !strings.HasPrefix(txn, "txn_") {
		t.Fatalf("fee %d txn %q err %v", fee, txn, err)
	}
	// GET /v1/invoice_payments?invoice=… (stripe-mock checks the
	// parameters against Stripe's API description).
	intent, err := c.InvoicePaymentIntent(ctx, "in_123")
	if err != nil || !strings.HasPrefix(intent, "pi_") {
		t.Fatalf("invoice payment intent %q %v", intent, err)
	}
	bts, err := c.BalanceTransactions(ctx, time.Unix(0, 0), time.Now())
	if err != nil || len(bts) == 0 {
		t.Fatalf("balance transactions %+v %v", bts, err)
	}
	if bts[0].Currency != "USD" || bts[0].Amount == 0 || bts[0].Source == "" {
		t.Errorf("first balance transaction %+v", bts[0])
	}
}

func TestReadEvent(t *testing.T) {
	c := stripepay.New(stripepay.Config{Key: stripetest.Key, WebhookSecret: stripetest.Secret})
	payload := stripetest.Event("evt_1", "checkout.session.completed", stripetest.Session("cs_1", "gift-1", "payment", "paid", "pi_1", "eur", 2500))
	ev, err := c.ReadEvent(payload, stripetest.Sign(payload, stripetest.Secret, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	want := funds.ProcessorEvent{ID: "evt_1", Type: "checkout.session.completed", Action: funds.ActionPayment, GiftID: "gift-1", SessionID: "cs_1",
		PaymentKey: "cs_1", PaymentIntent: "pi_1", Amount: 2500, Currency: "EUR", Paid: true, Email: "donor@example.org", Name: "Donor Name"}
	ev.Created = time.Time{}
	if ev != want {
		t.Errorf("read %+v\nwant %+v", ev, want)
	}

	for name, sig := range map[string]string{
		"no signature":     "",
		"another secret":   stripetest.Sign(payload, "whsec_other", time.Now()),
		"stale (6 min)":    stripetest.Sign(payload, stripetest.Secret, time.Now().Add(-6*time.Minute)),
		"garbage":          "t=abc,v1=zz",
		"other body's sig": stripetest.Sign([]byte(`{"id":"evt_2"}`), stripetest.Secret, time.Now()),
	} {
		if _, err := c.ReadEvent(payload, sig); !errors.Is(err, funds.ErrSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A signature within the tolerance passes.
	if _, err := c.ReadEvent(payload, stripetest.Sign(payload, stripetest.Secret, time.Now().Add(-4*time.Minute))); err != nil {
		t.Errorf("4 minutes old: %v", err)
	}
	// Issue 14: a timestamp ahead of our clock by more than the tolerance
	// is refused like a stale one; a little ahead (clock skew) passes.
	for name, ahead := range map[string]time.Duration{"a day ahead": 24 * time.Hour, "6 min ahead": 6 * time.Minute} {
		if _, err := c.ReadEvent(payload, stripetest.Sign(payload, stripetest.Secret, time.Now().Add(ahead))); !errors.Is(err, funds.ErrSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := c.ReadEvent(payload, stripetest.Sign(payload, stripetest.Secret, time.Now().Add(4*time.Minute))); err != nil {
		t.Errorf("4 minutes ahead: %v", err)
	}
	for name, body := range map[string][]byte{
		"not JSON":          []byte(`{"id": "evt_3", "type": `),
		"wrong API version": []byte(`{"id":"evt_4","object":"event","type":"charge.refunded","api_version":"2020-08-27","data":{"object":{}}}`),
		"bad currency":      stripetest.Event("evt_5", "charge.refunded", map[string]any{"id": "ch_1", "object": "charge", "amount_refunded": 5, "currency": "zzz", "payment_intent": "pi_1"}),
	} {
		if _, err := c.ReadEvent(body, stripetest.Sign(body, stripetest.Secret, time.Now())); !errors.Is(err, funds.ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestReduceEventTypes(t *testing.T) {
	c := stripepay.New(stripepay.Config{WebhookSecret: stripetest.Secret})
	read := func(body []byte) funds.ProcessorEvent {
		t.Helper()
		ev, err := c.ReadEvent(body, stripetest.Sign(body, stripetest.Secret, time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	if ev := read(stripetest.Event("e1", "checkout.session.completed", stripetest.Session("cs_2", "g2", "subscription", "paid", "", "eur", 1000))); ev.Action != funds.ActionSubscription || ev.Subscription != "sub_cs_2" || ev.GiftID != "g2" {
		t.Errorf("subscription session: %+v", ev)
	}
	if ev := read(stripetest.Event("e2", "checkout.session.async_payment_failed", stripetest.Session("cs_3", "g3", "payment", "unpaid", "pi_3", "jpy", 1000))); ev.Action != funds.ActionPayment || !ev.Failed || ev.Paid || ev.Currency != "JPY" {
		t.Errorf("failed payment: %+v", ev)
	}
	inv := map[string]any{"id": "in_1", "object": "invoice", "amount_paid": 1000, "currency": "eur",
		"parent": map[string]any{"type": "subscription_details", "subscription_details": map[string]any{"subscription": "sub_9", "metadata": map[string]any{"gift": "g9"}}}}
	if ev := read(stripetest.Event("e3", "invoice.paid", inv)); ev.Action != funds.ActionPayment || ev.PaymentKey != "in_1" || ev.Invoice != "in_1" || ev.GiftID != "g9" || ev.Subscription != "sub_9" || !ev.Paid || ev.Amount != 1000 || ev.PaymentIntent != "" {
		t.Errorf("invoice: %+v", ev)
	}
	// With its payments included, the invoice names the payment intent
	// that paid it, not an earlier failed attempt.
	inv["payments"] = map[string]any{"object": "list", "data": []any{
		map[string]any{"id": "inpay_1", "object": "invoice_payment", "status": "canceled", "is_default": false, "payment": map[string]any{"type": "payment_intent", "payment_intent": "pi_failed"}},
		map[string]any{"id": "inpay_2", "object": "invoice_payment", "status": "paid", "is_default": true, "payment": map[string]any{"type": "payment_intent", "payment_intent": "pi_paid"}},
		map[string]any{"id": "inpay_3", "object": "invoice_payment", "status": "open", "is_default": false, "payment": map[string]any{"type": "payment_intent", "payment_intent": "pi_later"}},
	}}
	if ev := read(stripetest.Event("e3b", "invoice.paid", inv)); ev.PaymentIntent != "pi_paid" {
		t.Errorf("invoice with its payments: payment intent %q; want pi_paid", ev.PaymentIntent)
	}
	ch := map[string]any{"id": "ch_1", "object": "charge", "amount": 2500, "amount_refunded": 1000, "currency": "kwd", "payment_intent": "pi_1"}
	if ev := read(stripetest.Event("e4", "charge.refunded", ch)); ev.Action != funds.ActionRefund || ev.ReversalKey != "refund:ch_1" || ev.Amount != 1000 || ev.PaymentIntent != "pi_1" || ev.Currency != "KWD" {
		t.Errorf("refund: %+v", ev)
	}
	dp := map[string]any{"id": "dp_1", "object": "dispute", "amount": 2500, "currency": "eur", "payment_intent": "pi_1", "charge": "ch_1"}
	if ev := read(stripetest.Event("e5", "charge.dispute.created", dp)); ev.Action != funds.ActionDispute || ev.ReversalKey != "dispute:dp_1" || ev.Amount != 2500 {
		t.Errorf("dispute: %+v", ev)
	}
	if ev := read(stripetest.Event("e6", "customer.created", map[string]any{"id": "cus_1", "object": "customer"})); ev.Action != funds.ActionIgnore {
		t.Errorf("other type: %+v", ev)
	}
}
