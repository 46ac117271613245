// Package stripepay is the card processor behind funds.Processor: Stripe,
// through its official Go library. Card data never reaches us: donors pay
// on Stripe's Checkout page; we see the events Stripe signs.
package stripepay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"rollcall/internal/funds"
)

// Tolerance is how far a webhook's signed timestamp may be from now, in
// either direction: older is a replay, later a clock (or a signer) that
// cannot be trusted.
const Tolerance = 300 * time.Second

// Config is what the processor needs: the secret API key
// (ROLLCALL_STRIPE_KEY), the webhook signing secret
// (ROLLCALL_STRIPE_WEBHOOK_SECRET) and, for tests against stripe-mock, the
// API's base URL (ROLLCALL_STRIPE_API_BASE, e.g. http://127.0.0.1:12111).
type Config struct {
	Key           string
	WebhookSecret string
	APIBase       string
}

// Client is Stripe as a funds.Processor.
type Client struct {
	sc     *stripe.Client
	secret string
}

var _ funds.Processor = (*Client)(nil)

// Name is Stripe's name in Rollcall: its webhook is /webhooks/stripe and
// its accounts assets:stripe and fees:stripe.
const Name = "stripe"

// Name is the processor's name (funds.Processor).
func (c *Client) Name() string { return Name }

// SignatureHeader is the header Stripe signs its webhooks in.
func (c *Client) SignatureHeader() string { return "Stripe-Signature" }

// PageOrigin is Stripe Checkout's origin. The gift form posts to us and
// we answer 303 to Checkout; browsers apply the form page's form-action
// to that redirect too, so the campaign page's policy names Checkout.
func (c *Client) PageOrigin() string { return "https://checkout.stripe.com" }

// New makes a client. Stripe's library logs nothing here: its messages
// could carry request details.
func New(cfg Config) *Client {
	bc := &stripe.BackendConfig{
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
		HTTPClient:    &http.Client{Timeout: 30 * time.Second},
	}
	if cfg.APIBase != "" {
		bc.URL = stripe.String(strings.TrimRight(cfg.APIBase, "/"))
	}
	return &Client{sc: stripe.NewClient(cfg.Key, stripe.WithBackends(stripe.NewBackendsWithConfig(bc))), secret: cfg.WebhookSecret}
}

// CreateCheckout starts a Checkout session: one payment, or a monthly
// subscription with a price made for the amount. Our gift id travels as
// the client reference and in the metadata of the payment or the
// subscription, so every later event names its gift. Checkout collects
// no more than the card needs: no address, no phone, no customer record
// for one-off gifts.
func (c *Client) CreateCheckout(ctx context.Context, req funds.CheckoutRequest) (funds.Checkout, error) {
	meta := map[string]string{"gift": req.GiftID}
	item := &stripe.CheckoutSessionCreateLineItemParams{
		Quantity: stripe.Int64(1),
		PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
			Currency:    stripe.String(strings.ToLower(req.Currency)),
			UnitAmount:  stripe.Int64(req.Amount),
			ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String(req.Title)},
		},
	}
	p := &stripe.CheckoutSessionCreateParams{
		LineItems:         []*stripe.CheckoutSessionCreateLineItemParams{item},
		SuccessURL:        stripe.String(req.SuccessURL),
		CancelURL:         stripe.String(req.CancelURL),
		ClientReferenceID: stripe.String(req.GiftID),
		Metadata:          meta,
	}
	if req.Locale != "" {
		p.Locale = stripe.String(req.Locale)
	}
	if req.Monthly {
		p.Mode = stripe.String(string(stripe.CheckoutSessionModeSubscription))
		item.PriceData.Recurring = &stripe.CheckoutSessionCreateLineItemPriceDataRecurringParams{Interval: stripe.String("month")}
		p.SubscriptionData = &stripe.CheckoutSessionCreateSubscriptionDataParams{Metadata: meta}
	} else {
		p.Mode = stripe.String(string(stripe.CheckoutSessionModePayment))
		p.PaymentIntentData = &stripe.CheckoutSessionCreatePaymentIntentDataParams{Metadata: meta}
		p.SubmitType = stripe.String("donate")
	}
	s, err := c.sc.V1CheckoutSessions.Create(ctx, p)
	if err != nil {
		return funds.Checkout{}, fmt.Errorf("stripe checkout: %w", err)
	}
	if s.URL == "" {
		return funds.Checkout{}, errors.New("stripe checkout: no payment page URL in the answer")
	}
	return funds.Checkout{SessionID: s.ID, URL: s.URL}, nil
}

