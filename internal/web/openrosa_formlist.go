package web

import (
	"net/http"
	"slices"

	"rollcall/internal/openrosa"
)

// openrosaFormList answers the Form List API: every form, with its version,
// the hash of the XML served and where to fetch it and its manifest. The
// formID query parameter narrows the list to one form.
func (s *Server) openrosaFormList(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.phoneFor(w, r); !ok {
		return
	}
	base := phoneBase(r)
	forms := s.xforms()
	ids := []string{formReport, formRecord}
	if only := r.URL.Query().Get("formID"); only != "" {
		ids = slices.DeleteFunc(ids, func(id string) bool { return id != only })
	}
	var listed []openrosa.ListedForm
	for _, id := range ids {
		f := forms[id]
		listed = append(listed, openrosa.ListedForm{ID: id, Name: f.Title[f.Languages[0].Code], Version: f.Version(), Hash: openrosa.Hash(f.XML()),
			DownloadURL: base + "/forms/" + id + "/form.xml", ManifestURL: base + "/forms/" + id + "/manifest"})
	}
	s.openrosaXML(w, openrosa.FormList(listed))
}

// openrosaForm serves one form's XForm.
func (s *Server) openrosaForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.phoneFor(w, r); !ok {
		return
	}
	f, ok := s.xforms()[r.PathValue("form")]
	if !ok {
		s.openrosaError(w, http.StatusNotFound, "There is no such form.")
		return
	}
	s.openrosaXML(w, f.XML())
}

// openrosaManifest serves a form's manifest: Rollcall's forms have no
// media files, so it is empty (Collect then fetches nothing more).
func (s *Server) openrosaManifest(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.phoneFor(w, r); !ok {
		return
	}
	if _, ok := s.xforms()[r.PathValue("form")]; !ok {
		s.openrosaError(w, http.StatusNotFound, "There is no such form.")
		return
	}
	s.openrosaXML(w, openrosa.Manifest(nil))
}

func (s *Server) openrosaXML(w http.ResponseWriter, doc []byte) {
	openrosa.SetHeaders(w.Header(), s.store.Now())
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Write(doc)
}
