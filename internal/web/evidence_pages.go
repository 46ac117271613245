package web

import (
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/store"
)

// The workspace's evidence pages: the list with a plain upload form (no
// script: a multipart POST streamed into the sealed intake), an item's
// page (hashes, links, custody chain, public copies), its sealed metadata
// (an audited read), and linking an item to a person, claim or incident.

func (s *Server) evidenceRoutes() {
	s.handleAny("GET /admin/evidence/{$}", []auth.Permission{auth.ReadRegistry, auth.EnterRecords}, s.evidenceList)
	s.handleStream("POST /admin/evidence/{$}", auth.EnterRecords, func() bool { return s.evidence != nil }, s.evidenceForm)
	s.handle("GET /admin/evidence/{id}", auth.ReadRegistry, s.evidenceItem)
	s.handle("GET /admin/evidence/{id}/metadata", auth.ReadSealed, s.evidenceMetadata)
	s.handle("POST /admin/evidence/{id}/links", auth.EditRecords, s.evidenceLink)
	s.public("GET /media/{id}", s.publicMedia)
}

type evidenceListPage struct {
	editFrame
	Items       []store.EvidenceItem
	FormLimit   int64
	UploadLimit int64 // one resumable upload (the page's script)
	UploadChunk int64
	Script      string // the upload script's URL
	CanUpload   bool
	Received    *store.EvidenceItem // the item the form (or the script) just kept
	Duplicate   bool
}

// evidencePagePolicy is the site's policy with our own scripts allowed,
// and their requests to us: only on the two pages with a script, the
// evidence page (static/upload.js, a resumable upload) and, for editors of
// a picture, its item page (static/redact.js, dragging areas to hide).
const evidencePagePolicy = contentSecurityPolicy + "; script-src 'self'; connect-src 'self'"

// MiB is a byte count in whole MiB, for the form's hint.
func (p evidenceListPage) MiB(n int64) int64 { return n >> 20 }

func (s *Server) evidenceList(w http.ResponseWriter, r *http.Request, acc *account) {
	// The upload script comes here at its end with ?received=ID (a
	// volunteer may not open the item's page): the same answer as the
	// form's, for an item the account may see.
	var received *store.EvidenceItem
	if id := r.URL.Query().Get("received"); id != "" && s.evidence != nil {
		if it, err := s.store.EvidenceItem(r.Context(), id); err == nil && (acc.Can(auth.ReadRegistry) || it.ReceivedBy == "user:"+acc.User.ID) {
			received = &it
		}
	}
	s.showEvidenceList(w, r, acc, http.StatusOK, nil, received, r.URL.Query().Get("again") == "1")
}

func (s *Server) showEvidenceList(w http.ResponseWriter, r *http.Request, acc *account, status int, problems []string, received *store.EvidenceItem, dup bool) {
	if s.evidence == nil {
		s.notFound(w, r)
		return
	}
	p := evidenceListPage{editFrame: s.editFrame(r, acc, "admin.ev.title"), FormLimit: s.evidence.cfg.FormLimit,
		UploadLimit: s.evidence.cfg.UploadLimit, UploadChunk: s.evidence.cfg.UploadChunk, Script: s.assetURL["upload.js"],
		CanUpload: acc.Can(auth.EnterRecords), Received: received, Duplicate: dup}
	if problems != nil {
		p.refused(r, problems)
	}
	items, err := s.store.EvidenceItems(r.Context(), nil)
	if err != nil {
		s.serverError(w, "evidence list", err)
		return
	}
	for _, it := range items {
		// A volunteer sees what they handed in, nothing else.
		if acc.Can(auth.ReadRegistry) || it.ReceivedBy == "user:"+acc.User.ID {
			p.Items = append(p.Items, it)
		}
	}
	if p.CanUpload {
		w.Header().Set("Content-Security-Policy", evidencePagePolicy)
	}
	s.renderStatus(w, status, "admin_evidence.html", p)
}

// handleStream registers an upload form's route (evidence, import):
// handle's checks (same origin, session, the permission) without reading
// the body as a form, which the handler streams; the form token is the
// body's first part, checked there before any file byte is read. enabled
// says whether the feature is on (else 404).
func (s *Server) handleStream(pattern string, perm auth.Permission, enabled func() bool, h accountHandler) {
	s.routeTable = append(s.routeTable, route{Pattern: pattern, Permission: perm})
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		privatePage(w)
		if s.auth == nil || !enabled() {
			s.notFound(w, r)
			return
		}
		if err := sameOrigin(r); err != nil {
			s.plainError(w, http.StatusForbidden, "This form was sent from another site and was refused.")
			return
		}
		acc, err := s.signedIn(r)
		if err != nil {
			s.serverError(w, "session", err)
			return
		}
		if acc == nil {
			s.plainError(w, http.StatusForbidden, "Your session has ended. Sign in again.")
			return
		}
		switch err := authorizeAny(acc, []auth.Permission{perm}, s.auth.Now()); {
		case errors.Is(err, auth.ErrNotFresh):
			s.plainError(w, http.StatusForbidden, "Confirm your password and code first, then send it again.")
			return
		case err != nil:
			s.plainError(w, http.StatusForbidden, "Your account may not do this.")
			return
		}
		h(w, r, acc)
	})
}

