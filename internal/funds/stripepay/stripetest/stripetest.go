// Package stripetest finds Stripe's stripe-mock for tests (started by
// scripts/stripe-mock-up on 127.0.0.1:12111) and signs test webhooks.
package stripetest

import (
	"encoding/json"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

// Addr is where scripts/stripe-mock-up starts stripe-mock (HTTP).
const Addr = "127.0.0.1:12111"

// Key is any test key: stripe-mock accepts every sk_test_ key.
const Key = "sk_test_rollcall"

// Secret signs test webhooks.
const Secret = "whsec_rollcall_test"

// Required says whether stripe-mock must be there (CI sets
// ROLLCALL_REQUIRE_STRIPE_MOCK=1 after scripts/stripe-mock-up).
func Required() bool { return os.Getenv("ROLLCALL_REQUIRE_STRIPE_MOCK") == "1" }

// URL returns stripe-mock's base URL, skipping the test when it does not
// answer, or failing it when it is required.
func URL(t testing.TB) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", Addr, time.Second)
	if err != nil {
		if Required() {
			t.Fatalf("stripe-mock does not answer on %s (ROLLCALL_REQUIRE_STRIPE_MOCK=1): run scripts/stripe-mock-up", Addr)
		}
		t.Skipf("stripe-mock does not answer on %s: run scripts/stripe-mock-up (or set ROLLCALL_REQUIRE_STRIPE_MOCK=1 to fail instead)", Addr)
	}
	c.Close()
	return "http://" + Addr
}

// Sign signs a webhook payload as Stripe would at time at, and returns
// the Stripe-Signature header.
func Sign(payload []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}

// Event is the JSON of a webhook event of type typ carrying object, in
// the API version the library expects.
func Event(id, typ string, object map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": typ, "api_version": stripe.APIVersion, "created": time.Now().Unix(),
		"livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": object},
	})
	if err != nil {
		panic(err)
	}
	return b
}

// Session is a Checkout session object as its events carry it.
func Session(id, giftID, mode, paymentStatus, intent, currency string, amount int64) map[string]any {
	o := map[string]any{"id": id, "object": "checkout.session", "client_reference_id": giftID, "mode": mode,
		"payment_status": paymentStatus, "amount_total": amount, "currency": currency, "metadata": map[string]any{"gift": giftID},
		"customer_details": map[string]any{"email": "donor@example.org", "name": "Donor Name"}}
	if intent != "" {
		o["payment_intent"] = intent
	}
	if mode == "subscription" {
		o["subscription"] = "sub_" + id
	}
	return o
}
