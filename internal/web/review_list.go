package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"rollcall/internal/store"
)

// reviewPageSize is how many pairs (and persons) a page of the list shows.
const reviewPageSize = 50

// reviewFilterForm is the review list's filter as the form sent it, kept
// to fill the form again, and the problems with it in the page's language.
type reviewFilterForm struct {
	Min, Max, Source, Region, Name, Conflict string
	Unsure                                   bool
	Page, PersonPage                         int
	Problems                                 []string
}

type reviewListPage struct {
	adminPage
	Form        reviewFilterForm
	Filtered    bool
	Pairs       store.ReviewPage
	Persons     store.PersonReviewPage
	PairPages   reviewPager
	PersonPages reviewPager
	// Last is the account's last decision, offered for an undo;
	// JustDecided when the page follows it.
	Last        *decisionView
	JustDecided bool
	Problem     string
	Refusal     *undoRefusal
}

// reviewPager is the links to the other pages of one list.
type reviewPager struct {
	Page, Pages int
	Prev, Next  string
	Links       []pageLink
}

// parseReviewFilter reads the list's query; a value that cannot be read is
// a problem said in words, and the filter goes without it.
func parseReviewFilter(p adminPage, q url.Values) (store.ReviewFilter, reviewFilterForm) {
	f := store.ReviewFilter{MinWeight: store.NoWeightBound, MaxWeight: store.NoWeightBound, Limit: reviewPageSize}
	form := reviewFilterForm{Min: strings.TrimSpace(q.Get("min")), Max: strings.TrimSpace(q.Get("max")),
		Source: strings.TrimSpace(q.Get("source")), Region: strings.TrimSpace(q.Get("region")),
		Name: store.CutQuery(q.Get("q")), Conflict: strings.TrimSpace(q.Get("conflict")), Page: 1, PersonPage: 1}
	weight := func(text, label string) float64 {
		if text == "" {
			return store.NoWeightBound
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(text, ",", "."), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			form.Problems = append(form.Problems, p.Tf("review.filter.bad_weight", "field", p.T(label), "value", text))
			return store.NoWeightBound
		}
		return v
	}
	f.MinWeight = weight(form.Min, "review.filter.min")
	f.MaxWeight = weight(form.Max, "review.filter.max")
	if !math.IsNaN(f.MinWeight) && !math.IsNaN(f.MaxWeight) && f.MinWeight > f.MaxWeight {
		form.Problems = append(form.Problems, p.T("review.filter.min_above_max"))
		f.MinWeight, f.MaxWeight = store.NoWeightBound, store.NoWeightBound
	}
	pageNumber := func(key string) int {
		text := strings.TrimSpace(q.Get(key))
		if text == "" {
			return 1
		}
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > 1_000_000 {
			form.Problems = append(form.Problems, p.Tf("review.filter.bad_page", "value", text))
			return 1
		}
		return n
	}
	form.Page, form.PersonPage = pageNumber("page"), pageNumber("ppage")
	form.Unsure = q.Get("unsure") != ""
	f.Source, f.Name, f.Conflict, f.Unsure = form.Source, form.Name, form.Conflict, form.Unsure
	f.Region = store.RegionKey(form.Region)
	form.Region = f.Region
	return f, form
}

// query is the filter as a query string, without the page numbers.
func (form reviewFilterForm) query() url.Values {
	v := url.Values{}
	for key, value := range map[string]string{"min": form.Min, "max": form.Max, "source": form.Source,
		"region": form.Region, "q": form.Name, "conflict": form.Conflict} {
		if value != "" {
			v.Set(key, value)
		}
	}
	if form.Unsure {
		v.Set("unsure", "1")
	}
	return v
}

func (s *Server) reviewList(w http.ResponseWriter, r *http.Request, acc *account) {
	s.reviewListProblem(w, r, acc, http.StatusOK, "", nil)
}

