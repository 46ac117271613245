package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"rollcall/internal/auth"
	"rollcall/internal/funds"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// treasuryRoutes registers the treasurer's pages under /admin/funds/.
// Entering money (MoneyEnter) is for treasurers; confirming a bank or
// crypto gift is MoneyEnter too, by a treasurer other than the one who
// entered it; approving a disbursement is MoneyApprove (fresh sign-in), by
// anyone but its proposer.
func (s *Server) treasuryRoutes() {
	s.handle("GET /admin/funds/{$}", auth.MoneyView, s.treasuryHome)
	s.handle("POST /admin/funds/campaigns", auth.MoneyEnter, s.treasuryCampaign)
	s.handle("POST /admin/funds/bank", auth.MoneyEnter, s.treasuryBank)
	s.handle("POST /admin/funds/statement", auth.MoneyEnter, s.treasuryStatement)
	s.handle("POST /admin/funds/crypto", auth.MoneyEnter, s.treasuryCrypto)
	s.handle("POST /admin/funds/receipts/{id}/confirm", auth.MoneyEnter, s.treasuryConfirm)
	s.handle("POST /admin/funds/disbursements", auth.MoneyEnter, s.treasuryPropose)
	s.handle("POST /admin/funds/disbursements/{id}/approve", auth.MoneyApprove, s.treasuryApprove)
}

type treasuryPage struct {
	adminPage
	Problem       string
	Report        []string // lines of a statement import
	Balances      []funds.Balance
	Campaigns     []funds.Campaign
	Anomalies     []store.FundAnomaly
	Receipts      []receiptView
	Disbursements []disbursementView
	Categories    []funds.Category
	Assets        []string
}

type receiptView struct {
	store.Receipt
	Amount, Day string
	Mine        bool
}

type disbursementView struct {
	store.Disbursement
	Amount, Day string
	Mine        bool
}

// treasuryDone are the messages after an action (?done=KEY).
var treasuryDone = map[string]bool{"campaign": true, "bank": true, "statement": true, "crypto": true, "confirmed": true, "proposed": true, "approved": true}

func (s *Server) treasuryFrame(r *http.Request, acc *account) (treasuryPage, error) {
	p := treasuryPage{adminPage: s.adminFrame(r, acc, ""), Categories: funds.Categories, Assets: funds.CryptoAssets}
	p.Title = p.T("treasury.title")
	if done := r.URL.Query().Get("done"); treasuryDone[done] {
		p.Flash = p.T("treasury.done." + done)
	}
	ctx := r.Context()
	b, err := s.store.LedgerBalances(ctx)
	if err != nil {
		return p, err
	}
	p.Balances = funds.Report(b)
	if p.Campaigns, err = s.store.Campaigns(ctx); err != nil {
		return p, err
	}
	if p.Anomalies, err = s.store.FundAnomalies(ctx); err != nil {
		return p, err
	}
	rs, err := s.store.Receipts(ctx)
	if err != nil {
		return p, err
	}
	for _, rc := range rs {
		p.Receipts = append(p.Receipts, receiptView{rc, p.Money(rc.Amount, rc.Currency), registry.Day(rc.Day).String(), rc.EnteredBy == acc.User.ID})
	}
	ds, err := s.store.Disbursements(ctx, acc.User.ID)
	if err != nil {
		return p, err
	}
	for _, d := range ds {
		p.Disbursements = append(p.Disbursements, disbursementView{d, p.Money(d.Amount, d.Currency), registry.Day(d.Day).String(), d.ProposedBy == acc.User.ID})
	}
	return p, nil
}

func (s *Server) treasuryHome(w http.ResponseWriter, r *http.Request, acc *account) {
	s.treasuryRender(w, r, acc, http.StatusOK, "", nil)
}

// treasuryRender shows the page, with a problem (status 4xx) or a report.
func (s *Server) treasuryRender(w http.ResponseWriter, r *http.Request, acc *account, status int, problem string, report []string) {
	p, err := s.treasuryFrame(r, acc)
	if err != nil {
		s.serverError(w, "treasury", err)
		return
	}
	p.Problem, p.Report = problem, report
	s.renderStatus(w, status, "treasury_home.html", p)
}

// Why the treasurer's own forms are refused (the store's and funds'
// reasons are their sentinel errors).
var (
	errChooseCampaign = errors.New("choose a campaign")
	errNoReference    = errors.New("no reference code (RC-XXXX-XXXX) in what was given")
	errAssetAmount    = errors.New("give the amount of the asset received")
)

