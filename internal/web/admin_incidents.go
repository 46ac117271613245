package web

import (
	"net/http"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

type editIncidentsPage struct {
	editFrame
	Incidents []registry.Incident
	evidence  map[string][]store.EvidenceItem
}

// EvidenceFor lists the evidence items linked to an incident.
func (p editIncidentsPage) EvidenceFor(id string) []store.EvidenceItem { return p.evidence[id] }

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
	p.evidence = map[string][]store.EvidenceItem{}
	for _, in := range p.Incidents {
		if p.evidence[in.ID], err = s.store.EvidenceItems(r.Context(), &store.EvidenceLink{Kind: "incident", TargetID: in.ID}); err != nil {
			s.serverError(w, "incident evidence", err)
			return
		}
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
