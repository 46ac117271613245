package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rollcall/internal/evidence"
	"rollcall/internal/openrosa"
	"rollcall/internal/store"
)

// Form Submission API (docs.getodk.org/openrosa-form-submission). Collect
// first sends HEAD to learn the largest body taken, then POSTs
// multipart/form-data: the part xml_submission_file (the instance), one
// part per attachment named by its file name, and, when the submission is
// larger than the server takes at once, several POSTs of which all but the
// last carry the part *isIncomplete* = yes. The body may come chunked (Go's
// server reads it either way).

// openrosaMaxPlain is the largest submission taken where evidence is not
// enabled (no attachment can be kept): the instance alone.
const openrosaMaxPlain = openrosa.MaxInstanceBytes

// openrosaOverhead is what the multipart framing may add to the limit.
const openrosaOverhead = 64 << 10

// submissionLimit is the largest body one POST may carry: one evidence
// upload's limit, so a video that could be uploaded through the workspace
// can come from a phone.
func (s *Server) submissionLimit() int64 {
	if s.evidence == nil {
		return openrosaMaxPlain
	}
	return s.evidence.cfg.UploadLimit
}

func (s *Server) openrosaSubmissionHead(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.phoneFor(w, r); !ok {
		return
	}
	openrosa.SetHeaders(w.Header(), s.store.Now())
	w.Header().Set("X-OpenRosa-Accept-Content-Length", strconv.FormatInt(s.submissionLimit(), 10))
	w.WriteHeader(http.StatusNoContent)
}

// receivedFile is an attachment received (encrypted into a temporary
// object of the evidence store) and not yet kept.
type receivedFile struct {
	name, declared string
	rec            *evidence.Received
}

// openrosaSubmission takes one POST of a submission. Nothing is kept until
// the whole request has been read and checked: the instance by the web
// form's parser, every attachment against the names in the instance, the
// body against the limit. Attachments stream straight into the evidence
// store (hashed and age-encrypted on the way, never held in memory) and
// are kept only at the end, each an evidence item whose custody begins
// "received from device NAME".
func (s *Server) openrosaSubmission(w http.ResponseWriter, r *http.Request) {
	phone, ok := s.phoneFor(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	limit := s.submissionLimit()
	// A phone on a slow network sends a video for many minutes, which the
	// server's read timeout (30 s) would cut; only a known phone gets the
	// longer deadlines, as a signed-in upload does.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(time.Hour))
	rc.SetWriteDeadline(time.Now().Add(time.Hour))
	r.Body = http.MaxBytesReader(w, r.Body, limit+openrosaOverhead)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		s.openrosaError(w, http.StatusUnsupportedMediaType, "Send the submission as multipart/form-data with the part xml_submission_file.")
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		s.openrosaError(w, http.StatusBadRequest, "The multipart body could not be read.")
		return
	}
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "xml_submission_file" {
		s.openrosaError(w, http.StatusBadRequest, "The first part must be xml_submission_file, the submission's XML.")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(part, openrosa.MaxInstanceBytes+1))
	if err != nil {
		s.openrosaError(w, bodyStatus(err, http.StatusBadRequest), bodyMessage(err, "The submission could not be read."))
		return
	}
	inst, err := openrosa.ParseInstance(bytes.NewReader(raw))
	if err != nil {
		s.openrosaError(w, bodyStatus(err, http.StatusBadRequest), err.Error())
		return
	}
	if inst.Encrypted {
		// ODK's encryption: raw is the manifest, the instance an attachment.
		s.openrosaEncryptedSubmission(w, r, phone, mr, raw)
		return
	}
	l, problem := s.landingFor(phone, inst)
	if problem != "" {
		status := http.StatusBadRequest
		if _, known := s.xforms()[inst.FormID]; !known {
			status = http.StatusNotFound
		}
		s.openrosaError(w, status, problem)
		return
	}
	formID, instanceID := inst.FormID, inst.InstanceID()
	switch err := s.store.BeginPhoneSubmission(ctx, phone.ID, formID, instanceID); {
	case errors.Is(err, store.ErrSubmissionTaken):
		// The same instance again (the phone did not see our answer): it
		// arrived; nothing is stored twice. The rest is read so the phone
		// sees this answer and not a broken connection.
		io.Copy(io.Discard, r.Body)
		s.openrosaAnswer(w, http.StatusCreated, "This submission was received already.")
		return
	case err != nil:
		s.openrosaFailed(w, "begin", err)
		return
	}
	files, incomplete, status, msg := s.receiveParts(r, mr, l, limit)
	discard := func() {
		for _, f := range files {
			f.rec.Discard()
		}
		s.store.AbandonPhoneSubmission(ctx, formID, instanceID)
	}
	if msg != "" {
		discard()
		s.openrosaError(w, status, msg)
		return
	}
	sub := store.PhoneSubmission{FormID: formID, InstanceID: instanceID, PhoneID: phone.ID, Kind: store.SubmissionPending,
		StartedAt: inst.PhoneTime("start"), EndedAt: inst.PhoneTime("end")}
	answer := "Part received; send the rest."
	person := ""
	if !incomplete {
		if sub.Kind, sub.TargetID, person, answer, err = s.land(ctx, l); err != nil {
			discard()
			s.openrosaFailed(w, "land", err)
			return
		}
	}
	if err := s.keepFiles(r, phone, l, sub, files, person); err != nil {
		s.openrosaFailed(w, "keep attachments", err)
		return
	}
	if err := s.store.FinishPhoneSubmission(ctx, sub); err != nil {
		s.openrosaFailed(w, "finish", err)
		return
	}
	s.openrosaAnswer(w, http.StatusCreated, answer)
}

