package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"rollcall/internal/auth"
	"rollcall/internal/names"
	"rollcall/internal/publish"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// editingRoutes registers the workspace's editing of the registry under
// /admin/: sources, records and claims, incidents, persons (links, marks
// with consent, relationships) and publishing snapshots. Every change is
// one store call that writes its audit entry in the same transaction.
func (s *Server) editingRoutes() {
	s.handle("GET /admin/sources/{$}", auth.EditRecords, s.sourcesPage)
	s.handle("POST /admin/sources/{$}", auth.EditRecords, s.addSource)
	s.handle("GET /admin/sources/{id}", auth.EditRecords, s.sourcePage)
	s.handle("POST /admin/sources/{id}/identity", auth.EditRecords, s.setSourceIdentity)
	s.handle("POST /admin/sources/{id}/kind", auth.EditRecords, s.setSourceRating)
	s.handle("GET /admin/sources/{id}/identity", auth.ReadSealed, s.revealSourceIdentity)

	// Records are read by those who enter them (a volunteer: their own
	// only, openRecord) and by those who read the registry (viewers: all,
	// read only); changing them needs EnterRecords or more.
	readRecords := []auth.Permission{auth.EnterRecords, auth.ReadRegistry}
	s.handleAny("GET /admin/records/{$}", readRecords, s.recordsPage)
	s.handle("GET /admin/records/new", auth.EnterRecords, s.newRecordForm)
	s.handle("POST /admin/records/{$}", auth.EnterRecords, s.addRecord)
	s.handleAny("GET /admin/records/{id}", readRecords, s.recordPage)
	s.handle("POST /admin/records/{id}/claims", auth.EnterRecords, s.addClaim)
	s.handle("POST /admin/records/{id}/take", auth.EditRecords, s.takeRecord)
	s.handle("POST /admin/claims/{id}/retract", auth.EnterRecords, s.retractClaim)
	s.handle("POST /admin/claims/{id}/verify", auth.Verify, s.verifyClaim)
	s.handle("GET /admin/claims/{id}/note", auth.ReadSealed, s.revealClaimNote)

	s.handle("GET /admin/incidents/{$}", auth.EditRecords, s.incidentsPage)
	s.handle("POST /admin/incidents/{$}", auth.EditRecords, s.addIncident)

	s.handle("GET /admin/people/{$}", auth.ReadRegistry, s.adminPeople)
	s.handle("GET /admin/people/{id}", auth.ReadRegistry, s.adminPerson)
	s.handle("POST /admin/people/{id}/move", auth.Link, s.moveRecord)
	s.handle("POST /admin/people/{id}/mark", auth.Publish, s.markPerson)
	s.handle("POST /admin/people/{id}/relationships", auth.EditRecords, s.addRelation)
	s.handle("POST /admin/relationships/{id}/retract", auth.EditRecords, s.retractRelation)
	s.handle("GET /admin/relationships/{id}/contact", auth.ReadSealed, s.revealRelativeContact)
	s.handle("GET /admin/consents/{id}/giver", auth.ReadSealed, s.revealConsentGiver)

	s.handle("GET /admin/publish/{$}", auth.Publish, s.publishPage)
	s.handle("POST /admin/publish/{$}", auth.Publish, s.publishPost)
	s.handle("GET /admin/publish/{slug}", auth.Publish, s.publishedPage)
}

// Limits of what a form field may hold (as the CSV import allows).
const (
	maxShortField = 500
	maxNoteField  = 10000
)

// reliabilities are the ratings a source may be given (0 unknown), listed
// once for the pages that offer them and the handlers that check them;
// the forms' other choices are registry's lists.
var reliabilities = []int{0, 1, 2, 3, 4, 5}

// editFlashes are the messages a page shows after a change (?done=KEY).
var editFlashes = map[string]bool{"source": true, "identity": true, "record": true, "claim": true, "retracted": true,
	"verified": true, "taken": true, "incident": true, "moved": true, "marked": true, "relation": true,
	"relation_retracted": true, "source_set": true}

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
	var rec registry.Record
	rec.SourceID = fr.required("source", 100, "admin.edit.err.source")
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

// done redirects after a change to a page that says it was done.
func done(w http.ResponseWriter, r *http.Request, path, what string) {
	http.Redirect(w, r, path+"?done="+what, http.StatusSeeOther)
}

