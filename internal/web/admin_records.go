package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"rollcall/internal/auth"
	"rollcall/internal/names"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// claim reads the fields of a claim: status, date, place, details,
// incident, verification and note. Setting a level above unverified needs
// the Verify permission.
func (fr *formReader) claim(acc *account) registry.Claim {
	var c registry.Claim
	var err error
	if c.Status, err = registry.ParseStatus(fr.form.Get("status")); err != nil {
		fr.bad("admin.edit.err.status")
	}
	c.Date = fr.period("date")
	c.Place = fr.text("place", maxShortField)
	c.Details = fr.text("details", maxShortField)
	c.IncidentID = fr.text("incident", 100)
	if c.Verification, err = registry.ParseVerification(fr.form.Get("verification")); err != nil {
		fr.bad("admin.edit.err.verification")
	} else if c.Verification > registry.Unverified && !acc.Can(auth.Verify) {
		fr.bad("admin.edit.err.verify_permission")
	}
	c.Note = fr.text("note", maxNoteField)
	return c
}

// record reads the person fields of a record: the name as written and
// every other spelling (one a line, or separated by ;), sex, birth, region,
// locality and roles, as the interchange CSV has them.
func (fr *formReader) record() registry.Record {
	source := fr.required("source", 100, "admin.edit.err.source")
	rec := fr.personFields()
	rec.SourceID = source
	for _, role := range fr.form["roles"] {
		r, err := registry.ParseRole(role)
		if err != nil {
			fr.bad("admin.edit.err.role")
			continue
		}
		rec.Roles = append(rec.Roles, r)
	}
	return rec
}

// personFields reads the fields a correction may change: the name as
// written, the other spellings, sex, birth year and date, region and
// locality.
func (fr *formReader) personFields() registry.Record {
	var rec registry.Record
	rec.Name = fr.required("name", maxShortField, "admin.edit.err.name")
	seen := map[string]bool{rec.Name: true}
	alts := strings.NewReplacer("\r\n", ";", "\n", ";").Replace(fr.text("name_alt", maxShortField*4))
	for _, alt := range strings.Split(alts, ";") {
		if alt = names.Exact(alt); alt != "" && !seen[alt] {
			seen[alt] = true
			if utf8.RuneCountInString(alt) > maxShortField {
				fr.bad("admin.edit.err.too_long")
			}
			rec.NameAlt = append(rec.NameAlt, alt)
		}
	}
	switch sex := fr.form.Get("sex"); sex {
	case "", "m", "f":
		rec.Sex = sex
	default:
		fr.bad("admin.edit.err.sex")
	}
	if y := fr.text("birth_year", 10); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || len(y) != 4 || !registry.ValidBirthYear(n) {
			fr.bad("admin.edit.err.birth_year")
		}
		rec.BirthYear = n
	}
	if d := fr.text("birth_date", 20); d != "" {
		day, err := registry.ParseDay(d)
		switch {
		case err != nil, !registry.ValidBirthYear(int(day) / 10000):
			fr.bad("admin.edit.err.birth_date")
		case rec.BirthYear != 0 && rec.BirthYear != int(day)/10000:
			fr.bad("admin.edit.err.birth_disagree")
		default:
			rec.BirthDate, rec.BirthYear = day.String(), int(day)/10000
		}
	}
	rec.Region = fr.text("region", maxShortField)
	rec.Locality = fr.text("locality", maxShortField)
	return rec
}

type editRecordsPage struct {
	editFrame
	Query   string
	Records []store.EnteredRecord
	OwnOnly bool // a volunteer's list: their own entries not yet taken
}

// ownFilter narrows what acc may see: a role that does not read the
// registry sees only its own entries that no editor has taken yet.
func ownFilter(acc *account) string {
	if acc.Can(auth.ReadRegistry) {
		return ""
	}
	return acc.User.ID
}

func (s *Server) recordsPage(w http.ResponseWriter, r *http.Request, acc *account) {
	p := editRecordsPage{editFrame: s.editFrame(r, acc, "admin.edit.records.title"), Query: store.CutQuery(r.URL.Query().Get("q"))}
	p.OwnOnly = ownFilter(acc) != ""
	var err error
	if p.Records, err = s.store.Records(r.Context(), store.RecordFilter{EnteredBy: ownFilter(acc), Query: p.Query, Limit: 200}); err != nil {
		s.serverError(w, "records", err)
		return
	}
	s.render(w, "admin_edit_records.html", p)
}

type editRecordFormPage struct {
	editFrame
	Sources       []store.SourceSummary
	Incidents     []registry.Incident
	Statuses      []registry.Status
	Roles         []registry.Role
	Verifications []string
}