// treasuryMessages are the messages of refusals, by the error they wrap.
var treasuryMessages = []struct {
	err error
	key string
}{
	{funds.ErrSamePerson, "treasury.error.same_person"},
	{funds.ErrAlreadyDone, "treasury.error.already_done"},
	{store.ErrFundsDuplicate, "treasury.error.duplicate"},
	{store.ErrCampaignExists, "treasury.error.campaign_exists"},
	{store.ErrCurrencyMismatch, "treasury.error.currency_mismatch"},
	{store.ErrNoPayee, "treasury.error.payee"},
	{store.ErrNotFound, "treasury.error.no_pledge"},
	{funds.ErrCurrency, "treasury.error.currency"},
	{funds.ErrCategory, "treasury.error.category"},
	{funds.ErrCryptoAsset, "treasury.error.asset"},
	{funds.ErrTxID, "treasury.error.txid"},
	{funds.ErrCampaignSlug, "treasury.error.campaign_slug"},
	{funds.ErrCampaignSlugTaken, "treasury.error.campaign_slug_taken"},
	{funds.ErrCampaignGoal, "treasury.error.campaign_goal"},
	{funds.ErrCampaignStart, "treasury.error.campaign_start"},
	{funds.ErrCampaignEnds, "treasury.error.campaign_ends"},
	{funds.ErrCampaignTitle, "treasury.error.campaign_title"},
	{funds.ErrStatementNotCSV, "treasury.error.statement_csv"},
	{funds.ErrStatementHeader, "treasury.error.statement_header"},
	{funds.ErrStatementRowCSV, "treasury.error.statement_row"},
	{funds.ErrStatementTooLong, "treasury.error.statement_long"},
	{funds.ErrStatementDate, "treasury.error.statement_date"},
	{errDayFormat, "treasury.error.date"},
	{errChooseCampaign, "treasury.error.campaign"},
	{errNoReference, "treasury.error.no_reference"},
	{errAssetAmount, "treasury.error.asset_amount"},
}

// treasuryMessage is the message of a refusal in the page's language;
// an error no message is written for keeps its English text.
func treasuryMessage(p page, err error) string {
	var ae *funds.AmountError
	if errors.As(err, &ae) {
		return amountMessage(p, ae)
	}
	for _, m := range treasuryMessages {
		if errors.Is(err, m.err) {
			return p.Tf(m.key, "assets", strings.Join(funds.CryptoAssets, ", "), "rows", funds.MaxStatementRows)
		}
	}
	return err.Error()
}

// treasuryRefuse answers a refused action with the page and a plain
// message: nothing was changed.
func (s *Server) treasuryRefuse(w http.ResponseWriter, r *http.Request, acc *account, err error) {
	status, msg := http.StatusBadRequest, treasuryMessage(s.adminFrame(r, acc, "").page, err)
	switch {
	case errors.Is(err, funds.ErrSamePerson), errors.Is(err, funds.ErrAlreadyDone), errors.Is(err, store.ErrFundsDuplicate):
		status = http.StatusConflict
	case errors.Is(err, store.ErrNotFound):
		status = http.StatusNotFound
	}
	s.treasuryRender(w, r, acc, status, msg, nil)
}

func (s *Server) campaignByForm(r *http.Request) (funds.Campaign, error) {
	c, err := s.store.CampaignBySlug(r.Context(), r.PostForm.Get("campaign"))
	if errors.Is(err, store.ErrNotFound) {
		return c, errChooseCampaign
	}
	return c, err
}

func amountOf(text, currency string) (int64, error) {
	n, err := funds.ParseAmount(text, currency, 0)
	if err != nil {
		return 0, fmt.Errorf("amount: %w", err)
	}
	return n, nil
}

func (s *Server) treasuryCampaign(w http.ResponseWriter, r *http.Request, acc *account) {
	f := r.PostForm
	cur, err := funds.ParseCurrency(f.Get("currency"))
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	goal, err := amountOf(f.Get("goal"), cur)
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	starts, err := dayNumber(f.Get("starts"))
	if err != nil {
		s.treasuryRefuse(w, r, acc, fmt.Errorf("start: %w", err))
		return
	}
	ends := 0
	if strings.TrimSpace(f.Get("ends")) != "" {
		if ends, err = dayNumber(f.Get("ends")); err != nil {
			s.treasuryRefuse(w, r, acc, fmt.Errorf("end: %w", err))
			return
		}
	}
	c := funds.Campaign{Slug: strings.TrimSpace(f.Get("slug")), Currency: cur, Goal: goal, Starts: starts, Ends: ends, Texts: map[string]funds.CampaignText{}}
	for _, lang := range s.languages {
		if t := strings.TrimSpace(f.Get("title_" + lang)); t != "" {
			c.Texts[lang] = funds.CampaignText{Title: t, Body: strings.TrimSpace(f.Get("body_" + lang))}
		}
	}
	if _, err := s.store.CreateCampaign(r.Context(), acc.User.ID, c); err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	http.Redirect(w, r, "/admin/funds/?done=campaign", http.StatusSeeOther)
}

