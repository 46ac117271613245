package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tus/tusd/v2/pkg/handler"
	xslog "golang.org/x/exp/slog"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/store"
)

// Evidence intake over the web (docs/evidence.md): resumable uploads over
// tus 1.0 at /admin/uploads/ (tusd as a library, over evidence.Uploads,
// which keeps every byte in flight encrypted), and a plain multipart form
// for browsers without script (evidence_pages.go). Both end in the same
// sealed intake (store.IntakeEvidence).

// Default limits.
const (
	DefaultUploadLimit = 4 << 30   // bytes, one tus upload
	DefaultFormLimit   = 100 << 20 // bytes, one file through the form
	DefaultUploadIdle  = 24 * time.Hour
	DefaultUploadChunk = 8 << 20 // bytes, one PATCH from the page's script
	uploadsPath        = "/admin/uploads/"
	// csrfHeader carries the session's form token on tus requests.
	csrfHeader = "X-CSRF-Token"
)

// EvidenceConfig is where evidence is kept and how large an upload may be.
type EvidenceConfig struct {
	Blobs       evidence.Blobs
	UploadLimit int64         // one tus upload; 0: DefaultUploadLimit
	FormLimit   int64         // one file through the form; 0: DefaultFormLimit
	UploadIdle  time.Duration // an upload no byte reached for this long is removed; 0: DefaultUploadIdle
	TempDir     string        // for public copies being made (ffmpeg); "" : the system's
	// UploadChunk is how many bytes the evidence page's script sends in
	// one PATCH; 0: DefaultUploadChunk.
	UploadChunk int64
}

// evidenceSite is the evidence intake once enabled.
type evidenceSite struct {
	cfg     EvidenceConfig
	uploads *evidence.Uploads
	tus     *handler.UnroutedHandler
}

// EnableEvidence turns on the evidence pages and uploads. The store must
// have been opened with the data key (the evidence key is sealed under
// it).
func (s *Server) EnableEvidence(ctx context.Context, cfg EvidenceConfig) error {
	if cfg.UploadLimit <= 0 {
		cfg.UploadLimit = DefaultUploadLimit
	}
	if cfg.FormLimit <= 0 {
		cfg.FormLimit = DefaultFormLimit
	}
	if cfg.UploadIdle <= 0 {
		cfg.UploadIdle = DefaultUploadIdle
	}
	if cfg.UploadChunk <= 0 {
		cfg.UploadChunk = DefaultUploadChunk
	}
	key, err := s.store.EvidenceKey(ctx)
	if err != nil {
		return err
	}
	ev := &evidenceSite{cfg: cfg, uploads: evidence.NewUploads(cfg.Blobs, key)}
	composer := handler.NewStoreComposer()
	ev.uploads.UseIn(composer)
	ev.tus, err = handler.NewUnroutedHandler(handler.Config{
		BasePath:                         uploadsPath,
		StoreComposer:                    composer,
		MaxSize:                          cfg.UploadLimit,
		DisableDownload:                  true,
		DisableConcatenation:             true,
		Cors:                             &handler.CorsConfig{Disable: true},
		PreUploadCreateCallback:          s.uploadCreated,
		PreFinishResponseCallback:        s.uploadWhole,
		Logger:                           xslog.New(xslog.NewTextHandler(io.Discard, nil)), // tusd would log upload ids and paths
		NetworkTimeout:                   60 * time.Second,
		GracefulRequestCompletionTimeout: 10 * time.Second,
	})
	if err != nil {
		return err
	}
	s.evidence = ev
	return nil
}

// ExpireUploads removes abandoned uploads (serve runs it every hour).
func (s *Server) ExpireUploads(ctx context.Context) (int, error) {
	if s.evidence == nil {
		return 0, nil
	}
	return s.evidence.uploads.ExpireIdle(ctx, s.evidence.cfg.UploadIdle)
}

