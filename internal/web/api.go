package web

import (
	_ "embed"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

//go:embed openapi.json
var openAPIDocument []byte

// apiRoutes are the JSON API's routes; the OpenAPI document describes
// exactly these (TestOpenAPIMatchesRoutes).
var apiRoutes = []string{
	"/api/v1/people",
	"/api/v1/people/{id}",
	"/api/v1/counts",
	"/api/v1/snapshots",
	"/api/v1/openapi.json",
}

// publicDataRoutes registers the people pages, the API, the downloads,
// the feed and the embeddable counter.
func (s *Server) publicDataRoutes() {
	s.public("GET /{lang}/people/{$}", s.people)
	s.public("GET /{lang}/people/{id}", s.person)
	s.public("GET /{lang}/people/print/{$}", s.peoplePrint)
	// One literal route per language: "GET /{lang}/feed.atom" would
	// conflict with "/review/{pair}".
	for _, lang := range s.languages {
		s.public("GET /"+lang+"/feed.atom", func(w http.ResponseWriter, r *http.Request) {
			r.SetPathValue("lang", lang)
			s.feed(w, r)
		})
	}
	s.public("GET /{lang}/embed/counter", s.embedCounter)
	s.public("GET /{lang}/embed/counter.svg", s.embedBadge)
	handlers := []http.HandlerFunc{s.apiPeople, s.apiPerson, s.apiCounts, s.apiSnapshots, s.apiOpenAPI}
	for i, route := range apiRoutes {
		s.public("GET "+route, handlers[i])
	}
	s.public("GET /data/rollcall-people.csv", s.downloadCSV)
	s.public("GET /data/rollcall-people-spreadsheet.csv", s.downloadSpreadsheetCSV)
	s.public("GET /data/rollcall-people.json", s.downloadJSON)
	s.public("GET /data/snapshots/{file}", s.snapshotFile)
	s.public("GET "+snapshotKeyPath, s.publicKey)
	s.public("GET "+snapshotKeyPEMPath, s.publicKeyPEM)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// openData marks a response as open data: any site may read it.
func openData(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.serverError(w, "json", err)
		return
	}
	openData(w)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

// apiError is the body of every API error.
type apiError struct {
	Error  string   `json:"error"`
	Params []string `json:"params,omitempty"`
}

func (s *Server) apiPeople(w http.ResponseWriter, r *http.Request) {
	f, problems := parsePeopleFilter(r.URL.Query())
	if len(problems) > 0 {
		s.writeJSON(w, http.StatusBadRequest, apiError{Error: "bad filter values", Params: problems})
		return
	}
	list, err := s.store.PublicPeople(r.Context(), f)
	if err != nil {
		s.serverError(w, "api people", err)
		return
	}
	s.writeJSON(w, http.StatusOK, list)
}

func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p, err := s.store.PublicPerson(r.Context(), id)
	if isNotFound(err) && s.personRedirect(w, r, nil, id, apiPersonPrefix) {
		return
	}
	if isNotFound(err) {
		s.writeJSON(w, http.StatusNotFound, apiError{Error: "no such person in the public list"})
		return
	}
	if err != nil {
		s.serverError(w, "api person", err)
		return
	}
	s.writeJSON(w, http.StatusOK, p)
}

// countsResponse is the shape of `rollcall stats --json`.
type countsResponse struct {
	AsOf            string          `json:"as_of"`
	KnownAt         string          `json:"known_at"`
	MinVerification string          `json:"min_verification"`
	Counts          registry.Counts `json:"counts"`
}

func (s *Server) apiCounts(w http.ResponseWriter, r *http.Request) {
	now := s.store.Now().UTC()
	q := registry.Query{AsOf: registry.DayOf(now), KnownAt: now, MinVerification: registry.DefaultMinVerification}
	if v := r.URL.Query().Get("as_of"); v != "" {
		d, err := registry.ParseDay(v)
		if err != nil {
			s.writeJSON(w, http.StatusBadRequest, apiError{Error: "as_of: want a date YYYY-MM-DD", Params: []string{"as_of"}})
			return
		}
		if d > q.AsOf {
			// Counts of a day to come would only repeat today's under a
			// date nobody can check yet.
			s.writeJSON(w, http.StatusBadRequest, apiError{Error: "as_of: the date " + d.String() + " is in the future (today is " + q.AsOf.String() + ")", Params: []string{"as_of"}})
			return
		}
		q.AsOf = d
	}
	if v := r.URL.Query().Get("known_at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.writeJSON(w, http.StatusBadRequest, apiError{Error: "known_at: want an RFC 3339 time", Params: []string{"known_at"}})
			return
		}
		q.KnownAt = t.UTC()
	}
	counts, err := s.store.Counts(r.Context(), q)
	if err != nil {
		s.serverError(w, "api counts", err)
		return
	}
	s.writeJSON(w, http.StatusOK, countsResponse{AsOf: q.AsOf.String(), KnownAt: q.KnownAt.Format(time.RFC3339Nano),
		MinVerification: q.MinVerification.String(), Counts: counts})
}

type apiSnapshot struct {
	Slug         string          `json:"slug"`
	AsOf         string          `json:"as_of"`
	KnownAt      string          `json:"known_at"`
	PublishedAt  string          `json:"published_at"`
	Note         string          `json:"note,omitempty"`
	People       int             `json:"people"`
	Counts       json.RawMessage `json:"counts"`
	URL          string          `json:"url"`
	SignatureURL string          `json:"signature_url"`
	PublicKey    string          `json:"public_key"`
}

type apiSnapshots struct {
	PublicKey    string        `json:"public_key,omitempty"`
	PublicKeyURL string        `json:"public_key_url,omitempty"`
	Verify       string        `json:"verify"`
	Snapshots    []apiSnapshot `json:"snapshots"`
}

// SnapshotURL is where the site keeps a snapshot's file; its signature is
// the same URL with .sig added.
func SnapshotURL(slug string) string { return "/data/snapshots/rollcall-snapshot-" + slug + ".json" }

func (s *Server) apiSnapshots(w http.ResponseWriter, r *http.Request) {
	snaps, err := s.store.Snapshots(r.Context())
	if err != nil {
		s.serverError(w, "api snapshots", err)
		return
	}
	out := apiSnapshots{Verify: "rollcall verify --key snapshot-signing.pub rollcall-snapshot-SLUG.json (with the .sig file beside it)", Snapshots: []apiSnapshot{}}
	for i, sn := range snaps {
		if i == 0 {
			out.PublicKey, out.PublicKeyURL = sn.PublicKey, snapshotKeyPath
		}
		u := SnapshotURL(sn.Slug)
		out.Snapshots = append(out.Snapshots, apiSnapshot{Slug: sn.Slug, AsOf: sn.AsOf.String(), KnownAt: sn.KnownAt.Format(time.RFC3339Nano),
			PublishedAt: sn.PublishedAt.Format(time.RFC3339Nano), Note: sn.Note, People: sn.People, Counts: json.RawMessage(sn.CountsJSON),
			URL: u, SignatureURL: u + ".sig", PublicKey: sn.PublicKey})
	}
	s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	openData(w)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDocument)
}

// Languages are the site's languages, by code.
func (s *Server) Languages() []string { return append([]string(nil), s.languages...) }
