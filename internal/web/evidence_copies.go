package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/store"
)

// Public copies from the workspace: an editor marks areas of an item by
// their pixel coordinates (the form works without script), the server
// makes the copy (store.DeriveEvidence: decoded, redacted, re-encoded, a
// custody entry), shows it to editors, and publishes it with a reason
// (store.PublishEvidenceDerivative: refused for a withheld person, a
// custody entry).

// copyAreaRows is how many area rows the form offers.
const copyAreaRows = 4

func (s *Server) evidenceCopyRoutes() {
	s.handle("POST /admin/evidence/{id}/copies", auth.EditRecords, s.evidenceDerive)
	s.handle("GET /admin/evidence/{id}/copies/{copy}", auth.EditRecords, s.evidenceCopyFile)
	s.handle("GET /admin/evidence/{id}/picture", auth.EditRecords, s.evidencePicture)
	s.handle("POST /admin/evidence/{id}/copies/{copy}/publish", auth.EditRecords, s.evidencePublishCopy)
}

// AreaRows numbers the form's area rows.
func (p evidenceItemPage) AreaRows() []int {
	rows := make([]int, copyAreaRows)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

// AreaField is a sent area field's value, to show a refused form again.
func (p evidenceItemPage) AreaField(name string, row int) string {
	return p.Form.Get(fmt.Sprintf("area-%s-%d", name, row))
}

// formAreas reads the area rows: a row left empty is skipped, a row
// partly filled or not whole numbers is refused (never silently dropped:
// the area would stay visible).
func formAreas(get func(string) string) ([]evidence.Rect, bool) {
	var areas []evidence.Rect
	for row := range copyAreaRows {
		var v []string
		empty := true
		for _, n := range []string{"x", "y", "w", "h"} {
			f := strings.TrimSpace(get(fmt.Sprintf("area-%s-%d", n, row)))
			empty = empty && f == ""
			v = append(v, f)
		}
		if empty {
			continue
		}
		a, err := evidence.ParseRect(strings.Join(v, ","))
		if err != nil {
			return nil, false
		}
		areas = append(areas, a)
	}
	return areas, true
}

// tempDirOf is where ffmpeg writes a video's copy: the blob store's own
// temporary folder when it has one (the same disk, wiped with it).
func tempDirOf(b evidence.Blobs) string {
	if d, ok := b.(interface{ TempDir() string }); ok {
		return d.TempDir()
	}
	return os.TempDir()
}

func (s *Server) evidenceDerive(w http.ResponseWriter, r *http.Request, acc *account) {
	if s.evidence == nil {
		s.notFound(w, r)
		return
	}
	id := r.PathValue("id")
	areas, ok := formAreas(r.PostForm.Get)
	if !ok {
		s.showEvidenceItem(w, r, acc, http.StatusBadRequest, []string{"admin.ev.err.area"})
		return
	}
	how := evidence.Fill
	if r.PostForm.Get("how") == string(evidence.Pixelate) {
		how = evidence.Pixelate
	}
	_, err := s.store.DeriveEvidence(r.Context(), s.evidence.cfg.Blobs, tempDirOf(s.evidence.cfg.Blobs), acc.User.ID, id, areas, how)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, evidence.ErrNoFFmpeg):
		s.showEvidenceItem(w, r, acc, http.StatusUnprocessableEntity, []string{"admin.ev.err.ffmpeg"})
	case errors.Is(err, evidence.ErrNotDerivable):
		s.showEvidenceItem(w, r, acc, http.StatusUnprocessableEntity, []string{"admin.ev.err.not_derivable"})
	case errors.Is(err, evidence.ErrTooManyPixels):
		s.showEvidenceItem(w, r, acc, http.StatusUnprocessableEntity, []string{"admin.ev.err.too_many_pixels"})
	case errors.Is(err, evidence.ErrDamaged):
		s.showEvidenceItem(w, r, acc, http.StatusUnprocessableEntity, []string{"admin.ev.err.damaged"})
	case err != nil:
		// An area wholly outside the picture, or a picture that does not
		// decode: the editor's to correct, in words.
		s.showEvidenceItem(w, r, acc, http.StatusUnprocessableEntity, []string{"admin.ev.err.derive"})
	default:
		done(w, r, "/admin/evidence/"+id, "derived")
	}
}

