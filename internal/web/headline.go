package web

import (
	"context"
	"encoding/json"
	"fmt"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// headline is what the home page, the counter and the feed lead with: the
// counts of the snapshot with the newest as-of date and the change since
// the snapshot of the as-of date before it. Until a snapshot has been
// published, it is today's counts as known now (Snapshot false), and the
// page says so.
type headline struct {
	AsOf         registry.Day
	Counts       registry.Counts
	Snapshot     bool
	PublishedAt  registry.Day
	Previous     *registry.Counts
	PreviousAsOf registry.Day
}

// newerSnapshot orders snapshots for the headline: the later as-of date
// first, and for one date the later publication (a correction of that
// date replaces what was published for it before).
func newerSnapshot(a, b store.Snapshot) bool {
	if a.AsOf != b.AsOf {
		return a.AsOf > b.AsOf
	}
	if !a.PublishedAt.Equal(b.PublishedAt) {
		return a.PublishedAt.After(b.PublishedAt)
	}
	return a.ID > b.ID
}

// headlineSnapshots picks the snapshot the headline shows and the one its
// change is measured against: the newest of the latest as-of date, and the
// newest of the as-of date before that. Publication order does not matter:
// a correction published today for a date in 2022 does not take the
// headline back to 2022.
func headlineSnapshots(snaps []store.Snapshot) (latest, previous *store.Snapshot) {
	for i := range snaps {
		if latest == nil || newerSnapshot(snaps[i], *latest) {
			latest = &snaps[i]
		}
	}
	if latest == nil {
		return nil, nil
	}
	for i := range snaps {
		if snaps[i].AsOf < latest.AsOf && (previous == nil || newerSnapshot(snaps[i], *previous)) {
			previous = &snaps[i]
		}
	}
	return latest, previous
}

// correction says what a snapshot corrects, if anything: the snapshot of
// the same as-of date published before it (replaced), or, for a date
// earlier than one already published, the newest snapshot it was
// published after (which keeps the headline).
func correction(snaps []store.Snapshot, sn store.Snapshot) (replaced, newer *store.Snapshot) {
	for i := range snaps {
		o := &snaps[i]
		if o.ID == sn.ID || !o.PublishedAt.Before(sn.PublishedAt) {
			continue
		}
		if o.AsOf == sn.AsOf && (replaced == nil || o.PublishedAt.After(replaced.PublishedAt)) {
			replaced = o
		}
		if o.AsOf > sn.AsOf && (newer == nil || newerSnapshot(*o, *newer)) {
			newer = o
		}
	}
	return replaced, newer
}

// latestHeadline reads the headline from the published snapshots; with
// none it counts now.
func (s *Server) latestHeadline(ctx context.Context) (headline, error) {
	snaps, err := s.store.Snapshots(ctx)
	if err != nil {
		return headline{}, err
	}
	latest, previous := headlineSnapshots(snaps)
	if latest == nil {
		now := s.store.Now().UTC()
		q := registry.Query{AsOf: registry.DayOf(now), KnownAt: now, MinVerification: registry.DefaultMinVerification}
		counts, err := s.store.Counts(ctx, q)
		return headline{AsOf: q.AsOf, Counts: counts}, err
	}
	h := headline{AsOf: latest.AsOf, Snapshot: true, PublishedAt: registry.DayOf(latest.PublishedAt)}
	if err := json.Unmarshal([]byte(latest.CountsJSON), &h.Counts); err != nil {
		return h, fmt.Errorf("snapshot %s: counts: %w", latest.Slug, err)
	}
	if previous != nil {
		var prev registry.Counts
		if err := json.Unmarshal([]byte(previous.CountsJSON), &prev); err != nil {
			return h, fmt.Errorf("snapshot %s: counts: %w", previous.Slug, err)
		}
		h.Previous, h.PreviousAsOf = &prev, previous.AsOf
	}
	return h, nil
}