// PaymentFee is the fee Stripe took on a payment intent's charge, and the
// charge's balance transaction.
func (c *Client) PaymentFee(ctx context.Context, paymentIntent string) (int64, string, error) {
	p := &stripe.PaymentIntentRetrieveParams{}
	p.AddExpand("latest_charge.balance_transaction")
	pi, err := c.sc.V1PaymentIntents.Retrieve(ctx, paymentIntent, p)
	if err != nil {
		return 0, "", fmt.Errorf("stripe payment %s: %w", paymentIntent, err)
	}
	if pi.LatestCharge == nil || pi.LatestCharge.BalanceTransaction == nil {
		return 0, "", nil
	}
	bt := pi.LatestCharge.BalanceTransaction
	return bt.Fee, bt.ID, nil
}

// InvoicePaymentIntent asks Stripe which payment intent paid an invoice
// (GET /v1/invoice_payments?invoice=…). The payment intent is expanded
// because Stripe answers its id either way, while stripe-mock leaves an
// unexpanded one out.
func (c *Client) InvoicePaymentIntent(ctx context.Context, invoice string) (string, error) {
	p := &stripe.InvoicePaymentListParams{Invoice: stripe.String(invoice)}
	p.AddExpand("data.payment.payment_intent")
	var payments []*stripe.InvoicePayment
	for ip, err := range c.sc.V1InvoicePayments.List(ctx, p) {
		if err != nil {
			return "", quiet("stripe invoice payments "+invoice, err)
		}
		payments = append(payments, ip)
	}
	return paidIntent(payments), nil
}

// quiet is an API error without the network's details: a failed
// connection's message holds addresses, which logs must not.
func quiet(what string, err error) error {
	var se *stripe.Error
	if errors.As(err, &se) {
		return fmt.Errorf("%s: Stripe answered %d %s", what, se.HTTPStatusCode, se.Code)
	}
	return fmt.Errorf("%s: Stripe could not be reached", what)
}

// paidIntent is the payment intent of an invoice's payments: the one
// whose status is paid, else the default one, else "". (An invoice may
// list failed attempts before the payment that succeeded.)
func paidIntent(payments []*stripe.InvoicePayment) string {
	best, bestRank := "", 0
	for _, ip := range payments {
		if ip == nil || ip.Payment == nil || ip.Payment.PaymentIntent == nil || ip.Payment.PaymentIntent.ID == "" {
			continue
		}
		rank := 1
		if ip.IsDefault {
			rank = 2
		}
		if ip.Status == "paid" {
			rank = 3
		}
		if rank > bestRank {
			best, bestRank = ip.Payment.PaymentIntent.ID, rank
		}
	}
	return best
}

// BalanceTransactions lists Stripe's balance transactions created in
// [from, to).
func (c *Client) BalanceTransactions(ctx context.Context, from, to time.Time) ([]funds.ProcessorBalance, error) {
	p := &stripe.BalanceTransactionListParams{CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: from.Unix(), LesserThan: to.Unix()}}
	var out []funds.ProcessorBalance
	for bt, err := range c.sc.V1BalanceTransactions.List(ctx, p) {
		if err != nil {
			return nil, fmt.Errorf("stripe balance transactions: %w", err)
		}
		source := ""
		if bt.Source != nil {
			source = bt.Source.ID
		}
		out = append(out, funds.ProcessorBalance{ID: bt.ID, Created: time.Unix(bt.Created, 0).UTC(), Type: string(bt.Type),
			Source: source, Currency: strings.ToUpper(string(bt.Currency)), Amount: bt.Amount, Fee: bt.Fee})
	}
	return out, nil
}

// ReadEvent verifies a webhook on its raw body (HMAC-SHA256 with the
// signing secret, at most Tolerance old) and reduces it to what the
// ledger needs.
func (c *Client) ReadEvent(payload []byte, signature string) (funds.ProcessorEvent, error) {
	if c.secret == "" {
		return funds.ProcessorEvent{}, fmt.Errorf("%w: no webhook secret is configured", funds.ErrSignature)
	}
	// The signature first, on the bytes as they came: nothing unsigned is
	// even parsed.
	if err := webhook.ValidatePayloadWithTolerance(payload, signature, c.secret, Tolerance); err != nil {
		return funds.ProcessorEvent{}, fmt.Errorf("%w: %v", funds.ErrSignature, err)
	}
	// stripe-go refuses only an old timestamp; one ahead of our clock by
	// more than the tolerance is refused too (it would stay valid for a
	// replay until that time comes).
	if at, ok := signedAt(signature); !ok || at.After(time.Now().Add(Tolerance)) {
		return funds.ProcessorEvent{}, fmt.Errorf("%w: the signature's timestamp is more than %v ahead", funds.ErrSignature, Tolerance)
	}
	e, err := webhook.ConstructEventWithOptions(payload, signature, c.secret, webhook.ConstructEventOptions{Tolerance: Tolerance})
	if err != nil {
		return funds.ProcessorEvent{}, fmt.Errorf("%w: %v", funds.ErrMalformed, err)
	}
	return Reduce(e)
}

