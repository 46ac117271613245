package web

import (
	"net/http"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// printMeta is what a printed public page carries that the screen does
// not need (the print stylesheet shows it, and hides the navigation): the
// page's address, the day it was taken from the site, and the day the
// public list stands as of. The pages are rendered without script, so the
// day is the server's when it rendered the page; rendered pages are kept
// only until the public list's next refresh, which a new day brings.
type printMeta struct {
	AddressLabel, Address, Taken, AsOf string
}

// printMetaFor fills printMeta for r: the address is absolute only with a
// configured origin (serve --origin), never from the request's Host (a
// kept page is served to everyone, and a forged Host must not end up on
// their printouts).
func (s *Server) printMetaFor(r *http.Request, p page) (printMeta, error) {
	refreshed, err := s.store.PublicRefreshedAt(r.Context())
	if err != nil {
		return printMeta{}, err
	}
	m := printMeta{AddressLabel: p.T("print.address"), Address: s.origin + r.URL.RequestURI(),
		Taken: p.Tf("print.taken", "date", p.Date(registry.DayOf(time.Now())))}
	if !refreshed.IsZero() {
		m.AsOf = p.Tf("print.as_of", "date", p.Date(registry.DayOf(refreshed)))
	}
	return m, nil
}

// maxPrintRows bounds the print view: beyond it the page says the list
// was cut and points to the CSV download, which has every row.
const maxPrintRows = 20000

// peoplePrintData is the print view of the filtered public list.
type peoplePrintData struct {
	page
	Print  printMeta
	Filter store.PeopleFilter
	People []store.PersonRow
	Total  int
	Cut    bool
	// Back is the screen list with the same filter.
	Back string
}

// peoplePrint is /{lang}/people/print/: every person the filter keeps,
// on one page, in the list's order, without paging.
func (s *Server) peoplePrint(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f, _ := parsePeopleFilter(r.URL.Query())
	f.PerPage = store.MaxPerPage
	data := peoplePrintData{page: p, Filter: f, Back: "/" + p.Lang + "/people/"}
	if q := filterQuery(f); len(q) > 0 {
		data.Back += "?" + q.Encode()
	}
	for f.Page = 1; ; f.Page++ {
		list, err := s.store.PublicPeople(r.Context(), f)
		if err != nil {
			s.serverError(w, "people print", err)
			return
		}
		data.Total = list.Total
		data.People = append(data.People, list.People...)
		if len(data.People) >= maxPrintRows {
			data.People, data.Cut = data.People[:maxPrintRows], list.Total > maxPrintRows
			break
		}
		if f.Page >= list.Pages {
			break
		}
	}
	var err error
	if data.Print, err = s.printMetaFor(r, p); err != nil {
		s.serverError(w, "people print", err)
		return
	}
	data.Title = p.T("people.print.title")
	s.render(w, "people_print.html", data)
}

// ShortID is the end of a person id, for the list's withheld entries: the
// link holds the whole id, and 36 characters would take a phone's line
// (the ids' starts are times, alike for persons made together; their ends
// are random).
func (page) ShortID(id string) string {
	if len(id) <= 8 {
		return id
	}
	return id[len(id)-8:]
}
