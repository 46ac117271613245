package store

import (
	"context"
	"fmt"

	"rollcall/internal/linkage"
)

// DedupeAll is the whole of a dedupe run, as `rollcall dedupe` and the
// workspace's "find duplicates" both do it: the accepted name forms join
// the model; with apply, the links are applied (Dedupe), then the name
// forms the records teach are proposed to editors, the persons whose
// records conflict are queued, the public list is refreshed and the review
// queue ranked. actor, when set, is who asked: an applied run is then an
// audit entry ("dedupe.run") saying what it did.
func (s *Store) DedupeAll(ctx context.Context, actor string, apply bool, opt linkage.Options) (*DedupeRun, error) {
	forms, err := s.AcceptedNameForms(ctx)
	if err != nil {
		return nil, err
	}
	opt.NameForms = append(opt.NameForms, forms...)
	run, err := s.Dedupe(ctx, apply, opt)
	if err != nil || !apply {
		return run, err
	}
	// what the records teach beyond the table, for editors ('rollcall names')
	if _, err := s.ProposeNameForms(ctx, linkage.LearnNameForms(run.Input.Records, opt.NameForms)); err != nil {
		return run, fmt.Errorf("links applied, but the learned name forms were not kept: %w", err)
	}
	if err := s.QueueSuspects(ctx, linkage.Suspects(run.Input.Records, run.Result.Clusters, run.Result.Model)); err != nil {
		return run, fmt.Errorf("links applied, but the persons whose records conflict were not queued: %w", err)
	}
	if _, err := s.RefreshPublic(ctx); err != nil {
		return run, fmt.Errorf("links applied, but the public list was not refreshed: %w", err)
	}
	if err := s.RankReview(ctx); err != nil {
		return run, fmt.Errorf("links applied, but the review queue was not ranked: %w", err)
	}
	if actor != "" {
		detail := fmt.Sprintf("records=%d persons_before=%d persons_after=%d links=%d moved=%d queued=%d",
			len(run.Input.Records), run.Plan.PersonsBefore, run.Plan.PersonsAfter, len(run.Plan.NewLinks), len(run.Plan.Moves), len(run.Result.Review))
		if err := s.Audit(ctx, actor, "dedupe.run", "", detail); err != nil {
			return run, fmt.Errorf("links applied, but the audit entry was not written: %w", err)
		}
	}
	return run, nil
}
