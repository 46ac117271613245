package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"rollcall/internal/funds/stripepay/stripetest"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// stripeCheckout is where stripe-mock's Checkout sessions point.
const stripeCheckout = "https://checkout.stripe.com/"

// checkoutTab is openTab with Stripe's Checkout host answered inside the
// browser (the tests have no internet): the tab records that it went
// there, and sees a stand-in page.
func checkoutTab(t *testing.T, browser context.Context, js bool) *tab {
	t.Helper()
	tb := openTab(t, browser, js)
	err := chromedp.Listen(tb.ctx, func(ev any) {
		if ev, ok := ev.(*fetch.EventRequestPaused); ok {
			// Answered from a goroutine: a listener must not block.
			go chromedp.Call(tb.ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 200,
				ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}},
				Body:            []byte("<!doctype html><html lang=en><title>Checkout</title><h1>Stripe Checkout stand-in</h1></html>")})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tb.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: stripeCheckout + "*"}}}); err != nil {
		t.Fatal(err)
	}
	return tb
}

// A donor, with JavaScript on and off, types an amount, is sent to the
// (mock) Checkout page, comes back to the thank-you page, and reads the
// transparency page; no page loads anything from elsewhere or logs an
// error.
func TestBrowserDonation(t *testing.T) {
	browser, _ := browserSite(t)
	apiBase := stripetest.URL(t)
	st := storetest.Open(t, store.SQLite)
	site, _, _ := fundsSite(t, st, apiBase)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			tb := checkoutTab(t, browser, js)
			tb.navigate(t, srv.URL+"/en/donate/")
			tb.click(t, `a[href="/en/donate/legal-aid/"]`)
			page := tb.html(t)
			if !strings.Contains(page, "<progress") || !strings.Contains(page, "Lawyers for the detained") {
				t.Fatalf("campaign page:\n%s", page)
			}
			tb.check(t, srv.URL, "")
			tb.typeInto(t, "funds-other", "12.50")
			tb.screenshot(t, fmt.Sprintf("funds-campaign-js-%v", js))
			tb.click(t, `form[action$="/card"] button[type=submit]`)
			if loc := tb.location(t); !strings.HasPrefix(loc, stripeCheckout) {
				t.Fatalf("after the gift form the browser is at %s; want Stripe Checkout", loc)
			}
			if !strings.Contains(tb.html(t), "Stripe Checkout stand-in") {
				t.Fatal("the Checkout stand-in did not load")
			}
			// The one request off the origin is Checkout itself.
			tb.mu.Lock()
			tb.requests = nil
			tb.mu.Unlock()
			tb.navigate(t, srv.URL+"/en/donate/thanks/?session_id=cs_test_x")
			if h := tb.html(t); !strings.Contains(h, "Thank you for your gift") {
				t.Fatalf("thank-you page:\n%s", h)
			}
			tb.click(t, `a[href="/en/transparency/"]`)
			if h := tb.html(t); !strings.Contains(h, "Where the money went") || !strings.Contains(h, "monthly.csv") {
				t.Fatalf("transparency page:\n%s", h)
			}
			tb.screenshot(t, fmt.Sprintf("funds-transparency-js-%v", js))
			tb.check(t, srv.URL, "")
		})
	}
}
