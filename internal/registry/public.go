package registry

import (
	"slices"
	"strconv"
	"time"
)

// PublicMinVerification is the level below which no claim is shown publicly.
const PublicMinVerification = Corroborated

// Publicity is an editor's mark on a person: the default rules, or a
// decision that overrides them.
type Publicity string

// Editors' marks. MarkWithheld always hides the person; MarkPublic shows a
// minor or a relative whom the default rules would withhold.
const (
	MarkNone     Publicity = ""
	MarkWithheld Publicity = "withheld"
	MarkPublic   Publicity = "public"
)

// ParsePublicity accepts "withheld" and "public".
func ParsePublicity(s string) (Publicity, bool) {
	switch Publicity(s) {
	case MarkWithheld, MarkPublic:
		return Publicity(s), true
	}
	return "", false
}

// AdultAge is the age from which a person may be shown by default.
const AdultAge = 18

// SourcedRecord is one record of a person with the kind of its source and
// its claims (incident names filled in where a claim points at one).
type SourcedRecord struct {
	Record     Record
	SourceKind SourceKind
	// PublicBasis is true when an editor recorded that the source published
	// these names itself. Never true for the public report form's source.
	PublicBasis bool
	Claims      []Claim
	// IncidentNames maps a claim's IncidentID to the incident's name.
	IncidentNames map[string]string
}

// PersonFacts is everything stored of one person that the public
// projection may look at, private parts included: Project decides.
type PersonFacts struct {
	ID      string
	Records []SourcedRecord
	Mark    Publicity
	// MarkConsent: the mark in force is public and carries a consent.
	MarkConsent bool
	// MarkLegacy: the mark in force is the migration's "public before the
	// publication rule".
	MarkLegacy bool
}

// PublicEvent is one shown claim of a person's timeline.
type PublicEvent struct {
	Status       Status `json:"status"`
	Date         string `json:"date"`
	Place        string `json:"place,omitempty"`
	Details      string `json:"details,omitempty"`
	Incident     string `json:"incident,omitempty"`
	Verification string `json:"verification"`
	start        Day
}

// PublicRelative is a relationship shown on a person's page.
type PublicRelative struct {
	PersonID string           `json:"person"`
	Kind     RelationshipKind `json:"kind"`
	Name     string           `json:"name"`
}

// PublicPerson is all of a person that may leave the server. Every public
// output (pages, API, downloads, feed, mirror, snapshots, export --public)
// is made from it and nothing else.
type PublicPerson struct {
	ID string `json:"id"`
	// Withheld persons carry only Name (the placeholder), Region and State.
	Withheld    bool             `json:"withheld"`
	Name        string           `json:"name"`
	Spellings   []string         `json:"spellings"`
	Sex         string           `json:"sex,omitempty"`
	BirthYear   int              `json:"birth_year,omitempty"`
	Region      string           `json:"region,omitempty"`
	Locality    string           `json:"locality,omitempty"`
	Roles       []Role           `json:"roles"`
	State       Status           `json:"state,omitempty"`
	StateSince  string           `json:"state_since,omitempty"`
	Timeline    []PublicEvent    `json:"timeline"`
	SourceKinds []SourceKind     `json:"source_kinds"`
	Relatives   []PublicRelative `json:"relatives"`
	// FirstDay and LastDay bound the shown claims' periods (0 when
	// withheld), for filtering by date.
	FirstDay Day `json:"-"`
	LastDay  Day `json:"-"`
}

// WithheldName is what stands in public for the name of a withheld person.
func WithheldName(personID string) string { return "Name withheld (#" + personID + ")" }

// WithheldReason says why the default rules withhold a person ("" when
// they do not): "minor" or "relative".
func WithheldReason(p PersonFacts) string {
	if isMinor(p) {
		return "minor"
	}
	for _, r := range p.Records {
		if slices.Contains(r.Record.Roles, "relative") {
			return "relative"
		}
	}
	return ""
}

// Withheld reports whether the publication rule withholds a person as of q.
func Withheld(p PersonFacts, q Query) bool { return !Publication(p, q).Public() }

// isMinor reports whether the person could have been under AdultAge at
// their first claim (any claim, shown or not). When only a birth year is
// known the person is taken as a minor if they could have been one: the
// safe side. Records that disagree: the youngest birth counts.
func isMinor(p PersonFacts) bool {
	var first Day
	birthYear, birthDate := 0, ""
	for _, r := range p.Records {
		for _, c := range r.Claims {
			if first == 0 || c.Date.Start < first {
				first = c.Date.Start
			}
		}
		if r.Record.BirthDate != "" && r.Record.BirthDate > birthDate {
			birthDate = r.Record.BirthDate
		}
		if r.Record.BirthYear > birthYear {
			birthYear = r.Record.BirthYear
		}
	}
	if first == 0 {
		return false
	}
	if birthDate != "" {
		if d, err := ParseDay(birthDate); err == nil && d.Time().Year() >= birthYear {
			return d.Time().AddDate(AdultAge, 0, 0).After(first.Time())
		}
	}
	if birthYear == 0 {
		return false
	}
	return first.Time().Year()-birthYear <= AdultAge
}

