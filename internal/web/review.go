package web

import (
	"errors"
	"net/http"
	"strings"

	"rollcall/internal/auth"
	"rollcall/internal/linkage"
	"rollcall/internal/store"
)

// reviewRoutes serves the review queue, where editors decide the pairs
// dedupe queued. The pages show private data (names, sources, claims), so
// they are behind the workspace's sign-in and need the Link permission,
// to read as well: one judges a pair by reading it.
func (s *Server) reviewRoutes() {
	s.handle("GET /admin/review/{$}", auth.Link, s.reviewList)
	s.handle("GET /admin/review/{pair}", auth.Link, s.reviewPair)
	s.handle("POST /admin/review/{pair}", auth.Link, s.reviewDecide)
	s.reviewPersonRoutes() // persons whose records conflict (review_persons.go)
	s.reviewUndoRoutes()   // taking the last decision back (review_undo.go)
	s.auditRoutes()        // the audit log for admins (audit_page.go)
	s.namesRoutes()        // learned name forms (names.go)
}

type reviewPairPage struct {
	adminPage
	Pair                 store.ReviewPair
	A, B                 recordView
	SkipTo               string
	Conflict, BadVerdict bool
	// Last is the account's last decision, offered for an undo;
	// JustDecided when the page follows it, Undone after an undo.
	Last                *decisionView
	JustDecided, Undone bool
	// Merge is what "same" would do: both persons whole, the conflicts
	// it would join, who it would publish or withhold.
	Merge store.MergePreview
}

// recordView is a record's fields as the pair page shows them.
type recordView struct {
	SourceKey, Key, Name, NameAlt, Sex, Birth, Region, Locality string
	Claims                                                      []string
}

func (s *Server) reviewPair(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showPair(w, r, acc, http.StatusOK, false, false)
}

// showPair renders a pair, with the problem of a refused decision if any.
func (s *Server) showPair(w http.ResponseWriter, r *http.Request, acc *account, status int, conflict, badVerdict bool) {
	pair, err := s.store.ReviewPair(r.Context(), r.PathValue("pair"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "review pair", err)
		return
	}
	next, err := s.nextPairURL(r, pair)
	if err != nil {
		s.serverError(w, "next review pair", err)
		return
	}
	merge, err := s.store.PreviewMerge(r.Context(), pair.A.PersonID, pair.B.PersonID)
	if err != nil {
		s.serverError(w, "merge preview", err)
		return
	}
	p := reviewPairPage{adminPage: s.adminFrame(r, acc, ""), Pair: pair, SkipTo: next,
		Conflict: conflict, BadVerdict: badVerdict, Merge: merge}
	p.A, p.B = recordViewIn(p.adminPage, pair.A), recordViewIn(p.adminPage, pair.B)
	p.Last = s.lastDecision(r, p.adminPage, acc)
	p.JustDecided = p.Last != nil && r.URL.Query().Get("decided") == p.Last.ID
	p.Undone = r.URL.Query().Has("undone")
	p.Title = p.T("review.compare")
	s.renderStatus(w, status, "admin_review_pair.html", p)
}

// reviewDecide records a decision on a pair by the signed-in account,
// applies it at once, and goes on to the next pair.
func (s *Server) reviewDecide(w http.ResponseWriter, r *http.Request, acc *account) {
	verdict := r.PostForm.Get("verdict")
	if verdict != linkage.Same && verdict != linkage.Different && verdict != linkage.Unsure {
		s.showPair(w, r, acc, http.StatusBadRequest, false, true)
		return
	}
	pair, err := s.store.ReviewPair(r.Context(), r.PathValue("pair"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "review pair", err)
		return
	}
	why := strings.TrimSpace(r.PostForm.Get("why"))
	if rs := []rune(why); len(rs) > 500 {
		why = string(rs[:500])
	}
	out, err := s.store.DecideQueued(r.Context(), pair.ID, verdict, acc.User.ID, why)
	var conflict *store.ConflictError
	switch {
	case errors.As(err, &conflict):
		s.showPair(w, r, acc, http.StatusConflict, true, false)
		return
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
		return
	case err != nil:
		s.serverError(w, "decide", err)
		return
	}
	s.refreshPublic()
	next, err := s.nextPairURL(r, pair)
	if err != nil {
		s.serverError(w, "next review pair", err)
		return
	}
	// The next page confirms the decision and offers its undo.
	if next == "/admin/review/" {
		next += "?done&decided=" + out.Decision.ID
	} else {
		next += "?decided=" + out.Decision.ID
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// nextPairURL is the page of the pair after this one in the queue, or the
// list when there is none.
func (s *Server) nextPairURL(r *http.Request, pair store.ReviewPair) (string, error) {
	next, err := s.store.NextReviewPair(r.Context(), pair)
	if err != nil || next == "" {
		return "/admin/review/", err
	}
	return "/admin/review/" + next, nil
}

// privatePage keeps private data out of caches and search engines.
func privatePage(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
}
