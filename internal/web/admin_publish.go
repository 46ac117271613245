package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sync"

	"rollcall/internal/publish"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

type editPublishPage struct {
	editFrame
	Snapshots []store.Snapshot
	Today     string
}

func (s *Server) publishPage(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showPublish(w, r, acc, http.StatusOK, nil)
}

func (s *Server) showPublish(w http.ResponseWriter, r *http.Request, acc *account, status int, problems []string) {
	p := editPublishPage{editFrame: s.editFrame(r, acc, "admin.edit.publish.title"), Today: registry.DayOf(s.store.Now()).String()}
	if problems != nil {
		p.refused(r, problems)
	}
	var err error
	if p.Snapshots, err = s.store.Snapshots(r.Context()); err != nil {
		s.serverError(w, "snapshots", err)
		return
	}
	s.renderStatus(w, status, "admin_edit_publish.html", p)
}

func (s *Server) publishPost(w http.ResponseWriter, r *http.Request, acc *account) {
	fr := &formReader{form: r.PostForm}
	day, err := registry.ParseDay(fr.text("as_of", 20))
	if err != nil {
		fr.bad("admin.edit.err.as_of")
	} else if day > registry.DayOf(s.store.Now()) {
		fr.bad("admin.edit.err.as_of_future")
	}
	note := fr.text("note", 2000)
	if fr.problems != nil {
		s.showPublish(w, r, acc, http.StatusBadRequest, fr.problems)
		return
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