// publicRefresher rebuilds the public list in the background after edits.
// A rebuild of a large registry takes tens of seconds (docs/benchmarks.md):
// the editor is not kept waiting, and edits made while one runs share the
// next. run is held by whatever rebuilds the list (or publishes, which may
// rebuild it), so two never overlap.
type publicRefresher struct {
	run     sync.Mutex
	mu      sync.Mutex
	pending bool // a rebuild is asked for and has not started reading yet
}

// refreshPublic asks for the public list to be rebuilt after a change that
// may alter it (a level, a retraction, a link, a mark). The change is
// committed already; a failed rebuild is logged, and the next one (or the
// next start of serve) catches up.
func (s *Server) refreshPublic() {
	r := &s.refresh
	r.mu.Lock()
	if r.pending {
		// A rebuild that has not started reading yet will see this change.
		r.mu.Unlock()
		return
	}
	r.pending = true
	r.mu.Unlock()
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		r.run.Lock()
		defer r.run.Unlock()
		r.mu.Lock()
		r.pending = false
		r.mu.Unlock()
		if _, err := s.store.RefreshPublic(context.Background()); err != nil {
			s.log.Error("refresh public list after an edit", "err", err)
		}
	}()
}

// --- sources ---

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
	id, err := s.store.AddSource(r.Context(), s.store.Keys(), acc.User.ID, key, kind, reliability, identity)
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
	if p.HasIdentity, err = s.store.HasSealed(r.Context(), store.SealedSourceIdentity, src.ID); err != nil {
		s.serverError(w, "source identity", err)
		return
	}
	if reveal && p.HasIdentity {
		if p.Identity, err = s.store.Sealed(r.Context(), s.store.Keys(), acc.User.ID, store.SealedSourceIdentity, src.ID); err != nil {
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
	if err := s.store.SetSealed(r.Context(), s.store.Keys(), acc.User.ID, store.SealedSourceIdentity, id, identity); err != nil {
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

// --- records and claims ---

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
	Record store.EnteredRecord
	Claims []store.EnteredClaim
}

// claimTable is what the admin_edit_claims template shows: claims, with
// the forms to verify and retract them when Actions is set.
type claimTable struct {
	Root    editRecordFormPage
	Claims  []store.EnteredClaim
	Actions bool
}

// ClaimTable is the record's claims, with the forms to change them for
// those who may (not viewers, who read only).
func (p editRecordPage) ClaimTable() claimTable {
	return claimTable{Root: p.editRecordFormPage, Claims: p.Claims, Actions: p.Can(string(auth.EnterRecords))}
}

// ClaimsOf is a record's claims as the person page shows them: read only.
func (p editPersonPage) ClaimsOf(claims []store.EnteredClaim) claimTable {
	return claimTable{Root: editRecordFormPage{editFrame: p.editFrame}, Claims: claims}
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

// --- incidents ---

type editIncidentsPage struct {
	editFrame
	Incidents []registry.Incident
}

func (s *Server) incidentsPage(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showIncidents(w, r, acc, http.StatusOK, nil)
}

func (s *Server) showIncidents(w http.ResponseWriter, r *http.Request, acc *account, status int, problems []string) {
	p := editIncidentsPage{editFrame: s.editFrame(r, acc, "admin.edit.incidents.title")}
	if problems != nil {
		p.refused(r, problems)
	}
	var err error
	if p.Incidents, err = s.store.Incidents(r.Context()); err != nil {
		s.serverError(w, "incidents", err)
		return
	}
	s.renderStatus(w, status, "admin_edit_incidents.html", p)
}

func (s *Server) addIncident(w http.ResponseWriter, r *http.Request, acc *account) {
	fr := &formReader{form: r.PostForm}
	in := registry.Incident{Name: fr.required("name", maxShortField, "admin.edit.err.incident_name"), Date: fr.period("date"),
		Place: fr.text("place", maxShortField), Description: fr.text("description", maxNoteField)}
	if fr.problems != nil {
		s.showIncidents(w, r, acc, http.StatusBadRequest, fr.problems)
		return
	}
	if _, err := s.store.AddIncident(r.Context(), acc.User.ID, in); err != nil {
		s.serverError(w, "add incident", err)
		return
	}
	done(w, r, "/admin/incidents/", "incident")
}

// --- persons ---

type editPeoplePage struct {
	editFrame
	Query   string
	Records []store.EnteredRecord
}

// adminPeople finds persons by any spelling of their records' names.
func (s *Server) adminPeople(w http.ResponseWriter, r *http.Request, acc *account) {
	p := editPeoplePage{editFrame: s.editFrame(r, acc, "admin.edit.people.title"), Query: store.CutQuery(r.URL.Query().Get("q"))}
	var err error
	if p.Records, err = s.store.Records(r.Context(), store.RecordFilter{Query: p.Query, Limit: 100}); err != nil {
		s.serverError(w, "records", err)
		return
	}
	s.render(w, "admin_edit_people.html", p)
}

// editPersonRecord is a record of a person with its claims.
type editPersonRecord struct {
	store.EnteredRecord
	Claims []store.EnteredClaim
}

type editPersonPage struct {
	editFrame
	ID        string
	Records   []editPersonRecord
	Marks     []store.PublicityMark
	Consents  []store.Consent
	Relations []store.PersonRelation
	Kinds     []registry.RelationshipKind
}

func (s *Server) adminPerson(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showPerson(w, r, acc, r.PathValue("id"), http.StatusOK, nil)
}

func (s *Server) showPerson(w http.ResponseWriter, r *http.Request, acc *account, id string, status int, problems []string) {
	ctx := r.Context()
	recs, err := s.store.Records(ctx, store.RecordFilter{PersonID: id, Limit: 1000})
	if err != nil {
		s.serverError(w, "person", err)
		return
	}
	if len(recs) == 0 {
		s.notFound(w, r)
		return
	}
	p := editPersonPage{editFrame: s.editFrame(r, acc, "admin.edit.person.title"), ID: id,
		Kinds: registry.RelationshipKinds}
	if problems != nil {
		p.refused(r, problems)
	}
	for _, rec := range recs {
		_, claims, err := s.store.Record(ctx, rec.ID)
		if err != nil {
			s.serverError(w, "person record", err)
			return
		}
		p.Records = append(p.Records, editPersonRecord{EnteredRecord: rec, Claims: claims})
	}
	if p.Marks, err = s.store.PersonMarks(ctx, id); err == nil {
		if p.Consents, err = s.store.Consents(ctx, id); err == nil {
			p.Relations, err = s.store.RelationsOf(ctx, id)
		}
	}
	if err != nil {
		s.serverError(w, "person", err)
		return
	}
	s.renderStatus(w, status, "admin_edit_person.html", p)
}

// personExists answers 404 for a person with no records now.
func (s *Server) personExists(w http.ResponseWriter, r *http.Request) bool {
	ok, err := s.store.PersonExists(r.Context(), r.PathValue("id"))
	if err != nil {
		s.serverError(w, "person", err)
		return false
	}
	if !ok {
		s.notFound(w, r)
	}
	return ok
}

// moveRecord moves one of the person's records into another person, or
// splits it out into a new person (target empty), with a reason.
func (s *Server) moveRecord(w http.ResponseWriter, r *http.Request, acc *account) {
	if !s.personExists(w, r) {
		return
	}
	fr := &formReader{form: r.PostForm}
	recordID := fr.required("record", 100, "admin.edit.err.record")
	target := fr.text("target", 100)
	why := fr.required("why", maxShortField, "admin.edit.err.why")
	if fr.problems == nil {
		if person, err := s.store.PersonOf(r.Context(), recordID); err != nil || person != r.PathValue("id") {
			fr.bad("admin.edit.err.record")
		}
	}
	if fr.problems != nil {
		s.showPerson(w, r, acc, r.PathValue("id"), http.StatusBadRequest, fr.problems)
		return
	}
	person, err := s.store.MoveRecord(r.Context(), acc.User.ID, recordID, target, why)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.showPerson(w, r, acc, r.PathValue("id"), http.StatusBadRequest, []string{"admin.edit.err.target"})
		return
	case errors.Is(err, store.ErrCannotMove):
		s.showPerson(w, r, acc, r.PathValue("id"), http.StatusBadRequest, []string{"admin.edit.err.move"})
		return
	case err != nil:
		s.serverError(w, "move record", err)
		return
	}
	s.refreshPublic()
	done(w, r, "/admin/people/"+person, "moved")
}

// markPerson marks a person withheld or public; public needs a consent
// (who gave it, when, how) or a recorded reason (registry.CheckMark).
func (s *Server) markPerson(w http.ResponseWriter, r *http.Request, acc *account) {
	if !s.personExists(w, r) {
		return
	}
	fr := &formReader{form: r.PostForm}
	mark, ok := registry.ParsePublicity(r.PostForm.Get("mark"))
	if !ok {
		fr.bad("admin.edit.err.mark")
	}
	reason := fr.text("reason", maxShortField)
	consent := registry.Consent{GivenBy: fr.text("consent_by", maxShortField), How: fr.text("consent_how", maxShortField)}
	if d := fr.text("consent_on", 20); d != "" {
		day, err := registry.ParseDay(d)
		if err != nil {
			fr.bad("admin.edit.err.date")
		}
		consent.Given = day
	}
	if fr.problems == nil {
		switch err := registry.CheckMark(mark, reason, consent); {
		case errors.Is(err, registry.ErrPublicNeedsConsent):
			fr.bad("admin.edit.err.public_needs_consent")
		case errors.Is(err, registry.ErrConsentIncomplete):
			fr.bad("admin.edit.err.consent_incomplete")
		case errors.Is(err, registry.ErrMarkNeedsReason):
			fr.bad("admin.edit.err.withheld_needs_reason")
		case errors.Is(err, registry.ErrConsentOnWithheld):
			fr.bad("admin.edit.err.consent_on_withheld")
		case err != nil:
			fr.bad("admin.edit.err.mark")
		}
	}
	if fr.problems != nil {
		s.showPerson(w, r, acc, r.PathValue("id"), http.StatusBadRequest, fr.problems)
		return
	}
	id := r.PathValue("id")
	if err := s.store.MarkWithConsent(r.Context(), s.store.Keys(), acc.User.ID, id, mark, reason, consent); err != nil {
		s.serverError(w, "mark person", err)
		return
	}
	s.refreshPublic()
	done(w, r, "/admin/people/"+id, "marked")
}

// addRelation records that this person is KIND of another, with how to
// reach the relative (sealed).
func (s *Server) addRelation(w http.ResponseWriter, r *http.Request, acc *account) {
	if !s.personExists(w, r) {
		return
	}
	fr := &formReader{form: r.PostForm}
	other := fr.required("other", 100, "admin.edit.err.target")
	kind := registry.RelationshipKind(r.PostForm.Get("kind"))
	if !slices.Contains(registry.RelationshipKinds, kind) {
		fr.bad("admin.edit.err.kind")
	}
	contact := fr.text("contact", maxNoteField)
	id := r.PathValue("id")
	if other == id {
		fr.bad("admin.edit.err.target")
	}
	if fr.problems != nil {
		s.showPerson(w, r, acc, r.PathValue("id"), http.StatusBadRequest, fr.problems)
		return
	}
	_, err := s.store.AddRelation(r.Context(), s.store.Keys(), acc.User.ID, id, other, kind, contact)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.showPerson(w, r, acc, r.PathValue("id"), http.StatusBadRequest, []string{"admin.edit.err.target"})
		return
	case err != nil:
		s.serverError(w, "add relationship", err)
		return
	}
	s.refreshPublic()
	done(w, r, "/admin/people/"+id, "relation")
}

// retractRelation withdraws a relationship, with a reason; it stays on the
// persons' pages as retracted and leaves the public pages. The form names
// the person page it was sent from (one of the two), to go back to.
func (s *Server) retractRelation(w http.ResponseWriter, r *http.Request, acc *account) {
	rel, err := s.store.Relation(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "relationship", err)
		return
	}
	person := r.PostForm.Get("person")
	if person != rel.PersonB {
		person = rel.PersonA
	}
	fr := &formReader{form: r.PostForm}
	why := fr.required("why", maxShortField, "admin.edit.err.why")
	if fr.problems != nil {
		s.showPerson(w, r, acc, person, http.StatusBadRequest, fr.problems)
		return
	}
	err = s.store.RetractRelation(r.Context(), acc.User.ID, rel.ID, why)
	switch {
	case errors.Is(err, store.ErrRelationRetracted):
		s.showPerson(w, r, acc, person, http.StatusBadRequest, []string{"admin.edit.err.relation_retracted"})
		return
	case err != nil:
		s.serverError(w, "retract relationship", err)
		return
	}
	s.refreshPublic()
	done(w, r, "/admin/people/"+person, "relation_retracted")
}

