package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// Preview is what publishing a snapshot as of a day would publish, set
// against the snapshot it would follow, with what an editor should look at
// first. Making it stores nothing, signs nothing and makes no key.
type Preview struct {
	AsOf    registry.Day
	KnownAt time.Time
	Counts  registry.Counts
	// People is how many persons the list would hold; Named how many of
	// them by name.
	People, Named int
	// Previous is the snapshot this one would follow: the latest as-of
	// date on or before this one's, the last published of that date (nil:
	// none). The changes below are against it; a snapshot for a later day
	// says nothing of this day's figures.
	Previous     *store.Snapshot
	CountChanges []CountChange
	// Enter and Leave are the persons who would join or leave the public
	// list; Named and Unnamed those listed in both whose name would now be
	// shown or now be withheld.
	Enter, Leave, NowNamed, NowWithheld []PreviewPerson
	Warnings                            PreviewWarnings
}

// CountChange is one count that differs from the previous snapshot's.
type CountChange struct {
	Name          string
	Before, After int
}

// PreviewPerson is a person of the preview as the public list shows them
// (a withheld person by the placeholder), with their state.
type PreviewPerson struct {
	ID, Name string
	State    registry.Status
}

// PreviewWarnings are what could make the snapshot wrong or harmful.
type PreviewWarnings struct {
	// Review pairs and persons not decided yet: their fates may be
	// counted twice, or two people's as one.
	UndecidedPairs, UndecidedPersons int
	// Changed are the persons changed since the previous snapshot
	// (store.PersonsChangedSince); none before the first.
	Changed []string
	// Legacy are persons who would be listed by name only by the
	// migration's mark "public before the publication rule".
	Legacy []PreviewPerson
}

// Any reports whether there is anything to warn of.
func (w PreviewWarnings) Any() bool {
	return w.UndecidedPairs+w.UndecidedPersons+len(w.Changed)+len(w.Legacy) > 0
}

// previewLimit bounds each list of persons a preview carries; the counts
// above it stay exact.
const previewLimit = 500