// itemCopy finds a copy of the item in the path, or answers 404.
func (s *Server) itemCopy(w http.ResponseWriter, r *http.Request) (store.EvidenceDerivative, bool) {
	if s.evidence == nil {
		s.notFound(w, r)
		return store.EvidenceDerivative{}, false
	}
	d, err := s.store.EvidenceDerivative(r.Context(), r.PathValue("copy"))
	if err != nil || d.ItemID != r.PathValue("id") {
		s.notFound(w, r)
		return store.EvidenceDerivative{}, false
	}
	return d, true
}

// evidenceCopyFile shows a copy to editors before it is published: it is
// the redacted, metadata-free picture, never the original.
func (s *Server) evidenceCopyFile(w http.ResponseWriter, r *http.Request, acc *account) {
	d, ok := s.itemCopy(w, r)
	if !ok {
		return
	}
	body, err := s.store.OpenDerivative(r.Context(), s.evidence.cfg.Blobs, d)
	if err != nil {
		s.serverError(w, "evidence copy", err)
		return
	}
	defer body.Close()
	w.Header().Set("Content-Type", d.MediaType)
	w.Header().Set("Content-Disposition", "inline")
	io.Copy(w, body)
}

func (s *Server) evidencePublishCopy(w http.ResponseWriter, r *http.Request, acc *account) {
	d, ok := s.itemCopy(w, r)
	if !ok {
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if reason == "" {
		s.showEvidenceItem(w, r, acc, http.StatusBadRequest, []string{"admin.ev.err.reason"})
		return
	}
	switch err := s.store.PublishEvidenceDerivative(r.Context(), acc.User.ID, d.ID, reason); {
	case errors.Is(err, store.ErrWithheldPerson):
		s.showEvidenceItem(w, r, acc, http.StatusConflict, []string{"admin.ev.err.withheld"})
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case err != nil && d.Published():
		s.showEvidenceItem(w, r, acc, http.StatusConflict, []string{"admin.ev.err.published_already"})
	case err != nil:
		s.serverError(w, "publish evidence copy", err)
	default:
		done(w, r, "/admin/evidence/"+d.ItemID, "copy_published")
	}
}

// AreaNames are an area row's fields, in the CLI's X,Y,W,H order.
func (evidenceItemPage) AreaNames() []string { return []string{"x", "y", "w", "h"} }

// IsImage says whether a copy is previewed as a picture.
func (evidenceItemPage) IsImage(mediaType string) bool { return strings.HasPrefix(mediaType, "image/") }

// evidencePicture shows an editor the item's picture to mark areas on:
// upright and re-encoded from its pixels (evidence.DeriveImage with no
// area, so no metadata goes to the browser either), in exactly the
// coordinates the form takes. Opening the original is a custody entry;
// the page shows the picture only when the editor asks (?mark=1).
func (s *Server) evidencePicture(w http.ResponseWriter, r *http.Request, acc *account) {
	id := r.PathValue("id")
	it, err := s.store.EvidenceItem(r.Context(), id)
	if s.evidence == nil || err != nil || evidence.Kind(it.MediaType) != "image" {
		s.notFound(w, r)
		return
	}
	orientation := 0
	if d, err := s.store.EvidenceDetails(r.Context(), acc.User.ID, id); err == nil && d.Metadata != nil {
		orientation = d.Metadata.Orientation
	}
	it, ra, n, closer, err := s.store.OriginalAt(r.Context(), s.evidence.cfg.Blobs, acc.User.ID, id, "shown to mark areas")
	if err != nil {
		s.serverError(w, "evidence picture", err)
		return
	}
	defer closer.Close()
	var b bytes.Buffer
	if _, err := evidence.DeriveImage(ra, n, it.MediaType, orientation, nil, evidence.Fill, &b); err != nil {
		s.plainError(w, http.StatusUnprocessableEntity, "This picture cannot be shown: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", evidence.DerivedImageType(it.MediaType))
	w.Write(b.Bytes())
}

// Markable says whether the page may show the picture to mark areas on.
func (p evidenceItemPage) Markable() bool { return evidence.Kind(p.Item.MediaType) == "image" }
