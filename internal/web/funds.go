package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/funds"
	"rollcall/internal/registry"
	"rollcall/internal/safecsv"
	"rollcall/internal/store"
)

// FundsConfig is how donations are taken.
type FundsConfig struct {
	// Processors are the card processors: each answers its events at
	// /webhooks/NAME (its Name), and the first takes the card gifts of
	// the campaign pages. None leaves only bank and crypto gifts, and
	// every webhook answers 404.
	Processors []funds.Processor
	// MaxAmount is the largest gift taken at once, in whole units of the
	// campaign's currency (10000 when 0).
	MaxAmount int64
	// Presets are the amounts offered as buttons, as typed ("10", "25").
	Presets []string
	// BankDetails is what a donor writes on a bank transfer besides the
	// reference (holder, IBAN, BIC); no bank gifts are offered without it.
	BankDetails string
}

type fundsSite struct {
	mu  sync.RWMutex
	cfg FundsConfig
	// gifts slows a client that starts many gifts (each is a row, and a
	// Checkout session at the processor). Over an onion service every visitor
	// shares the Tor daemon's address, so the wait stays short.
	gifts *auth.Throttle
}

// Gifts a client may start before each next one waits giftWaitBase·2^n,
// at most giftWaitMax; an hour without one clears the count.
const (
	giftsFree    = 20
	giftWaitBase = 5 * time.Second
	giftWaitMax  = 2 * time.Minute
)

// newGiftThrottle is the throttle of gifts started, per client.
func newGiftThrottle() *auth.Throttle {
	t := auth.NewThrottle(giftsFree)
	t.Base, t.Max = giftWaitBase, giftWaitMax
	return t
}

// giftAllowed counts a gift started by the client and says whether it may
// go on; when not, it has answered 429.
func (s *Server) giftAllowed(w http.ResponseWriter, r *http.Request, dp donatePage) bool {
	t := s.funds.gifts
	now := time.Now()
	client := "gift:" + clientHost(r)
	if wait := t.Wait(now, client); wait > 0 {
		retryAfter(w, wait)
		dp.Problem = dp.T("funds.error.wait")
		s.renderStatus(w, http.StatusTooManyRequests, "funds_campaign.html", dp)
		return false
	}
	t.Fail(now, client)
	return true
}

// card is the processor that takes card gifts (nil when none does).
func (cfg FundsConfig) card() funds.Processor {
	if len(cfg.Processors) == 0 {
		return nil
	}
	return cfg.Processors[0]
}

// processor is the processor of that name (nil when none is).
func (cfg FundsConfig) processor(name string) funds.Processor {
	for _, p := range cfg.Processors {
		if p.Name() == name {
			return p
		}
	}
	return nil
}

func (s *Server) fundsConfig() FundsConfig {
	f := &s.funds
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.cfg
}

// EnableFunds sets how donations are taken (serve reads it from the
// environment). Without it the campaign and transparency pages still
// show; no gifts are offered.
func (s *Server) EnableFunds(cfg FundsConfig) {
	if cfg.MaxAmount <= 0 {
		cfg.MaxAmount = 10000
	}
	if len(cfg.Presets) == 0 {
		cfg.Presets = []string{"10", "25", "50", "100"}
	}
	f := &s.funds
	f.mu.Lock()
	f.cfg = cfg
	f.mu.Unlock()
}

// fundsRoutes registers donations: campaigns, card Checkout, webhooks,
// ledger, transparency (treasury.go has the workspace's pages).
//
// The gift forms post through handle with ReadPublic (anyone, signed in or
// not): it checks the origin, the content type, the size and, for a
// signed-in account, the form token. A webhook cannot: it comes from
// its processor, another origin, with no session or form token, so it is public
// and makes its own checks (size, then the signature on the raw body).
func (s *Server) fundsRoutes() {
	s.funds.gifts = newGiftThrottle()
	s.public("GET /{lang}/donate/{$}", s.donateIndex)
	s.public("GET /{lang}/donate/thanks/{$}", s.donateThanks)
	s.public("GET /{lang}/donate/{slug}/{$}", s.donateCampaign)
	s.handle("POST /{lang}/donate/{slug}/card", auth.ReadPublic, s.donateCard)
	s.handle("POST /{lang}/donate/{slug}/pledge", auth.ReadPublic, s.donateBank)
	s.public("GET /{lang}/transparency/{$}", s.transparency)
	s.public("GET /{lang}/transparency/monthly.csv", s.transparencyCSV)
	s.public("POST /webhooks/{processor}", s.processorWebhook)
	s.treasuryRoutes()
}

// ---- what the public pages show

