package web

import (
	"net/http"
	"net/url"

	"rollcall/internal/registry"
)

// One public address, one human: a person id once shown keeps answering.
// A merged-away id redirects (301) to the person it was merged into; a
// person that lost records says where they went; an id that never was is
// a 404 in the language of its path.

// personRedirect answers a person id that is not in the public list: 301
// to the survivor when it was merged away (true), else nothing (false).
// The API's answer says merged_into; a page's answer is a page in the
// language of its path that says what happened and links the survivor
// (its canonical address): the static mirror, which cannot answer 301,
// writes that page with a refresh (publish.Mirror).
func (s *Server) personRedirect(w http.ResponseWriter, r *http.Request, p *page, id, prefix string) bool {
	red, err := s.store.RedirectOf(r.Context(), id)
	if err != nil {
		return false
	}
	target := prefix + url.PathEscape(red.SurvivorID)
	w.Header().Set("Location", target)
	if p == nil {
		s.writeJSON(w, http.StatusMovedPermanently, mergedAnswer{ID: id, MergedInto: red.SurvivorID, MergedAt: registry.DayOf(red.At).String()})
		return true
	}
	p.Title = p.T("person.moved.title")
	p.Canonical = target
	s.renderStatus(w, http.StatusMovedPermanently, "person_moved.html", personMoved{page: *p, ID: id, To: target, On: registry.DayOf(red.At)})
	return true
}

type personMoved struct {
	page
	ID, To string
	On     registry.Day
}

// apiPersonPrefix is where the API serves one person.
const apiPersonPrefix = "/api/v1/people/"

// mergedAnswer is the API's body for a merged-away id.
type mergedAnswer struct {
	ID         string `json:"id"`
	MergedInto string `json:"merged_into"`
	MergedAt   string `json:"merged_at"`
}

// personNotFound is the 404 of a person page, in the language of its
// path and with the site's layout (not the language chooser of notFound:
// the visitor came by a link to a person and should hear what happened).
func (s *Server) personNotFound(w http.ResponseWriter, p page, id string) {
	p.Title = p.T("person.missing.title")
	s.renderStatus(w, http.StatusNotFound, "person_missing.html", personMissing{page: p, ID: id})
}

type personMissing struct {
	page
	ID string
}

// splitLine is records that left this person for another, on its page.
type splitLine struct {
	At registry.Day
	To string // "" when that person is not in the public list
}

// splitsOf lists, for a person page, where records once shown there went.
func (s *Server) splitsOf(r *http.Request, id string) ([]splitLine, error) {
	splits, err := s.store.SplitsOf(r.Context(), id)
	if err != nil {
		return nil, err
	}
	var out []splitLine
	for _, sp := range splits {
		line := splitLine{At: registry.DayOf(sp.At)}
		if _, err := s.store.PublicPerson(r.Context(), sp.ToPerson); err == nil {
			line.To = sp.ToPerson
		} else if !isNotFound(err) {
			return nil, err
		}
		out = append(out, line)
	}
	return out, nil
}
