package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"rollcall/internal/linkage"
	"rollcall/internal/registry"
)

// WholePerson is a person with every record and claim in it now
// (retracted claims included) and their publication state, as the review
// page shows each side of a pair.
type WholePerson struct {
	ID          string
	Records     []WholeRecord
	Publication PublicationState
}

// WholeRecord is one record of a WholePerson with its claims.
type WholeRecord struct {
	EnteredRecord
	Claims []EnteredClaim
}

// MergePreview says what deciding "same" on a pair would do: the two
// whole persons, the conflicts the merge would join (one record of each
// side), and the publication of the person it would make.
type MergePreview struct {
	A, B      WholePerson
	Conflicts []linkage.Conflict
	// Survivor is the id the joined person keeps (Decide: the one shown
	// publicly first, else A's); its mark is the one in force.
	Survivor string
	// Merged is the ground of the joined person.
	Merged registry.Ground
	// MergedPublic: the joined person would be listed by name.
	MergedPublic bool
}

// Publishes lists the sides whose names the merge would list by name
// although they are withheld now (or not listed at all).
func (m MergePreview) Publishes() []WholePerson {
	var out []WholePerson
	for _, p := range []WholePerson{m.A, m.B} {
		if m.MergedPublic && !p.Publication.Public() {
			out = append(out, p)
		}
	}
	return out
}

// Withholds lists the sides listed by name now whom the merge would
// withhold.
func (m MergePreview) Withholds() []WholePerson {
	var out []WholePerson
	for _, p := range []WholePerson{m.A, m.B} {
		if !m.MergedPublic && p.Publication.Public() {
			out = append(out, p)
		}
	}
	return out
}

// RecordLabel names a record of either side as editors tell them apart:
// its name, its source and its key there.
func (m MergePreview) RecordLabel(id string) string {
	for _, p := range []WholePerson{m.A, m.B} {
		for _, r := range p.Records {
			if r.ID == id {
				return r.Name + ", " + r.SourceKey + "/" + r.Key
			}
		}
	}
	return id
}

// PreviewMerge returns the MergePreview of joining person b into person a.
func (s *Store) PreviewMerge(ctx context.Context, a, b string) (MergePreview, error) {
	var m MergePreview
	var err error
	if m.A, err = s.wholePerson(ctx, a); err != nil {
		return m, err
	}
	if m.B, err = s.wholePerson(ctx, b); err != nil {
		return m, err
	}
	// The conflicts of the joined person that cross from one side to the
	// other: those within one side are there already.
	side := map[string]string{}
	var recs []linkage.Record
	var ids []string
	for _, p := range []WholePerson{m.A, m.B} {
		for _, r := range p.Records {
			side[r.ID] = p.ID
			recs = append(recs, linkageRecordOf(r))
			ids = append(ids, r.ID)
		}
	}
	for _, sus := range linkage.Suspects(recs, [][]string{ids}, linkage.Model{}) {
		for _, c := range sus.Conflicts {
			if side[c.A] != side[c.B] {
				m.Conflicts = append(m.Conflicts, c)
			}
		}
	}
	m.Survivor = a
	if bFirst, err := s.earlierShown(ctx, s.read, a, b); err != nil {
		return m, err
	} else if bFirst {
		m.Survivor = b
	}
	other := b
	if m.Survivor == b {
		other = a
	}
	fs, okS, err := s.PersonFactsOf(ctx, m.Survivor)
	if err != nil {
		return m, err
	}
	fo, okO, err := s.PersonFactsOf(ctx, other)
	if err != nil {
		return m, err
	}
	if !okS && !okO {
		m.Merged = registry.GroundUndecided
		return m, nil
	}
	joined := fs
	if !okS {
		// The survivor holds no claim, so no facts: its mark is still the
		// one in force.
		marks, err := s.currentMarks(ctx)
		if err != nil {
			return m, err
		}
		mk := marks[m.Survivor]
		joined = registry.PersonFacts{ID: m.Survivor, Mark: mk.mark, MarkConsent: mk.consent, MarkLegacy: mk.legacy}
	}
	joined.Records = append(slices.Clone(joined.Records), fo.Records...)
	q := registry.PublicQuery(s.Now())
	_, listed := registry.Project(joined, q)
	m.Merged = registry.Publication(joined, q)
	m.MergedPublic = listed && m.Merged.Public()
	return m, nil
}

func (s *Store) wholePerson(ctx context.Context, id string) (WholePerson, error) {
	p := WholePerson{ID: id}
	recs, err := s.Records(ctx, RecordFilter{PersonID: id, Limit: 1000})
	if err != nil {
		return p, err
	}
	if len(recs) == 0 {
		return p, fmt.Errorf("person %s: %w", id, ErrNotFound)
	}
	// Oldest first, as the person's story was entered.
	slices.Reverse(recs)
	for _, rec := range recs {
		_, claims, err := s.Record(ctx, rec.ID)
		if err != nil {
			return p, err
		}
		p.Records = append(p.Records, WholeRecord{EnteredRecord: rec, Claims: claims})
	}
	p.Publication, err = s.PublicationOf(ctx, id)
	if errors.Is(err, ErrNotFound) {
		// Records without a claim: nothing of the person can be shown.
		p.Publication, err = PublicationState{PersonID: id, Ground: registry.GroundUndecided}, nil
	}
	return p, err
}

// linkageRecordOf is a record as linkage compares it: its claims in force.
func linkageRecordOf(r WholeRecord) linkage.Record {
	l := linkage.Record{ID: r.ID, Source: r.SourceKey, Names: append([]string{r.Name}, r.NameAlt...), Sex: r.Sex,
		BirthYear: r.BirthYear, BirthDate: r.BirthDate, Region: r.Region, Locality: r.Locality}
	for _, c := range r.Claims {
		if c.RetractedAt.IsZero() {
			l.Claims = append(l.Claims, linkageClaim(c.Status, c.Date.Start, c.Date.End))
		}
	}
	return l
}

// linkageClaim is a claim as linkage reads it: its period, and what the
// status table says of the person's life.
func linkageClaim(status registry.Status, start, end registry.Day) linkage.Claim {
	row, _ := registry.InfoOf(status)
	return linkage.Claim{Status: string(status), Start: start.String(), End: end.String(), SignOfLife: row.SignOfLife, Death: row.Death}
}
