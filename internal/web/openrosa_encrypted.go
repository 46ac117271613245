package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"rollcall/internal/evidence"
	"rollcall/internal/openrosa"
	"rollcall/internal/openrosa/odkcrypt"
	"rollcall/internal/store"
)

// Submissions encrypted on the phone (ODK's encryption, odkcrypt): the
// xml_submission_file is the manifest, and every file, the instance
// included (submission.xml.enc), is an attachment in ciphertext. Each file
// is decrypted as it arrives: the instance into memory (it is small), the
// media straight into the evidence store's temporary objects (age-encrypted
// there), so the plain bytes never touch the disk and a 500 MB video
// passes through a few buffers. Only when every file has come and the
// signature over them holds does the instance go the plain way (the web
// form's parser, landingFor, land, keepFiles); a bad signature or a
// damaged file keeps nothing.

// EnableOpenRosaEncryption makes the forms carry the instance's OpenRosa
// key (made at first use, kept sealed by the store) and lets the
// submission endpoint decrypt what phones encrypted with it.
func (s *Server) EnableOpenRosaEncryption(ctx context.Context) error {
	text, err := s.store.OpenRosaKey(ctx, odkcrypt.NewKeyText)
	if err != nil {
		return err
	}
	priv, err := odkcrypt.ParseKey(text)
	if err != nil {
		return err
	}
	s.phones.privateKey = priv
	s.phones.publicKey = odkcrypt.PublicKeyBase64(&priv.PublicKey)
	return nil
}

// encryptedPartsTTL is how long the earlier POSTs of a split encrypted
// submission wait for the last one.
const encryptedPartsTTL = time.Hour

// encryptedParts are the decrypted files of the earlier POSTs of one
// encrypted submission (Collect splits one larger than the server takes at
// once), waiting, in temporary objects, for the rest.
type encryptedParts struct {
	sub   *odkcrypt.Submission
	xml   []byte
	files []receivedFile
	seen  map[string]bool
	at    time.Time
}

type encryptedPending struct {
	mu    sync.Mutex
	parts map[string]*encryptedParts
}

func (p *encryptedPending) discard(e *encryptedParts) {
	for _, f := range e.files {
		f.rec.Discard()
	}
}

// take removes and returns the parts waiting under key (nil when none),
// letting go of any that waited too long.
func (p *encryptedPending) take(key string, now time.Time) *encryptedParts {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, e := range p.parts {
		if now.Sub(e.at) > encryptedPartsTTL {
			p.discard(e)
			delete(p.parts, k)
		}
	}
	e := p.parts[key]
	delete(p.parts, key)
	return e
}

// maxPendingPerPhone bounds the split encrypted submissions one phone may
// leave waiting (each holds its files on disk until its last POST).
const maxPendingPerPhone = 8

// put keeps e under key until its next POST; false when the phone has too
// many waiting already.
func (p *encryptedPending) put(key, phoneID string, e *encryptedParts) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.parts == nil {
		p.parts = map[string]*encryptedParts{}
	}
	n := 0
	for k := range p.parts {
		if strings.HasPrefix(k, phoneID+"\x00") {
			n++
		}
	}
	if n >= maxPendingPerPhone {
		return false
	}
	p.parts[key] = e
	return true
}

// openrosaEncryptedSubmission takes one POST of an encrypted submission
// whose manifest is raw.
func (s *Server) openrosaEncryptedSubmission(w http.ResponseWriter, r *http.Request, phone store.Phone, mr *multipart.Reader, raw []byte) {
	ctx := r.Context()
	if s.phones.privateKey == nil {
		s.openrosaError(w, http.StatusBadRequest, "This server takes no encrypted submissions: fetch the forms again and send a new copy.")
		return
	}
	m, err := odkcrypt.ParseManifest(raw)
	if err != nil {
		s.openrosaError(w, http.StatusBadRequest, "The encrypted submission's manifest is not valid: "+err.Error())
		return
	}
	if _, known := s.xforms()[m.FormID]; !known {
		s.openrosaError(w, http.StatusNotFound, fmt.Sprintf("There is no form %q on this server; fetch the forms again.", m.FormID))
		return
	}
	if got, err := s.store.PhoneSubmissionOf(ctx, m.FormID, m.InstanceID); err == nil && got.Kind != store.SubmissionPending {
		io.Copy(io.Discard, r.Body)
		s.openrosaAnswer(w, http.StatusCreated, "This submission was received already.")
		return
	}
	key := phone.ID + "\x00" + m.FormID + "\x00" + m.InstanceID + "\x00" + m.EncryptedKey
	e := s.phones.pending.take(key, s.store.Now())
	if e == nil {
		sub, err := odkcrypt.Open(s.phones.privateKey, m)
		if err != nil {
			s.openrosaError(w, http.StatusBadRequest, err.Error())
			return
		}
		e = &encryptedParts{sub: sub, seen: map[string]bool{}}
	}
	refuse := func(status int, msg string) {
		s.phones.pending.discard(e)
		s.openrosaError(w, status, msg)
	}
	incomplete, status, msg := s.receiveEncryptedParts(r, mr, e)
	if msg != "" {
		refuse(status, msg)
		return
	}
	if incomplete {
		e.at = s.store.Now()
		if !s.phones.pending.put(key, phone.ID, e) {
			refuse(http.StatusServiceUnavailable, "Too many of this phone's submissions wait for their last part; send those first, or try again in an hour.")
			return
		}
		s.openrosaAnswer(w, http.StatusCreated, "Part received; send the rest.")
		return
	}
	for _, name := range m.Files() {
		if !e.seen[name] {
			refuse(http.StatusBadRequest, "The encrypted file "+strconv.Quote(name)+" named in the manifest did not come; send the submission again.")
			return
		}
	}
	if err := e.sub.Verify(); err != nil {
		refuse(http.StatusBadRequest, err.Error())
		return
	}
	inst, err := openrosa.ParseInstance(bytes.NewReader(e.xml))
	if err != nil {
		refuse(http.StatusBadRequest, "The decrypted submission: "+err.Error())
		return
	}
	if inst.Encrypted || inst.FormID != m.FormID || inst.InstanceID() != m.InstanceID {
		refuse(http.StatusBadRequest, "The decrypted submission is not the one its manifest names (form or instanceID differ).")
		return
	}
	l, problem := s.landingFor(phone, inst)
	if problem != "" {
		refuse(http.StatusBadRequest, problem)
		return
	}
	for _, f := range e.files {
		if !l.files[f.name] {
			refuse(http.StatusBadRequest, "The attachment "+strconv.Quote(f.name)+" is not named in the submission.")
			return
		}
	}
	s.landEncrypted(w, r, phone, l, inst, e.files)
}

