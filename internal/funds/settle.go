package funds

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
)

// A processor is named by a short lower-case word: the name
// is in every event it sends, in its webhook's path (/webhooks/NAME) and
// in its accounts (assets:NAME, its balance; fees:NAME, its fees).

// ErrProcessorName is a processor name that cannot name an account.
var ErrProcessorName = errors.New("a processor is named by lower-case letters, digits and '-', and not bank or crypto")

var processorName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// CheckProcessorName refuses a name that is not a word of lower-case
// letters, digits and '-', or that is one of our own asset accounts.
func CheckProcessorName(name string) error {
	if !processorName.MatchString(name) || slices.Contains([]string{"bank", "crypto"}, name) {
		return fmt.Errorf("%w: %q", ErrProcessorName, name)
	}
	return nil
}

// AccountProcessor is the money held at a processor ("assets:NAME").
func AccountProcessor(processor string) string { return "assets:" + processor }

// AccountFees is a processor's fees ("fees:NAME").
func AccountFees(processor string) string { return "fees:" + processor }

// PaymentFacts is what a processor's events said of one card payment (a
// one-off gift's session, or one invoice of a monthly gift), merged over
// every event so far.
type PaymentFacts struct {
	Processor string
	Campaign  string // the campaign's slug
	Currency  string
	Amount    int64
	Paid      bool
	Failed    bool
	// Fee is the processor's fee on the payment, when known.
	Fee int64
	// PaymentIntent is the processor's id of the charge attempt its
	// refunds and disputes name; BalanceTxn its balance transaction.
	PaymentIntent, BalanceTxn string
	// Reversals are its refunds (each charge's refunded total) and
	// disputes, summed, in the payment's currency.
	Reversals int64
}

// Booked is what the ledger holds for a payment.
type Booked struct {
	Amount, Fee, Reversed int64
}

// Settle is what the ledger must book to bring a payment from booked to
// what its facts imply, and what is booked after:
//
//   - the amount, once the payment is paid (even when a "failed" came
//     late or out of order: the processor pays out only on success);
//   - the fee, apart, only when the amount is booked;
//   - its reversals, never more than was booked;
//
// and only differences, never less than before: the ledger is
// append-only and events come in any order, more than once.
func Settle(f PaymentFacts, b Booked) ([]Transaction, Booked) {
	target := Booked{}
	if f.Paid {
		target.Amount = f.Amount
	}
	if target.Amount > 0 {
		target.Fee = f.Fee
	}
	target.Reversed = min(f.Reversals, target.Amount)
	asset := AccountProcessor(f.Processor)
	var out []Transaction
	if d := target.Amount - b.Amount; d > 0 {
		out = append(out, Donation(f.Campaign, asset, f.Currency, d))
	}
	if d := target.Fee - b.Fee; d > 0 {
		out = append(out, Fee(f.Processor, f.Campaign, f.Currency, d))
	}
	if d := target.Reversed - b.Reversed; d > 0 {
		out = append(out, Reversal(f.Campaign, asset, f.Currency, d))
	}
	return out, Booked{Amount: max(target.Amount, b.Amount), Fee: max(target.Fee, b.Fee), Reversed: max(target.Reversed, b.Reversed)}
}

// MergeFacts is a payment's facts after one more event: paid and failed
// only ever become true, the fee only grows, and the ids a later event
// brings fill in only what was not known.
func MergeFacts(known, ev PaymentFacts) PaymentFacts {
	out := known
	out.Paid = known.Paid || ev.Paid
	out.Failed = known.Failed || ev.Failed
	out.Fee = max(known.Fee, ev.Fee)
	if out.PaymentIntent == "" {
		out.PaymentIntent = ev.PaymentIntent
	}
	if out.BalanceTxn == "" {
		out.BalanceTxn = ev.BalanceTxn
	}
	return out
}

// ErrSamePerson refuses a confirmation or approval by the treasurer who
// entered or proposed it: money needs two people.
var ErrSamePerson = errors.New("it must be confirmed by a treasurer other than the one who entered it")

// ErrAlreadyDone is a confirmation or approval of what already was.
var ErrAlreadyDone = errors.New("this was already confirmed")

// SecondPerson is the two-treasurer rule: what one treasurer entered (a
// bank or crypto gift) or proposed (a disbursement) counts only once
// another confirms or approves it, and only once.
func SecondPerson(first, actor string, done bool) error {
	switch {
	case done:
		return ErrAlreadyDone
	case first == actor:
		return ErrSamePerson
	}
	return nil
}