// formOverhead is what a multipart body may hold beside the file: the
// boundaries, the part headers and the small fields.
const formOverhead = 64 << 10

// streamedForm caps the body at limit plus the form's own fields and
// opens it as multipart, to be read part by part without ever being held
// whole; a body that is not a form gets a plain refusal (false).
func (s *Server) streamedForm(w http.ResponseWriter, r *http.Request, limit int64) (*multipart.Reader, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, limit+formOverhead)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		s.plainError(w, http.StatusUnsupportedMediaType, "Send this as a web form.")
		return nil, false
	}
	mr, err := r.MultipartReader()
	if err != nil {
		s.plainError(w, http.StatusBadRequest, "The form was malformed.")
		return nil, false
	}
	return mr, true
}

// evidenceForm takes one file from the plain form: refused with 413
// before a byte is written when the body announces more than the limit;
// otherwise streamed part by part (the form token first, the links, then
// the file straight into the intake: never the whole file in memory).
func (s *Server) evidenceForm(w http.ResponseWriter, r *http.Request, acc *account) {
	limit := s.evidence.cfg.FormLimit
	if r.ContentLength > limit+formOverhead {
		s.plainError(w, http.StatusRequestEntityTooLarge, "The file is larger than the form takes; send it with a resumable upload or from the command line.")
		return
	}
	mr, ok := s.streamedForm(w, r, limit)
	if !ok {
		return
	}
	// A slow connection must not be cut by the server's read timeout
	// while the file streams in.
	rc := http.NewResponseController(w)
	fields := map[string]string{}
	tokenOK := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.plainError(w, http.StatusBadRequest, "The form was malformed.")
			return
		}
		name := part.FormName()
		if name != "file" {
			v, err := readAll(part, 4096)
			if err != nil {
				s.plainError(w, http.StatusRequestEntityTooLarge, "The form was too large or malformed.")
				return
			}
			fields[name] = v
			if name == formTokenField {
				tokenOK = subtle.ConstantTimeCompare([]byte(v), []byte(acc.CSRF)) == 1
			}
			continue
		}
		if !tokenOK {
			s.plainError(w, http.StatusForbidden, "This form has expired. Go back, reload the page and send it again.")
			return
		}
		links, problems := s.formLinks(r, acc, fields)
		if problems != nil {
			io.Copy(io.Discard, io.LimitReader(part, limit+1))
			s.showEvidenceList(w, r, acc, http.StatusBadRequest, problems, nil, false)
			return
		}
		rc.SetReadDeadline(time.Now().Add(time.Hour))
		rc.SetWriteDeadline(time.Now().Add(time.Hour))
		filename := part.FileName()
		if filename == "" {
			part.Close()
			continue // the file field left empty
		}
		it, dup, err := s.store.IntakeEvidence(r.Context(), s.evidence.cfg.Blobs, part, store.EvidenceIntake{
			Actor: acc.User.ID, From: "user:" + acc.User.ID, Name: filename, DeclaredType: part.Header.Get("Content-Type"),
			Links: links, Limit: limit, Want: -1,
		})
		var tooBig *http.MaxBytesError
		switch {
		case errors.Is(err, evidence.ErrTooLarge) || errors.As(err, &tooBig):
			s.plainError(w, http.StatusRequestEntityTooLarge, "The file is larger than the form takes; nothing of it was kept.")
			return
		case errors.Is(err, evidence.ErrDiskFull):
			s.plainError(w, http.StatusInsufficientStorage, err.Error())
			return
		case errors.Is(err, evidence.ErrTruncated):
			s.plainError(w, http.StatusBadRequest, "The file did not arrive whole; nothing of it was kept. Send it again.")
			return
		case err != nil:
			s.serverError(w, "evidence form", err)
			return
		}
		s.showEvidenceList(w, r, acc, http.StatusOK, nil, &it, dup)
		return
	}
	if !tokenOK {
		s.plainError(w, http.StatusForbidden, "This form has expired. Go back, reload the page and send it again.")
		return
	}
	s.showEvidenceList(w, r, acc, http.StatusBadRequest, []string{"admin.ev.err.no_file"}, nil, false)
}

// formLinks reads the person, incident and claim fields: only editors
// link, and only to what exists.
func (s *Server) formLinks(r *http.Request, acc *account, fields map[string]string) ([]store.EvidenceLink, []string) {
	meta := map[string]string{}
	for _, k := range []string{"person", "incident", "claim"} {
		if v := strings.TrimSpace(fields[k]); v != "" {
			meta[k] = v
		}
	}
	links, err := UploadLinks(meta)
	if err != nil {
		return nil, []string{"admin.ev.err.link"}
	}
	if len(links) > 0 && !acc.Can(auth.EditRecords) {
		return nil, []string{"admin.ev.err.link_refused"}
	}
	if err := s.store.CheckEvidenceLinks(r.Context(), links); err != nil {
		return nil, []string{"admin.ev.err.link"}
	}
	return links, nil
}

