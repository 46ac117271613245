package web

import (
	"net/http"
	"time"

	"rollcall/internal/registry"
)

type countLine struct {
	Label string
	Value int
}

type homePage struct {
	page
	AsOf    string
	KnownAt string
	Counts  []countLine
	Empty   bool
}

// home shows today's counts, as known now.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	p, ok := s.page(r.PathValue("lang"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	now := s.store.Now().UTC()
	q := registry.Query{AsOf: registry.DayOf(now), KnownAt: now, MinVerification: registry.DefaultMinVerification}
	counts, err := s.store.Counts(r.Context(), q)
	if err != nil {
		s.serverError(w, "counts", err)
		return
	}
	data := homePage{page: p, AsOf: q.AsOf.String(), KnownAt: now.Format(time.RFC3339), Empty: counts == registry.Counts{}}
	for _, name := range registry.CountNames {
		n, _ := counts.Get(name)
		data.Counts = append(data.Counts, countLine{Label: "count." + name, Value: n})
	}
	s.render(w, "home.html", data)
}