// uploadRoutes registers the tus endpoints. Every one needs a session;
// the ones that change anything need the form token in X-CSRF-Token.
func (s *Server) uploadRoutes() {
	// tusd's middleware checks the request's Tus-Resumable (412 for
	// another version), answers it on every response and sets the
	// connection's deadlines.
	tus := func(h func(*handler.UnroutedHandler) http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			s.evidence.tus.Middleware(h(s.evidence.tus)).ServeHTTP(w, r)
		}
	}
	s.handleUpload("POST "+uploadsPath+"{$}", false, tus(func(t *handler.UnroutedHandler) http.HandlerFunc { return t.PostFile }))
	// tusd's unrouted handler reads the upload's id from a path without
	// its base (as http.StripPrefix would leave it).
	byID := func(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			r2 := new(http.Request)
			*r2 = *r
			u := *r.URL
			u.Path, u.RawPath = r.PathValue("id"), ""
			r2.URL = &u
			h(w, r2)
		}
	}
	s.handleUpload("HEAD "+uploadsPath+"{id}", true, byID(tus(func(t *handler.UnroutedHandler) http.HandlerFunc { return t.HeadFile })))
	s.handleUpload("PATCH "+uploadsPath+"{id}", true, byID(tus(func(t *handler.UnroutedHandler) http.HandlerFunc { return t.PatchFile })))
	s.handleUpload("DELETE "+uploadsPath+"{id}", true, byID(tus(func(t *handler.UnroutedHandler) http.HandlerFunc { return t.DelFile })))
}

type accountKey struct{}

// responseKey holds the request's http.ResponseController, so that the
// completion callback can give the intake of a large file time to end
// before the answer is written.
type responseKey struct{}

// accountFrom is the account handleUpload put in the request's context
// (tusd's callbacks get a context holding the same values).
func accountFrom(ctx context.Context) *account {
	acc, _ := ctx.Value(accountKey{}).(*account)
	return acc
}

// handleUpload registers a tus route: the checks of handle (same origin,
// session, role) without reading the body as a form, the form token from
// X-CSRF-Token on every request but HEAD, and, for a route naming an
// upload, the upload must be the account's own (else 404, as if there
// were none).
func (s *Server) handleUpload(pattern string, names bool, h http.HandlerFunc) {
	s.routeTable = append(s.routeTable, route{Pattern: pattern, Permission: auth.EnterRecords})
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		privatePage(w)
		if s.auth == nil || s.evidence == nil {
			s.notFound(w, r)
			return
		}
		if r.Method != http.MethodHead {
			if err := sameOrigin(r); err != nil {
				s.plainError(w, http.StatusForbidden, "This upload was sent from another site and was refused.")
				return
			}
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
		if r.Method != http.MethodHead && subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(acc.CSRF)) != 1 {
			s.plainError(w, http.StatusForbidden, "This upload has no valid form token ("+csrfHeader+"). Reload the page and send it again.")
			return
		}
		switch err := authorizeAny(acc, []auth.Permission{auth.EnterRecords}, s.auth.Now()); {
		case errors.Is(err, auth.ErrNotFresh):
			s.plainError(w, http.StatusForbidden, "Confirm your password and code first, then send it again.")
			return
		case err != nil:
			s.plainError(w, http.StatusForbidden, "Your account may not do this.")
			return
		}
		if names {
			info, err := s.evidence.uploads.Info(r.PathValue("id"))
			if err != nil || info.Storage["owner"] != acc.User.ID {
				if err != nil && !errors.Is(err, handler.ErrNotFound) {
					s.log.Error("upload state", "err", err)
				}
				http.Error(w, "No such upload.", http.StatusNotFound)
				return
			}
		}
		ctx := context.WithValue(r.Context(), accountKey{}, acc)
		ctx = context.WithValue(ctx, responseKey{}, http.NewResponseController(w))
		h(w, r.WithContext(ctx))
	})
}

// uploadMetaKeys are the Upload-Metadata keys taken; any other is
// dropped.
var uploadMetaKeys = []string{"filename", "filetype", "person", "incident", "claim"}

// UploadLinks reads the links an upload's metadata asks for (person,
// incident, claim: one id each; several separated by commas).
func UploadLinks(meta map[string]string) ([]store.EvidenceLink, error) {
	var links []store.EvidenceLink
	for _, kind := range []string{"person", "incident", "claim"} {
		v := meta[kind]
		if v == "" {
			continue
		}
		for _, id := range strings.Split(v, ",") {
			id = strings.TrimSpace(id)
			if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < '!' || r > '~' }) {
				return nil, fmt.Errorf("%s: %q is not an id", kind, id)
			}
			links = append(links, store.EvidenceLink{Kind: kind, TargetID: id})
		}
	}
	return links, nil
}