type evidenceItemPage struct {
	editFrame
	Item        store.EvidenceItem
	Links       []store.EvidenceLink
	Custody     []store.AuditEntry
	Derivatives []store.EvidenceDerivative
	Mark        bool   // the editor asked to see the picture (?mark=1)
	Script      string // the area-marking script's URL (editors)
}

func (s *Server) evidenceItem(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showEvidenceItem(w, r, acc, http.StatusOK, nil)
}

func (s *Server) showEvidenceItem(w http.ResponseWriter, r *http.Request, acc *account, status int, problems []string) {
	ctx := r.Context()
	it, err := s.store.EvidenceItem(ctx, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "evidence item", err)
		return
	}
	p := evidenceItemPage{editFrame: s.editFrame(r, acc, "admin.ev.item.title"), Item: it, Mark: r.URL.Query().Get("mark") == "1"}
	if problems != nil {
		p.refused(r, problems)
	}
	if p.Links, err = s.store.EvidenceLinks(ctx, it.ID); err == nil {
		if p.Custody, err = s.store.EvidenceCustody(ctx, it.ID); err == nil {
			p.Derivatives, err = s.store.EvidenceDerivatives(ctx, it.ID)
		}
	}
	if err != nil {
		s.serverError(w, "evidence item", err)
		return
	}
	if acc.Can(auth.EditRecords) && p.Markable() {
		// The one script of this page drags areas on the picture.
		p.Script = s.assetURL["redact.js"]
		w.Header().Set("Content-Security-Policy", evidencePagePolicy)
	}
	s.renderStatus(w, status, "admin_evidence_item.html", p)
}

// evidenceMetadata shows an item's sealed name and metadata: the reading
// is a custody entry ("opened").
func (s *Server) evidenceMetadata(w http.ResponseWriter, r *http.Request, acc *account) {
	id := r.PathValue("id")
	s.showSealed(w, r, acc, "admin.ev.metadata", "/admin/evidence/"+id, func() (string, error) {
		if _, err := s.store.EvidenceItem(r.Context(), id); err != nil {
			return "", err
		}
		d, err := s.store.EvidenceDetails(r.Context(), acc.User.ID, id)
		if err != nil {
			return "", err
		}
		lines := []string{"name: " + d.Name, "declared type: " + d.DeclaredType}
		if d.Metadata != nil {
			lines = append(lines, evidence.MetadataLines(d.Metadata)...)
		}
		return strings.Join(lines, "\n"), nil
	})
}

func (s *Server) evidenceLink(w http.ResponseWriter, r *http.Request, acc *account) {
	id := r.PathValue("id")
	kind, target := r.PostForm.Get("kind"), strings.TrimSpace(r.PostForm.Get("target"))
	links, err := UploadLinks(map[string]string{kind: target})
	if err != nil || len(links) != 1 {
		s.showEvidenceItem(w, r, acc, http.StatusBadRequest, []string{"admin.ev.err.link"})
		return
	}
	switch err := s.store.LinkEvidence(r.Context(), acc.User.ID, id, links); {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, store.ErrEvidenceLinkTarget):
		s.showEvidenceItem(w, r, acc, http.StatusBadRequest, []string{"admin.ev.err.link"})
	case err != nil:
		s.serverError(w, "link evidence", err)
	default:
		done(w, r, "/admin/evidence/"+id, "linked")
	}
}

// publicMedia serves a published public copy, only while it may be shown
// (published, and every person its item is linked to listed and not
// withheld); anything else is 404.
func (s *Server) publicMedia(w http.ResponseWriter, r *http.Request) {
	if s.evidence == nil {
		s.notFound(w, r)
		return
	}
	d, err := s.store.PublicDerivative(r.Context(), r.PathValue("id"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	body, err := s.store.OpenDerivative(r.Context(), s.evidence.cfg.Blobs, d)
	if err != nil {
		s.serverError(w, "public copy", err)
		return
	}
	defer body.Close()
	h := w.Header()
	h.Set("Content-Type", d.MediaType)
	// Revalidated every time: a person withheld later must stop showing
	// at once, not when a cache expires.
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Disposition", "inline")
	io.Copy(w, body)
}

// evidenceSection is the list of items a person's or incident's
// workspace page shows.
type evidenceSection struct {
	Root  editFrame
	Items []store.EvidenceItem
}

// EvidenceSection is the person's items, for the page's template.
func (p editPersonPage) EvidenceSection() evidenceSection {
	return evidenceSection{Root: p.editFrame, Items: p.Evidence}
}
