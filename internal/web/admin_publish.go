package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"rollcall/internal/publish"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

type editPublishPage struct {
	editFrame
	Snapshots []store.Snapshot
	Today     string
	// AsOf is the day previewed ("" before a preview); Preview what a
	// snapshot as of it would publish.
	AsOf    string
	Preview *publish.Preview
}

// Counts are the preview's counts in the order of docs/counting.md, with
// the previous snapshot's where they differ.
func (p editPublishPage) Counts() []previewCount {
	if p.Preview == nil {
		return nil
	}
	before := map[string]publish.CountChange{}
	for _, c := range p.Preview.CountChanges {
		before[c.Name] = c
	}
	var out []previewCount
	for _, name := range registry.CountNames {
		v, _ := p.Preview.Counts.Get(name)
		c, changed := before[name]
		out = append(out, previewCount{Name: name, Value: v, Before: c.Before, Changed: changed})
	}
	return out
}

// previewCount is one count of the preview.
type previewCount struct {
	Name          string
	Value, Before int
	Changed       bool
}

// publishPage shows the form; with ?as_of= it shows what a snapshot as of
// that day would publish, and the form that publishes it.
func (s *Server) publishPage(w http.ResponseWriter, r *http.Request, acc *account) {
	if !r.URL.Query().Has("as_of") {
		s.showPublish(w, r, acc, http.StatusOK, nil, "")
		return
	}
	fr := &formReader{form: r.URL.Query()}
	day, ok := fr.asOf(s.store.Now())
	if !ok {
		s.showPublish(w, r, acc, http.StatusBadRequest, fr.problems, "")
		return
	}
	s.showPublish(w, r, acc, http.StatusOK, nil, day.String())
}

// asOf reads the as_of field: a day, not after today.
func (fr *formReader) asOf(now time.Time) (registry.Day, bool) {
	day, err := registry.ParseDay(fr.text("as_of", 20))
	if err != nil {
		fr.bad("admin.edit.err.as_of")
	} else if day > registry.DayOf(now) {
		fr.bad("admin.edit.err.as_of_future")
	}
	return day, fr.problems == nil
}

// showPublish renders the publish page; with asOf, the preview of a
// snapshot as of that day.
func (s *Server) showPublish(w http.ResponseWriter, r *http.Request, acc *account, status int, problems []string, asOf string) {
	p := editPublishPage{editFrame: s.editFrame(r, acc, "admin.edit.publish.title"), Today: registry.DayOf(s.store.Now()).String(), AsOf: asOf}
	if problems != nil {
		p.refused(r, problems)
	}
	var err error
	if p.Snapshots, err = s.store.Snapshots(r.Context()); err != nil {
		s.serverError(w, "snapshots", err)
		return
	}
	if asOf != "" {
		day, _ := registry.ParseDay(asOf)
		preview, err := publish.MakePreview(r.Context(), s.store, day)
		if err != nil {
			s.serverError(w, "publish preview", err)
			return
		}
		p.Preview = &preview
	}
	s.renderStatus(w, status, "admin_edit_publish.html", p)
}

// publishPost publishes a snapshot once the editor has seen its preview
// and typed its as-of date again to confirm; a missing or different date
// shows the preview again and publishes nothing.
func (s *Server) publishPost(w http.ResponseWriter, r *http.Request, acc *account) {
	fr := &formReader{form: r.PostForm}
	day, ok := fr.asOf(s.store.Now())
	note := fr.text("note", 2000)
	if !ok {
		s.showPublish(w, r, acc, http.StatusBadRequest, fr.problems, "")
		return
	}
	if confirm := strings.TrimSpace(r.PostForm.Get("confirm")); confirm != day.String() {
		s.showPublish(w, r, acc, http.StatusBadRequest, []string{"admin.pub.preview.err_confirm"}, day.String())
		return
	}
	if fr.problems != nil {
		s.showPublish(w, r, acc, http.StatusBadRequest, fr.problems, day.String())
		return
	}
	// What the editor confirmed is the preview made at seen: anything
	// changed since shows the new preview instead of publishing it unseen.
	if seen, err := strconv.ParseInt(r.PostForm.Get("seen"), 10, 64); err == nil && seen > 0 {
		changed, err := s.store.PersonsChangedSince(r.Context(), time.UnixMicro(seen))
		if err != nil {
			s.serverError(w, "changes since the preview", err)
			return
		}
		if len(changed) > 0 {
			s.showPublish(w, r, acc, http.StatusConflict, []string{"admin.pub.preview.err_changed"}, day.String())
			return
		}
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
