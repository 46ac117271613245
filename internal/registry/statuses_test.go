package registry

import (
	"slices"
	"testing"
)

// The status table is the one place statuses are described: states first
// in the order of their stage, then acts; the derived lists and methods
// agree with it; every count is fed by some state.
func TestStatusTable(t *testing.T) {
	lastStage, acts := 0, false
	fed := map[string]bool{}
	for _, r := range StatusTable {
		if r.Stage == 0 {
			acts = true
		} else if acts || r.Stage < lastStage {
			t.Errorf("%s: states come first, in the order of their stage", r.Status)
		}
		lastStage = max(lastStage, r.Stage)
		if (r.Final || r.Death || len(r.Now) > 0 || len(r.Ever) > 0) && r.Stage == 0 {
			t.Errorf("%s: an act is final, a death or counted", r.Status)
		}
		if r.Death && r.SignOfLife {
			t.Errorf("%s: both a death and a sign of life", r.Status)
		}
		if r.Status.Stage() != r.Stage || r.Status.IsFinal() != r.Final || r.Status.IsState() != (r.Stage > 0) {
			t.Errorf("%s: Stage/IsFinal/IsState disagree with the table", r.Status)
		}
		if got, err := ParseStatus(string(r.Status)); err != nil || got != r.Status {
			t.Errorf("%s: ParseStatus %v", r.Status, err)
		}
		for _, n := range append(slices.Clone(r.Now), r.Ever...) {
			fed[n] = true
		}
	}
	for _, n := range CountNames {
		if !fed[n] {
			t.Errorf("count %s: no status feeds it", n)
		}
	}
	if len(Statuses) != len(StatusTable) || !slices.Equal(States, Statuses[:len(States)]) {
		t.Errorf("Statuses %v, States %v", Statuses, States)
	}
	if _, ok := InfoOf("vanished"); ok || Status("vanished").Stage() != 0 {
		t.Error("an unknown status has a row")
	}
	// A person ever in several states feeding one count is counted once.
	var tally Tally
	for i, s := range []Status{Detained, Sentenced, Released} {
		tally.Add(ClaimFacts{Status: s, Start: Day(20220701 + i), End: Day(20220701 + i)})
	}
	var c Counts
	tally.AddTo(&c)
	if c != (Counts{ReleasedNow: 1, DetainedEver: 1, SentencedEver: 1}) {
		t.Errorf("detained, sentenced, released: %+v", c)
	}
}