// campaignView is a campaign as its page shows it.
type campaignView struct {
	Slug, Title, Body, Currency string
	Goal, Raised                string
	// GoalMinor and RaisedMinor feed the <progress> bar (no script).
	GoalMinor, RaisedMinor int64
	Percent                int
	Donors                 int
	Named                  []string
	Spending               []spendingView
	Starts, Ends           int
}

type spendingView struct {
	Category, Amount string
}

func (s *Server) campaignView(r *http.Request, p page, c funds.Campaign) (campaignView, error) {
	t, err := s.store.CampaignTotals(r.Context(), c)
	if err != nil {
		return campaignView{}, err
	}
	text := c.Text(p.Lang)
	v := campaignView{Slug: c.Slug, Title: text.Title, Body: text.Body, Currency: c.Currency, Goal: p.Money(c.Goal, c.Currency),
		GoalMinor: c.Goal, RaisedMinor: max(0, t.Raised[c.Currency]), Raised: p.Money(t.Raised[c.Currency], c.Currency),
		Donors: t.Donors, Named: t.Named, Starts: c.Starts, Ends: c.Ends}
	v.Percent = int(min(100, v.RaisedMinor*100/c.Goal))
	for _, sp := range t.Spending {
		v.Spending = append(v.Spending, spendingView{p.T("funds.category." + string(sp.Category)), p.Money(sp.Amount, sp.Currency)})
	}
	return v, nil
}

type donatePage struct {
	page
	Campaigns []campaignView
	Campaign  campaignView
	CSRF      string
	// Card and Bank say which ways to give are offered.
	Card, Bank bool
	Presets    []string
	Max        string
	Form       url.Values
	Problem    string
	// Again is set when the donor came back from the payment page without
	// paying: the form keeps the amount and the interval they chose.
	Again bool
	// Closed says why a campaign takes no gifts today.
	Closed string
	// The bank pledge page.
	Reference, Amount, BankDetails string
}

func (s *Server) donateFrame(r *http.Request) (donatePage, bool) {
	p, ok := s.pageFor(r)
	cfg := s.fundsConfig()
	dp := donatePage{page: p, Card: cfg.card() != nil && s.auth != nil, Bank: cfg.BankDetails != "" && s.auth != nil,
		Presets: cfg.Presets, Form: url.Values{}, BankDetails: cfg.BankDetails}
	return dp, ok
}

func (s *Server) donateIndex(w http.ResponseWriter, r *http.Request) {
	dp, ok := s.donateFrame(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	dp.Title = dp.T("funds.title")
	cs, err := s.store.Campaigns(r.Context())
	if err != nil {
		s.serverError(w, "campaigns", err)
		return
	}
	for _, c := range cs {
		v, err := s.campaignView(r, dp.page, c)
		if err != nil {
			s.serverError(w, "campaign totals", err)
			return
		}
		dp.Campaigns = append(dp.Campaigns, v)
	}
	s.render(w, "funds_index.html", dp)
}

// campaignFor finds the {slug} campaign and its page, or answers 404.
func (s *Server) campaignFor(w http.ResponseWriter, r *http.Request, acc *account) (donatePage, funds.Campaign, bool) {
	dp, ok := s.donateFrame(r)
	if !ok {
		s.notFound(w, r)
		return dp, funds.Campaign{}, false
	}
	c, err := s.store.CampaignBySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return dp, c, false
	}
	if err != nil {
		s.serverError(w, "campaign", err)
		return dp, c, false
	}
	if dp.Campaign, err = s.campaignView(r, dp.page, c); err != nil {
		s.serverError(w, "campaign totals", err)
		return dp, c, false
	}
	dp.Path = "/donate/" + c.Slug + "/"
	dp.Title = dp.Campaign.Title
	// Gifts are taken from the first day to the last (UTC), no other time.
	today := int(registry.DayOf(time.Now()))
	switch {
	case today < c.Starts:
		dp.Card, dp.Bank, dp.Closed = false, false, dp.Tf("funds.not_started", "date", registry.Day(c.Starts).String())
	case c.Ends != 0 && today > c.Ends:
		dp.Card, dp.Bank, dp.Closed = false, false, dp.Tf("funds.ended", "date", registry.Day(c.Ends).String())
	}
	if dp.Card {
		allowPaymentPage(w, s.fundsConfig().card())
	}
	dp.Max = dp.Money(s.maxMinor(c.Currency), c.Currency)
	dp.CSRF = s.AnonymousFormToken(r.URL.Path)
	if acc != nil {
		dp.CSRF = acc.CSRF
	}
	return dp, c, true
}