func (s *Server) revealRelativeContact(w http.ResponseWriter, r *http.Request, acc *account) {
	s.revealRelativeContactOf(w, r, acc, "relationships", "admin.edit.sealed.contact")
}

func (s *Server) revealConsentGiver(w http.ResponseWriter, r *http.Request, acc *account) {
	s.revealRelativeContactOf(w, r, acc, "person_consents", "admin.edit.sealed.consent")
}

// revealRelativeContactOf opens the relative_contact sealed value of a
// row of table (a relationship or a consent), only through its own kind
// of page.
func (s *Server) revealRelativeContactOf(w http.ResponseWriter, r *http.Request, acc *account, table, whatKey string) {
	id := r.PathValue("id")
	s.showSealed(w, r, acc, whatKey, "/admin/people/", func() (string, error) {
		if ok, err := s.store.Exists(r.Context(), table, id); err != nil {
			return "", err
		} else if !ok {
			return "", store.ErrNotFound
		}
		return s.store.Sealed(r.Context(), s.store.Keys(), acc.User.ID, store.SealedRelativeContact, id)
	})
}

// --- publishing ---

type editPublishPage struct {
	editFrame
	Snapshots []store.Snapshot
	Today     string
}

func (s *Server) publishPage(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showPublish(w, r, acc, http.StatusOK, nil)
}