func (s *Server) recordForm(w http.ResponseWriter, r *http.Request, acc *account, status int, problems []string) {
	p := editRecordFormPage{editFrame: s.editFrame(r, acc, "admin.edit.record_new.title"), Statuses: registry.Statuses, Roles: registry.Roles,
		Verifications: registry.VerificationNames}
	if problems != nil {
		p.refused(r, problems)
	}
	var err error
	if p.Sources, err = s.store.Sources(r.Context()); err != nil {
		s.serverError(w, "sources", err)
		return
	}
	if p.Incidents, err = s.store.Incidents(r.Context()); err != nil {
		s.serverError(w, "incidents", err)
		return
	}
	s.renderStatus(w, status, "admin_edit_record_new.html", p)
}

func (s *Server) newRecordForm(w http.ResponseWriter, r *http.Request, acc *account) {
	s.recordForm(w, r, acc, http.StatusOK, nil)
}

func (s *Server) addRecord(w http.ResponseWriter, r *http.Request, acc *account) {
	fr := &formReader{form: r.PostForm}
	rec := fr.record()
	c := fr.claim(acc)
	if fr.problems != nil {
		s.recordForm(w, r, acc, http.StatusBadRequest, fr.problems)
		return
	}
	id, _, err := s.store.AddRecord(r.Context(), acc.User.ID, acc.Can(auth.EditRecords), rec, c)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// The source or the incident chosen is gone (or never was).
		s.recordForm(w, r, acc, http.StatusBadRequest, []string{"admin.edit.err.unknown_choice"})
		return
	case err != nil:
		s.serverError(w, "add record", err)
		return
	}
	if c.Verification >= registry.PublicMinVerification {
		s.refreshPublic()
	}
	done(w, r, "/admin/records/"+id, "record")
}

type editRecordPage struct {
	editRecordFormPage
	Record  store.EnteredRecord
	Claims  []store.EnteredClaim
	History recordHistory // record_history.go
}

// claimTable is what the admin_edit_claims template shows: claims, with
// the forms to verify and retract them when Actions is set.
type claimTable struct {
	Root    editRecordFormPage
	Claims  []store.EnteredClaim
	Actions bool
	// By says who recorded each claim (by claim id), where known.
	By map[string]string
}

// ClaimTable is the record's claims, with the forms to change them for
// those who may (not viewers, who read only).
func (p editRecordPage) ClaimTable() claimTable {
	by := map[string]string{}
	for _, c := range p.Claims {
		switch file := p.History.ClaimFiles[c.ID]; {
		case c.EnteredBy != "":
			by[c.ID] = p.Tf("admin.history.by", "who", p.Who(c.EnteredBy))
		case file != "":
			by[c.ID] = p.Tf("admin.history.by_import", "file", file)
		}
	}
	return claimTable{Root: p.editRecordFormPage, Claims: p.Claims, Actions: p.Can(string(auth.EnterRecords)), By: by}
}

// openRecord returns a record acc may open, or answers 404: a volunteer
// asking for another's record (or one an editor took) learns nothing of
// whether it exists.
func (s *Server) openRecord(w http.ResponseWriter, r *http.Request, acc *account, id string) (store.EnteredRecord, []store.EnteredClaim, bool) {
	rec, claims, err := s.store.Record(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !auth.CanOpen(acc.Role, acc.User.ID, auth.Entry{CreatedBy: rec.EnteredBy, Taken: rec.Taken()})) {
		s.notFound(w, r)
		return rec, nil, false
	}
	if err != nil {
		s.serverError(w, "record", err)
		return rec, nil, false
	}
	return rec, claims, true
}

func (s *Server) recordPage(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showRecord(w, r, acc, r.PathValue("id"), http.StatusOK, nil)
}

func (s *Server) showRecord(w http.ResponseWriter, r *http.Request, acc *account, id string, status int, problems []string) {
	rec, claims, ok := s.openRecord(w, r, acc, id)
	if !ok {
		return
	}
	p := editRecordPage{editRecordFormPage: editRecordFormPage{editFrame: s.editFrame(r, acc, "admin.edit.record.title"), Statuses: registry.Statuses,
		Verifications: registry.VerificationNames}, Record: rec, Claims: claims}
	if problems != nil {
		p.refused(r, problems)
	}
	var err error
	if p.Incidents, err = s.store.Incidents(r.Context()); err != nil {
		s.serverError(w, "incidents", err)
		return
	}
	if p.History, err = s.recordHistory(r.Context(), acc, rec, claims); err != nil {
		s.serverError(w, "record history", err)
		return
	}
	correctionForm(&p)
	s.renderStatus(w, status, "admin_edit_record.html", p)
}

