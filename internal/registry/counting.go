package registry

import (
	"fmt"
	"time"
)

// Query says which claims count: those whose date period ends on or before
// AsOf, recorded at or before KnownAt and not retracted by then, at or above
// MinVerification, of records linked to the person as known at KnownAt.
type Query struct {
	AsOf            Day
	KnownAt         time.Time
	MinVerification Verification
}

// DefaultMinVerification is the threshold a count uses unless told otherwise.
const DefaultMinVerification = Corroborated

// Counts holds the figures defined in docs/counting.md; the JSON names are
// part of the command-line contract.
type Counts struct {
	MissingNow    int `json:"missing_now"`
	DetainedNow   int `json:"detained_now"`
	RestrictedNow int `json:"restricted_now"`
	ReleasedNow   int `json:"released_now"`
	FoundNow      int `json:"found_now"`
	Killed        int `json:"killed"`
	DetainedEver  int `json:"detained_ever"`
	MissingEver   int `json:"missing_ever"`
	SentencedEver int `json:"sentenced_ever"`
}

// CountNames lists the count names in the order of docs/counting.md.
var CountNames = []string{"missing_now", "detained_now", "restricted_now", "released_now", "found_now",
	"killed", "detained_ever", "missing_ever", "sentenced_ever"}

// Get returns a count by its name.
func (c Counts) Get(name string) (int, error) {
	switch name {
	case "missing_now":
		return c.MissingNow, nil
	case "detained_now":
		return c.DetainedNow, nil
	case "restricted_now":
		return c.RestrictedNow, nil
	case "released_now":
		return c.ReleasedNow, nil
	case "found_now":
		return c.FoundNow, nil
	case "killed":
		return c.Killed, nil
	case "detained_ever":
		return c.DetainedEver, nil
	case "missing_ever":
		return c.MissingEver, nil
	case "sentenced_ever":
		return c.SentencedEver, nil
	}
	return 0, fmt.Errorf("unknown count %q", name)
}

// ClaimFacts is the part of a claim, and of the link that brought it to a
// person, that the counting rules look at. Times are Unix microseconds;
// zero RetractedAt or UnlinkedAt means "not yet".
type ClaimFacts struct {
	Status       Status
	Start, End   Day
	Verification Verification
	RecordedAt   int64
	RetractedAt  int64
	LinkedAt     int64
	UnlinkedAt   int64
}

// Micros converts a time to the Unix microseconds used in ClaimFacts.
func Micros(t time.Time) int64 { return t.UnixMicro() }

// Counted reports whether a claim counts under q (the rule of
// docs/counting.md, "counted claims").
func (q Query) Counted(c ClaimFacts) bool {
	t := q.KnownAt.UnixMicro()
	return c.LinkedAt <= t && (c.UnlinkedAt == 0 || c.UnlinkedAt > t) &&
		c.RecordedAt <= t && (c.RetractedAt == 0 || c.RetractedAt > t) &&
		c.Verification >= q.MinVerification &&
		c.End <= q.AsOf
}

// everBit marks which states a person's counted claims include.
type everBit uint16

func bitOf(s Status) everBit {
	for i, st := range Statuses[:8] {
		if st == s {
			return 1 << i
		}
	}
	return 0
}

// Tally accumulates one person's counted claims and gives their state. The
// zero Tally is a person with no counted claim. Feed it with Add in any order.
type Tally struct {
	state      Status
	start      Day
	recordedAt int64
	ever       everBit
	final      bool
	conflict   bool
}

// Add takes one claim that the caller has already found counted.
func (t *Tally) Add(c ClaimFacts) {
	if !c.Status.IsState() {
		return
	}
	t.ever |= bitOf(c.Status)
	if t.final {
		// A final state stands; a claim that would have replaced it is a
		// conflict for editors to look at.
		if c.Status != t.state && t.wins(c) {
			t.conflict = true
		}
		if c.Status.IsFinal() && t.wins(c) {
			t.take(c)
		}
		return
	}
	if c.Status.IsFinal() {
		if t.state != "" && !t.wins(c) {
			t.conflict = true
		}
		t.take(c)
		t.final = true
		return
	}
	if t.state == "" || t.wins(c) {
		t.take(c)
	}
}

// wins reports whether c replaces the current state: the claim whose period
// starts latest wins; on the same start the later stage; on the same stage
// the later recorded (so the order claims arrive in never matters).
func (t *Tally) wins(c ClaimFacts) bool {
	if c.Start != t.start {
		return c.Start > t.start
	}
	if a, b := c.Status.Stage(), t.state.Stage(); a != b {
		return a > b
	}
	if c.RecordedAt != t.recordedAt {
		return c.RecordedAt > t.recordedAt
	}
	return c.Status > t.state
}

func (t *Tally) take(c ClaimFacts) {
	t.state, t.start, t.recordedAt = c.Status, c.Start, c.RecordedAt
}

// State is the person's state, or "" when no state claim counted.
func (t *Tally) State() Status { return t.state }

// Conflict reports a counted claim that a final state overruled.
func (t *Tally) Conflict() bool { return t.conflict }

// Ever reports whether the counted claims include the state s.
func (t *Tally) Ever(s Status) bool { return t.ever&bitOf(s) != 0 }

// AddTo adds this person to the counts.
func (t *Tally) AddTo(c *Counts) {
	switch t.state {
	case Missing:
		c.MissingNow++
	case Detained, Sentenced:
		c.DetainedNow++
	case Restricted:
		c.RestrictedNow++
		c.ReleasedNow++
	case Released:
		c.ReleasedNow++
	case Found:
		c.FoundNow++
	case Killed, DiedInCustody:
		c.Killed++
	}
	if t.ever&(bitOf(Detained)|bitOf(Sentenced)|bitOf(Restricted)|bitOf(Released)|bitOf(DiedInCustody)) != 0 {
		c.DetainedEver++
	}
	if t.Ever(Missing) {
		c.MissingEver++
	}
	if t.Ever(Sentenced) {
		c.SentencedEver++
	}
}

// Count applies the counting rules to claims grouped by person: every claim
// of every record ever linked to the person, with its link's times. Claims
// that do not count under q are skipped here, so callers may pass a superset.
func Count(q Query, claimsByPerson map[string][]ClaimFacts) Counts {
	var c Counts
	for _, claims := range claimsByPerson {
		var t Tally
		for _, cl := range claims {
			if q.Counted(cl) {
				t.Add(cl)
			}
		}
		t.AddTo(&c)
	}
	return c
}

// StateOf is the state of one person as of q.
func StateOf(q Query, claims []ClaimFacts) Status {
	var t Tally
	for _, cl := range claims {
		if q.Counted(cl) {
			t.Add(cl)
		}
	}
	return t.State()
}
