package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
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
	tb := &tab{}
	var ctx context.Context
	listen := func(ev any) {
		tb.listen(ev)
		if ev, ok := ev.(*fetch.EventRequestPaused); ok {
			// Answered from a goroutine: a listener must not block.
			go chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 200,
				ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}},
				Body:            []byte("<!doctype html><html lang=en><title>Checkout</title><h1>Stripe Checkout stand-in</h1></html>")})
		}
	}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithListener(listen))
	t.Cleanup(cancel)
	tb.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: stripeCheckout + "*"}}}); err != nil {
		t.Fatal(err)
	}
	if !js {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
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