// receiveParts reads the parts after the instance: each attachment must be
// named in the instance; *isIncomplete* says more POSTs will follow.
func (s *Server) receiveParts(r *http.Request, mr *multipart.Reader, l phoneLanding, limit int64) (files []receivedFile, incomplete bool, status int, msg string) {
	seen := map[string]bool{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return files, incomplete, 0, ""
		}
		if err != nil {
			return files, false, bodyStatus(err, http.StatusBadRequest), bodyMessage(err, "The multipart body is malformed.")
		}
		if part.FormName() == "*isIncomplete*" {
			v, _ := io.ReadAll(io.LimitReader(part, 16))
			incomplete = strings.TrimSpace(string(v)) == "yes"
			continue
		}
		name := part.FileName()
		if name == "" {
			name = part.FormName()
		}
		if !l.files[name] {
			return files, false, http.StatusBadRequest, "The attachment " + strconv.Quote(name) + " is not named in the submission."
		}
		if seen[name] {
			return files, false, http.StatusBadRequest, "The attachment " + strconv.Quote(name) + " came twice."
		}
		seen[name] = true
		if s.evidence == nil {
			return files, false, http.StatusBadRequest, "This server keeps no attachments."
		}
		key, err := s.store.EvidenceKey(r.Context())
		if err != nil {
			return files, false, http.StatusInternalServerError, "The server failed; try again later."
		}
		rec, err := evidence.Intake(part, key, s.evidence.cfg.Blobs, limit, -1)
		if err != nil {
			return files, false, bodyStatus(err, http.StatusBadRequest), bodyMessage(err, "The attachment "+strconv.Quote(name)+" could not be received: "+err.Error())
		}
		files = append(files, receivedFile{name: name, declared: part.Header.Get("Content-Type"), rec: rec})
	}
}

// keepFiles keeps the received attachments as evidence items from the
// phone, linked to the record's person when there is one; the files of
// earlier parts of the submission are linked now too.
func (s *Server) keepFiles(r *http.Request, phone store.Phone, l phoneLanding, sub store.PhoneSubmission, files []receivedFile, person string) error {
	ctx := r.Context()
	var links []store.EvidenceLink
	if person != "" {
		links = []store.EvidenceLink{{Kind: "person", TargetID: person}}
	}
	from := "device:" + phone.Name
	for i, f := range files {
		item, _, err := s.store.KeepEvidence(ctx, s.evidence.cfg.Blobs, f.rec, store.EvidenceIntake{Actor: from, From: from, Name: f.name, DeclaredType: f.declared, Links: links})
		if err != nil {
			for _, rest := range files[i+1:] {
				rest.rec.Discard()
			}
			return err
		}
		if err := s.store.AddPhoneAttachment(ctx, sub.FormID, sub.InstanceID, f.name, item.ID); err != nil {
			return err
		}
	}
	if person == "" {
		return nil
	}
	earlier, err := s.store.PhoneSubmissionOf(ctx, sub.FormID, sub.InstanceID)
	if err != nil {
		return err
	}
	for _, item := range earlier.Attachments {
		if err := s.store.LinkEvidence(ctx, from, item, links); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) openrosaAnswer(w http.ResponseWriter, status int, msg string) {
	openrosa.SetHeaders(w.Header(), s.store.Now())
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	w.Write(openrosa.Response(msg))
}

func (s *Server) openrosaFailed(w http.ResponseWriter, what string, err error) {
	s.log.Error("openrosa: "+what, "err", err)
	s.openrosaError(w, http.StatusInternalServerError, "The server failed to keep the submission; send it again later.")
}

// bodyStatus is 413 when the body was over the limit, else status.
func bodyStatus(err error, status int) int {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || errors.Is(err, evidence.ErrTooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return status
}

func bodyMessage(err error, msg string) string {
	if bodyStatus(err, 0) == http.StatusRequestEntityTooLarge {
		return "The submission is larger than this server takes at once."
	}
	return msg
}
