package web_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/funds"
	"rollcall/internal/funds/stripepay"
	"rollcall/internal/funds/stripepay/stripetest"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// fixedFee is the processor with a known fee, so tests can see it booked
// apart; everything else is the real Stripe adapter.
type fixedFee struct{ *stripepay.Client }

func (fixedFee) PaymentFee(context.Context, string) (int64, string, error) {
	return 59, "txn_test", nil
}

// fundsSite is the site with the workspace and donations, over st, with
// one campaign (legal-aid, EUR, goal 1000.00). apiBase "" means no
// Stripe API calls are expected.
func fundsSite(t *testing.T, st *store.Store, apiBase string) (*web.Server, *auth.Service, funds.Campaign) {
	t.Helper()
	site, a := workspaceSite(t, st)
	proc := stripepay.New(stripepay.Config{Key: stripetest.Key, WebhookSecret: stripetest.Secret, APIBase: apiBase})
	site.EnableFunds(web.FundsConfig{Processors: []funds.Processor{fixedFee{proc}}, MaxAmount: 5000, BankDetails: "Holder: Rollcall Aid\nIBAN: DE00 0000 0000 0000 0000 00"})
	c, err := st.CreateCampaign(context.Background(), "setup", funds.Campaign{Slug: "legal-aid", Currency: "EUR", Goal: 100000, Starts: 20200101,
		Texts: map[string]funds.CampaignText{"en": {Title: "Lawyers for the detained", Body: "Every detained protester deserves a lawyer."},
			"ru": {Title: "Адвокаты для задержанных"}}})
	if err != nil {
		t.Fatal(err)
	}
	return site, a, c
}

func deliver(t *testing.T, site http.Handler, payload []byte, signature string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", signature)
	// Stripe is another origin, with no cookie and no form token.
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	w := httptest.NewRecorder()
	site.ServeHTTP(w, req)
	return w
}

// cardGiftSite is fundsSite on SQLite with a card gift of 25.00 EUR
// started, whose events the test sends.
func cardGiftSite(t *testing.T) (*web.Server, *store.Store, string) {
	t.Helper()
	st := storetest.Open(t, store.SQLite)
	site, _, c := fundsSite(t, st, "")
	gift, err := st.NewCardGift(context.Background(), c, funds.GiftCard, 2500, "")
	if err != nil {
		t.Fatal(err)
	}
	return site, st, gift
}

// Issue 14: a correctly signed event whose signature is dated more than
// five minutes from now, in either direction, is refused (400) and
// nothing is recorded; stripe-go alone refused only the old ones.
func TestWebhookRefusesTimestampsOutsideFiveMinutes(t *testing.T) {
	site, st, gift := cardGiftSite(t)
	ctx := context.Background()
	payload := stripetest.Event("evt_when", "checkout.session.completed", stripetest.Session("cs_when", gift, "payment", "paid", "pi_when", "eur", 2500))
	for name, at := range map[string]time.Time{
		"a day ahead":  time.Now().Add(24 * time.Hour),
		"6 min ahead":  time.Now().Add(6 * time.Minute),
		"6 min behind": time.Now().Add(-6 * time.Minute),
		"a day behind": time.Now().Add(-24 * time.Hour),
		"a year ahead": time.Now().AddDate(1, 0, 0),
	} {
		if w := deliver(t, site, payload, stripetest.Sign(payload, stripetest.Secret, at)); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, w.Code, w.Body)
		}
	}
	if b, _ := st.LedgerBalances(ctx); len(b) != 0 {
		t.Fatalf("refused deliveries booked money: %v", b)
	}
	// Within five minutes either way (clocks drift) it is taken.
	if w := deliver(t, site, payload, stripetest.Sign(payload, stripetest.Secret, time.Now().Add(4*time.Minute))); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != store.EventApplied {
		t.Fatalf("4 minutes ahead: %d %q", w.Code, w.Body)
	}
}

