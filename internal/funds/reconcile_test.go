package funds_test

import (
	"strings"
	"testing"
	"time"

	"rollcall/internal/funds"
)

func TestReconcileListsEveryDifference(t *testing.T) {
	at := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	processor := []funds.ProcessorBalance{
		{ID: "txn_a", Type: "charge", Currency: "EUR", Amount: 2500, Fee: 59, Created: at, Source: "ch_a"},
		{ID: "txn_b", Type: "charge", Currency: "EUR", Amount: 1000, Fee: 30, Created: at, Source: "ch_b"},
		{ID: "txn_c", Type: "charge", Currency: "EUR", Amount: 700, Fee: 20, Created: at, Source: "ch_c"},
		{ID: "txn_r", Type: "refund", Currency: "EUR", Amount: -500, Created: at},
		{ID: "txn_p", Type: "payout", Currency: "EUR", Amount: -3000, Created: at},
	}
	ledger := []funds.LedgerPayment{
		{Key: "cs_a", BalanceTxn: "txn_a", Currency: "EUR", Booked: 2500, Fee: 59},
		{Key: "cs_b", BalanceTxn: "txn_b", Currency: "EUR", Booked: 1200, Fee: 0},
		{Key: "cs_x", BalanceTxn: "txn_x", Currency: "EUR", Booked: 300},
		{Key: "cs_y", Currency: "EUR", Booked: 100},
	}
	diffs := funds.Reconcile(processor, ledger, map[string]int64{"EUR": -400})
	var got []string
	for _, d := range diffs {
		got = append(got, d.Kind+" "+d.Ref)
	}
	want := "amount txn_b,fee txn_b,no_processor_ref cs_y,not_at_processor txn_x,not_in_ledger txn_c,reversals EUR"
	if strings.Join(got, ",") != want {
		t.Errorf("differences %v\nwant %s", got, want)
	}
	if diffs := funds.Reconcile(processor[:1], ledger[:1], nil); len(diffs) != 0 {
		t.Errorf("a matching ledger: %+v", diffs)
	}
}