// cleanUploadMeta keeps the known keys, each cut to 1 KiB.
func cleanUploadMeta(meta map[string]string) map[string]string {
	out := map[string]string{}
	for _, k := range uploadMetaKeys {
		if v, ok := meta[k]; ok && v != "" {
			if len(v) > 1024 {
				v = v[:1024]
			}
			out[k] = strings.ToValidUTF8(v, "\uFFFD")
		}
	}
	return out
}

// uploadCreated checks a new upload's metadata (its links must exist, and
// only editors link) and records its owner.
func (s *Server) uploadCreated(hook handler.HookEvent) (handler.HTTPResponse, handler.FileInfoChanges, error) {
	acc := accountFrom(hook.Context)
	if acc == nil {
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, handler.NewError("ERR_NO_SESSION", "no session", http.StatusForbidden)
	}
	meta := cleanUploadMeta(hook.Upload.MetaData)
	links, err := UploadLinks(meta)
	if err != nil {
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, handler.NewError("ERR_BAD_LINK", err.Error(), http.StatusBadRequest)
	}
	if len(links) > 0 && !acc.Can(auth.EditRecords) {
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, handler.NewError("ERR_LINK_REFUSED", "your account may not link evidence; send the file without person, incident or claim", http.StatusForbidden)
	}
	if err := s.store.CheckEvidenceLinks(hook.Context, links); err != nil {
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, handler.NewError("ERR_BAD_LINK", err.Error(), http.StatusUnprocessableEntity)
	}
	return handler.HTTPResponse{}, handler.FileInfoChanges{MetaData: meta, Storage: map[string]string{"owner": acc.User.ID}}, nil
}

// uploadWhole takes a whole upload into the sealed intake (hashing,
// encrypting, dedupe, custody "received" from the account), removes the
// upload, and answers the item's id and SHA-256 in headers.
func (s *Server) uploadWhole(hook handler.HookEvent) (handler.HTTPResponse, error) {
	acc := accountFrom(hook.Context)
	info := hook.Upload
	if acc == nil {
		return handler.HTTPResponse{}, handler.NewError("ERR_NO_SESSION", "no session", http.StatusForbidden)
	}
	src, err := s.evidence.uploads.Reader(info.ID)
	if err != nil {
		return handler.HTTPResponse{}, err
	}
	// The intake reads the whole file again (minutes for gigabytes);
	// the answer must still be written after it.
	if rc, ok := hook.Context.Value(responseKey{}).(*http.ResponseController); ok {
		rc.SetWriteDeadline(time.Now().Add(time.Hour))
	}
	links, _ := UploadLinks(info.MetaData)
	item, dup, err := s.store.IntakeEvidence(context.WithoutCancel(hook.Context), s.evidence.cfg.Blobs, src, store.EvidenceIntake{
		Actor: acc.User.ID, From: "user:" + acc.User.ID, Name: info.MetaData["filename"], DeclaredType: info.MetaData["filetype"],
		Links: links, Limit: s.evidence.cfg.UploadLimit, Want: info.Size,
	})
	src.Close()
	if err != nil {
		// Nothing half-stored stays: the intake left nothing, and the
		// upload goes too (the sender must send it again).
		s.evidence.uploads.Remove(info.ID)
		if errors.Is(err, evidence.ErrDiskFull) {
			return handler.HTTPResponse{}, handler.NewError("ERR_DISK_FULL", err.Error(), http.StatusInsufficientStorage)
		}
		s.log.Error("upload intake", "err", err)
		return handler.HTTPResponse{}, handler.NewError("ERR_INTAKE", "the upload could not be kept: "+err.Error(), http.StatusUnprocessableEntity)
	}
	if err := s.evidence.uploads.Remove(info.ID); err != nil {
		s.log.Error("removing a finished upload", "err", err)
	}
	resp := handler.HTTPResponse{Header: handler.HTTPHeader{"Rollcall-Evidence-Id": item.ID, "Rollcall-Evidence-Sha256": item.SHA256}}
	if dup {
		resp.Header["Rollcall-Evidence-Duplicate"] = "1"
	}
	return resp, nil
}

// readAll is io.ReadAll bounded: for small parts of forms.
func readAll(r io.Reader, max int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > max {
		return "", errors.New("field too long")
	}
	return string(b), nil
}
