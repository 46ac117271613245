package web

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"rollcall/internal/names"
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
	PrintURL string // the whole filtered list on one page, to print
	Filter   store.PeopleFilter
	FromText string
	ToText   string
	Problems []string
	List     store.PeoplePage
	Regions  []store.Region
	// RegionKey is the chosen region's key: the option selected, whatever
	// spelling the filter came with.
	RegionKey string
	States    []registry.Status
	Roles     []registry.Role
	Pages     []pageLink
	Prev      string
	Next      string
}

// states are the states a person can be in, for the filter.
var states = registry.States

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
	regions = regionOptions(regions, p.Lang)
	p.Title = p.T("people.title")
	data := peoplePageData{page: p, Filter: f, Problems: problems, List: list, Regions: regions, RegionKey: store.RegionKey(f.Region), States: states, Roles: registry.Roles}
	if f.From != 0 {
		data.FromText = f.From.String()
	}
	if f.To != 0 {
		data.ToText = f.To.String()
	}
	base := "/" + p.Lang + "/people/"
	q := filterQuery(f)
	data.PrintURL = base + "print/"
	if len(q) > 0 {
		data.PrintURL += "?" + q.Encode()
	}
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
	s.renderPublic(w, r, "people.html", data, len(problems) == 0)
}

// regionOptions names each region of the filter in the page's language
// (one option per place of the gazetteer: Нукус, Nukus and Nókis are one)
// and sorts them by that name.
func regionOptions(regions []store.Region, lang string) []store.Region {
	out := make([]store.Region, 0, len(regions))
	for _, r := range regions {
		r.Name = store.RegionName(r.Key, r.Name, lang)
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b store.Region) int { return strings.Compare(names.Fold(a.Name), names.Fold(b.Name)) })
	return out
}

type personPageData struct {
	page
	Person registry.PublicPerson
	Splits []splitLine
	Print  printMeta
	// Evidence is the published public copies of the person's items
	// (never for a withheld person).
	Evidence []store.EvidenceDerivative
}

// IsImage says whether a public copy is shown as a thumbnail.
func (personPageData) IsImage(mediaType string) bool { return strings.HasPrefix(mediaType, "image/") }

// person is one person's page.
func (s *Server) person(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	id := r.PathValue("id")
	person, err := s.store.PublicPerson(r.Context(), id)
	if err != nil {
		if isNotFound(err) {
			if !s.personRedirect(w, r, &p, id, "/"+p.Lang+"/people/") {
				s.personNotFound(w, p, id)
			}
			return
		}
		s.serverError(w, "person", err)
		return
	}
	p.Title = person.Name
	if person.Withheld {
		p.Title = p.Tf("person.withheld", "id", person.ID)
	}
	splits, err := s.splitsOf(r, id)
	if err != nil {
		s.serverError(w, "person", err)
		return
	}
	data := personPageData{page: p, Person: person, Splits: splits}
	if data.Print, err = s.printMetaFor(r, p); err != nil {
		s.serverError(w, "person", err)
		return
	}
	if !person.Withheld && s.evidence != nil {
		if data.Evidence, err = s.store.PublicEvidence(r.Context(), person.ID); err != nil {
			s.serverError(w, "person evidence", err)
			return
		}
	}
	s.renderPublic(w, r, "person.html", data, true)
}

// publicPages keeps rendered people and person pages until the public
// list is next refreshed (by this process or any other): they change only
// then, and rendering costs more than serving the bytes. Each page is kept
// plain and gzipped, so it is compressed once, not on every request.
type publicPages struct {
	mu      sync.Mutex
	stamp   time.Time // the refresh the pages were made from
	checked time.Time // when the stamp was last read
	pages   map[string]renderedPage
	size    int
}

type renderedPage struct{ plain, gzipped []byte }

// publicPagesBytes bounds the memory the rendered pages hold.
const publicPagesBytes = 64 << 20

// stampEvery is how often the refresh stamp is read: a refresh by another
// process shows within this time.
const stampEvery = 250 * time.Millisecond

// current returns the cache emptied if the public list was refreshed
// since its pages were made; the caller holds c.mu.
func (c *publicPages) current(s *Server, r *http.Request) bool {
	if now := time.Now(); now.Sub(c.checked) >= stampEvery || c.pages == nil {
		stamp, err := s.store.PublicRefreshedAt(r.Context())
		if err != nil {
			return false
		}
		c.checked = now
		if !stamp.Equal(c.stamp) || c.pages == nil {
			c.stamp, c.pages, c.size = stamp, map[string]renderedPage{}, 0
		}
	}
	return true
}

// cachedPage serves a page rendered since the last refresh, if there is
// one. ServeHTTP asks it first, before routing: a kept page is the answer
// to its exact request URI whatever the route, and it compresses itself.
func (s *Server) cachedPage(w http.ResponseWriter, r *http.Request) bool {
	c := &s.pages
	c.mu.Lock()
	var page renderedPage
	ok := c.current(s, r)
	if ok {
		page, ok = c.pages[r.URL.RequestURI()]
	}
	c.mu.Unlock()
	if !ok {
		return false
	}
	// With the length known the body goes out in one piece, not chunked.
	h := w.Header()
	h["Content-Type"] = htmlContentType
	h["Vary"] = varyAcceptEncoding
	body := page.plain
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h["Content-Encoding"] = gzipEncoding
		body = page.gzipped
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	writeWhole(w, r, body)
	return true
}

// Header values of kept pages, made once.
var (
	htmlContentType    = []string{"text/html; charset=utf-8"}
	varyAcceptEncoding = []string{"Accept-Encoding"}
	gzipEncoding       = []string{"gzip"}
)

// renderPublic renders a public page and keeps it when it may be kept.
func (s *Server) renderPublic(w http.ResponseWriter, r *http.Request, name string, data any, keep bool) {
	var b bytes.Buffer
	if err := s.templates.ExecuteTemplate(&b, name, data); err != nil {
		s.serverError(w, "render "+name, err)
		return
	}
	if key := r.URL.RequestURI(); keep && len(key) < 512 {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(b.Bytes())
		zw.Close()
		c := &s.pages
		c.mu.Lock()
		stamp := c.stamp
		// Kept only if no refresh was seen while it rendered.
		if c.current(s, r) && stamp.Equal(c.stamp) {
			if c.size+b.Len()+gz.Len() > publicPagesBytes {
				c.pages, c.size = map[string]renderedPage{}, 0
			}
			c.pages[key] = renderedPage{b.Bytes(), gz.Bytes()}
			c.size += b.Len() + gz.Len()
		}
		c.mu.Unlock()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if w.Header().Get("Content-Encoding") == "" {
		w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	}
	w.Write(b.Bytes())
}