// MakePreview computes what PublishRecorded would publish as of asOf now,
// by the same query and the same projection, and stores nothing.
func MakePreview(ctx context.Context, st *store.Store, asOf registry.Day) (Preview, error) {
	now := st.Now().UTC()
	q := registry.Query{AsOf: asOf, KnownAt: now, MinVerification: registry.DefaultMinVerification}
	p := Preview{AsOf: asOf, KnownAt: now}
	var err error
	if p.Counts, err = st.Counts(ctx, q); err != nil {
		return p, err
	}
	list := map[string]PreviewPerson{}
	named := map[string]bool{}
	err = st.ProjectAll(ctx, q, func(pp registry.PublicPerson) error {
		list[pp.ID] = PreviewPerson{ID: pp.ID, Name: pp.Name, State: pp.State}
		named[pp.ID] = !pp.Withheld
		if !pp.Withheld {
			p.Named++
		}
		return nil
	})
	if err != nil {
		return p, err
	}
	p.People = len(list)
	if _, p.Warnings.UndecidedPairs, err = st.ReviewQueue(ctx, 1); err != nil {
		return p, err
	}
	if _, p.Warnings.UndecidedPersons, err = st.PersonReviews(ctx, 1); err != nil {
		return p, err
	}
	legacy, err := st.LegacyPublic(ctx)
	if err != nil {
		return p, err
	}
	for _, id := range legacy {
		if named[id] {
			p.Warnings.Legacy = appendLimited(p.Warnings.Legacy, list[id])
		}
	}
	snaps, err := st.Snapshots(ctx)
	if err != nil {
		return p, err
	}
	slug := ""
	var best registry.Day
	for _, sn := range snaps { // latest published first
		if sn.AsOf <= asOf && sn.AsOf > best {
			slug, best = sn.Slug, sn.AsOf
		}
	}
	if slug == "" {
		return p, nil
	}
	prev, err := st.SnapshotBySlug(ctx, slug)
	if err != nil {
		return p, err
	}
	p.Previous = &prev
	if p.Warnings.Changed, err = st.PersonsChangedSince(ctx, prev.KnownAt); err != nil {
		return p, err
	}
	var before registry.Counts
	if err := json.Unmarshal([]byte(prev.CountsJSON), &before); err != nil {
		return p, fmt.Errorf("snapshot %s: counts: %w", prev.Slug, err)
	}
	for _, name := range registry.CountNames {
		b, _ := before.Get(name)
		a, _ := p.Counts.Get(name)
		if a != b {
			p.CountChanges = append(p.CountChanges, CountChange{name, b, a})
		}
	}
	// Only what the preview compares is decoded of the old list.
	var old struct {
		People []struct {
			ID       string          `json:"id"`
			Withheld bool            `json:"withheld"`
			Name     string          `json:"name"`
			State    registry.Status `json:"state"`
		} `json:"people"`
	}
	if err := json.Unmarshal(prev.Body, &old); err != nil {
		return p, fmt.Errorf("snapshot %s: %w", prev.Slug, err)
	}
	was := map[string]bool{}
	for _, o := range old.People {
		was[o.ID] = true
		now, ok := list[o.ID]
		switch {
		case !ok:
			p.Leave = appendLimited(p.Leave, PreviewPerson{ID: o.ID, Name: o.Name, State: o.State})
		case named[o.ID] && o.Withheld:
			p.NowNamed = appendLimited(p.NowNamed, now)
		case !named[o.ID] && !o.Withheld:
			p.NowWithheld = appendLimited(p.NowWithheld, now)
		}
	}
	ids := make([]string, 0, len(list))
	for id := range list {
		if !was[id] {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		p.Enter = appendLimited(p.Enter, list[id])
	}
	return p, nil
}

func appendLimited(list []PreviewPerson, p PreviewPerson) []PreviewPerson {
	if len(list) >= previewLimit {
		return list
	}
	return append(list, p)
}

// Print writes the preview as `rollcall publish --dry-run` shows it.
func (p Preview) Print(w io.Writer) {
	fmt.Fprintf(w, "DRY RUN: nothing published. A snapshot as of %s, known at %s, would hold %d people, %d of them by name.\n",
		p.AsOf, p.KnownAt.Format(time.RFC3339), p.People, p.Named)
	if p.Previous == nil {
		fmt.Fprintln(w, "\nno snapshot published as of this day or before: everything below is new")
	} else {
		fmt.Fprintf(w, "\nagainst the snapshot %s (the latest as of this day or before: as of %s, published %s):\n", p.Previous.Slug, p.Previous.AsOf, p.Previous.PublishedAt.Format(time.RFC3339))
	}
	fmt.Fprintln(w, "\ncounts:")
	changed := map[string]CountChange{}
	for _, c := range p.CountChanges {
		changed[c.Name] = c
	}
	for _, name := range registry.CountNames {
		v, _ := p.Counts.Get(name)
		if c, ok := changed[name]; ok {
			fmt.Fprintf(w, "  %-16s %6d  (was %d, %+d)\n", name, v, c.Before, v-c.Before)
		} else {
			fmt.Fprintf(w, "  %-16s %6d\n", name, v)
		}
	}
	if p.Previous != nil {
		printPeople(w, "enter the public list", p.Enter)
		printPeople(w, "leave the public list", p.Leave)
		printPeople(w, "now listed by name", p.NowNamed)
		printPeople(w, "now withheld", p.NowWithheld)
	}
	fmt.Fprintln(w, "\nwarnings:")
	wn := p.Warnings
	if !wn.Any() {
		fmt.Fprintln(w, "  none")
	}
	if wn.UndecidedPairs > 0 {
		fmt.Fprintf(w, "  WARNING: %d review pairs undecided (rollcall review)\n", wn.UndecidedPairs)
	}
	if wn.UndecidedPersons > 0 {
		fmt.Fprintf(w, "  WARNING: %d persons whose records conflict, undecided (rollcall review)\n", wn.UndecidedPersons)
	}
	if n := len(wn.Changed); n > 0 {
		fmt.Fprintf(w, "  WARNING: %d persons changed since that snapshot: %s\n", n, clip(wn.Changed, 20))
	}
	if n := len(wn.Legacy); n > 0 {
		ids := make([]string, 0, n)
		for _, l := range wn.Legacy {
			ids = append(ids, l.ID)
		}
		fmt.Fprintf(w, "  WARNING: %d persons listed by name only by the migration mark %q: %s\n", n, registry.LegacyReason, clip(ids, 20))
	}
}

func printPeople(w io.Writer, what string, people []PreviewPerson) {
	fmt.Fprintf(w, "\n%d %s", len(people), what)
	if len(people) >= previewLimit {
		fmt.Fprintf(w, " (the first %d)", previewLimit)
	}
	fmt.Fprintln(w, ":")
	for _, p := range people {
		fmt.Fprintf(w, "  %s  %s  %s\n", p.ID, p.Name, p.State)
	}
}

// clip lists the first n ids and says how many more there are.
func clip(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:n], ", ") + fmt.Sprintf(" … and %d more", len(ids)-n)
}