func (s *Server) addClaim(w http.ResponseWriter, r *http.Request, acc *account) {
	id := r.PathValue("id")
	if _, _, ok := s.openRecord(w, r, acc, id); !ok {
		return
	}
	fr := &formReader{form: r.PostForm}
	c := fr.claim(acc)
	if fr.problems != nil {
		s.showRecord(w, r, acc, id, http.StatusBadRequest, fr.problems)
		return
	}
	_, err := s.store.AddClaim(r.Context(), acc.User.ID, id, c)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		s.showRecord(w, r, acc, id, http.StatusBadRequest, []string{"admin.edit.err.claim_exists"})
		return
	case errors.Is(err, store.ErrNotFound):
		s.showRecord(w, r, acc, id, http.StatusBadRequest, []string{"admin.edit.err.unknown_choice"})
		return
	case err != nil:
		s.serverError(w, "add claim", err)
		return
	}
	if c.Verification >= registry.PublicMinVerification {
		s.refreshPublic()
	}
	done(w, r, "/admin/records/"+id, "claim")
}

// claimRecord finds the record of a claim and checks acc may open it,
// answering 404 otherwise.
func (s *Server) claimRecord(w http.ResponseWriter, r *http.Request, acc *account) (string, bool) {
	recordID, err := s.store.ClaimRecord(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return "", false
	}
	if err != nil {
		s.serverError(w, "claim", err)
		return "", false
	}
	if _, _, ok := s.openRecord(w, r, acc, recordID); !ok {
		return "", false
	}
	return recordID, true
}

func (s *Server) retractClaim(w http.ResponseWriter, r *http.Request, acc *account) {
	recordID, ok := s.claimRecord(w, r, acc)
	if !ok {
		return
	}
	fr := &formReader{form: r.PostForm}
	why := fr.required("why", maxShortField, "admin.edit.err.why")
	if fr.problems != nil {
		s.showRecord(w, r, acc, recordID, http.StatusBadRequest, fr.problems)
		return
	}
	err := s.store.WithdrawClaim(r.Context(), acc.User.ID, r.PathValue("id"), why)
	switch {
	case errors.Is(err, store.ErrRetracted):
		s.showRecord(w, r, acc, recordID, http.StatusBadRequest, []string{"admin.edit.err.retracted"})
		return
	case err != nil:
		s.serverError(w, "retract claim", err)
		return
	}
	s.refreshPublic()
	done(w, r, "/admin/records/"+recordID, "retracted")
}

func (s *Server) verifyClaim(w http.ResponseWriter, r *http.Request, acc *account) {
	recordID, ok := s.claimRecord(w, r, acc)
	if !ok {
		return
	}
	level, err := registry.ParseVerification(r.PostForm.Get("verification"))
	if err != nil || r.PostForm.Get("verification") == "" {
		s.showRecord(w, r, acc, recordID, http.StatusBadRequest, []string{"admin.edit.err.verification"})
		return
	}
	_, err = s.store.SetVerification(r.Context(), acc.User.ID, r.PathValue("id"), level)
	switch {
	case errors.Is(err, store.ErrRetracted):
		s.showRecord(w, r, acc, recordID, http.StatusBadRequest, []string{"admin.edit.err.retracted"})
		return
	case errors.Is(err, store.ErrDuplicate):
		s.showRecord(w, r, acc, recordID, http.StatusBadRequest, []string{"admin.edit.err.same_level"})
		return
	case err != nil:
		s.serverError(w, "verify claim", err)
		return
	}
	s.refreshPublic()
	done(w, r, "/admin/records/"+recordID, "verified")
}

func (s *Server) takeRecord(w http.ResponseWriter, r *http.Request, acc *account) {
	id := r.PathValue("id")
	err := s.store.TakeRecord(r.Context(), acc.User.ID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.Is(err, store.ErrDuplicate):
		s.showRecord(w, r, acc, id, http.StatusBadRequest, []string{"admin.edit.err.taken"})
		return
	case err != nil:
		s.serverError(w, "take record", err)
		return
	}
	done(w, r, "/admin/records/"+id, "taken")
}

// revealClaimNote opens a claim's private note (audited).
func (s *Server) revealClaimNote(w http.ResponseWriter, r *http.Request, acc *account) {
	recordID, ok := s.claimRecord(w, r, acc)
	if !ok {
		return
	}
	s.showSealed(w, r, acc, "admin.edit.sealed.note", "/admin/records/"+recordID, func() (string, error) {
		return s.store.ClaimNote(r.Context(), acc.User.ID, r.PathValue("id"))
	})
}
