package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rollcall/internal/store"
)

// A record's history in the workspace (issue 15, item 3): where it came
// from (an account, an import of a file, a public report), who added each
// claim, and its corrections: appended revisions (store.ReviseRecord),
// the original kept and shown as such.

// recordHistory is what the record page shows of who did what.
type recordHistory struct {
	Origin    store.RecordOrigin
	Revisions []store.Revision
	Links     []store.LinkChange
	// ClaimFiles are the imported files claims came with, by claim id.
	ClaimFiles map[string]string
	// roles of the accounts named, by user id.
	roles map[string]string
	me    string
}

// Original is the record as first stored, when it has been corrected.
func (h recordHistory) Original() *store.Revision {
	if len(h.Revisions) == 0 {
		return nil
	}
	return &h.Revisions[0]
}

// Corrections are the revisions after the original, newest first.
func (h recordHistory) Corrections() []store.Revision {
	var out []store.Revision
	for i := len(h.Revisions) - 1; i > 0; i-- {
		out = append(out, h.Revisions[i])
	}
	return out
}

func (s *Server) recordHistory(ctx context.Context, acc *account, rec store.EnteredRecord, claims []store.EnteredClaim) (recordHistory, error) {
	h := recordHistory{ClaimFiles: map[string]string{}, roles: map[string]string{}, me: acc.User.ID}
	var err error
	if h.Origin, err = s.store.RecordOrigin(ctx, rec.ID); err != nil {
		return h, err
	}
	if h.Revisions, err = s.store.RecordRevisions(ctx, rec.ID); err != nil {
		return h, err
	}
	if h.Links, err = s.store.RecordLinks(ctx, rec.ID); err != nil {
		return h, err
	}
	accounts := []string{h.Origin.EnteredBy, h.Origin.RecordedBy}
	for _, l := range h.Links {
		accounts = append(accounts, l.ByWhom)
	}
	files := map[time.Time]string{}
	for _, c := range claims {
		accounts = append(accounts, c.EnteredBy)
		if c.EnteredBy != "" {
			continue
		}
		f, ok := files[c.RecordedAt]
		if !ok {
			if f, err = s.store.ImportFileAt(ctx, c.RecordedAt); err != nil {
				return h, err
			}
			files[c.RecordedAt] = f
		}
		h.ClaimFiles[c.ID] = f
	}
	for _, v := range h.Revisions {
		accounts = append(accounts, v.RevisedBy)
	}
	for _, id := range accounts {
		if _, done := h.roles[id]; id == "" || done {
			continue
		}
		u, err := s.store.UserByID(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			h.roles[id] = ""
		case err != nil:
			return h, err
		default:
			h.roles[id] = u.Role
		}
	}
	return h, nil
}

// Who names an account on the record page: its role and the start of its
// id (addresses are sealed), or "you".
func (p editRecordPage) Who(id string) string {
	if id == "" {
		return ""
	}
	if id == p.History.me {
		return p.T("admin.history.you")
	}
	if id == "dedupe" || id == store.ActorCLI {
		return p.T("admin.history.actor." + id)
	}
	short := id
	if len(short) > 8 {
		short = short[:8]
	}
	role := p.History.roles[id]
	if role == "" {
		return p.Tf("admin.history.account", "id", short)
	}
	return p.Tf("admin.history.account_role", "role", p.T("admin.account.role_"+role), "id", short)
}

// FieldName names a corrected field in the page's language.
func (p editRecordPage) FieldName(field string) string { return p.T("admin.history.field." + field) }

// BirthOf writes a revision's birth date or year.
func (p editRecordPage) BirthOf(v store.Revision) string {
	if v.BirthDate != "" {
		return v.BirthDate
	}
	if v.BirthYear != 0 {
		return strconv.Itoa(v.BirthYear)
	}
	return "—"
}

// correctionForm fills the correction form with the record as it stands,
// where a refused form did not bring its own values.
func correctionForm(p *editRecordPage) {
	rec := p.Record
	set := func(k, v string) {
		if !p.Form.Has(k) {
			p.Form.Set(k, v)
		}
	}
	set("name", rec.Name)
	set("name_alt", strings.Join(rec.NameAlt, "\n"))
	set("sex", rec.Sex)
	if rec.BirthYear != 0 {
		set("birth_year", strconv.Itoa(rec.BirthYear))
	}
	set("birth_date", rec.BirthDate)
	set("region", rec.Region)
	set("locality", rec.Locality)
}

// reviseRecord corrects a record's person fields: an appended revision.
func (s *Server) reviseRecord(w http.ResponseWriter, r *http.Request, acc *account) {
	id := r.PathValue("id")
	if _, _, ok := s.openRecord(w, r, acc, id); !ok {
		return
	}
	fr := &formReader{form: r.PostForm}
	rec := fr.personFields()
	why := fr.text("why", maxShortField)
	if fr.problems != nil {
		s.showRecord(w, r, acc, id, http.StatusBadRequest, fr.problems)
		return
	}
	_, err := s.store.ReviseRecord(r.Context(), acc.User.ID, id, store.FieldsOf(rec), why)
	switch {
	case errors.Is(err, store.ErrNoChange):
		s.showRecord(w, r, acc, id, http.StatusBadRequest, []string{"admin.history.err.no_change"})
		return
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
		return
	case err != nil:
		s.serverError(w, "revise record", err)
		return
	}
	// The public list shows the correction at its next rebuild, started now.
	s.refreshPublic()
	done(w, r, "/admin/records/"+id, "revised")
}
