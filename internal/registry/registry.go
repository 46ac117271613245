// Package registry is the domain at the centre of Rollcall: sources, records,
// persons, claims, incidents and relationships, and the counting rules that
// say who was missing, detained, killed or released as of a date, as known
// at a moment. It is pure Go: no SQL, no HTTP.
package registry

import (
	"fmt"
	"strings"
	"time"
)

// Status is what a claim says happened to a person: a state (which lasts
// until another state replaces it) or an act (which happened once).
type Status string

// States, in the order of their stage (see Stage).
const (
	Missing       Status = "missing"
	Detained      Status = "detained"
	Sentenced     Status = "sentenced"
	Restricted    Status = "restricted"
	Released      Status = "released"
	Found         Status = "found"
	Killed        Status = "killed"
	DiedInCustody Status = "died_in_custody"
)

// Acts: dated events that do not change a person's state.
const (
	Injured  Status = "injured"
	Tortured Status = "tortured"
	Charged  Status = "charged"
	Tried    Status = "tried"
	Fined    Status = "fined"
)

// ParseStatus accepts exactly the names in Statuses.
func ParseStatus(s string) (Status, error) { return oneOf(s, "status", Statuses) }

// oneOf returns s as one of the named values, or an error that lists them.
func oneOf[T ~string](s, what string, values []T) (T, error) {
	names := make([]string, len(values))
	for i, v := range values {
		if string(v) == s {
			return v, nil
		}
		names[i] = string(v)
	}
	last := len(names) - 1
	return "", fmt.Errorf("unknown %s %q (want %s or %s)", what, s, strings.Join(names[:last], ", "), names[last])
}

// IsState reports whether s is a state rather than an act.
func (s Status) IsState() bool { return s.Stage() > 0 }

// Stage orders states for breaking ties between claims that start on the
// same day: the later stage wins. Equal stages (released = found,
// killed = died_in_custody) tie; acts and unknown statuses have stage 0.
// The stages are the status table's (StatusTable).
func (s Status) Stage() int {
	if i := statusIndex(s); i >= 0 {
		return StatusTable[i].Stage
	}
	return 0
}

// IsFinal reports the states that no later claim can change.
func (s Status) IsFinal() bool {
	i := statusIndex(s)
	return i >= 0 && StatusTable[i].Final
}

// Verification is how well a claim is established.
type Verification int

// Verification levels, weakest first.
const (
	Unverified Verification = iota
	Corroborated
	Verified
)

// VerificationNames are the levels' names, lowest first, as the
// interchange CSV and the forms write them.
var VerificationNames = []string{"unverified", "corroborated", "verified"}

func (v Verification) String() string {
	if v < 0 || int(v) >= len(VerificationNames) {
		return fmt.Sprintf("verification(%d)", int(v))
	}
	return VerificationNames[v]
}

// ParseVerification accepts the level names; the empty string is unverified.
func ParseVerification(s string) (Verification, error) {
	if s == "" {
		return Unverified, nil
	}
	for i, name := range VerificationNames {
		if name == s {
			return Verification(i), nil
		}
	}
	return 0, fmt.Errorf("unknown verification %q (want unverified, corroborated or verified)", s)
}

// Role is what a person was doing, as a source describes them.
type Role string

// Roles accepted in records.
var Roles = []Role{"protester", "journalist", "rights_defender", "relative", "bystander", "tourist", "other"}

// ParseRole accepts exactly the names in Roles.
func ParseRole(s string) (Role, error) { return oneOf(s, "role", Roles) }

// JoinRoles writes roles as the interchange CSV and the database keep
// them: separated by ";".
func JoinRoles(roles []Role) string {
	parts := make([]string, len(roles))
	for i, r := range roles {
		parts[i] = string(r)
	}
	return strings.Join(parts, ";")
}

// SplitRoles reads roles as JoinRoles writes them.
func SplitRoles(s string) []Role {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ";")
	roles := make([]Role, len(parts))
	for i, p := range parts {
		roles[i] = Role(p)
	}
	return roles
}