func TestWebhookVerifiesAndAppliesOnce(t *testing.T) {
	site, st, gift := cardGiftSite(t)
	ctx := context.Background()
	payload := stripetest.Event("evt_paid", "checkout.session.completed", stripetest.Session("cs_paid", gift, "payment", "paid", "pi_paid", "eur", 2500))
	good := stripetest.Sign(payload, stripetest.Secret, time.Now())

	for name, sig := range map[string]string{
		"unsigned":       "",
		"forged":         stripetest.Sign(payload, "whsec_forger", time.Now()),
		"stale":          stripetest.Sign(payload, stripetest.Secret, time.Now().Add(-301*time.Second)),
		"other body sig": stripetest.Sign([]byte("{}"), stripetest.Secret, time.Now()),
	} {
		if w := deliver(t, site, payload, sig); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, w.Code, w.Body)
		}
	}
	tampered := bytes.Replace(payload, []byte(`"amount_total":2500`), []byte(`"amount_total":9500`), 1)
	if w := deliver(t, site, tampered, good); w.Code != http.StatusBadRequest {
		t.Errorf("a body changed after signing: %d", w.Code)
	}
	malformed := []byte(`{"id":"evt_x","type":"checkout.session.completed","data":`)
	if w := deliver(t, site, malformed, stripetest.Sign(malformed, stripetest.Secret, time.Now())); w.Code != http.StatusBadRequest {
		t.Errorf("malformed JSON: %d", w.Code)
	}
	big := append([]byte(`{"id":"evt_big","pad":"`), bytes.Repeat([]byte("a"), 70<<10)...)
	big = append(big, `"}`...)
	if w := deliver(t, site, big, stripetest.Sign(big, stripetest.Secret, time.Now())); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 70 KB body: %d", w.Code)
	}
	if b, _ := st.LedgerBalances(ctx); len(b) != 0 {
		t.Fatalf("refused deliveries booked money: %v", b)
	}

	// The real delivery, and Stripe's retry of it.
	if w := deliver(t, site, payload, good); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != store.EventApplied {
		t.Fatalf("the signed event: %d %q (an earlier refused delivery must not have recorded it)", w.Code, w.Body)
	}
	if w := deliver(t, site, payload, stripetest.Sign(payload, stripetest.Secret, time.Now())); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != store.EventDuplicate {
		t.Fatalf("the retry: %d %q", w.Code, w.Body)
	}
	b, _ := st.LedgerBalances(ctx)
	want := map[funds.BalanceKey]int64{
		{Account: funds.AccountIncome("legal-aid"), Currency: "EUR"}: -2500,
		{Account: funds.AccountProcessor("stripe"), Currency: "EUR"}: 2500 - 59,
		{Account: funds.AccountFees("stripe"), Currency: "EUR"}:      59,
	}
	for k, v := range want {
		if b[k] != v {
			t.Errorf("%v = %d; want %d (all: %v)", k, b[k], v, b)
		}
	}
	// Another event type is acknowledged and ignored.
	other := stripetest.Event("evt_cust", "customer.created", map[string]any{"id": "cus_1", "object": "customer"})
	if w := deliver(t, site, other, stripetest.Sign(other, stripetest.Secret, time.Now())); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != store.EventIgnored {
		t.Errorf("other type: %d %q", w.Code, w.Body)
	}

	// The public page counts it, and names nobody: the donor did not opt in,
	// and what Stripe returned (name, e-mail) is never shown.
	page := (*session)(nil).get(t, site, "/en/donate/legal-aid/")
	body := page.Body.String()
	for _, want := range []string{"25.00\u00a0EUR raised of 1,000.00\u00a0EUR", "1 donor", `<progress max="100000" value="2500"`} {
		if !strings.Contains(body, want) {
			t.Errorf("campaign page lacks %q", want)
		}
	}
	for _, secret := range []string{"Donor Name", "donor@example.org"} {
		if strings.Contains(body, secret) {
			t.Errorf("the campaign page shows %q", secret)
		}
	}
	if regexp.MustCompile(`\sstyle=`).MatchString(body) {
		t.Error("an inline style attribute: the CSP forbids it")
	}
}

func TestUnknownSessionIsAnAnomalyForTheTreasurer(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a, _ := fundsSite(t, st, "")
	payload := stripetest.Event("evt_stranger", "checkout.session.completed", stripetest.Session("cs_stranger", "", "payment", "paid", "pi_s", "eur", 777))
	if w := deliver(t, site, payload, stripetest.Sign(payload, stripetest.Secret, time.Now())); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != store.EventAnomaly {
		t.Fatalf("unknown session: %d %q", w.Code, w.Body)
	}
	tr := signIn(t, site, a, auth.Treasurer)
	w := tr.get(t, site, "/admin/funds/")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "evt_stranger") || !strings.Contains(w.Body.String(), "7.77 EUR") {
		t.Fatalf("the treasurer's page does not show the anomaly: %d", w.Code)
	}
}

