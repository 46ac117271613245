package main

import (
	"context"
	"log/slog"
	"time"

	"rollcall/internal/evidence"
	"rollcall/internal/store"
)

// defaultFixityEvery is how often serve checks every original: weekly, as
// archives do (a check reads every byte back, so not daily).
const defaultFixityEvery = 7 * 24 * time.Hour

// scheduleFixity checks every original when the last recorded check is
// older than every (the first one at once), until ctx ends; every <= 0
// turns it off. The schedule reads the last run from the audit log, so a
// restarted server neither skips nor repeats a check. With no item kept
// nothing is run nor recorded.
func scheduleFixity(ctx context.Context, st *store.Store, blobs evidence.Blobs, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		return
	}
	go func() {
		for {
			wait := time.Hour
			if last, err := st.LastEvidenceFixity(ctx); err != nil {
				log.Error("fixity check: reading the last run", "err", err)
			} else if due := time.Until(last.Add(every)); due > 0 {
				wait = min(due, time.Hour)
			} else if items, err := st.EvidenceItems(ctx, nil); err != nil {
				log.Error("fixity check", "err", err)
			} else if len(items) > 0 {
				run, err := st.RunEvidenceFixity(ctx, blobs, store.ActorSystem)
				switch {
				case err != nil:
					// Not recorded: tried again in an hour.
					if ctx.Err() == nil {
						log.Error("fixity check", "err", err)
					}
				case len(run.Bad) > 0:
					log.Error("fixity check: stored originals not intact; see 'rollcall evidence verify --all'", "checked", run.Checked, "not_intact", len(run.Bad))
					continue
				default:
					log.Info("fixity check: every original intact", "checked", run.Checked)
					continue
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(min(wait, every)):
			}
		}
	}()
}