// SourceKind is what sort of list or channel a source is.
type SourceKind string

// Kinds of source. The kind is public; who the source is never is.
const (
	KindList       SourceKind = "list"
	KindVolunteers SourceKind = "volunteers"
	KindRelative   SourceKind = "relative"
	KindMedia      SourceKind = "media"
	KindOfficial   SourceKind = "official"
	KindCourt      SourceKind = "court"
	KindPartner    SourceKind = "partner"
)

// SourceKinds lists the kinds a source may be given.
var SourceKinds = []SourceKind{KindList, KindVolunteers, KindRelative, KindMedia, KindOfficial, KindCourt, KindPartner}

// ParseSourceKind accepts exactly the names in SourceKinds.
func ParseSourceKind(s string) (SourceKind, error) { return oneOf(s, "source kind", SourceKinds) }

// Source is a list or channel that reports. Its confidential part (who the
// informant is) is kept sealed by the store and never appears here in clear.
type Source struct {
	ID          string
	Key         string // short id used in interchange files, e.g. volunteers-2022-07
	Kind        SourceKind
	Reliability int // 0 unknown, 1 (low) … 5 (high)
	CreatedAt   time.Time
}

// Record is what one source says about one person. It never changes owner
// source; the person fields are fixed when it is first recorded.
type Record struct {
	ID        string
	SourceID  string
	SourceKey string // the source's short id
	Key       string // the source's own id for the person
	Name      string // exactly as written (NFC)
	NameAlt   []string
	Sex       string // "m", "f" or ""
	BirthYear int    // 0 unknown
	BirthDate string // YYYY-MM-DD or ""
	Region    string
	Locality  string
	Roles     []Role
	CreatedAt time.Time
}

// Claim is one dated statement in a record. Claims are appended, never
// edited; withdrawing one sets RetractedAt.
type Claim struct {
	ID           string
	RecordID     string
	Status       Status
	Date         Period
	Place        string
	Details      string
	IncidentID   string
	Verification Verification
	Note         string // never public
	RecordedAt   time.Time
	RetractedAt  time.Time // zero while in force
}

// Person is a cluster of records that refer to the same human being.
type Person struct {
	ID        string
	CreatedAt time.Time
}

// Link says that a record belonged to a person from LinkedAt until
// UnlinkedAt (zero while current). Links are never deleted, so a count can
// be recomputed as it was known at any past moment.
type Link struct {
	ID         string
	RecordID   string
	PersonID   string
	LinkedAt   time.Time
	UnlinkedAt time.Time
	By         string
	Why        string
}

// CurrentAt reports whether the link held at known-at time t.
func (l Link) CurrentAt(t time.Time) bool {
	return !l.LinkedAt.After(t) && (l.UnlinkedAt.IsZero() || l.UnlinkedAt.After(t))
}

// Incident is a dated event that claims can point to.
type Incident struct {
	ID          string
	Name        string
	Date        Period
	Place       string
	Description string
}

// RelationshipKind names how two persons are related.
type RelationshipKind string

// Kinds of relationship.
const (
	Parent    RelationshipKind = "parent"
	Child     RelationshipKind = "child"
	Sibling   RelationshipKind = "sibling"
	Spouse    RelationshipKind = "spouse"
	Colleague RelationshipKind = "colleague"
)

// RelationshipKinds lists the kinds a relationship may be, in the order
// forms offer them.
var RelationshipKinds = []RelationshipKind{Parent, Child, Sibling, Spouse, Colleague}

// Relationship links two persons, so that relatives taken as hostages can
// be shown as such.
type Relationship struct {
	ID          string
	PersonA     string
	PersonB     string
	Kind        RelationshipKind // A is Kind of B
	RecordedAt  time.Time
	RetractedAt time.Time
}

// Birth years a record may hold: anything outside is a typing error.
const (
	MinBirthYear = 1900
	MaxBirthYear = 2100
)

// ValidBirthYear says whether a birth year (from a year or a date) may be
// stored.
func ValidBirthYear(y int) bool { return y >= MinBirthYear && y <= MaxBirthYear }