func TestCardGiftGoesToCheckout(t *testing.T) {
	base := stripetest.URL(t)
	st := storetest.Open(t, store.SQLite)
	site, _, _ := fundsSite(t, st, base)
	anon := (*session)(nil)

	page := anon.get(t, site, "/ru/donate/legal-aid/")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "Адвокаты для задержанных") || !strings.Contains(page.Body.String(), `action="/ru/donate/legal-aid/card"`) {
		t.Fatalf("campaign page: %d", page.Code)
	}
	// Browsers hold the redirect after a form post to the form page's
	// form-action: Checkout must be in it, and nothing else.
	if csp := page.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://checkout.stripe.com;") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("campaign page's policy: %s", csp)
	}
	w := anon.post(t, site, "/ru/donate/legal-aid/card", url.Values{"amount": {"25"}, "monthly": {"yes"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "https://") {
		t.Fatalf("gift: %d Location %q %s", w.Code, w.Header().Get("Location"), w.Body)
	}
	w = anon.post(t, site, "/en/donate/legal-aid/card", url.Values{"amount": {"10"}, "amount_other": {"12.50"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "https://") {
		t.Fatalf("typed amount: %d %q", w.Code, w.Header().Get("Location"))
	}

	// Bad amounts: a plain message in the page's language, and no gift.
	for _, c := range []struct{ lang, amount, want string }{
		{"en", "12.505", "Too many digits after the decimal point: EUR has 2."},
		{"en", "0", "The amount must be more than zero."},
		{"en", "-5", "The amount must be more than zero."},
		{"en", "5000.01", "The most we can take at once is 5,000.00\u00a0EUR."},
		{"en", "lots", "Give the amount as a number"},
		{"ru", "0", "Сумма должна быть больше нуля."},
		{"uz", "9999999", "Bir martada eng koʻpi 5\u00a0000,00\u00a0EUR qabul qilinadi."},
	} {
		w := anon.post(t, site, "/"+c.lang+"/donate/legal-aid/card", url.Values{"amount_other": {c.amount}})
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("%s %q: %d; want 400 saying %q", c.lang, c.amount, w.Code, c.want)
		}
	}
	// A form from another site is refused before anything happens.
	req := httptest.NewRequest(http.MethodPost, "/en/donate/legal-aid/card", strings.NewReader("amount=25"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	site.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-site gift form: %d", rec.Code)
	}
	if w := anon.post(t, site, "/en/donate/no-such-campaign/card", url.Values{"amount": {"25"}}); w.Code != http.StatusNotFound {
		t.Errorf("unknown campaign: %d", w.Code)
	}
	thanks := anon.get(t, site, "/kaa/donate/thanks/?session_id=cs_test_123")
	if thanks.Code != http.StatusOK || !strings.Contains(thanks.Body.String(), "Raxmet") || strings.Contains(thanks.Body.String(), "cs_test_123") {
		t.Errorf("thank-you page: %d", thanks.Code)
	}
}

func TestBankPledgeAndTwoTreasurers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		site, a, _ := fundsSite(t, st, "")
		anon := (*session)(nil)
		// The pledge page is the answer to the form, never an address
		// holding the reference (a browser's history would keep it).
		pledge := anon.post(t, site, "/en/donate/legal-aid/pledge", url.Values{"amount_other": {"40"}})
		ref := regexp.MustCompile(`RC-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(pledge.Body.String())
		if pledge.Code != http.StatusOK || pledge.Header().Get("Location") != "" || ref == "" || !strings.Contains(pledge.Body.String(), "IBAN: DE00") ||
			!strings.Contains(pledge.Body.String(), "40.00\u00a0EUR") || !strings.Contains(pledge.Body.String(), "Lawyers for the detained") {
			t.Fatalf("pledge page: %d %q\n%s", pledge.Code, pledge.Header().Get("Location"), pledge.Body)
		}
		if cc := pledge.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("the pledge page may be cached: Cache-Control %q", cc)
		}
		if w := anon.get(t, site, "/en/donate/pledge/"+ref+"/"); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), ref) {
			t.Errorf("the pledge is still shown at an address: %d", w.Code)
		}

		alice, bob := signIn(t, site, a, auth.Treasurer), signIn(t, site, a, auth.Treasurer)
		statement := "Date;Amount;Currency;Reference\n2026-11-05;40,00;EUR;Spende " + strings.ToLower(ref) + "\n2026-11-05;15,00;EUR;no code here\n"
		w := alice.post(t, site, "/admin/funds/statement", url.Values{"statement": {statement}})
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Incoming rows: 2; transfers entered: 1.") || !strings.Contains(w.Body.String(), "line 3 (2026-11-05, 15.00\u00a0EUR): no reference code") {
			t.Fatalf("statement: %d\n%s", w.Code, w.Body)
		}
		rs, _ := st.Receipts(context.Background())
		if len(rs) != 1 {
			t.Fatalf("receipts %+v", rs)
		}
		w = alice.post(t, site, "/admin/funds/receipts/"+rs[0].ID+"/confirm", nil)
		if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "a second treasurer must confirm") {
			t.Fatalf("self-confirmation: %d", w.Code)
		}
		if p := anon.get(t, site, "/en/donate/legal-aid/"); !strings.Contains(p.Body.String(), "0.00\u00a0EUR raised") {
			t.Fatal("an unconfirmed transfer was counted")
		}
		if w := bob.post(t, site, "/admin/funds/receipts/"+rs[0].ID+"/confirm", nil); w.Code != http.StatusSeeOther {
			t.Fatalf("confirmation: %d %s", w.Code, w.Body)
		}
		if p := anon.get(t, site, "/en/donate/legal-aid/"); !strings.Contains(p.Body.String(), "40.00\u00a0EUR raised") {
			t.Fatal("the confirmed transfer is not counted")
		}

		// Crypto, entered by bob, confirmed by alice.
		w = bob.post(t, site, "/admin/funds/crypto", url.Values{"campaign": {"legal-aid"}, "asset": {"BTC"}, "asset_amount": {"0.001"},
			"txid": {"4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"}, "value": {"60"}, "day": {"2026-11-06"}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("crypto: %d %s", w.Code, w.Body)
		}
		rs, _ = st.Receipts(context.Background())
		if w := alice.post(t, site, "/admin/funds/receipts/"+rs[0].ID+"/confirm", nil); w.Code != http.StatusSeeOther {
			t.Fatalf("crypto confirmation: %d", w.Code)
		}

		// A disbursement: proposed by alice, refused to alice, approved by bob.
		w = alice.post(t, site, "/admin/funds/disbursements", url.Values{"campaign": {"legal-aid"}, "category": {"lawyers"}, "amount": {"70"},
			"day": {"2026-11-20"}, "payee": {"Advocate Canary Qurbanov"}, "memo": {"appeal hearing"}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("propose: %d %s", w.Code, w.Body)
		}
		ds, _ := st.Disbursements(context.Background(), "test")
		if w := alice.post(t, site, "/admin/funds/disbursements/"+ds[0].ID+"/approve", nil); w.Code != http.StatusConflict {
			t.Fatalf("approval by the proposer: %d", w.Code)
		}
		if w := bob.post(t, site, "/admin/funds/disbursements/"+ds[0].ID+"/approve", nil); w.Code != http.StatusSeeOther {
			t.Fatalf("approval: %d %s", w.Code, w.Body)
		}
		if w := bob.post(t, site, "/admin/funds/disbursements/"+"0190aaaa-0000-7000-8000-000000000000"+"/approve", nil); w.Code != http.StatusNotFound {
			t.Errorf("approving a disbursement that does not exist: %d", w.Code)
		}
		if w := bob.post(t, site, "/admin/funds/disbursements", url.Values{"campaign": {"legal-aid"}, "category": {"lawyers"}, "amount": {"1.001"}, "day": {"2026-11-20"}, "payee": {"x"}}); w.Code != http.StatusBadRequest {
			t.Errorf("an amount with three decimals in EUR: %d", w.Code)
		}

		// The transparency page and CSV: the category and the month, never
		// the payee.
		tp := anon.get(t, site, "/en/transparency/")
		body := tp.Body.String()
		for _, want := range []string{"100.00\u00a0EUR raised of 1,000.00\u00a0EUR", "2 donors", "Lawyers", "70.00\u00a0EUR", "2026-11"} {
			if !strings.Contains(body, want) {
				t.Errorf("transparency page lacks %q", want)
			}
		}
		csvBody := anon.get(t, site, "/en/transparency/monthly.csv").Body.String()
		if csvBody != "month,line,currency,amount\n2026-11,income,EUR,100.00\n2026-11,lawyers,EUR,70.00\n" {
			t.Errorf("monthly CSV:\n%s", csvBody)
		}
		for _, p := range []string{"/en/transparency/", "/en/donate/legal-aid/", "/en/transparency/monthly.csv", "/en/donate/"} {
			if b := anon.get(t, site, p).Body.String(); strings.Contains(b, "Canary") || strings.Contains(b, "appeal hearing") {
				t.Errorf("%s names the payee", p)
			}
		}
		// The treasurer sees the payee; an editor sees no money page.
		if w := bob.get(t, site, "/admin/funds/"); !strings.Contains(w.Body.String(), "Advocate Canary Qurbanov") {
			t.Error("the treasurer's page does not show the payee")
		}
		ed := signIn(t, site, a, auth.Editor)
		if w := ed.get(t, site, "/admin/funds/"); w.Code != http.StatusForbidden {
			t.Errorf("an editor opened the money page: %d", w.Code)
		}
		if w := ed.post(t, site, "/admin/funds/crypto", url.Values{}); w.Code != http.StatusForbidden {
			t.Errorf("an editor entered money: %d", w.Code)
		}
	})
}

func TestTreasurerCreatesCampaign(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a, _ := fundsSite(t, st, "")
	tr := signIn(t, site, a, auth.Treasurer)
	form := url.Values{"slug": {"families"}, "currency": {"kwd"}, "goal": {"1500.250"}, "starts": {"2026-12-01"}, "title_en": {"Support for families"}, "title_kaa": {"Shańaraqlarǵa járdem"}}
	if w := tr.post(t, site, "/admin/funds/campaigns", form); w.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	if w := tr.post(t, site, "/admin/funds/campaigns", form); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "exists already") {
		t.Errorf("the same name twice: %d", w.Code)
	}
	p := (*session)(nil).get(t, site, "/kaa/donate/families/")
	if p.Code != http.StatusOK || !strings.Contains(p.Body.String(), "Shańaraqlarǵa járdem") || !strings.Contains(p.Body.String(), "1\u00a0500,250\u00a0KWD") {
		t.Fatalf("new campaign page: %d", p.Code)
	}
	bad := url.Values{"slug": {"x y"}, "currency": {"EUR"}, "goal": {"10"}, "starts": {"2026-12-01"}, "title_en": {"t"}}
	if w := tr.post(t, site, "/admin/funds/campaigns", bad); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "lower-case letters") {
		t.Errorf("a bad short name: %d", w.Code)
	}
}

// A campaign takes gifts only between its dates.
func TestEndedCampaignTakesNoGifts(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, _, _ := fundsSite(t, st, "")
	if _, err := st.CreateCampaign(context.Background(), "setup", funds.Campaign{Slug: "old", Currency: "EUR", Goal: 100, Starts: 20220701, Ends: 20221231,
		Texts: map[string]funds.CampaignText{"en": {Title: "Old appeal"}}}); err != nil {
		t.Fatal(err)
	}
	anon := (*session)(nil)
	p := anon.get(t, site, "/en/donate/old/")
	if p.Code != http.StatusOK || !strings.Contains(p.Body.String(), "This campaign ended on 2022-12-31") || strings.Contains(p.Body.String(), `action="/en/donate/old/card"`) {
		t.Fatalf("ended campaign page: %d", p.Code)
	}
	for _, path := range []string{"/en/donate/old/card", "/en/donate/old/pledge"} {
		if w := anon.post(t, site, path, url.Values{"amount": {"25"}}); w.Code != http.StatusNotFound {
			t.Errorf("%s on an ended campaign: %d", path, w.Code)
		}
	}
	if p := anon.get(t, site, "/en/donate/legal-aid/"); !strings.Contains(p.Body.String(), `action="/en/donate/legal-aid/card"`) {
		t.Error("the running campaign offers no card form")
	}
}

// A client starting gift after gift is slowed down, with a plain message.
func TestManyGiftsAreSlowedDown(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, _, _ := fundsSite(t, st, "")
	anon := (*session)(nil)
	for i := 0; i < 20; i++ {
		if w := anon.post(t, site, "/en/donate/legal-aid/pledge", url.Values{"amount_other": {"5"}}); w.Code != http.StatusOK {
			t.Fatalf("pledge %d: %d", i+1, w.Code)
		}
	}
	w := anon.post(t, site, "/ru/donate/legal-aid/pledge", url.Values{"amount_other": {"5"}})
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "Подождите минуту") {
		t.Fatalf("the 21st pledge: %d %q", w.Code, w.Header().Get("Retry-After"))
	}
}

// monthlyEvents are the signed-to-be payloads of a monthly gift whose
// invoice event does not carry its payment intent (API version basil):
// the session, the invoice, a refund growing in two steps and a dispute,
// the reversals naming only intent.
func monthlyEvents(gift, intent string) [][]byte {
	invoice := map[string]any{"id": "in_m", "object": "invoice", "amount_paid": 1500, "currency": "eur",
		"parent": map[string]any{"type": "subscription_details", "subscription_details": map[string]any{"subscription": "sub_cs_m", "metadata": map[string]any{"gift": gift}}}}
	refund := func(total int64) map[string]any {
		return map[string]any{"id": "ch_m", "object": "charge", "amount": 1500, "amount_refunded": total, "currency": "eur", "payment_intent": intent}
	}
	return [][]byte{
		stripetest.Event("evt_m_session", "checkout.session.completed", stripetest.Session("cs_m", gift, "subscription", "paid", "", "eur", 1500)),
		stripetest.Event("evt_m_invoice", "invoice.paid", invoice),
		stripetest.Event("evt_m_refund_1", "charge.refunded", refund(500)),
		stripetest.Event("evt_m_refund_2", "charge.refunded", refund(700)),
		stripetest.Event("evt_m_dispute", "charge.dispute.created", map[string]any{"id": "dp_m", "object": "dispute", "amount": 300, "currency": "eur", "payment_intent": intent, "charge": "ch_m"}),
	}
}

// A monthly gift's refunds and disputes are booked against it, whatever
// the order the events come in and however often: the webhook asks
// stripe-mock which payment intent paid the invoice.
func TestMonthlyRefundsFindTheirInvoice(t *testing.T) {
	api := stripetest.URL(t)
	intent, err := stripepay.New(stripepay.Config{Key: stripetest.Key, APIBase: api}).InvoicePaymentIntent(context.Background(), "in_m")
	if err != nil || !strings.HasPrefix(intent, "pi_") {
		t.Fatalf("stripe-mock's payment intent of an invoice: %q %v", intent, err)
	}
	for _, d := range storetest.Dialects {
		for seed := int64(0); seed < 4; seed++ {
			t.Run(fmt.Sprintf("%s/order%d", d, seed), func(t *testing.T) {
				// stripe-mock names one payment intent for every invoice:
				// one gift per store.
				st := storetest.Open(t, d)
				site, a, c := fundsSite(t, st, api)
				ctx := context.Background()
				gift, err := st.NewCardGift(ctx, c, funds.GiftCardMonthly, 1500, "")
				if err != nil {
					t.Fatal(err)
				}
				evs := monthlyEvents(gift, intent)
				if seed > 0 {
					// Shuffled, and some delivered twice.
					rng := rand.New(rand.NewSource(seed))
					rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
					evs = append(evs, evs[:2]...)
					rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
				}
				for _, e := range evs {
					if w := deliver(t, site, e, stripetest.Sign(e, stripetest.Secret, time.Now())); w.Code != http.StatusOK {
						t.Fatalf("%s: %d %s", e[:40], w.Code, w.Body)
					}
				}
				b, _ := st.LedgerBalances(ctx)
				want := map[funds.BalanceKey]int64{
					{Account: funds.AccountIncome("legal-aid"), Currency: "EUR"}: -(1500 - 700 - 300),
					{Account: funds.AccountProcessor("stripe"), Currency: "EUR"}: 1500 - 700 - 300 - 59,
					{Account: funds.AccountFees("stripe"), Currency: "EUR"}:      59,
				}
				for k, v := range want {
					if b[k] != v {
						t.Errorf("%v = %d; want %d (all: %v)", k, b[k], v, b)
					}
				}
				if as, err := st.FundAnomalies(ctx); err != nil || len(as) != 0 {
					t.Errorf("anomalies left: %+v %v", as, err)
				}
				tr := signIn(t, site, a, auth.Treasurer)
				if w := tr.get(t, site, "/admin/funds/"); strings.Contains(w.Body.String(), intent) {
					t.Error("the treasurer's page still lists a reversal of the monthly gift as an anomaly")
				}
			})
		}
	}
}

// When Stripe cannot say which payment paid an invoice, the event is
// refused with 500 and nothing is kept, so Stripe's retry is applied in
// full (not taken for a duplicate).
func TestInvoiceWithoutIntentIsRetried(t *testing.T) {
	api := stripetest.URL(t)
	st := storetest.Open(t, store.SQLite)
	site, _, c := fundsSite(t, st, "http://127.0.0.1:1")
	ctx := context.Background()
	gift, _ := st.NewCardGift(ctx, c, funds.GiftCardMonthly, 1500, "")
	invoice := monthlyEvents(gift, "pi_unused")[1]
	if w := deliver(t, site, invoice, stripetest.Sign(invoice, stripetest.Secret, time.Now())); w.Code != http.StatusInternalServerError {
		t.Fatalf("the invoice with Stripe unreachable: %d %s", w.Code, w.Body)
	}
	if b, _ := st.LedgerBalances(ctx); len(b) != 0 {
		t.Fatalf("booked without its payment intent: %v", b)
	}
	site.EnableFunds(web.FundsConfig{Processors: []funds.Processor{fixedFee{stripepay.New(stripepay.Config{Key: stripetest.Key, WebhookSecret: stripetest.Secret, APIBase: api})}}})
	if w := deliver(t, site, invoice, stripetest.Sign(invoice, stripetest.Secret, time.Now())); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != store.EventApplied {
		t.Fatalf("Stripe's retry: %d %q", w.Code, w.Body)
	}
	ps, err := st.BookedPayments(ctx, 0, 99991231)
	if err != nil || len(ps) != 1 || !strings.HasPrefix(ps[0].PaymentIntent, "pi_") || ps[0].Booked != 1500 {
		t.Fatalf("the invoice's payment: %+v %v", ps, err)
	}
}

// A treasurer reading Russian gets the statement report and the refusals
// in Russian, English nowhere.
func TestTreasurerMessagesInRussian(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		site, a, _ := fundsSite(t, st, "")
		pledge := (*session)(nil).post(t, site, "/en/donate/legal-aid/pledge", url.Values{"amount_other": {"40"}})
		ref := regexp.MustCompile(`RC-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(pledge.Body.String())
		if ref == "" {
			t.Fatalf("no reference on the pledge page: %d", pledge.Code)
		}
		alice := signIn(t, site, a, auth.Treasurer)
		statement := "Дата;Сумма;Валюта;Назначение\n" +
			"2026-11-05;40,00;EUR;" + ref + "\n" + // entered
			"2026-11-05;40,00;EUR;again " + ref + "\n" + // the same transfer twice
			"2026-11-06;15,00;EUR;no code here\n" +
			"2026-11-07;15,00;EUR;RC-ZZZZ-ZZZZ\n" + // no such pledge
			"2026-11-08;10,00;USD;" + ref + "\n" + // another currency
			"31.02.2026;5,00;EUR;x\n" +
			"2026-11-09;5,00;ZZZ;x\n" +
			"2026-11-09;5,001;EUR;x\n"
		w := alice.postIn(t, site, "ru", "/admin/funds/statement", url.Values{"statement": {statement}})
		body := w.Body.String()
		for _, want := range []string{
			"Входящих строк: 5; внесено переводов: 1.",
			"строка 2 (2026-11-05, 40,00\u00a0EUR): " + ref + ": внесено, ждёт подтверждения",
			"строка 3 (2026-11-05, 40,00\u00a0EUR): " + ref + ": Этот перевод или эта транзакция уже внесены.",
			"строка 4 (2026-11-06, 15,00\u00a0EUR): кода нет; сопоставьте вручную",
			"строка 5 (2026-11-07, 15,00\u00a0EUR): RC-ZZZZ-ZZZZ: Обещания с таким кодом нет.",
			"строка 6 (2026-11-08, 10,00\u00a0USD): " + ref + ": Перевод пришёл в другой валюте",
			"строка 7: дату не прочесть",
			"строка 8: Неизвестная валюта",
			"строка 9: Слишком много знаков после запятой: у EUR их 2.",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the Russian report lacks %q", want)
			}
		}
		if !strings.Contains(reportOf(body), "<li>") {
			t.Fatalf("no report on the page: %d\n%s", w.Code, body)
		}
		for _, english := range []string{"line ", "entered", "no reference", "pledge", "unknown currency", "decimal point"} {
			if strings.Contains(strings.ToLower(reportOf(body)), english) {
				t.Errorf("the Russian report says %q:\n%s", english, reportOf(body))
			}
		}

		for _, c := range []struct {
			path string
			form url.Values
			want string
		}{
			{"/admin/funds/bank", url.Values{"reference": {"nothing"}, "amount": {"5"}, "day": {"2026-11-05"}}, "В указанном нет кода (RC-XXXX-XXXX)."},
			{"/admin/funds/bank", url.Values{"reference": {ref}, "amount": {"5"}, "day": {"5 November"}}, "Пишите даты как ГГГГ-ММ-ДД."},
			{"/admin/funds/crypto", url.Values{"campaign": {"legal-aid"}, "asset": {"DOGE"}, "asset_amount": {"1"}, "txid": {"abcdefgh12"}, "value": {"5"}, "day": {"2026-11-05"}},
				"Неизвестная криптовалюта: допустимы BTC, ETH"},
			{"/admin/funds/disbursements", url.Values{"campaign": {"legal-aid"}, "category": {"lawyers"}, "amount": {"5"}, "day": {"2026-11-05"}},
				"Укажите, кому платим"},
			{"/admin/funds/campaigns", url.Values{"slug": {"legal-aid"}, "currency": {"EUR"}, "goal": {"100"}, "starts": {"2026-11-01"}, "title_en": {"Again"}},
				"Кампания с таким коротким именем уже есть."},
		} {
			w := alice.postIn(t, site, "ru", c.path, c.form)
			if w.Code < 400 || !strings.Contains(w.Body.String(), c.want) {
				t.Errorf("%s %v: %d, lacks %q", c.path, c.form, w.Code, c.want)
			}
		}
		// The anomalies are described in Russian too.
		stranger := stripetest.Event("evt_stranger", "checkout.session.completed", stripetest.Session("cs_stranger", "", "payment", "paid", "pi_s", "eur", 777))
		early := stripetest.Event("evt_early", "charge.refunded", map[string]any{"id": "ch_e", "object": "charge", "amount": 900, "amount_refunded": 900, "currency": "eur", "payment_intent": "pi_early"})
		for _, e := range [][]byte{stranger, early} {
			if w := deliver(t, site, e, stripetest.Sign(e, stripetest.Secret, time.Now())); w.Code != http.StatusOK {
				t.Fatalf("event: %d", w.Code)
			}
		}
		req := httptest.NewRequest(http.MethodGet, "/admin/funds/", nil)
		req.Header.Set("Accept-Language", "ru")
		req.AddCookie(alice.Cookie)
		page := httptest.NewRecorder()
		site.ServeHTTP(page, req)
		for _, want := range []string{"Платёж не по нашему пожертвованию (сессия Checkout / подписка: сумма): cs_stranger / ?: 7.77 EUR",
			"Возврат или спор по платежу pi_early, который ещё не поступил."} {
			if !strings.Contains(page.Body.String(), want) {
				t.Errorf("the Russian treasurer's page lacks %q", want)
			}
		}

		rs, _ := st.Receipts(context.Background())
		if len(rs) != 1 {
			t.Fatalf("receipts entered: %+v", rs)
		}
		if w := alice.postIn(t, site, "ru", "/admin/funds/receipts/"+rs[0].ID+"/confirm", url.Values{}); w.Code != http.StatusConflict ||
			!strings.Contains(w.Body.String(), "второй казначей") && !strings.Contains(w.Body.String(), "другой казначей") {
			t.Errorf("self-confirmation in Russian: %d", w.Code)
		}
	})
}