func (s *Server) showPublish(w http.ResponseWriter, r *http.Request, acc *account, status int, problems []string) {
	p := editPublishPage{editFrame: s.editFrame(r, acc, "admin.edit.publish.title"), Today: registry.DayOf(s.store.Now()).String()}
	if problems != nil {
		p.refused(r, problems)
	}
	var err error
	if p.Snapshots, err = s.store.Snapshots(r.Context()); err != nil {
		s.serverError(w, "snapshots", err)
		return
	}
	s.renderStatus(w, status, "admin_edit_publish.html", p)
}

func (s *Server) publishPost(w http.ResponseWriter, r *http.Request, acc *account) {
	fr := &formReader{form: r.PostForm}
	day, err := registry.ParseDay(fr.text("as_of", 20))
	if err != nil {
		fr.bad("admin.edit.err.as_of")
	} else if day > registry.DayOf(s.store.Now()) {
		fr.bad("admin.edit.err.as_of_future")
	}
	note := fr.text("note", 2000)
	if fr.problems != nil {
		s.showPublish(w, r, acc, http.StatusBadRequest, fr.problems)
		return
	}
	refresher := &s.refresh
	refresher.run.Lock()
	res, err := publish.PublishRecorded(r.Context(), s.store, s.dataDir, acc.User.ID, publish.PublishOptions{AsOf: day, Note: note})
	refresher.run.Unlock()
	if err != nil {
		s.serverError(w, "publish", err)
		return
	}
	http.Redirect(w, r, "/admin/publish/"+url.PathEscape(res.Snapshot.Slug), http.StatusSeeOther)
}

