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

type editPeoplePage struct {
	editFrame
	Query   string
	Records []store.EnteredRecord
	// Persons are the distinct persons of Records, in their order, for
	// marking many at once.
	Persons []editPeoplePerson
}

// editPeoplePerson is one person of a filtered list: the first of its
// records' names found, and how many of its records the filter found.
type editPeoplePerson struct {
	ID, Name string
	Records  int
}

// personsOf gathers the persons of a list of records, in order.
func personsOf(recs []store.EnteredRecord) []editPeoplePerson {
	var out []editPeoplePerson
	at := map[string]int{}
	for _, r := range recs {
		if i, ok := at[r.PersonID]; ok {
			out[i].Records++
			continue
		}
		at[r.PersonID] = len(out)
		out = append(out, editPeoplePerson{ID: r.PersonID, Name: r.Name, Records: 1})
	}
	return out
}

// adminPeople finds persons by any spelling of their records' names.
func (s *Server) adminPeople(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showPeople(w, r, acc, store.CutQuery(r.URL.Query().Get("q")), http.StatusOK, nil)
}

func (s *Server) showPeople(w http.ResponseWriter, r *http.Request, acc *account, query string, status int, problems []string) {
	p := editPeoplePage{editFrame: s.editFrame(r, acc, "admin.edit.people.title"), Query: query}
	if problems != nil {
		p.refused(r, problems)
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("marked")); err == nil && n > 0 {
		p.Flash = p.Plural("admin.pub.bulk.done", n)
		if m, err := strconv.Atoi(r.URL.Query().Get("merged")); err == nil && m > 0 {
			p.Flash += " " + p.Plural("admin.pub.bulk.merged", m)
		}
	}
	var err error
	if p.Records, err = s.store.Records(r.Context(), store.RecordFilter{Query: p.Query, Limit: 100}); err != nil {
		s.serverError(w, "records", err)
		return
	}
	p.Persons = personsOf(p.Records)
	s.renderStatus(w, status, "admin_edit_people.html", p)
}

// markPeople marks every ticked person of a filtered list the same way
// with one reason (no consent: a consent is one person's), one audited
// mark per person; a person that no longer exists refuses the batch.
func (s *Server) markPeople(w http.ResponseWriter, r *http.Request, acc *account) {
	query := store.CutQuery(r.PostForm.Get("q"))
	fr := &formReader{form: r.PostForm}
	mark, ok := registry.ParsePublicity(r.PostForm.Get("mark"))
	if !ok {
		fr.bad("admin.edit.err.mark")
	}
	reason := fr.required("reason", maxShortField, "admin.pub.bulk.err_reason")
	ids := r.PostForm["person"]
	if len(ids) == 0 {
		fr.bad("admin.pub.bulk.err_none")
	}
	if len(ids) > 1000 {
		fr.bad("admin.pub.bulk.err_many")
	}
	if fr.problems != nil {
		s.showPeople(w, r, acc, query, http.StatusBadRequest, fr.problems)
		return
	}
	// Someone ticked may have been merged into another person since the
	// list was shown: the mark goes to that person, and the page says so.
	merged, err := s.store.MergedInto(r.Context(), ids)
	if err != nil {
		s.serverError(w, "merged persons", err)
		return
	}
	n, err := s.store.MarkMany(r.Context(), acc.User.ID, ids, mark, reason, registry.Consent{})
	var missing *store.MarkError
	switch {
	case errors.As(err, &missing):
		s.showPeople(w, r, acc, query, http.StatusBadRequest, []string{"admin.pub.bulk.err_missing"})
		return
	case err != nil:
		s.serverError(w, "mark persons", err)
		return
	}
	s.refreshPublic()
	back := "/admin/people/?q=" + url.QueryEscape(query) + "&marked=" + strconv.Itoa(n)
	if len(merged) > 0 {
		back += "&merged=" + strconv.Itoa(len(merged))
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// editPersonRecord is a record of a person with its claims.
type editPersonRecord struct {
	store.EnteredRecord
	Claims []store.EnteredClaim
}

type editPersonPage struct {
	editFrame
	ID          string
	Publication store.PublicationState
	Records     []editPersonRecord
	Marks       []store.PublicityMark
	Consents    []store.Consent
	Relations   []store.PersonRelation
	Kinds       []registry.RelationshipKind
	Evidence    []store.EvidenceItem
}

// ClaimsOf is a record's claims as the person page shows them: read only.
func (p editPersonPage) ClaimsOf(claims []store.EnteredClaim) claimTable {
	return claimTable{Root: editRecordFormPage{editFrame: p.editFrame}, Claims: claims}
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
		// A person merged away: its records are in the survivor now.
		if red, err := s.store.RedirectOf(ctx, id); err == nil && r.Method == http.MethodGet {
			done(w, r, "/admin/people/"+red.SurvivorID, "merged")
			return
		}
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
	if p.Publication, err = s.store.PublicationOf(ctx, id); errors.Is(err, store.ErrNotFound) {
		// Records without a claim: nothing of the person can be shown.
		p.Publication, err = store.PublicationState{PersonID: id, Ground: registry.GroundUndecided}, nil
	}
	if err != nil {
		s.serverError(w, "person publication", err)
		return
	}
	if p.Marks, err = s.store.PersonMarks(ctx, id); err == nil {
		if p.Consents, err = s.store.Consents(ctx, id); err == nil {
			p.Relations, err = s.store.RelationsOf(ctx, id)
		}
	}
	if err == nil {
		p.Evidence, err = s.store.EvidenceItems(ctx, &store.EvidenceLink{Kind: "person", TargetID: id})
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
	// A mark of a person merged away is meant for the human it is now
	// part of: it goes to the survivor, and the page says so.
	merged, err := s.store.MergedInto(r.Context(), []string{r.PathValue("id")})
	if err != nil {
		s.serverError(w, "mark person", err)
		return
	}
	pageID, isMerged := merged[r.PathValue("id")]
	if !isMerged {
		if !s.personExists(w, r) {
			return
		}
		pageID = r.PathValue("id")
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
		s.showPerson(w, r, acc, pageID, http.StatusBadRequest, fr.problems)
		return
	}
	id := r.PathValue("id")
	if err := s.store.MarkWithConsent(r.Context(), acc.User.ID, id, mark, reason, consent); err != nil {
		s.serverError(w, "mark person", err)
		return
	}
	s.refreshPublic()
	if isMerged {
		done(w, r, "/admin/people/"+pageID, "marked_merged")
		return
	}
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
	_, err := s.store.AddRelation(r.Context(), acc.User.ID, id, other, kind, contact)
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
		return s.store.Sealed(r.Context(), acc.User.ID, store.SealedRelativeContact, id)
	})
}
