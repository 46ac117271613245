package web

import "rollcall/internal/auth"

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
	s.handle("POST /admin/sources/{id}/basis", auth.Publish, s.setSourceBasis)
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
	s.handle("POST /admin/records/{id}/revise", auth.EditRecords, s.reviseRecord)
	s.handle("POST /admin/claims/{id}/retract", auth.EnterRecords, s.retractClaim)
	s.handle("POST /admin/claims/{id}/verify", auth.Verify, s.verifyClaim)
	s.handle("GET /admin/claims/{id}/note", auth.ReadSealed, s.revealClaimNote)

	s.handle("GET /admin/incidents/{$}", auth.EditRecords, s.incidentsPage)
	s.handle("POST /admin/incidents/{$}", auth.EditRecords, s.addIncident)

	s.handle("GET /admin/people/{$}", auth.ReadRegistry, s.adminPeople)
	s.handle("POST /admin/people/{$}", auth.Publish, s.markPeople)
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
var editFlashes = map[string]bool{"source": true, "revised": true, "identity": true, "record": true, "claim": true, "retracted": true,
	"verified": true, "taken": true, "incident": true, "moved": true, "marked": true, "relation": true,
	"relation_retracted": true, "source_set": true, "linked": true, "merged": true, "marked_merged": true,
	"derived": true, "copy_published": true}