type editPublishedPage struct {
	editFrame
	Snapshot store.Snapshot
	Counts   []countRow
	Head     store.AuditHead
	SignedBy string
	File     string
}

// countRow is one count of a snapshot, by its name in docs/counting.md.
type countRow struct {
	Name  string
	Value int
}

// editPublishedPage shows a publication as the command line prints it: the
// counts' date, the signing key and the audit chain's head to keep away
// from the server.
func (s *Server) publishedPage(w http.ResponseWriter, r *http.Request, acc *account) {
	sn, err := s.store.SnapshotBySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "snapshot", err)
		return
	}
	p := editPublishedPage{editFrame: s.editFrame(r, acc, "admin.edit.published.title"), Snapshot: sn, File: "/data/snapshots/" + publish.SnapshotFileName(sn.Slug)}
	if p.Head, err = s.store.PublicationHead(r.Context(), sn.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, "publication head", err)
		return
	}
	var counts registry.Counts
	if err := json.Unmarshal([]byte(sn.CountsJSON), &counts); err == nil {
		for _, name := range registry.CountNames {
			v, _ := counts.Get(name)
			p.Counts = append(p.Counts, countRow{name, v})
		}
	}
	if pub, err := publish.ParsePublicKey([]byte(sn.PublicKey)); err == nil {
		p.SignedBy = publish.Fingerprint(pub)
	}
	s.render(w, "admin_edit_published.html", p)
}