func (s *Server) maxMinor(currency string) int64 {
	e, _ := funds.Exponent(currency)
	m := s.fundsConfig().MaxAmount
	for i := 0; i < e; i++ {
		m *= 10
	}
	return m
}

// allowPaymentPage is the site's policy with the card processor's
// payment page added to form-action. The gift form posts to us and we
// answer 303 to that page; browsers apply the form page's form-action to
// that redirect too, so the campaign page's policy names it.
func allowPaymentPage(w http.ResponseWriter, p funds.Processor) {
	w.Header().Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy, "form-action 'self'", "form-action 'self' "+p.PageOrigin(), 1))
}

func (s *Server) donateCampaign(w http.ResponseWriter, r *http.Request) {
	acc, err := s.signedIn(r)
	if err != nil {
		s.serverError(w, "session", err)
		return
	}
	dp, c, ok := s.campaignFor(w, r, acc)
	if !ok {
		return
	}
	if acc != nil {
		privatePage(w)
	}
	s.keptChoice(&dp, c, r.URL.Query())
	s.render(w, "funds_campaign.html", dp)
}

// giftAmount reads the amount of a gift form (dp.Form): a typed amount
// wins over a preset. A refused amount is answered here (400, the form
// again with the reason) and gives false.
func (s *Server) giftAmount(w http.ResponseWriter, dp donatePage, c funds.Campaign) (int64, bool) {
	text := strings.TrimSpace(dp.Form.Get("amount_other"))
	if text == "" {
		text = dp.Form.Get("amount")
	}
	n, err := funds.ParseAmount(text, c.Currency, s.maxMinor(c.Currency))
	var ae *funds.AmountError
	if errors.As(err, &ae) {
		dp.Problem = amountMessage(dp.page, ae)
		s.renderStatus(w, http.StatusBadRequest, "funds_campaign.html", dp)
		return 0, false
	}
	return n, true
}

// amountMessage says why an amount was refused, in the page's language.
func amountMessage(p page, ae *funds.AmountError) string {
	return p.Tf("funds.error.amount."+string(ae.Problem), "currency", ae.Currency, "digits", ae.Digits, "max", p.Money(ae.Max, ae.Currency))
}

// displayName is the name a donor chose to show, or "" (anonymous, the
// default: the box must be ticked and a name given).
func displayName(form url.Values) string {
	if form.Get("show_name") != "yes" {
		return ""
	}
	name := strings.TrimSpace(form.Get("name"))
	if len([]rune(name)) > 80 {
		name = string([]rune(name)[:80])
	}
	return name
}

// donateCard starts a card gift: the gift is recorded, Checkout is asked
// for a payment page, and the donor is sent there.
func (s *Server) donateCard(w http.ResponseWriter, r *http.Request, acc *account) {
	dp, c, ok := s.campaignFor(w, r, acc)
	if !ok {
		return
	}
	cfg := s.fundsConfig()
	if !dp.Card {
		s.notFound(w, r)
		return
	}
	dp.Form = r.PostForm
	amount, ok := s.giftAmount(w, dp, c)
	if !ok || !s.giftAllowed(w, r, dp) {
		return
	}
	kind := funds.GiftCard
	if r.PostForm.Get("monthly") == "yes" {
		kind = funds.GiftCardMonthly
	}
	gift, err := s.store.NewCardGift(r.Context(), c, kind, amount, displayName(r.PostForm))
	if err != nil {
		s.serverError(w, "new gift", err)
		return
	}
	base := s.siteOrigin(r) + "/" + dp.Lang + "/donate/"
	locale := ""
	if dp.Lang == "en" || dp.Lang == "ru" {
		locale = dp.Lang
	}
	co, err := cfg.card().CreateCheckout(r.Context(), funds.CheckoutRequest{GiftID: gift, Title: dp.Campaign.Title, Amount: amount, Currency: c.Currency,
		Monthly: kind == funds.GiftCardMonthly, SuccessURL: base + "thanks/", CancelURL: base + c.Slug + "/?" + s.choiceQuery(dp, c, amount, kind), Locale: locale})
	if err != nil {
		s.log.Error("checkout", "err", err)
		dp.Problem = dp.T("funds.error.processor")
		s.renderStatus(w, http.StatusBadGateway, "funds_campaign.html", dp)
		return
	}
	if err := s.store.SetGiftSession(r.Context(), gift, co.SessionID); err != nil {
		s.serverError(w, "gift session", err)
		return
	}
	http.Redirect(w, r, co.URL, http.StatusSeeOther)
}