// Shown reports whether a claim may be shown under q: in force as known at
// q.KnownAt, at or above both q's and the public verification level, and
// dated on or before q.AsOf.
func Shown(q Query, c Claim) bool {
	min := max(q.MinVerification, PublicMinVerification)
	return c.Verification >= min && c.Date.End <= q.AsOf &&
		!c.RecordedAt.After(q.KnownAt) && (c.RetractedAt.IsZero() || c.RetractedAt.After(q.KnownAt))
}

// Project is the public projection: the one function that decides what of
// a person may be public, as of q. It returns false when nothing of the
// person may be shown (no claim reaches the public verification level).
// Never public: notes, the sources' keys and the records' keys, the exact
// birth date, and anything of a withheld person but the placeholder name,
// the region and the state.
func Project(p PersonFacts, q Query) (PublicPerson, bool) {
	out := PublicPerson{ID: p.ID, Spellings: []string{}, Roles: []Role{}, Timeline: []PublicEvent{},
		SourceKinds: []SourceKind{}, Relatives: []PublicRelative{}}
	var tally Tally
	for _, r := range p.Records {
		any := false
		for _, c := range r.Claims {
			if !Shown(q, c) {
				continue
			}
			any = true
			tally.Add(ClaimFacts{Status: c.Status, Start: c.Date.Start, End: c.Date.End, Verification: c.Verification,
				RecordedAt: Micros(c.RecordedAt)})
			out.Timeline = append(out.Timeline, PublicEvent{Status: c.Status, Date: c.Date.String(), Place: c.Place,
				Details: c.Details, Incident: r.IncidentNames[c.IncidentID], Verification: c.Verification.String(), start: c.Date.Start})
			if out.FirstDay == 0 || c.Date.Start < out.FirstDay {
				out.FirstDay = c.Date.Start
			}
			out.LastDay = max(out.LastDay, c.Date.End)
		}
		if !any {
			// A record with nothing shown lends the person nothing, not
			// even a spelling: it may be a wrong report.
			continue
		}
		rec := r.Record
		for _, n := range append([]string{rec.Name}, rec.NameAlt...) {
			if n != "" && !slices.Contains(out.Spellings, n) {
				out.Spellings = append(out.Spellings, n)
			}
		}
		if out.Sex == "" {
			out.Sex = rec.Sex
		}
		if out.BirthYear == 0 {
			out.BirthYear = rec.BirthYear
			if out.BirthYear == 0 && len(rec.BirthDate) >= 4 {
				out.BirthYear, _ = strconv.Atoi(rec.BirthDate[:4])
			}
		}
		if out.Region == "" {
			out.Region = rec.Region
		}
		if out.Locality == "" {
			out.Locality = rec.Locality
		}
		for _, role := range rec.Roles {
			if !slices.Contains(out.Roles, role) {
				out.Roles = append(out.Roles, role)
			}
		}
		if r.SourceKind != "" && !slices.Contains(out.SourceKinds, r.SourceKind) {
			out.SourceKinds = append(out.SourceKinds, r.SourceKind)
		}
	}
	if len(out.Timeline) == 0 {
		return PublicPerson{}, false
	}
	out.State = tally.State()
	slices.SortStableFunc(out.Timeline, func(a, b PublicEvent) int {
		if a.start != b.start {
			return int(a.start) - int(b.start)
		}
		return a.Status.Stage() - b.Status.Stage()
	})
	for i := len(out.Timeline) - 1; i >= 0; i-- {
		if out.Timeline[i].Status == out.State {
			out.StateSince = out.Timeline[i].Date
			break
		}
	}
	if len(out.Spellings) > 0 {
		out.Name = out.Spellings[0]
	}
	if Withheld(p, q) {
		return PublicPerson{ID: p.ID, Withheld: true, Name: WithheldName(p.ID), Region: out.Region, State: out.State,
			Spellings: []string{}, Roles: []Role{}, Timeline: []PublicEvent{}, SourceKinds: []SourceKind{}, Relatives: []PublicRelative{}}, true
	}
	return out, true
}

// AddRelatives adds to a shown person the relatives that may be shown:
// those listed publicly and not withheld. A withheld person shows none.
func (p *PublicPerson) AddRelatives(rels []Relationship, others map[string]PublicPerson) {
	if p.Withheld {
		return
	}
	for _, rel := range rels {
		if !rel.RetractedAt.IsZero() {
			continue
		}
		// "A is Kind of B": on B's page A is shown as Kind, on A's page B
		// as the inverse.
		other, kind := rel.PersonA, rel.Kind
		if rel.PersonA == p.ID {
			other, kind = rel.PersonB, inverse(rel.Kind)
		} else if rel.PersonB != p.ID {
			continue
		}
		o, ok := others[other]
		if !ok || o.Withheld {
			continue
		}
		p.Relatives = append(p.Relatives, PublicRelative{PersonID: o.ID, Kind: kind, Name: o.Name})
	}
}

// inverse turns "A is parent of B" into "B is child of A".
func inverse(k RelationshipKind) RelationshipKind {
	switch k {
	case Parent:
		return Child
	case Child:
		return Parent
	}
	return k
}

// PublicQuery is the question the live public site answers: as of today,
// as known now, at the public verification level.
func PublicQuery(now time.Time) Query {
	return Query{AsOf: DayOf(now), KnownAt: now, MinVerification: PublicMinVerification}
}
