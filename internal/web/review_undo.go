package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"rollcall/internal/auth"
	"rollcall/internal/store"
)

// decisionView is a pair decision as the review pages say it: the two
// records by name, the verdict in words, who and when.
type decisionView struct {
	ID, NameA, NameB, Verdict, By, At string
	InForce                           bool
}

// undoRefusal is an undo refused because later work depends on it.
type undoRefusal struct {
	Decision decisionView
	Later    []decisionView
	Moved    []string // names of records moved since by other means
}

func (s *Server) reviewUndoRoutes() {
	s.handle("POST /admin/review/undo", auth.Link, s.reviewUndo)
}

// describeDecision names a decision's records and says its verdict in the
// page's language; "you" for the signed-in account.
func (s *Server) describeDecision(ctx context.Context, p adminPage, acc *account, d store.DecisionRecord) decisionView {
	v := decisionView{ID: d.ID, NameA: s.recordName(ctx, d.RecordA), NameB: s.recordName(ctx, d.RecordB),
		Verdict: p.T("review.verdict." + d.Verdict), By: d.By, At: d.At.Format("2006-01-02 15:04 UTC"), InForce: d.InForce}
	if acc != nil && d.By == acc.User.ID {
		v.By = p.T("review.by_you")
	}
	return v
}

// recordName is the name a record was written with, or its id when it
// cannot be read.
func (s *Server) recordName(ctx context.Context, id string) string {
	rec, _, err := s.store.Record(ctx, id)
	if err != nil || rec.Name == "" {
		return id
	}
	return rec.Name
}

// lastDecision is the signed-in account's last pair decision in force,
// offered for an undo on the review pages; nil when there is none.
func (s *Server) lastDecision(r *http.Request, p adminPage, acc *account) *decisionView {
	d, err := s.store.LastDecisionBy(r.Context(), acc.User.ID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("last decision", "err", err)
		}
		return nil
	}
	v := s.describeDecision(r.Context(), p, acc, d)
	return &v
}

// reviewUndo takes back the account's own decision (the one the review
// pages offer): the records return to their persons, the pair to the
// queue. Refused, naming them, while later decisions depend on it.
func (s *Server) reviewUndo(w http.ResponseWriter, r *http.Request, acc *account) {
	id := strings.TrimSpace(r.PostForm.Get("decision"))
	frame := s.adminFrame(r, acc, "")
	d, err := s.store.DecisionByID(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.reviewListProblem(w, r, acc, http.StatusNotFound, frame.T("review.undo.unknown"), nil)
		return
	case err != nil:
		s.serverError(w, "undo decision", err)
		return
	case d.By != acc.User.ID:
		s.reviewListProblem(w, r, acc, http.StatusForbidden, frame.T("review.undo.not_yours"), nil)
		return
	}
	_, err = s.store.UndoDecision(r.Context(), id, acc.User.ID)
	var blocked *store.UndoBlockedError
	switch {
	case errors.As(err, &blocked):
		refusal := &undoRefusal{Decision: s.describeDecision(r.Context(), frame, acc, blocked.Decision)}
		for _, l := range blocked.Later {
			refusal.Later = append(refusal.Later, s.describeDecision(r.Context(), frame, acc, l))
		}
		for _, m := range blocked.Moved {
			refusal.Moved = append(refusal.Moved, s.recordName(r.Context(), m))
		}
		s.reviewListProblem(w, r, acc, http.StatusConflict, "", refusal)
		return
	case errors.Is(err, store.ErrPartOfSplit):
		s.reviewListProblem(w, r, acc, http.StatusConflict, frame.T("review.undo.part_of_split"), nil)
		return
	case errors.Is(err, store.ErrNotInForce):
		s.reviewListProblem(w, r, acc, http.StatusConflict, frame.T("review.undo.not_in_force"), nil)
		return
	case err != nil:
		s.serverError(w, "undo decision", err)
		return
	}
	s.refreshPublic()
	http.Redirect(w, r, "/admin/review/"+store.PairID(d.RecordA, d.RecordB)+"?undone", http.StatusSeeOther)
}
