package web

import (
	"errors"
	"net/http"
	"strings"

	"rollcall/internal/auth"
	"rollcall/internal/store"
)

// namesRoutes serves the name forms dedupe learned from the records, for
// editors to accept or refuse (the same as 'rollcall names'). Their
// evidence names records, so the page needs the Link permission.
func (s *Server) namesRoutes() {
	s.handle("GET /admin/names/{$}", auth.Link, s.namesList)
	s.handle("POST /admin/names/{form}", auth.Link, s.namesDecide)
}

type namesPage struct {
	adminPage
	Proposed, Decided []store.NameFormRow
	// Crossed are the "different" pairs a refused acceptance would cross.
	Crossed [][2]string
	BadForm bool
}

func (s *Server) namesList(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showNames(w, r, acc, http.StatusOK, nil, false)
}

func (s *Server) showNames(w http.ResponseWriter, r *http.Request, acc *account, status int, crossed [][2]string, bad bool) {
	all, err := s.store.NameForms(r.Context(), "")
	if err != nil {
		s.serverError(w, "name forms", err)
		return
	}
	p := namesPage{adminPage: s.adminFrame(r, acc, ""), Crossed: crossed, BadForm: bad}
	for _, f := range all {
		if f.Status == store.FormProposed {
			p.Proposed = append(p.Proposed, f)
		} else {
			p.Decided = append(p.Decided, f)
		}
	}
	p.Title = p.T("admin.names.title")
	if r.URL.Query().Has("done") {
		p.Flash = p.T("admin.names.done")
	}
	s.renderStatus(w, status, "admin_names.html", p)
}

// namesDecide accepts or refuses a form for the signed-in account.
func (s *Server) namesDecide(w http.ResponseWriter, r *http.Request, acc *account) {
	verdict := map[string]string{"accept": store.FormAccepted, "refuse": store.FormRefused}[r.PostForm.Get("verdict")]
	if verdict == "" {
		s.showNames(w, r, acc, http.StatusBadRequest, nil, true)
		return
	}
	why := strings.TrimSpace(r.PostForm.Get("why"))
	if rs := []rune(why); len(rs) > 500 {
		why = string(rs[:500])
	}
	err := s.store.DecideNameForm(r.Context(), r.PathValue("form"), verdict, acc.User.ID, why)
	var conflict *store.NameFormConflictError
	switch {
	case errors.As(err, &conflict):
		s.showNames(w, r, acc, http.StatusConflict, conflict.Pairs, false)
		return
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
		return
	case err != nil:
		s.serverError(w, "decide name form", err)
		return
	}
	http.Redirect(w, r, "/admin/names/?done", http.StatusSeeOther)
}
