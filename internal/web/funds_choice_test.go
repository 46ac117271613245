package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"rollcall/internal/funds"
	"rollcall/internal/funds/stripepay"
	"rollcall/internal/funds/stripepay/stripetest"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// keepsRequest is the real Stripe adapter that also keeps the last
// Checkout request, to follow its cancel address as the browser would.
type keepsRequest struct {
	fixedFee
	last *funds.CheckoutRequest
}

func (k keepsRequest) CreateCheckout(ctx context.Context, req funds.CheckoutRequest) (funds.Checkout, error) {
	*k.last = req
	return k.fixedFee.CreateCheckout(ctx, req)
}

func givingSite(t *testing.T, apiBase string) (*web.Server, *funds.CheckoutRequest) {
	t.Helper()
	st := storetest.Open(t, store.SQLite)
	site, _, _ := fundsSite(t, st, apiBase)
	last := &funds.CheckoutRequest{}
	proc := stripepay.New(stripepay.Config{Key: stripetest.Key, WebhookSecret: stripetest.Secret, APIBase: apiBase})
	site.EnableFunds(web.FundsConfig{Processors: []funds.Processor{keepsRequest{fixedFee{proc}, last}}, MaxAmount: 5000})
	return site, last
}

var (
	checkedPreset = regexp.MustCompile(`<input type="radio" name="amount" value="([^"]+)" checked>`)
	monthlyTicked = `<input type="checkbox" name="monthly" value="yes" checked>`
)

// A gift that fails keeps the amount and the interval: a refused amount
// and an unreachable payment service show the form again with the
// error summary first in the page (focused), the chosen preset or the
// typed amount and "monthly" as they were; coming back from the payment
// page without paying does the same through its address (never the name).
func TestFailedGiftKeepsAmountAndInterval(t *testing.T) {
	anon := (*session)(nil)
	summaryFirst := regexp.MustCompile(`<main id="main">\s*<div class="error-summary" id="errors" role="alert" tabindex="-1" autofocus`)

	// The payment service answers nothing useful (a path it does not have).
	down, _ := givingSite(t, stripetest.URL(t)+"/no-such-api")
	w := anon.post(t, down, "/ru/donate/legal-aid/card", url.Values{"amount": {"50"}, "monthly": {"yes"}, "show_name": {"yes"}, "name": {"Айгуль"}})
	body := w.Body.String()
	if w.Code != http.StatusBadGateway || !summaryFirst.MatchString(body) || !strings.Contains(body, "Платёжная система не ответила") {
		t.Fatalf("payment service down: %d, summary not first: %.600s", w.Code, body)
	}
	if m := checkedPreset.FindAllStringSubmatch(body, -1); len(m) != 1 || m[0][1] != "50" || !strings.Contains(body, monthlyTicked) {
		t.Errorf("after the service failed: presets checked %v, monthly ticked %v; want 50 and monthly", m, strings.Contains(body, monthlyTicked))
	}

	// A refused typed amount: it comes back as typed, no preset checked.
	w = anon.post(t, down, "/en/donate/legal-aid/card", url.Values{"amount": {"10"}, "amount_other": {"12.505"}, "monthly": {"yes"}})
	body = w.Body.String()
	if w.Code != http.StatusBadRequest || !summaryFirst.MatchString(body) || !strings.Contains(body, `<a href="#funds-other">Too many digits`) {
		t.Fatalf("refused amount: %d %.600s", w.Code, body)
	}
	if checkedPreset.MatchString(body) || !strings.Contains(body, `value="12.505"`) || !strings.Contains(body, monthlyTicked) {
		t.Error("the refused amount did not come back as typed with monthly ticked")
	}

	// Back from the payment page without paying.
	site, last := givingSite(t, stripetest.URL(t))
	for _, c := range []struct {
		form        url.Values
		preset      string
		typed       string
		wantMonthly bool
	}{
		{url.Values{"amount": {"50"}, "monthly": {"yes"}, "show_name": {"yes"}, "name": {"Secret Name"}}, "50", "", true},
		{url.Values{"amount": {"10"}, "amount_other": {"37.5"}}, "", "37.50", false},
	} {
		if w := anon.post(t, site, "/en/donate/legal-aid/card", c.form); w.Code != http.StatusSeeOther {
			t.Fatalf("gift: %d %s", w.Code, w.Body)
		}
		back, err := url.Parse(last.CancelURL)
		if err != nil || strings.Contains(last.CancelURL, "Secret") {
			t.Fatalf("cancel address %q (%v) carries the name or does not parse", last.CancelURL, err)
		}
		page := anon.get(t, site, back.RequestURI())
		body := page.Body.String()
		m := checkedPreset.FindAllStringSubmatch(body, -1)
		switch {
		case page.Code != http.StatusOK || !strings.Contains(body, "The payment was not made and nothing was charged"):
			t.Errorf("%s: %d, no word that nothing was paid", back.RequestURI(), page.Code)
		case c.preset != "" && (len(m) != 1 || m[0][1] != c.preset):
			t.Errorf("%s: presets checked %v, want %s", back.RequestURI(), m, c.preset)
		case c.typed != "" && (len(m) != 0 || !strings.Contains(body, `id="funds-other" name="amount_other" inputmode="decimal" maxlength="20" autocomplete="off" value="`+c.typed+`"`)):
			t.Errorf("%s: the typed amount %s did not come back (presets %v)", back.RequestURI(), c.typed, m)
		case strings.Contains(body, monthlyTicked) != c.wantMonthly:
			t.Errorf("%s: monthly ticked %v, want %v", back.RequestURI(), !c.wantMonthly, c.wantMonthly)
		}
	}
	// Forged values are ignored: not a preset, not an amount, not "yes".
	body = anon.get(t, site, "/en/donate/legal-aid/?amount=999&amount_other=%3Cb%3E&monthly=1&again=1").Body.String()
	if m := checkedPreset.FindAllStringSubmatch(body, -1); len(m) != 1 || m[0][1] != "25" || strings.Contains(body, monthlyTicked) || strings.Contains(body, "&lt;b&gt;") {
		t.Errorf("forged choice values were taken: presets %v", m)
	}
}
