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
	if i := countIndex(name); i >= 0 {
		return *c.at(i), nil
	}
	return 0, fmt.Errorf("unknown count %q", name)
}

// at is the count of index i of CountNames.
func (c *Counts) at(i int) *int {
	switch i {
	case 0:
		return &c.MissingNow
	case 1:
		return &c.DetainedNow
	case 2:
		return &c.RestrictedNow
	case 3:
		return &c.ReleasedNow
	case 4:
		return &c.FoundNow
	case 5:
		return &c.Killed
	case 6:
		return &c.DetainedEver
	case 7:
		return &c.MissingEver
	case 8:
		return &c.SentencedEver
	}
	panic(fmt.Sprintf("registry: no count of index %d", i))
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

// everBit marks which states a person's counted claims include, one bit
// per row of StatusTable.
type everBit uint32

// Tally accumulates one person's counted claims and gives their state. The
// zero Tally is a person with no counted claim. Feed it with Add in any order.
type Tally struct {
	state      Status
	row        int // state's row in StatusTable, when state is not ""
	stage      int
	start      Day
	recordedAt int64
	ever       everBit
	final      bool
	conflict   bool
}

// Add takes one claim that the caller has already found counted.
func (t *Tally) Add(c ClaimFacts) {
	i := statusIndex(c.Status)
	if i < 0 || StatusTable[i].Stage == 0 {
		return
	}
	row := &StatusTable[i]
	t.ever |= 1 << i
	if t.final {
		// A final state stands; a claim that would have replaced it is a
		// conflict for editors to look at.
		if c.Status != t.state && t.wins(c, row.Stage) {
			t.conflict = true
		}
		if row.Final && t.wins(c, row.Stage) {
			t.take(c, i)
		}
		return
	}
	if row.Final {
		if t.state != "" && !t.wins(c, row.Stage) {
			t.conflict = true
		}
		t.take(c, i)
		t.final = true
		return
	}
	if t.state == "" || t.wins(c, row.Stage) {
		t.take(c, i)
	}
}

// wins reports whether c (of the given stage) replaces the current state:
// the claim whose period starts latest wins; on the same start the later
// stage; on the same stage the later recorded (so the order claims arrive
// in never matters).
func (t *Tally) wins(c ClaimFacts, stage int) bool {
	if c.Start != t.start {
		return c.Start > t.start
	}
	if stage != t.stage {
		return stage > t.stage
	}
	if c.RecordedAt != t.recordedAt {
		return c.RecordedAt > t.recordedAt
	}
	return c.Status > t.state
}

func (t *Tally) take(c ClaimFacts, row int) {
	t.state, t.start, t.recordedAt = c.Status, c.Start, c.RecordedAt
	t.row, t.stage = row, StatusTable[row].Stage
}

// State is the person's state, or "" when no state claim counted.
func (t *Tally) State() Status { return t.state }

// Conflict reports a counted claim that a final state overruled.
func (t *Tally) Conflict() bool { return t.conflict }

// Ever reports whether the counted claims include the state s.
func (t *Tally) Ever(s Status) bool {
	i := statusIndex(s)
	return i >= 0 && t.ever&(1<<i) != 0
}

// AddTo adds this person to the counts: the Now counts of their state's
// row, and once each the Ever counts of every state they were ever in.
func (t *Tally) AddTo(c *Counts) {
	var m countMask
	if t.state != "" {
		m = statusCounts[t.row].now
	}
	for ever, i := t.ever, 0; ever != 0; ever, i = ever>>1, i+1 {
		if ever&1 != 0 {
			m |= statusCounts[i].ever
		}
	}
	for i := 0; m != 0; m, i = m>>1, i+1 {
		if m&1 != 0 {
			*c.at(i)++
		}
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