func (s *Server) treasuryBank(w http.ResponseWriter, r *http.Request, acc *account) {
	f := r.PostForm
	ref := funds.FindReference(f.Get("reference"))
	if ref == "" {
		s.treasuryRefuse(w, r, acc, errNoReference)
		return
	}
	p, err := s.store.PledgeByReference(r.Context(), ref)
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	amount, err := amountOf(f.Get("amount"), p.Currency)
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	day, err := dayNumber(f.Get("day"))
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	if _, err := s.store.EnterBankTransfer(r.Context(), acc.User.ID, ref, amount, p.Currency, day); err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	http.Redirect(w, r, "/admin/funds/?done=bank", http.StatusSeeOther)
}

// treasuryStatement reads a pasted bank statement: every incoming
// transfer naming a pledge's reference is entered (to be confirmed by
// another treasurer); the page lists what was entered and what was not.
func (s *Server) treasuryStatement(w http.ResponseWriter, r *http.Request, acc *account) {
	rows, problems, err := funds.ParseStatement(strings.NewReader(r.PostForm.Get("statement")))
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	p := s.adminFrame(r, acc, "").page
	var report []string
	entered := 0
	for _, row := range rows {
		line := p.Tf("treasury.report.line", "line", row.Line, "date", registry.Day(row.Day).String(), "amount", p.Money(row.Amount, row.Currency)) + ": "
		if row.Reference == "" {
			report = append(report, line+p.T("treasury.report.no_reference"))
			continue
		}
		if _, err := s.store.EnterBankTransfer(r.Context(), acc.User.ID, row.Reference, row.Amount, row.Currency, row.Day); err != nil {
			report = append(report, line+row.Reference+": "+treasuryMessage(p, err))
			continue
		}
		entered++
		report = append(report, line+row.Reference+": "+p.T("treasury.report.entered"))
	}
	for _, pr := range problems {
		report = append(report, p.Tf("treasury.report.problem", "line", pr.Line, "problem", treasuryMessage(p, pr.Err)))
	}
	report = append([]string{p.Tf("treasury.report.summary", "entered", entered, "rows", len(rows))}, report...)
	s.treasuryRender(w, r, acc, http.StatusOK, "", report)
}

func (s *Server) treasuryCrypto(w http.ResponseWriter, r *http.Request, acc *account) {
	f := r.PostForm
	c, err := s.campaignByForm(r)
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	asset, err := funds.ParseCryptoAsset(f.Get("asset"))
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	assetAmount := strings.TrimSpace(f.Get("asset_amount"))
	if assetAmount == "" || len(assetAmount) > 40 {
		s.treasuryRefuse(w, r, acc, errAssetAmount)
		return
	}
	value, err := amountOf(f.Get("value"), c.Currency)
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	day, err := dayNumber(f.Get("day"))
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	if _, err := s.store.EnterCryptoGift(r.Context(), acc.User.ID, c, asset, assetAmount, strings.TrimSpace(f.Get("txid")), value, day); err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	http.Redirect(w, r, "/admin/funds/?done=crypto", http.StatusSeeOther)
}

func (s *Server) treasuryConfirm(w http.ResponseWriter, r *http.Request, acc *account) {
	if err := s.store.ConfirmReceipt(r.Context(), acc.User.ID, r.PathValue("id")); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	http.Redirect(w, r, "/admin/funds/?done=confirmed", http.StatusSeeOther)
}

func (s *Server) treasuryPropose(w http.ResponseWriter, r *http.Request, acc *account) {
	f := r.PostForm
	c, err := s.campaignByForm(r)
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	cat, err := funds.ParseCategory(f.Get("category"))
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	amount, err := amountOf(f.Get("amount"), c.Currency)
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	day, err := dayNumber(f.Get("day"))
	if err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	if _, err := s.store.ProposeDisbursement(r.Context(), acc.User.ID, store.Disbursement{Campaign: c, Category: cat, Amount: amount, Day: day,
		Payee: strings.TrimSpace(f.Get("payee")), Memo: strings.TrimSpace(f.Get("memo"))}); err != nil {
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	http.Redirect(w, r, "/admin/funds/?done=proposed", http.StatusSeeOther)
}

func (s *Server) treasuryApprove(w http.ResponseWriter, r *http.Request, acc *account) {
	if err := s.store.ApproveDisbursement(r.Context(), acc.User.ID, r.PathValue("id")); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		s.treasuryRefuse(w, r, acc, err)
		return
	}
	http.Redirect(w, r, "/admin/funds/?done=approved", http.StatusSeeOther)
}
