package web

import (
	"net/http"
	"net/url"
	"slices"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// download is a file or feed offered on the data page. Its label is a
// message id; {lang} in the path is the page's language.
type download struct {
	Label, Path, Type string
}

// downloads are the open-data files and feeds, in the order the data page
// lists them (the routes are in api.go).
var downloads = []download{
	{"data.download.csv", "/data/rollcall-people.csv", "CSV"},
	{"data.download.csv_spreadsheet", "/data/rollcall-people-spreadsheet.csv", "CSV"},
	{"data.download.json", "/data/rollcall-people.json", "JSON"},
	{"data.download.feed", "/{lang}/feed.atom", "Atom"},
	{"data.download.api", "/api/v1/people", "JSON"},
	{"data.download.counts", "/api/v1/counts", "JSON"},
	{"data.download.snapshots", "/api/v1/snapshots", "JSON"},
	{"data.download.openapi", "/api/v1/openapi.json", "OpenAPI"},
	{"data.download.embed", "/{lang}/embed/counter", "HTML"},
	{"data.download.pubkey", snapshotKeyPath, "ed25519"},
}

// snapshotKeyPath is where the public key that signs snapshots is served.
const snapshotKeyPath = "/data/snapshot-signing.pub"

// snapshotLine is a published snapshot on the data page.
type snapshotLine struct {
	AsOf, Published registry.Day
	Note, URL       string
	Corrects        string // what this snapshot corrects, said in the page's language; empty if nothing
}

type dataPageData struct {
	page
	Downloads []download
	Snapshots []snapshotLine
	AsOf      registry.Day
}

func (s *Server) dataPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	p.Title = p.T("data.title")
	data := dataPageData{page: p, AsOf: registry.DayOf(s.store.Now().UTC())}
	if h, err := s.latestHeadline(r.Context()); err == nil {
		data.AsOf = h.AsOf
	}
	snaps, err := s.store.Snapshots(r.Context())
	if err != nil {
		s.serverError(w, "snapshots", err)
		return
	}
	for _, d := range downloads {
		// The signing key exists from the first publication on; before it
		// the link would lead nowhere (and break the static mirror).
		if d.Path == snapshotKeyPath && len(snaps) == 0 {
			continue
		}
		d.Path = replaceLang(d.Path, p.Lang)
		data.Downloads = append(data.Downloads, d)
	}
	// Under its as-of date, newest date first: a correction published
	// today for 2022 stands with 2022, not at the top.
	byDate := slices.Clone(snaps)
	slices.SortStableFunc(byDate, func(a, b store.Snapshot) int {
		if newerSnapshot(a, b) {
			return -1
		}
		return 1
	})
	for _, sn := range byDate {
		line := snapshotLine{AsOf: sn.AsOf, Published: registry.DayOf(sn.PublishedAt), Note: sn.Note, URL: SnapshotURL(sn.Slug)}
		switch replaced, newer := correction(snaps, sn); {
		case replaced != nil:
			line.Corrects = p.Tf("data.snapshot.replaces", "date", p.Date(replaced.AsOf), "published", p.Date(registry.DayOf(replaced.PublishedAt)))
		case newer != nil:
			line.Corrects = p.Tf("data.snapshot.earlier", "date", p.Date(sn.AsOf), "newer", p.Date(newer.AsOf))
		}
		data.Snapshots = append(data.Snapshots, line)
	}
	s.render(w, "data.html", data)
}

func replaceLang(path, lang string) string {
	const marker = "/{lang}/"
	if len(path) >= len(marker) && path[:len(marker)] == marker {
		return "/" + lang + "/" + path[len(marker):]
	}
	return path
}

// serves reports whether a GET of path reaches a route of its own rather
// than the catch-all "not found".
func (s *Server) serves(path string) bool {
	u, err := url.Parse(path)
	if err != nil {
		return false
	}
	_, pattern := s.mux.Handler(&http.Request{Method: http.MethodGet, URL: u, Host: "localhost"})
	return pattern != "" && pattern != "/"
}
