package web

import (
	"net/url"
	"slices"
	"strings"

	"rollcall/internal/funds"
)

// choiceQuery is what the payment page's "back" address carries so that
// the form comes back as the donor left it: the amount (a preset's button,
// or the typed amount) and the interval. Never the name: an address stays
// in the browser's history.
func (s *Server) choiceQuery(dp donatePage, c funds.Campaign, amount int64, kind string) string {
	q := url.Values{"again": {"1"}}
	q.Set("amount_other", funds.FormatNumber(amount, c.Currency))
	for _, p := range dp.Presets {
		if n, err := funds.ParseAmount(p, c.Currency, s.maxMinor(c.Currency)); err == nil && n == amount {
			q.Del("amount_other")
			q.Set("amount", p)
			break
		}
	}
	if kind == funds.GiftCardMonthly {
		q.Set("monthly", "yes")
	}
	return q.Encode()
}

// keptChoice refills the form from choiceQuery's values, each only when
// it is one the form could have sent (a preset, an amount that parses,
// "yes").
func (s *Server) keptChoice(dp *donatePage, c funds.Campaign, q url.Values) {
	if p := q.Get("amount"); slices.Contains(dp.Presets, p) {
		dp.Form.Set("amount", p)
	}
	if t := q.Get("amount_other"); t != "" {
		if _, err := funds.ParseAmount(t, c.Currency, s.maxMinor(c.Currency)); err == nil {
			dp.Form.Set("amount_other", t)
		}
	}
	if q.Get("monthly") == "yes" {
		dp.Form.Set("monthly", "yes")
	}
	dp.Again = q.Get("again") == "1" && dp.Card
}

// Chosen says whether preset button i (amount p) is checked: the one the
// donor chose, else none when they typed an amount, else the second.
func (dp donatePage) Chosen(i int, p string) bool {
	switch {
	case dp.Form.Get("amount") != "":
		return dp.Form.Get("amount") == p && strings.TrimSpace(dp.Form.Get("amount_other")) == ""
	case strings.TrimSpace(dp.Form.Get("amount_other")) != "":
		return false
	}
	return i == 1
}

// ProblemsTitle and ProblemList are the error summary of a refused gift.
func (dp donatePage) ProblemsTitle() string { return dp.T("funds.problems") }

func (dp donatePage) ProblemList() []formProblem {
	if dp.Problem == "" {
		return nil
	}
	input := "card"
	if dp.Card {
		input = "funds-other"
	}
	return []formProblem{{Input: input, Message: dp.Problem}}
}