// reportOf is the statement report's list on the treasurer's page.
func reportOf(body string) string {
	_, after, _ := strings.Cut(body, `id="tr-report"`)
	report, _, _ := strings.Cut(after, "</ul>")
	return report
}

// acme is a second processor: Stripe's adapter under another name, so a
// test can sign its events as stripe-mock would.
type acme struct{ fixedFee }

func (acme) Name() string { return "acme" }

// Processors are plural: each answers at /webhooks/{its name}, its events
// are booked to its own accounts, and a processor we do not have is 404.
func TestWebhookPerProcessor(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, _, c := fundsSite(t, st, "")
	proc := fixedFee{stripepay.New(stripepay.Config{Key: stripetest.Key, WebhookSecret: stripetest.Secret})}
	site.EnableFunds(web.FundsConfig{Processors: []funds.Processor{proc, acme{proc}}})
	ctx := context.Background()
	post := func(path string, payload []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Stripe-Signature", stripetest.Sign(payload, stripetest.Secret, time.Now()))
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		w := httptest.NewRecorder()
		site.ServeHTTP(w, req)
		return w
	}
	for i, name := range []string{"stripe", "acme"} {
		gift, err := st.NewCardGift(ctx, c, funds.GiftCard, 1000, "")
		if err != nil {
			t.Fatal(err)
		}
		// The same event id from both: each processor's ids are its own.
		payload := stripetest.Event("evt_same", "checkout.session.completed", stripetest.Session("cs_"+name, gift, "payment", "paid", "pi_"+name, "eur", int64(1000*(i+1))))
		if w := post("/webhooks/"+name, payload); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != store.EventApplied {
			t.Fatalf("%s: %d %q", name, w.Code, w.Body)
		}
	}
	if w := post("/webhooks/other", stripetest.Event("evt_o", "customer.created", map[string]any{"id": "cus_1", "object": "customer"})); w.Code != http.StatusNotFound {
		t.Errorf("a processor we do not have: %d", w.Code)
	}
	b, _ := st.LedgerBalances(ctx)
	for k, v := range map[funds.BalanceKey]int64{
		{Account: "assets:stripe", Currency: "EUR"}: 1000 - 59, {Account: "fees:stripe", Currency: "EUR"}: 59,
		{Account: "assets:acme", Currency: "EUR"}: 2000 - 59, {Account: "fees:acme", Currency: "EUR"}: 59,
		{Account: funds.AccountIncome("legal-aid"), Currency: "EUR"}: -3000,
	} {
		if b[k] != v {
			t.Errorf("%v = %d; want %d (all: %v)", k, b[k], v, b)
		}
	}
}
