package web

import (
	"errors"
	"net/http"

	"rollcall/internal/auth"
	"rollcall/internal/store"
)

// waitItem is one kind of work waiting, with how much and where to do it.
type waitItem struct {
	ID, Key, URL string
	N            int
}

// homeWaiting is what the editors' home shows first: the work that waits
// (for the permissions the account has), the last snapshot and import.
type homeWaiting struct {
	Items    []waitItem
	Snapshot *store.Snapshot
	Import   *store.ImportRun
}

// homeWaiting gathers what waits; legacy is the count of persons public
// only by the migration's mark (already read for the home's list).
func (s *Server) homeWaiting(r *http.Request, acc *account, legacy int) (homeWaiting, error) {
	ctx := r.Context()
	var h homeWaiting
	if acc.Can(auth.Triage) {
		_, open, err := s.store.Reports(ctx, store.ReportFilter{Limit: 1})
		if err != nil {
			return h, err
		}
		h.Items = append(h.Items, waitItem{"wait-reports", "admin.home.wait.reports", "/admin/reports/", open})
	}
	if acc.Can(auth.Link) {
		rw, err := s.store.ReviewWaitingNow(ctx)
		if err != nil {
			return h, err
		}
		h.Items = append(h.Items,
			waitItem{"wait-pairs", "admin.home.wait.pairs", "/admin/review/#review-pairs", rw.Pairs},
			waitItem{"wait-unsure", "admin.home.wait.unsure", "/admin/review/?unsure=1", rw.Unsure},
			waitItem{"wait-persons", "admin.home.wait.persons", "/admin/review/#review-persons", rw.Persons},
			waitItem{"wait-fates", "admin.home.wait.fates", "/admin/review/?conflict=fate", rw.Fates})
	}
	if acc.Can(auth.Publish) {
		h.Items = append(h.Items, waitItem{"wait-legacy", "admin.home.wait.legacy", "/admin/#legacy", legacy})
		snapshots, err := s.store.Snapshots(ctx)
		if err != nil {
			return h, err
		}
		if len(snapshots) > 0 {
			h.Snapshot = &snapshots[0]
		}
	}
	if acc.Can(auth.EditRecords) { // who may import (import_pages.go)
		last, err := s.store.LastImport(ctx)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return h, err
		default:
			h.Import = &last
		}
	}
	return h, nil
}
