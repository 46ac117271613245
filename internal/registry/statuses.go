package registry

import "fmt"

// StatusInfo is one row of the status table: everything Rollcall knows
// about a status besides its words. Adding a status is one row here and
// its words in the catalogues (internal/web/i18n/*/people.json, and
// report.json for a state the report form offers); TestStatusWords in
// internal/web fails until every catalogue has them.
type StatusInfo struct {
	Status Status
	// Stage orders states for breaking ties between claims that start on
	// the same day: the later stage wins; equal stages tie. 0 marks an
	// act, which never changes a person's state.
	Stage int
	// Final: no later claim changes this state (a later one is a
	// conflict for editors).
	Final bool
	// SignOfLife: the claim says the person was alive when its period
	// began (record linkage will not join it to someone dead before).
	SignOfLife bool
	// Death: the claim says the person was dead by the end of its period.
	Death bool
	// Now names the counts (CountNames) a person in this state is in.
	Now []string
	// Ever names the counts a person is in when any counted claim of
	// theirs is of this state; a count fed by several states counts a
	// person once.
	Ever []string
	// Wording is the catalogue key of the status's public name.
	Wording string
}

// StatusTable lists every status, states first in the order of their
// stage, then acts. Statuses, States, Stage, IsFinal, the counting rules,
// the forms' choices and what linkage reads of a claim all come from it.
var StatusTable = []StatusInfo{
	{Status: Missing, Stage: 1, Now: []string{"missing_now"}, Ever: []string{"missing_ever"}, Wording: "people.status.missing"},
	{Status: Detained, Stage: 2, SignOfLife: true, Now: []string{"detained_now"}, Ever: []string{"detained_ever"}, Wording: "people.status.detained"},
	{Status: Sentenced, Stage: 3, SignOfLife: true, Now: []string{"detained_now"}, Ever: []string{"detained_ever", "sentenced_ever"}, Wording: "people.status.sentenced"},
	// Restricted (house arrest, travel bans) is out of detention: counted
	// among the released as well.
	{Status: Restricted, Stage: 4, SignOfLife: true, Now: []string{"restricted_now", "released_now"}, Ever: []string{"detained_ever"}, Wording: "people.status.restricted"},
	{Status: Released, Stage: 5, SignOfLife: true, Now: []string{"released_now"}, Ever: []string{"detained_ever"}, Wording: "people.status.released"},
	{Status: Found, Stage: 5, SignOfLife: true, Now: []string{"found_now"}, Wording: "people.status.found"},
	{Status: Killed, Stage: 6, Final: true, Death: true, Now: []string{"killed"}, Wording: "people.status.killed"},
	{Status: DiedInCustody, Stage: 6, Final: true, Death: true, Now: []string{"killed"}, Ever: []string{"detained_ever"}, Wording: "people.status.died_in_custody"},
	{Status: Injured, SignOfLife: true, Wording: "people.status.injured"},
	{Status: Tortured, SignOfLife: true, Wording: "people.status.tortured"},
	{Status: Charged, SignOfLife: true, Wording: "people.status.charged"},
	{Status: Tried, SignOfLife: true, Wording: "people.status.tried"},
	{Status: Fined, SignOfLife: true, Wording: "people.status.fined"},
}

// Statuses lists every status in the table's order: states first, then acts.
var Statuses = statusesWhere(func(StatusInfo) bool { return true })

// States lists the states (stage above 0) in the table's order: what a
// person can be in, as the public filter and the report form offer them.
var States = statusesWhere(func(r StatusInfo) bool { return r.Stage > 0 })

func statusesWhere(keep func(StatusInfo) bool) []Status {
	var out []Status
	for _, r := range StatusTable {
		if keep(r) {
			out = append(out, r.Status)
		}
	}
	return out
}

// InfoOf returns the table's row for s; ok is false for an unknown status.
func InfoOf(s Status) (StatusInfo, bool) {
	if i := statusIndex(s); i >= 0 {
		return StatusTable[i], true
	}
	return StatusInfo{}, false
}

// statusIndex is s's row in StatusTable, or -1. A scan: the table is
// short, and it is no slower than the switch it replaces.
func statusIndex(s Status) int {
	for i := range StatusTable {
		if StatusTable[i].Status == s {
			return i
		}
	}
	return -1
}

// countMask is a set of counts, one bit per index of CountNames.
type countMask uint32

// statusCounts holds each row's Now and Ever as count masks, so counting
// a person costs no lookup by name.
var statusCounts = func() (out []struct{ now, ever countMask }) {
	if len(StatusTable) > 32 || len(CountNames) > 32 {
		panic("registry: more statuses or counts than the masks hold")
	}
	mask := func(names []string) countMask {
		var m countMask
		for _, n := range names {
			i := countIndex(n)
			if i < 0 {
				panic(fmt.Sprintf("registry: the status table names an unknown count %q", n))
			}
			m |= 1 << i
		}
		return m
	}
	for _, r := range StatusTable {
		out = append(out, struct{ now, ever countMask }{mask(r.Now), mask(r.Ever)})
	}
	return out
}()

func countIndex(name string) int {
	for i, n := range CountNames {
		if n == name {
			return i
		}
	}
	return -1
}
