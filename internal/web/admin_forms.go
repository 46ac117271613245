package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"rollcall/internal/names"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// editFrame is a workspace page's frame with the flash of ?done= and the
// problems of a refused form.
type editFrame struct {
	adminPage
	Problems []string
	Form     url.Values
}

// Value is a field of the form being shown again after a refusal.
func (f editFrame) Value(field string) string { return f.Form.Get(field) }

// Checked reports whether a multi-valued field of the form held v.
func (f editFrame) Checked(field, v string) bool { return slices.Contains(f.Form[field], v) }

func (s *Server) editFrame(r *http.Request, acc *account, titleKey string) editFrame {
	f := editFrame{adminPage: s.adminFrame(r, acc, ""), Form: url.Values{}}
	f.Title = f.T(titleKey)
	if done := r.URL.Query().Get("done"); editFlashes[done] {
		f.Flash = f.T("admin.edit.done." + done)
	}
	return f
}

// refused sets the frame up to show a refused form again: its problems,
// translated, and what was sent.
func (f *editFrame) refused(r *http.Request, problems []string) {
	for _, p := range problems {
		f.Problems = append(f.Problems, f.T(p))
	}
	f.Form = r.PostForm
}

// formReader reads and checks a form's fields, gathering every problem
// (as message keys) rather than stopping at the first.
type formReader struct {
	form     url.Values
	problems []string
}

func (fr *formReader) bad(key string) {
	if !slices.Contains(fr.problems, key) {
		fr.problems = append(fr.problems, key)
	}
}

// text is a field trimmed and in NFC; too long, not UTF-8 or holding
// control characters is a problem.
func (fr *formReader) text(field string, limit int) string {
	raw := fr.form.Get(field)
	if !utf8.ValidString(raw) || strings.ContainsRune(raw, 0) {
		fr.bad("admin.edit.err.encoding")
		return ""
	}
	v := names.Exact(raw)
	if utf8.RuneCountInString(v) > limit {
		fr.bad("admin.edit.err.too_long")
	}
	return v
}

func (fr *formReader) required(field string, limit int, problem string) string {
	v := fr.text(field, limit)
	if v == "" {
		fr.bad(problem)
	}
	return v
}

// period reads a date of a claim or an incident: YYYY-MM-DD, YYYY-MM or YYYY.
func (fr *formReader) period(field string) registry.Period {
	p, err := registry.ParsePeriod(fr.text(field, 20))
	if err != nil {
		fr.bad("admin.edit.err.date")
	}
	return p
}

// done redirects after a change to a page that says it was done.
func done(w http.ResponseWriter, r *http.Request, path, what string) {
	http.Redirect(w, r, path+"?done="+what, http.StatusSeeOther)
}

// editSealedPage shows one sealed value after its audited read.
type editSealedPage struct {
	editFrame
	What, Value, Back string
}

func (s *Server) showSealed(w http.ResponseWriter, r *http.Request, acc *account, whatKey, back string, open func() (string, error)) {
	v, err := open()
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "open sealed value", err)
		return
	}
	p := editSealedPage{editFrame: s.editFrame(r, acc, whatKey), Value: v, Back: back}
	p.What = p.T(whatKey)
	s.render(w, "admin_edit_sealed.html", p)
}
