package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"rollcall/internal/linkage"
	"rollcall/internal/store"
)

// EnableReview serves the review pages, where people decide the pairs
// dedupe queued. They show private data (names, sources, claims) and have
// no login yet: the editors' workspace will put them behind one. Until
// then `serve` mounts them only when given --review.
func (s *Server) EnableReview() {
	s.mux.HandleFunc("GET /review", s.reviewInLanguage)
	s.mux.HandleFunc("GET /review/{pair}", s.reviewInLanguage)
	s.mux.HandleFunc("GET /{lang}/review/{$}", s.reviewList)
	s.mux.HandleFunc("GET /{lang}/review/{pair}", s.reviewPair)
	// Deciding changes who is counted as whom: refuse cross-origin posts.
	s.mux.Handle("POST /{lang}/review/{pair}", http.NewCrossOriginProtection().Handler(http.HandlerFunc(s.reviewDecide)))
}

// reviewPageSize is how many pairs the list shows; people work from the top.
const reviewPageSize = 100

type reviewListPage struct {
	page
	Pairs []store.ReviewPair
	Open  int
	Done  bool
}

type reviewPairPage struct {
	page
	Pair                 store.ReviewPair
	A, B                 recordView
	SkipTo               string
	Conflict, BadVerdict bool
}

// recordView is a record's fields as the pair page shows them.
type recordView struct {
	SourceKey, Key, Name, NameAlt, Sex, Birth, Region, Locality string
	Claims                                                      []string
}

func viewOf(r store.ReviewRecord) recordView {
	v := recordView{SourceKey: r.SourceKey, Key: r.Key, Name: r.Name, NameAlt: strings.Join(r.NameAlt, "; "), Sex: r.Sex,
		Region: r.Region, Locality: r.Locality, Birth: r.BirthDate}
	if v.Birth == "" && r.BirthYear != 0 {
		v.Birth = fmt.Sprint(r.BirthYear)
	}
	for _, c := range r.Claims {
		v.Claims = append(v.Claims, strings.TrimSpace(fmt.Sprintf("%s %s %s", c.Status, c.Date, c.Place)))
	}
	return v
}

// reviewInLanguage sends /review and /review/{pair} to the visitor's language.
func (s *Server) reviewInLanguage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Vary", "Accept-Language")
	http.Redirect(w, r, "/"+s.preferredLanguage(r)+"/review/"+url.PathEscape(r.PathValue("pair")), http.StatusSeeOther)
}

func (s *Server) reviewList(w http.ResponseWriter, r *http.Request) {
	p, ok := s.page(r.PathValue("lang"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	pairs, open, err := s.store.ReviewQueue(r.Context(), reviewPageSize)
	if err != nil {
		s.serverError(w, "review queue", err)
		return
	}
	privatePage(w)
	s.render(w, "review_list.html", reviewListPage{page: p, Pairs: pairs, Open: open, Done: r.URL.Query().Has("done")})
}

func (s *Server) reviewPair(w http.ResponseWriter, r *http.Request) {
	s.showPair(w, r, http.StatusOK, false, false)
}

// showPair renders a pair, with the problem of a refused decision if any.
func (s *Server) showPair(w http.ResponseWriter, r *http.Request, status int, conflict, badVerdict bool) {
	p, ok := s.page(r.PathValue("lang"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	pair, err := s.store.ReviewPair(r.Context(), r.PathValue("pair"))
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "review pair", err)
		return
	}
	next, err := s.nextPairURL(r, p.Lang, pair)
	if err != nil {
		s.serverError(w, "next review pair", err)
		return
	}
	privatePage(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	s.render(w, "review_pair.html", reviewPairPage{page: p, Pair: pair, A: viewOf(pair.A), B: viewOf(pair.B), SkipTo: next,
		Conflict: conflict, BadVerdict: badVerdict})
}

// reviewDecide records a decision on a pair, applies it at once, and goes
// on to the next pair.
func (s *Server) reviewDecide(w http.ResponseWriter, r *http.Request) {
	p, ok := s.page(r.PathValue("lang"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad form.", http.StatusBadRequest)
		return
	}
	verdict := r.PostForm.Get("verdict")
	if verdict != linkage.Same && verdict != linkage.Different {
		s.showPair(w, r, http.StatusBadRequest, false, true)
		return
	}
	pair, err := s.store.ReviewPair(r.Context(), r.PathValue("pair"))
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "review pair", err)
		return
	}
	// Without logins the name is what the person typed; "web" otherwise.
	by := strings.TrimSpace(r.PostForm.Get("by"))
	if by == "" {
		by = "web"
	}
	_, err = s.store.DecideQueued(r.Context(), pair.ID, verdict, by, strings.TrimSpace(r.PostForm.Get("why")))
	var conflict *store.ConflictError
	switch {
	case errors.As(err, &conflict):
		s.showPair(w, r, http.StatusConflict, true, false)
		return
	case errors.Is(err, store.ErrNotFound):
		http.NotFound(w, r)
		return
	case err != nil:
		s.serverError(w, "decide", err)
		return
	}
	next, err := s.nextPairURL(r, p.Lang, pair)
	if err != nil {
		s.serverError(w, "next review pair", err)
		return
	}
	if next == "/"+p.Lang+"/review/" {
		next += "?done"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// nextPairURL is the page of the pair after this one in the queue, or the
// list when there is none.
func (s *Server) nextPairURL(r *http.Request, lang string, pair store.ReviewPair) (string, error) {
	next, err := s.store.NextReviewPair(r.Context(), pair.Weight, pair.ID)
	if err != nil || next == "" {
		return "/" + lang + "/review/", err
	}
	return "/" + lang + "/review/" + next, nil
}

// privatePage keeps private data out of caches and search engines.
func privatePage(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
}
