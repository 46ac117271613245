package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

type countLine struct {
	Label  string
	Value  int
	Change string // "+3", "−1", "0"; empty when there is nothing to compare with
}

type homePage struct {
	page
	Headline headline
	Counts   []countLine
	People   int // persons in at least one count
	Empty    bool
	Appeal   []string // paragraphs
}

// home shows the headline counts, the campaign's appeal and how to help.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	h, err := s.latestHeadline(r.Context())
	if err != nil {
		s.serverError(w, "headline counts", err)
		return
	}
	appeal, err := s.appeal(r.Context(), p.Lang)
	if err != nil {
		s.serverError(w, "appeal", err)
		return
	}
	data := homePage{page: p, Headline: h, Empty: h.Counts == registry.Counts{}, Appeal: paragraphs(appeal)}
	for _, name := range registry.CountNames {
		n, _ := h.Counts.Get(name)
		line := countLine{Label: "count." + name, Value: n}
		if h.Previous != nil {
			before, _ := h.Previous.Get(name)
			line.Change = signed(n - before)
		}
		data.Counts = append(data.Counts, line)
	}
	// Everyone with a counted state is in exactly one "now" count
	// (released_now already includes restricted_now).
	c := h.Counts
	data.People = c.MissingNow + c.DetainedNow + c.ReleasedNow + c.FoundNow + c.Killed
	s.render(w, "home.html", data)
}

// appeal is the stored appeal in lang, else the built-in one of lang,
// else the English one.
func (s *Server) appeal(ctx context.Context, lang string) (string, error) {
	body, ok, err := s.store.SiteText(ctx, lang, store.SiteAppeal)
	if err != nil || ok {
		return body, err
	}
	if b, err := files.ReadFile("i18n/" + lang + "/appeal.txt"); err == nil {
		return string(b), nil
	}
	b, err := files.ReadFile("i18n/en/appeal.txt")
	return string(b), err
}

// paragraphs splits a text at blank lines; single line breaks join.
func paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// signed writes a change with its sign; the minus is the typographic one.
func signed(n int) string {
	switch {
	case n > 0:
		return fmt.Sprintf("+%d", n)
	case n < 0:
		return fmt.Sprintf("−%d", -n)
	}
	return "0"
}
