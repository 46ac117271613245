package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"rollcall/internal/registry"
)

// PublicationState is what the workspace says of a person's publication:
// listed by name or withheld, on which ground (registry.Publication), since
// when, and by whose decision.
type PublicationState struct {
	PersonID string
	Ground   registry.Ground
	// Listed: the person is on the public list at all (some claim reaches
	// the public verification level). An unlisted person is shown nowhere,
	// by name or withheld; Ground says what would happen once listed.
	Listed bool
	// Since is when the ground began: the mark's time, the source basis's
	// (or the claim's, if recorded later), else the first record's entry.
	Since time.Time
	// By and Reason are the decision's author and words: the mark's, or
	// the source basis's statement (Source names that source).
	By, Reason, Source string
}

// Public reports whether the person is listed by name now.
func (p PublicationState) Public() bool { return p.Listed && p.Ground.Public() }

// PublicationOf says whether and why a person is listed by name as of now,
// by the same rule and the same facts as the public list.
func (s *Store) PublicationOf(ctx context.Context, personID string) (PublicationState, error) {
	st := PublicationState{PersonID: personID}
	facts, ok, err := s.PersonFactsOf(ctx, personID)
	if err != nil {
		return st, err
	}
	if !ok {
		return st, fmt.Errorf("person %s: %w", personID, ErrNotFound)
	}
	q := registry.PublicQuery(s.Now())
	_, st.Listed = registry.Project(facts, q)
	st.Ground = registry.Publication(facts, q)
	for _, r := range facts.Records {
		if st.Since.IsZero() || r.Record.CreatedAt.Before(st.Since) {
			st.Since = r.Record.CreatedAt
		}
	}
	switch st.Ground {
	case registry.GroundConsent, registry.GroundReason, registry.GroundLegacy, registry.GroundMarkedWithheld:
		marks, err := s.PersonMarks(ctx, personID)
		if err != nil {
			return st, err
		}
		if n := len(marks); n > 0 {
			m := marks[n-1]
			st.Since, st.By, st.Reason = m.At, m.By, m.Reason
		}
	case registry.GroundSourceBasis:
		return st, s.basisSince(ctx, facts, q, &st)
	}
	return st, nil
}

// basisSince fills in the earliest moment a source basis made the person
// public: the later of the basis and the shown claim, over the records
// whose source has one.
func (s *Store) basisSince(ctx context.Context, facts registry.PersonFacts, q registry.Query, st *PublicationState) error {
	first := time.Time{}
	for _, r := range facts.Records {
		if !r.PublicBasis {
			continue
		}
		var claimAt time.Time
		for _, c := range r.Claims {
			if registry.Shown(q, c) && (claimAt.IsZero() || c.RecordedAt.Before(claimAt)) {
				claimAt = c.RecordedAt
			}
		}
		if claimAt.IsZero() {
			continue
		}
		var sourceID, key string
		if err := s.read.QueryRowContext(ctx, s.rebind(`SELECT s.id, s.key FROM records r JOIN sources s ON s.id = r.source_id WHERE r.id = ?`), r.Record.ID).
			Scan(&sourceID, &key); err != nil {
			return err
		}
		b, err := s.sourceBasis(ctx, s.read, sourceID)
		if err != nil {
			return err
		}
		at := claimAt
		if b.At.After(at) {
			at = b.At
		}
		if first.IsZero() || at.Before(first) {
			first = at
			st.Since, st.By, st.Reason, st.Source = at, b.By, b.Text, key
		}
	}
	return nil
}

// MarkError names the persons of a batch of marks that hold no records
// (a wrong id, or a person merged away): nothing of the batch is stored.
type MarkError struct{ Missing []string }

func (e *MarkError) Error() string {
	return "no such person: " + strings.Join(e.Missing, ", ") + " (nothing marked)"
}

func (e *MarkError) Unwrap() error { return ErrNotFound }

// MarkMany marks every person of personIDs the same way with one reason
// (or one consent), as MarkWithConsent marks one: the same rule, one mark,
// consent and audit entry per person, all in one transaction. An id merged
// away is marked as its survivor (see MergedInto, to say so). A person
// that does not exist refuses the whole batch (*MarkError). Repeated ids
// are marked once. It does not refresh the public list.
func (s *Store) MarkMany(ctx context.Context, actor string, personIDs []string, mark registry.Publicity, reason string, c registry.Consent) (int, error) {
	if err := registry.CheckMark(mark, reason, c); err != nil {
		return 0, err
	}
	var ids []string
	for _, id := range personIDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return 0, errors.New("no person to mark")
	}
	if strings.TrimSpace(reason) == "" {
		reason = "consent"
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var missing []string
		for i, id := range ids {
			ok, err := s.personExists(ctx, tx, id)
			if err != nil {
				return err
			}
			if ok {
				continue
			}
			// A person merged away is the survivor now: the mark is
			// meant for that human (MergedInto tells the caller).
			if survivor, found, err := s.survivorOf(ctx, tx, id); err != nil {
				return err
			} else if found {
				ids[i] = survivor
				continue
			}
			missing = append(missing, id)
		}
		ids = uniqueInOrder(ids)
		if missing != nil {
			return &MarkError{Missing: missing}
		}
		for _, id := range ids {
			if err := s.markTx(ctx, tx, actor, id, mark, reason, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}