// landEncrypted keeps a decrypted, checked submission as a plain one is
// kept.
func (s *Server) landEncrypted(w http.ResponseWriter, r *http.Request, phone store.Phone, l phoneLanding, inst openrosa.Instance, files []receivedFile) {
	ctx := r.Context()
	discardFiles := func() {
		for _, f := range files {
			f.rec.Discard()
		}
	}
	formID, instanceID := inst.FormID, inst.InstanceID()
	switch err := s.store.BeginPhoneSubmission(ctx, phone.ID, formID, instanceID); {
	case errors.Is(err, store.ErrSubmissionTaken):
		discardFiles()
		s.openrosaAnswer(w, http.StatusCreated, "This submission was received already.")
		return
	case err != nil:
		discardFiles()
		s.openrosaFailed(w, "begin", err)
		return
	}
	sub := store.PhoneSubmission{FormID: formID, InstanceID: instanceID, PhoneID: phone.ID,
		StartedAt: inst.PhoneTime("start"), EndedAt: inst.PhoneTime("end")}
	var person, answer string
	var err error
	if sub.Kind, sub.TargetID, person, answer, err = s.land(ctx, l); err != nil {
		discardFiles()
		s.store.AbandonPhoneSubmission(ctx, formID, instanceID)
		s.openrosaFailed(w, "land", err)
		return
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

// receiveEncryptedParts decrypts the encrypted files of one POST as they
// arrive: each must be named in the manifest, and come once.
func (s *Server) receiveEncryptedParts(r *http.Request, mr *multipart.Reader, e *encryptedParts) (incomplete bool, status int, msg string) {
	m := e.sub.Manifest()
	limit := s.submissionLimit()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return incomplete, 0, ""
		}
		if err != nil {
			return false, bodyStatus(err, http.StatusBadRequest), bodyMessage(err, "The multipart body is malformed.")
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
		if e.seen[name] {
			return false, http.StatusBadRequest, "The attachment " + strconv.Quote(name) + " came twice."
		}
		f, err := e.sub.File(name, part)
		if err != nil {
			return false, http.StatusBadRequest, "The attachment " + strconv.Quote(name) + " is not named in the encrypted submission's manifest."
		}
		e.seen[name] = true
		if name == m.XMLFile {
			xml, err := io.ReadAll(io.LimitReader(f, openrosa.MaxInstanceBytes+1))
			switch {
			case f.Damaged():
				return false, http.StatusBadRequest, odkcrypt.ErrCiphertext.Error()
			case err != nil:
				return false, bodyStatus(err, http.StatusBadRequest), bodyMessage(err, "The encrypted submission could not be read.")
			case len(xml) > openrosa.MaxInstanceBytes:
				return false, http.StatusBadRequest, fmt.Sprintf("The submission XML is larger than %d bytes.", openrosa.MaxInstanceBytes)
			}
			e.xml = xml
			continue
		}
		if s.evidence == nil {
			return false, http.StatusBadRequest, "This server keeps no attachments."
		}
		key, err := s.store.EvidenceKey(r.Context())
		if err != nil {
			return false, http.StatusInternalServerError, "The server failed; try again later."
		}
		plain := strings.TrimSuffix(name, ".enc")
		rec, err := evidence.Intake(f, key, s.evidence.cfg.Blobs, limit, -1)
		switch {
		case f.Damaged():
			if rec != nil {
				rec.Discard()
			}
			return false, http.StatusBadRequest, odkcrypt.ErrCiphertext.Error()
		case err != nil:
			return false, bodyStatus(err, http.StatusBadRequest), bodyMessage(err, "The attachment "+strconv.Quote(plain)+" could not be received: "+err.Error())
		}
		e.files = append(e.files, receivedFile{name: plain, declared: mime.TypeByExtension(path.Ext(plain)), rec: rec})
	}
}