// donateBank records a bank pledge and shows its reference code.
func (s *Server) donateBank(w http.ResponseWriter, r *http.Request, acc *account) {
	dp, c, ok := s.campaignFor(w, r, acc)
	if !ok {
		return
	}
	if !dp.Bank {
		s.notFound(w, r)
		return
	}
	dp.Form = r.PostForm
	amount, ok := s.giftAmount(w, dp, c)
	if !ok || !s.giftAllowed(w, r, dp) {
		return
	}
	p, err := s.store.NewPledge(r.Context(), c, amount, displayName(r.PostForm))
	if err != nil {
		s.serverError(w, "pledge", err)
		return
	}
	// The answer is the pledge page itself, not a redirect to it: the
	// reference ties a donor to a transfer, and an address with it would
	// stay in the browser's history. Nothing caches the page either.
	w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
	privatePage(w)
	dp.Title = dp.T("funds.pledge.title")
	dp.Reference, dp.Amount = p.Reference, dp.Money(p.Amount, p.Currency)
	s.render(w, "funds_pledge.html", dp)
}

func (s *Server) donateThanks(w http.ResponseWriter, r *http.Request) {
	dp, ok := s.donateFrame(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	// Checkout may add its session id to the address: nothing of it is
	// used or shown, and the language switcher does not carry it.
	dp.Path = "/donate/thanks/"
	dp.Title = dp.T("funds.thanks.title")
	s.render(w, "funds_thanks.html", dp)
}

// ---- transparency

type transparencyPage struct {
	page
	Campaigns []campaignView
	Months    []monthView
	Lines     []string // the columns: income, fees, the categories
}

type monthView struct {
	Month string
	Rows  []monthRow
}

type monthRow struct {
	Line, Amount string
}

func (s *Server) transparency(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	tp := transparencyPage{page: p}
	tp.Title = p.T("funds.transparency.title")
	cs, err := s.store.Campaigns(r.Context())
	if err != nil {
		s.serverError(w, "campaigns", err)
		return
	}
	for _, c := range cs {
		v, err := s.campaignView(r, p, c)
		if err != nil {
			s.serverError(w, "campaign totals", err)
			return
		}
		tp.Campaigns = append(tp.Campaigns, v)
	}
	months, err := s.store.MonthlyTotals(r.Context())
	if err != nil {
		s.serverError(w, "monthly totals", err)
		return
	}
	for _, m := range months {
		if n := len(tp.Months); n == 0 || tp.Months[n-1].Month != m.Month {
			tp.Months = append(tp.Months, monthView{Month: m.Month})
		}
		mv := &tp.Months[len(tp.Months)-1]
		mv.Rows = append(mv.Rows, monthRow{p.T("funds.line." + m.Line), p.Money(m.Amount, m.Currency)})
	}
	slices.Reverse(tp.Months) // newest month first
	s.render(w, "funds_transparency.html", tp)
}

// transparencyCSV is the monthly totals: month, line (income, fees or a
// spending category), currency, amount in the currency's decimals.
func (s *Server) transparencyCSV(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.pageFor(r); !ok {
		s.notFound(w, r)
		return
	}
	months, err := s.store.MonthlyTotals(r.Context())
	if err != nil {
		s.serverError(w, "monthly totals", err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="rollcall-funds-monthly.csv"`)
	cw := safecsv.NewWriter(w)
	cw.Write([]string{"month", "line", "currency", "amount"})
	for _, m := range months {
		cw.Write([]string{m.Month, m.Line, m.Currency, funds.FormatNumber(m.Amount, m.Currency)})
	}
	cw.Flush()
}

// errDayFormat is a date not given as YYYY-MM-DD.
var errDayFormat = errors.New("give the date as YYYY-MM-DD")

// dayNumber reads a YYYY-MM-DD form value as yyyymmdd.
func dayNumber(text string) (int, error) {
	d, err := registry.ParseDay(strings.TrimSpace(text))
	if err != nil {
		return 0, errDayFormat
	}
	return int(d), nil
}

// Money writes an amount the way the page's language writes numbers: its
// decimal sign and its thousands separator ("1,250.50 EUR", "1 250,50 EUR").
// Downloads keep funds.FormatNumber's plain form for programs.
func (p page) Money(minor int64, currency string) string {
	plain := funds.FormatNumber(minor, currency)
	sign := ""
	if strings.HasPrefix(plain, "-") {
		sign, plain = "-", plain[1:]
	}
	whole, frac, hasFrac := strings.Cut(plain, ".")
	group := p.T("number.group")
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(d)
	}
	if hasFrac {
		b.WriteString(p.T("number.decimal"))
		b.WriteString(frac)
	}
	return sign + b.String() + "\u00a0" + currency
}
