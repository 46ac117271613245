package funds

import (
	"fmt"
	"sort"
)

// LedgerPayment is a card payment as the ledger booked it.
type LedgerPayment struct {
	Key        string // the Checkout session or invoice
	BalanceTxn string // the processor's balance transaction, when known
	Currency   string
	Booked     int64
	Fee        int64
}

// Difference is one thing on which the ledger and the processor disagree.
type Difference struct {
	Kind   string `json:"kind"`
	Ref    string `json:"ref"`
	Detail string `json:"detail"`
}

// The kinds of difference.
const (
	DiffNotInLedger    = "not_in_ledger"    // the processor has a payment the ledger lacks
	DiffNotAtProcessor = "not_at_processor" // the ledger has a payment the processor does not list
	DiffNoProcessorRef = "no_processor_ref" // a booked payment with no balance transaction known
	DiffAmount         = "amount"           // the same payment, another amount
	DiffFee            = "fee"              // the same payment, another fee
	DiffReversals      = "reversals"        // refunds and disputes, per currency
)

// gift types of balance transactions: money coming in from a card.
var giftTypes = map[string]bool{"charge": true, "payment": true}

// reversalTypes take money back out: refunds and disputes.
var reversalTypes = map[string]bool{"refund": true, "payment_refund": true, "adjustment": true, "payment_failure_refund": true}

// Reconcile compares the processor's balance transactions of a period
// with the card payments the ledger booked in it and the ledger's
// reversals (per currency, negative), and lists every difference, sorted.
func Reconcile(processor []ProcessorBalance, ledger []LedgerPayment, ledgerReversals map[string]int64) []Difference {
	var diffs []Difference
	byTxn := map[string]LedgerPayment{}
	for _, p := range ledger {
		if p.BalanceTxn == "" {
			diffs = append(diffs, Difference{DiffNoProcessorRef, p.Key, fmt.Sprintf("booked %s; the processor's record of it is not known (its fee is not booked either)", FormatAmount(p.Booked, p.Currency))})
			continue
		}
		byTxn[p.BalanceTxn] = p
	}
	seen := map[string]bool{}
	reversals := map[string]int64{}
	for _, bt := range processor {
		switch {
		case giftTypes[bt.Type]:
			p, ok := byTxn[bt.ID]
			if !ok {
				diffs = append(diffs, Difference{DiffNotInLedger, bt.ID, fmt.Sprintf("%s %s from %s on %s is not in the ledger", bt.Type, FormatAmount(bt.Amount, bt.Currency), bt.Source, bt.Created.Format("2006-01-02"))})
				continue
			}
			seen[bt.ID] = true
			if p.Currency != bt.Currency || p.Booked != bt.Amount {
				diffs = append(diffs, Difference{DiffAmount, bt.ID, fmt.Sprintf("the processor has %s, the ledger %s (%s)", FormatAmount(bt.Amount, bt.Currency), FormatAmount(p.Booked, p.Currency), p.Key)})
			}
			if p.Fee != bt.Fee {
				diffs = append(diffs, Difference{DiffFee, bt.ID, fmt.Sprintf("the processor took a fee of %s, the ledger booked %s (%s)", FormatAmount(bt.Fee, bt.Currency), FormatAmount(p.Fee, p.Currency), p.Key)})
			}
		case reversalTypes[bt.Type]:
			reversals[bt.Currency] += bt.Amount
		}
	}
	for _, p := range ledger {
		if p.BalanceTxn != "" && !seen[p.BalanceTxn] {
			diffs = append(diffs, Difference{DiffNotAtProcessor, p.BalanceTxn, fmt.Sprintf("booked %s (%s) but not among the processor's transactions of the period", FormatAmount(p.Booked, p.Currency), p.Key)})
		}
	}
	currencies := map[string]bool{}
	for c := range reversals {
		currencies[c] = true
	}
	for c := range ledgerReversals {
		currencies[c] = true
	}
	for c := range currencies {
		if reversals[c] != ledgerReversals[c] {
			diffs = append(diffs, Difference{DiffReversals, c, fmt.Sprintf("refunds and disputes: the processor has %s, the ledger %s", FormatAmount(reversals[c], c), FormatAmount(ledgerReversals[c], c))})
		}
	}
	sort.Slice(diffs, func(i, j int) bool {
		if diffs[i].Kind != diffs[j].Kind {
			return diffs[i].Kind < diffs[j].Kind
		}
		return diffs[i].Ref < diffs[j].Ref
	})
	return diffs
}
