package web

import (
	"errors"
	"net/http"
	"strings"

	"rollcall/internal/auth"
	"rollcall/internal/store"
)

// reviewPersonRoutes serves the persons whose records conflict, queued
// beside the pairs: keep them as one person or split them as proposed.
func (s *Server) reviewPersonRoutes() {
	s.handle("GET /admin/review/persons/{person}", auth.Link, s.reviewPerson)
	s.handle("POST /admin/review/persons/{person}", auth.Link, s.reviewPersonDecide)
}

type reviewPersonPage struct {
	adminPage
	Person     store.PersonReview
	Records    []recordView
	Split      [][]string
	BadVerdict bool
}

// Changes turns a stored impact reason into words of the page's
// language: the counts that move and the public list.
func (p adminPage) Changes(reason string) []string {
	var out []string
	for _, part := range strings.Split(reason, ",") {
		switch part {
		case "":
		case store.ImpactPublic:
			out = append(out, p.T("review.changes.public"))
		default:
			out = append(out, p.T("count."+part))
		}
	}
	return out
}

// personQueued finds a queued person; ErrNotFound when it is not queued.
func (s *Server) personQueued(r *http.Request, id string) (store.PersonReview, error) {
	persons, _, err := s.store.PersonReviews(r.Context(), 0)
	if err != nil {
		return store.PersonReview{}, err
	}
	for _, p := range persons {
		if p.PersonID == id {
			return p, nil
		}
	}
	return store.PersonReview{}, store.ErrNotFound
}

func (s *Server) reviewPerson(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showQueuedPerson(w, r, acc, http.StatusOK, false)
}

func (s *Server) showQueuedPerson(w http.ResponseWriter, r *http.Request, acc *account, status int, bad bool) {
	person, err := s.personQueued(r, r.PathValue("person"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "review person", err)
		return
	}
	p := reviewPersonPage{adminPage: s.adminFrame(r, acc, ""), Person: person, BadVerdict: bad}
	key := map[string]string{}
	for _, rec := range person.Records {
		p.Records = append(p.Records, recordViewIn(p.adminPage, rec))
		key[rec.ID] = rec.SourceKey + " / " + rec.Key
	}
	for _, g := range person.Split {
		var names []string
		for _, id := range g {
			names = append(names, key[id])
		}
		p.Split = append(p.Split, names)
	}
	p.Title = p.T("review.person.title")
	s.renderStatus(w, status, "admin_review_person.html", p)
}

func (s *Server) reviewPersonDecide(w http.ResponseWriter, r *http.Request, acc *account) {
	verdict := r.PostForm.Get("verdict")
	if verdict != store.PersonKeep && verdict != store.PersonSplit {
		s.showQueuedPerson(w, r, acc, http.StatusBadRequest, true)
		return
	}
	why := strings.TrimSpace(r.PostForm.Get("why"))
	if rs := []rune(why); len(rs) > 500 {
		why = string(rs[:500])
	}
	_, err := s.store.DecidePerson(r.Context(), r.PathValue("person"), verdict, acc.User.ID, why)
	var conflict *store.ConflictError
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.As(err, &conflict):
		s.showQueuedPerson(w, r, acc, http.StatusConflict, false)
		return
	case err != nil:
		s.serverError(w, "decide person", err)
		return
	}
	s.refreshPublic()
	http.Redirect(w, r, "/admin/review/?done", http.StatusSeeOther)
}