// reviewListProblem renders the list with a problem said at the top (a
// refused undo, with what it depends on), in the given status.
func (s *Server) reviewListProblem(w http.ResponseWriter, r *http.Request, acc *account, status int, problem string, refusal *undoRefusal) {
	frame := s.adminFrame(r, acc, "")
	f, form := parseReviewFilter(frame, r.URL.Query())
	pf := f
	f.Offset = (form.Page - 1) * reviewPageSize
	pf.Offset = (form.PersonPage - 1) * reviewPageSize
	pairs, err := s.store.ReviewQueuePage(r.Context(), f)
	if err != nil {
		s.serverError(w, "review queue", err)
		return
	}
	var persons store.PersonReviewPage
	// A weight bound chooses pairs only (a person has no one weight), and
	// so does "unsure" (a person has no "unsure").
	if math.IsNaN(f.MinWeight) && math.IsNaN(f.MaxWeight) && !f.Unsure {
		if persons, err = s.store.PersonReviewPage(r.Context(), pf); err != nil {
			s.serverError(w, "person review queue", err)
			return
		}
	}
	// A conflict kind chooses persons only: pairs are not conflicts yet.
	if form.Conflict != "" {
		pairs.Pairs, pairs.Matching = nil, 0
	}
	p := reviewListPage{adminPage: frame, Form: form, Pairs: pairs, Persons: persons, Filtered: len(form.query()) > 0,
		Problem: problem, Refusal: refusal}
	for i := range p.Pairs.Regions {
		p.Pairs.Regions[i].Name = store.RegionName(p.Pairs.Regions[i].Key, p.Pairs.Regions[i].Name, p.Lang)
	}
	p.PairPages = reviewPagerFor(form, "page", form.Page, pairs.Matching)
	p.PersonPages = reviewPagerFor(form, "ppage", form.PersonPage, persons.Matching)
	p.Last = s.lastDecision(r, frame, acc)
	p.JustDecided = p.Last != nil && r.URL.Query().Get("decided") == p.Last.ID
	p.Title = p.T("review.title")
	if r.URL.Query().Has("done") {
		p.Flash = p.T("review.done")
	}
	// A filter value that cannot be read is said at the top and the list
	// shown without it, as the public list does: the page is still useful.
	s.renderStatus(w, status, "admin_review_list.html", p)
}

// reviewPagerFor links the pages of one list (key: its page parameter),
// keeping the filter and the other list's page.
func reviewPagerFor(form reviewFilterForm, key string, current, matching int) reviewPager {
	q := form.query()
	other, otherPage := "ppage", form.PersonPage
	if key == "ppage" {
		other, otherPage = "page", form.Page
	}
	if otherPage > 1 {
		q.Set(other, strconv.Itoa(otherPage))
	}
	return pagerFor("/admin/review/", q, key, current, matching, reviewPageSize)
}

// pagerFor links the pages of a list at base with the query q, its page
// number in the parameter key: first, last and a few around the current.
func pagerFor(base string, q url.Values, key string, current, matching, size int) reviewPager {
	pages := max(1, (matching+size-1)/size)
	pg := reviewPager{Page: current, Pages: pages}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		if n > 1 {
			v.Set(key, strconv.Itoa(n))
		}
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	}
	if current > 1 {
		pg.Prev = link(min(current-1, pages))
	}
	if current < pages {
		pg.Next = link(current + 1)
	}
	last := 0
	for n := 1; n <= pages; n++ {
		if n == 1 || n == pages || (n >= current-2 && n <= current+2) {
			if last != 0 && n > last+1 {
				pg.Links = append(pg.Links, pageLink{Label: "…"})
			}
			pg.Links = append(pg.Links, pageLink{Label: strconv.Itoa(n), URL: link(n), Current: n == current})
			last = n
		}
	}
	return pg
}

// reviewPagerView is a pager with its words, for the review_pager template.
type reviewPagerView struct {
	ID, Label, Prev, Next string
	Pages                 reviewPager
}

// Pager gives the review_pager template one list's pages and its words.
func (p reviewListPage) Pager(id string, pages reviewPager) reviewPagerView {
	return reviewPagerView{ID: id, Label: p.T("review.pages." + id), Prev: p.T("review.prev"), Next: p.T("review.next"), Pages: pages}
}
