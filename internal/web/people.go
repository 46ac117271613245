package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// maxRegionRunes bounds a region filter; no region name is longer.
const maxRegionRunes = 100

// parsePeopleFilter reads the list's filters from a query string. A bad
// value is left out of the filter and named in problems (the parameter's
// name), so the page can say so plainly and still show a list.
func parsePeopleFilter(v url.Values) (store.PeopleFilter, []string) {
	var f store.PeopleFilter
	var problems []string
	bad := func(name string) { problems = append(problems, name) }
	if s := v.Get("state"); s != "" {
		if st, err := registry.ParseStatus(s); err == nil && st.IsState() {
			f.State = st
		} else {
			bad("state")
		}
	}
	if s := strings.TrimSpace(v.Get("region")); s != "" {
		if utf8.RuneCountInString(s) <= maxRegionRunes && utf8.ValidString(s) {
			f.Region = s
		} else {
			bad("region")
		}
	}
	if s := v.Get("role"); s != "" {
		if r, err := registry.ParseRole(s); err == nil {
			f.Role = r
		} else {
			bad("role")
		}
	}
	switch s := v.Get("sex"); s {
	case "", "m", "f":
		f.Sex = s
	default:
		bad("sex")
	}
	if s := v.Get("from"); s != "" {
		if p, err := registry.ParsePeriod(s); err == nil {
			f.From = p.Start
		} else {
			bad("from")
		}
	}
	if s := v.Get("to"); s != "" {
		if p, err := registry.ParsePeriod(s); err == nil {
			f.To = p.End
		} else {
			bad("to")
		}
	}
	if f.From != 0 && f.To != 0 && f.From > f.To {
		bad("to")
		f.To = 0
	}
	if q := v.Get("q"); q != "" {
		if !utf8.ValidString(q) {
			q = strings.ToValidUTF8(q, "")
		}
		f.Query = store.CutQuery(q)
	}
	if s := v.Get("page"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 1 {
			f.Page = n
		} else {
			bad("page")
		}
	}
	if s := v.Get("per_page"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= store.MaxPerPage {
			f.PerPage = n
		} else {
			bad("per_page")
		}
	}
	return f, problems
}

// filterQuery writes a filter back as a query string (without the page),
// for the pagination links.
func filterQuery(f store.PeopleFilter) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", f.Query)
	set("state", string(f.State))
	set("region", f.Region)
	set("role", string(f.Role))
	set("sex", f.Sex)
	if f.From != 0 {
		set("from", f.From.String())
	}
	if f.To != 0 {
		set("to", f.To.String())
	}
	return v
}

type pageLink struct {
	Label   string
	URL     string
	Current bool
}

type peoplePageData struct {
	page
	Filter   store.PeopleFilter
	FromText string
	ToText   string
	Problems []string
	List     store.PeoplePage
	Regions  []store.Region
	States   []registry.Status
	Roles    []registry.Role
	Pages    []pageLink
	Prev     string
	Next     string
}

// states are the states a person can be in, for the filter.
var states = registry.Statuses[:8]

// people is the public list: filters, name search, pagination.
func (s *Server) people(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f, problems := parsePeopleFilter(r.URL.Query())
	f.PerPage = store.DefaultPerPage
	list, err := s.store.PublicPeople(r.Context(), f)
	if err != nil {
		s.serverError(w, "people", err)
		return
	}
	regions, err := s.store.PublicRegions(r.Context())
	if err != nil {
		s.serverError(w, "regions", err)
		return
	}
	data := peoplePageData{page: p, Filter: f, Problems: problems, List: list, Regions: regions, States: states, Roles: registry.Roles}
	if f.From != 0 {
		data.FromText = f.From.String()
	}
	if f.To != 0 {
		data.ToText = f.To.String()
	}
	base := "/" + p.Lang + "/people/"
	q := filterQuery(f)
	link := func(n int) string {
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		} else {
			q.Del("page")
		}
		if len(q) == 0 {
			return base
		}
		return base + "?" + q.Encode()
	}
	if list.Page > 1 {
		data.Prev = link(list.Page - 1)
	}
	if list.Page < list.Pages {
		data.Next = link(list.Page + 1)
	}
	// First, last and a few around the current page: enough to move
	// anywhere in a few steps without a page full of numbers.
	last := 0
	for n := 1; n <= list.Pages; n++ {
		if n == 1 || n == list.Pages || (n >= list.Page-2 && n <= list.Page+2) {
			if last != 0 && n > last+1 {
				data.Pages = append(data.Pages, pageLink{Label: "…"})
			}
			data.Pages = append(data.Pages, pageLink{Label: strconv.Itoa(n), URL: link(n), Current: n == list.Page})
			last = n
		}
	}
	s.render(w, "people.html", data)
}

type personPageData struct {
	page
	Person registry.PublicPerson
}

// person is one person's page.
func (s *Server) person(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	person, err := s.store.PublicPerson(r.Context(), r.PathValue("id"))
	if err != nil {
		if isNotFound(err) {
			s.notFound(w, r)
			return
		}
		s.serverError(w, "person", err)
		return
	}
	s.render(w, "person.html", personPageData{page: p, Person: person})
}
