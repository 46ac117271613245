package funds

import (
	"context"
	"errors"
	"time"
)

// Processor is a card processor as Rollcall uses it (one package each
// under internal/funds): start a Checkout, read a signed webhook,
// ask a payment's fee, list balance transactions for reconciliation.
type Processor interface {
	// Name names the processor (CheckProcessorName): its webhook is
	// /webhooks/NAME, its accounts assets:NAME and fees:NAME, and the
	// audit log's actor of its events.
	Name() string
	// SignatureHeader is the HTTP header its webhooks sign with.
	SignatureHeader() string
	// PageOrigin is the origin of its payment page, which the gift form's
	// Content-Security-Policy must allow as a form-action.
	PageOrigin() string
	CreateCheckout(ctx context.Context, req CheckoutRequest) (Checkout, error)
	// ReadEvent verifies a webhook's signature on the raw body and reads
	// it; the error wraps ErrSignature or ErrMalformed.
	ReadEvent(payload []byte, signature string) (ProcessorEvent, error)
	// PaymentFee is the processor's fee on a payment (its payment
	// intent) and the balance transaction that holds it.
	PaymentFee(ctx context.Context, paymentIntent string) (fee int64, balanceTxn string, err error)
	// InvoicePaymentIntent is the payment intent that paid an invoice (""
	// when none did): a monthly gift's invoice event need not name it,
	// and its refunds and disputes name only the payment intent.
	InvoicePaymentIntent(ctx context.Context, invoice string) (string, error)
	BalanceTransactions(ctx context.Context, from, to time.Time) ([]ProcessorBalance, error)
}

// Errors a webhook can be refused with.
var (
	ErrSignature = errors.New("the signature is missing, wrong or too old")
	ErrMalformed = errors.New("the event is not one we can read")
)

// CheckoutRequest is a gift about to go to the processor's payment page.
type CheckoutRequest struct {
	GiftID     string // ours, carried through as metadata
	Title      string // what the donor sees on the payment page
	Amount     int64
	Currency   string
	Monthly    bool
	SuccessURL string
	CancelURL  string
	Locale     string // "en", "ru", or "" for the processor's choice
}

// Checkout is the payment page the donor is sent to.
type Checkout struct {
	SessionID string
	URL       string
}

// EventAction is what an event means for the ledger.
type EventAction string

// The actions; anything else is acknowledged and ignored.
const (
	// ActionPayment: a payment's state (paid, pending or failed), for a
	// one-off gift's Checkout session or a monthly gift's invoice.
	ActionPayment EventAction = "payment"
	// ActionSubscription: a monthly gift's Checkout session completed;
	// its invoices bring the money.
	ActionSubscription EventAction = "subscription"
	ActionRefund       EventAction = "refund"
	ActionDispute      EventAction = "dispute"
	ActionIgnore       EventAction = "ignore"
)

// ProcessorEvent is a webhook event reduced to what the ledger needs.
type ProcessorEvent struct {
	// Processor is the Name of the processor that sent and signed it.
	Processor string
	ID        string
	Type      string
	Created   time.Time
	Action    EventAction
	// GiftID is ours (Checkout's client reference or the metadata).
	GiftID    string
	SessionID string
	// Subscription is the processor's id of a monthly gift.
	Subscription string
	// PaymentKey names one payment: the session of a one-off gift, the
	// invoice of a monthly one.
	PaymentKey string
	// Invoice is the processor's invoice of a monthly gift's payment.
	Invoice       string
	PaymentIntent string
	Amount        int64
	Currency      string
	Paid          bool
	Failed        bool
	// ReversalKey names one refund (per charge: its refunded total only
	// grows) or one dispute.
	ReversalKey string
	// Email and Name are what the processor returns of the donor; they
	// are sealed before they are stored.
	Email string
	Name  string
	// Fee is the processor's fee on a paid payment, when known, and
	// BalanceTxn the processor's balance transaction of the payment.
	Fee        int64
	BalanceTxn string
}

// ProcessorBalance is one of the processor's balance transactions.
type ProcessorBalance struct {
	ID       string
	Created  time.Time
	Type     string // charge, refund, payment, adjustment, payout …
	Source   string // the charge, refund or payout it comes from
	Currency string
	Amount   int64
	Fee      int64
}