// signedAt is the timestamp of a Stripe-Signature header ("t=…,v1=…").
func signedAt(header string) (time.Time, bool) {
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "t="); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			return time.Unix(n, 0), err == nil
		}
	}
	return time.Time{}, false
}

// Reduce turns a Stripe event into a funds.ProcessorEvent.
func Reduce(e stripe.Event) (funds.ProcessorEvent, error) {
	ev := funds.ProcessorEvent{ID: e.ID, Type: string(e.Type), Created: time.Unix(e.Created, 0).UTC(), Action: funds.ActionIgnore}
	if e.ID == "" || e.Data == nil {
		return ev, fmt.Errorf("%w: no id or no data", funds.ErrMalformed)
	}
	bad := func(err error) (funds.ProcessorEvent, error) {
		return ev, fmt.Errorf("%w: %s: %v", funds.ErrMalformed, e.Type, err)
	}
	switch e.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed":
		var s stripe.CheckoutSession
		if err := json.Unmarshal(e.Data.Raw, &s); err != nil {
			return bad(err)
		}
		ev.SessionID, ev.GiftID = s.ID, s.ClientReferenceID
		if ev.GiftID == "" {
			ev.GiftID = s.Metadata["gift"]
		}
		if s.CustomerDetails != nil {
			ev.Email, ev.Name = s.CustomerDetails.Email, s.CustomerDetails.Name
		}
		if s.Mode == stripe.CheckoutSessionModeSubscription {
			ev.Action = funds.ActionSubscription
			if s.Subscription != nil {
				ev.Subscription = s.Subscription.ID
			}
			break
		}
		ev.Action, ev.PaymentKey = funds.ActionPayment, s.ID
		ev.Amount, ev.Currency = s.AmountTotal, strings.ToUpper(string(s.Currency))
		if s.PaymentIntent != nil {
			ev.PaymentIntent = s.PaymentIntent.ID
		}
		ev.Failed = e.Type == "checkout.session.async_payment_failed"
		ev.Paid = !ev.Failed && s.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid
	case "invoice.paid":
		var inv stripe.Invoice
		if err := json.Unmarshal(e.Data.Raw, &inv); err != nil {
			return bad(err)
		}
		if inv.Parent == nil || inv.Parent.SubscriptionDetails == nil {
			// An invoice of no subscription is none of our gifts.
			return ev, nil
		}
		sd := inv.Parent.SubscriptionDetails
		ev.Action, ev.PaymentKey, ev.Invoice, ev.Paid = funds.ActionPayment, inv.ID, inv.ID, true
		ev.GiftID = sd.Metadata["gift"]
		if sd.Subscription != nil {
			ev.Subscription = sd.Subscription.ID
		}
		ev.Amount, ev.Currency = inv.AmountPaid, strings.ToUpper(string(inv.Currency))
		// With API version basil an invoice names its payment intent only
		// in its payments, which events carry only when they are included;
		// otherwise the webhook asks (InvoicePaymentIntent).
		if inv.Payments != nil {
			ev.PaymentIntent = paidIntent(inv.Payments.Data)
		}
	case "charge.refunded":
		var ch stripe.Charge
		if err := json.Unmarshal(e.Data.Raw, &ch); err != nil {
			return bad(err)
		}
		ev.Action, ev.ReversalKey, ev.GiftID = funds.ActionRefund, "refund:"+ch.ID, ch.Metadata["gift"]
		ev.Amount, ev.Currency = ch.AmountRefunded, strings.ToUpper(string(ch.Currency))
		if ch.PaymentIntent != nil {
			ev.PaymentIntent = ch.PaymentIntent.ID
		}
	case "charge.dispute.created":
		var d stripe.Dispute
		if err := json.Unmarshal(e.Data.Raw, &d); err != nil {
			return bad(err)
		}
		ev.Action, ev.ReversalKey = funds.ActionDispute, "dispute:"+d.ID
		ev.Amount, ev.Currency = d.Amount, strings.ToUpper(string(d.Currency))
		if d.PaymentIntent != nil {
			ev.PaymentIntent = d.PaymentIntent.ID
		}
	default:
		return ev, nil
	}
	if ev.Action == funds.ActionPayment || ev.Action == funds.ActionRefund || ev.Action == funds.ActionDispute {
		if _, ok := funds.Exponent(ev.Currency); !ok {
			return bad(fmt.Errorf("unknown currency %q", ev.Currency))
		}
		if ev.Amount < 0 {
			return bad(errors.New("a negative amount"))
		}
	}
	return ev, nil
}
