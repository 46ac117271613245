package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

type editSourcesPage struct {
	editFrame
	Sources []store.SourceSummary
	Kinds   []registry.SourceKind
	Levels  []int // reliability, 0 (unknown) to 5
}

func (s *Server) sourcesPage(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showSources(w, r, acc, http.StatusOK, nil)
}

func (s *Server) showSources(w http.ResponseWriter, r *http.Request, acc *account, status int, problems []string) {
	p := editSourcesPage{editFrame: s.editFrame(r, acc, "admin.edit.sources.title"), Kinds: registry.SourceKinds, Levels: reliabilities}
	if problems != nil {
		p.refused(r, problems)
	}
	var err error
	if p.Sources, err = s.store.Sources(r.Context()); err != nil {
		s.serverError(w, "sources", err)
		return
	}
	s.renderStatus(w, status, "admin_edit_sources.html", p)
}

func (s *Server) addSource(w http.ResponseWriter, r *http.Request, acc *account) {
	fr := &formReader{form: r.PostForm}
	key := fr.required("key", 100, "admin.edit.err.key")
	kind, reliability := fr.sourceRating()
	identity := fr.text("identity", maxNoteField)
	if fr.problems != nil {
		s.showSources(w, r, acc, http.StatusBadRequest, fr.problems)
		return
	}
	id, err := s.store.AddSource(r.Context(), acc.User.ID, key, kind, reliability, identity)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		s.showSources(w, r, acc, http.StatusBadRequest, []string{"admin.edit.err.key_taken"})
		return
	case err != nil:
		s.serverError(w, "add source", err)
		return
	}
	done(w, r, "/admin/sources/"+id, "source")
}

// sourceRating reads a source's kind and reliability (0 unknown to 5).
func (fr *formReader) sourceRating() (registry.SourceKind, int) {
	kind, err := registry.ParseSourceKind(fr.form.Get("kind"))
	if err != nil {
		fr.bad("admin.edit.err.kind")
	}
	reliability, err := strconv.Atoi(fr.form.Get("reliability"))
	if err != nil || !slices.Contains(reliabilities, reliability) {
		fr.bad("admin.edit.err.reliability")
	}
	return kind, reliability
}

type editSourcePage struct {
	editFrame
	Source      store.SourceSummary
	Kinds       []registry.SourceKind
	Levels      []int
	HasIdentity bool
	Identity    string // shown only on the reveal page, after an audited read
	Revealed    bool
	Basis       store.SourceBasis
}

func (s *Server) sourcePage(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showSource(w, r, acc, http.StatusOK, nil, false)
}

func (s *Server) showSource(w http.ResponseWriter, r *http.Request, acc *account, status int, problems []string, reveal bool) {
	src, err := s.store.Source(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "source", err)
		return
	}
	p := editSourcePage{editFrame: s.editFrame(r, acc, "admin.edit.source.title"), Source: src, Kinds: registry.SourceKinds, Levels: reliabilities}
	if problems != nil {
		p.refused(r, problems)
	}
	// The kind and reliability form starts at the source's own values
	// (unless it is being shown again with what was sent).
	if p.Form.Get("kind") == "" && p.Form.Get("reliability") == "" {
		p.Form = url.Values{"kind": {string(src.Kind)}, "reliability": {strconv.Itoa(src.Reliability)}}
	}
	if p.Basis, err = s.store.SourceBasisOf(r.Context(), src.ID); err != nil {
		s.serverError(w, "source basis", err)
		return
	}
	if p.HasIdentity, err = s.store.HasSealed(r.Context(), store.SealedSourceIdentity, src.ID); err != nil {
		s.serverError(w, "source identity", err)
		return
	}
	if reveal && p.HasIdentity {
		if p.Identity, err = s.store.Sealed(r.Context(), acc.User.ID, store.SealedSourceIdentity, src.ID); err != nil {
			s.serverError(w, "open source identity", err)
			return
		}
		p.Revealed = true
	}
	s.renderStatus(w, status, "admin_edit_source.html", p)
}

func (s *Server) setSourceIdentity(w http.ResponseWriter, r *http.Request, acc *account) {
	if _, err := s.store.Source(r.Context(), r.PathValue("id")); errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	fr := &formReader{form: r.PostForm}
	identity := fr.required("identity", maxNoteField, "admin.edit.err.identity")
	if fr.problems != nil {
		s.showSource(w, r, acc, http.StatusBadRequest, fr.problems, false)
		return
	}
	id := r.PathValue("id")
	if err := s.store.SetSealed(r.Context(), acc.User.ID, store.SealedSourceIdentity, id, identity); err != nil {
		s.serverError(w, "set source identity", err)
		return
	}
	done(w, r, "/admin/sources/"+id, "identity")
}

// setSourceRating changes a source's kind and reliability (as `rollcall
// source set` does), audited. The kind is public, so the public list is
// rebuilt.
func (s *Server) setSourceRating(w http.ResponseWriter, r *http.Request, acc *account) {
	id := r.PathValue("id")
	if _, err := s.store.Source(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	} else if err != nil {
		s.serverError(w, "source", err)
		return
	}
	fr := &formReader{form: r.PostForm}
	kind, reliability := fr.sourceRating()
	if fr.problems != nil {
		s.showSource(w, r, acc, http.StatusBadRequest, fr.problems, false)
		return
	}
	err := s.store.SetSourceRating(r.Context(), acc.User.ID, id, kind, reliability)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		s.showSource(w, r, acc, http.StatusBadRequest, []string{"admin.edit.err.source_same"}, false)
		return
	case err != nil:
		s.serverError(w, "set source kind", err)
		return
	}
	s.refreshPublic()
	done(w, r, "/admin/sources/"+id, "source_set")
}

// revealSourceIdentity opens who the source is; the read is audited.
func (s *Server) revealSourceIdentity(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showSource(w, r, acc, http.StatusOK, nil, true)
}

// setSourceBasis records or withdraws a source's public basis (as `rollcall
// source set --public-basis` does), audited. It decides who is listed by
// name, so the public list is rebuilt.
func (s *Server) setSourceBasis(w http.ResponseWriter, r *http.Request, acc *account) {
	id := r.PathValue("id")
	src, err := s.store.Source(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	} else if err != nil {
		s.serverError(w, "source", err)
		return
	}
	withdraw := r.PostForm.Get("withdraw") != ""
	err = s.store.SetSourceBasis(r.Context(), acc.User.ID, src.Key, r.PostForm.Get("basis"), withdraw)
	switch {
	case errors.Is(err, store.ErrBasisNeedsText):
		s.showSource(w, r, acc, http.StatusBadRequest, []string{"admin.edit.err.basis_text"}, false)
		return
	case errors.Is(err, store.ErrReportFormBasis):
		s.showSource(w, r, acc, http.StatusBadRequest, []string{"admin.edit.err.basis_report_form"}, false)
		return
	case errors.Is(err, store.ErrDuplicate):
		s.showSource(w, r, acc, http.StatusBadRequest, []string{"admin.edit.err.basis_same"}, false)
		return
	case err != nil:
		s.serverError(w, "set source basis", err)
		return
	}
	s.refreshPublic()
	done(w, r, "/admin/sources/"+id, "source_set")
}
