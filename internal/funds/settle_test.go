package funds_test

import (
	"errors"
	"reflect"
	"testing"

	"rollcall/internal/funds"
)

// What a card payment's facts imply for the ledger, line by line, with no
// database: each case is the facts so far, what was booked, and what
// Settle books.
func TestSettle(t *testing.T) {
	paid := funds.PaymentFacts{Processor: "stripe", Campaign: "legal-aid", Currency: "EUR", Amount: 2500, Paid: true, Fee: 59}
	with := func(f func(*funds.PaymentFacts)) funds.PaymentFacts { p := paid; f(&p); return p }
	don := funds.Donation("legal-aid", "assets:stripe", "EUR", 2500)
	fee := funds.Fee("stripe", "legal-aid", "EUR", 59)
	rev := func(n int64) funds.Transaction { return funds.Reversal("legal-aid", "assets:stripe", "EUR", n) }
	for _, c := range []struct {
		name   string
		facts  funds.PaymentFacts
		booked funds.Booked
		want   []funds.Transaction
		after  funds.Booked
	}{
		{"paid: the gift and its fee, apart", paid, funds.Booked{}, []funds.Transaction{don, fee}, funds.Booked{Amount: 2500, Fee: 59}},
		{"booked already: nothing", paid, funds.Booked{Amount: 2500, Fee: 59}, nil, funds.Booked{Amount: 2500, Fee: 59}},
		{"pending, its fee known: nothing (the fee only when paid)", with(func(p *funds.PaymentFacts) { p.Paid = false }), funds.Booked{}, nil, funds.Booked{}},
		{"failed, never paid: nothing", with(func(p *funds.PaymentFacts) { p.Paid, p.Failed = false, true }), funds.Booked{}, nil, funds.Booked{}},
		{"paid, a late failed: still booked", with(func(p *funds.PaymentFacts) { p.Failed = true }), funds.Booked{}, []funds.Transaction{don, fee}, funds.Booked{Amount: 2500, Fee: 59}},
		{"fee learnt later: the fee only", paid, funds.Booked{Amount: 2500}, []funds.Transaction{fee}, funds.Booked{Amount: 2500, Fee: 59}},
		{"no fee known: the gift without it", with(func(p *funds.PaymentFacts) { p.Fee = 0 }), funds.Booked{}, []funds.Transaction{don}, funds.Booked{Amount: 2500}},
		{"a refund", with(func(p *funds.PaymentFacts) { p.Reversals = 1000 }), funds.Booked{Amount: 2500, Fee: 59}, []funds.Transaction{rev(1000)}, funds.Booked{Amount: 2500, Fee: 59, Reversed: 1000}},
		{"a refund grown: the difference", with(func(p *funds.PaymentFacts) { p.Reversals = 1500 }), funds.Booked{Amount: 2500, Fee: 59, Reversed: 1000}, []funds.Transaction{rev(500)}, funds.Booked{Amount: 2500, Fee: 59, Reversed: 1500}},
		{"refunds and a dispute over the gift: capped at what was booked", with(func(p *funds.PaymentFacts) { p.Reversals = 4000 }), funds.Booked{Amount: 2500, Fee: 59, Reversed: 1000}, []funds.Transaction{rev(1500)}, funds.Booked{Amount: 2500, Fee: 59, Reversed: 2500}},
		{"a refund before its payment is paid: waits", with(func(p *funds.PaymentFacts) { p.Paid, p.Reversals = false, 700 }), funds.Booked{}, nil, funds.Booked{}},
		{"the payment arrives after its refund: both", with(func(p *funds.PaymentFacts) { p.Reversals = 700 }), funds.Booked{}, []funds.Transaction{don, fee, rev(700)}, funds.Booked{Amount: 2500, Fee: 59, Reversed: 700}},
		{"never less than booked", with(func(p *funds.PaymentFacts) { p.Fee, p.Reversals = 10, 100 }), funds.Booked{Amount: 2500, Fee: 59, Reversed: 300}, nil, funds.Booked{Amount: 2500, Fee: 59, Reversed: 300}},
		{"another processor: its own accounts", with(func(p *funds.PaymentFacts) { p.Processor = "acme" }), funds.Booked{},
			[]funds.Transaction{funds.Donation("legal-aid", "assets:acme", "EUR", 2500), funds.Fee("acme", "legal-aid", "EUR", 59)}, funds.Booked{Amount: 2500, Fee: 59}},
	} {
		got, after := funds.Settle(c.facts, c.booked)
		if !reflect.DeepEqual(got, c.want) || after != c.after {
			t.Errorf("%s:\n got %+v, %+v\nwant %+v, %+v", c.name, got, after, c.want, c.after)
		}
		for _, tx := range got {
			if err := tx.Check(); err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
		}
	}
}

func TestSettleAccounts(t *testing.T) {
	txs, _ := funds.Settle(funds.PaymentFacts{Processor: "stripe", Campaign: "c", Currency: "EUR", Amount: 100, Paid: true, Fee: 3, Reversals: 100}, funds.Booked{})
	var entries []funds.Entry
	for _, tx := range txs {
		entries = append(entries, tx.Entries...)
	}
	b := funds.Balances(entries)
	want := map[funds.BalanceKey]int64{{Account: "income:c", Currency: "EUR"}: 0, {Account: "assets:stripe", Currency: "EUR"}: -3, {Account: "fees:stripe", Currency: "EUR"}: 3}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("balances %v; want %v", b, want)
	}
}

func TestMergeFacts(t *testing.T) {
	known := funds.PaymentFacts{Processor: "stripe", Campaign: "c", Currency: "EUR", Amount: 100, Paid: true, Fee: 5, PaymentIntent: "pi_1"}
	got := funds.MergeFacts(known, funds.PaymentFacts{Amount: 999, Failed: true, Fee: 3, PaymentIntent: "pi_2", BalanceTxn: "txn_1"})
	want := funds.PaymentFacts{Processor: "stripe", Campaign: "c", Currency: "EUR", Amount: 100, Paid: true, Failed: true, Fee: 5, PaymentIntent: "pi_1", BalanceTxn: "txn_1"}
	if got != want {
		t.Errorf("merged %+v\nwant %+v", got, want)
	}
	if got := funds.MergeFacts(funds.PaymentFacts{}, funds.PaymentFacts{Paid: true, Fee: 7}); !got.Paid || got.Fee != 7 {
		t.Errorf("paid and the fee only grow: %+v", got)
	}
}

func TestSecondPerson(t *testing.T) {
	for _, c := range []struct {
		first, actor string
		done         bool
		want         error
	}{
		{"alice", "bob", false, nil},
		{"alice", "alice", false, funds.ErrSamePerson},
		{"alice", "bob", true, funds.ErrAlreadyDone},
		{"alice", "alice", true, funds.ErrAlreadyDone},
	} {
		if err := funds.SecondPerson(c.first, c.actor, c.done); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s then %s (done %v): %v; want %v", c.first, c.actor, c.done, err, c.want)
		}
	}
}

func TestProcessorNames(t *testing.T) {
	for _, ok := range []string{"stripe", "acme-pay", "p2"} {
		if err := funds.CheckProcessorName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Stripe", "bank", "crypto", "a:b", "a/b", "9lives"} {
		if err := funds.CheckProcessorName(bad); !errors.Is(err, funds.ErrProcessorName) {
			t.Errorf("%q accepted", bad)
		}
	}
}
