package registry

import (
	"testing"
	"time"
)

var (
	published = time.Date(2022, 8, 3, 18, 0, 0, 0, time.UTC)
	later     = time.Date(2023, 1, 10, 9, 0, 0, 0, time.UTC)
	now       = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// claim builds counted facts: corroborated, recorded and linked before
// publication, never retracted.
func claim(status Status, date string) ClaimFacts {
	p, err := ParsePeriod(date)
	if err != nil {
		panic(err)
	}
	return ClaimFacts{Status: status, Start: p.Start, End: p.End, Verification: Corroborated,
		RecordedAt: Micros(published.Add(-time.Hour)), LinkedAt: Micros(published.Add(-time.Hour))}
}

func query(asOf string) Query {
	d, err := ParseDay(asOf)
	if err != nil {
		panic(err)
	}
	return Query{AsOf: d, KnownAt: now, MinVerification: Corroborated}
}

type stateCase struct {
	name   string
	q      Query
	claims []ClaimFacts
	want   Status
}

func runStateCases(t *testing.T, cases []stateCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := StateOf(tc.q, tc.claims); got != tc.want {
				t.Errorf("state = %q, want %q", got, tc.want)
			}
			// The order in which claims arrive must never matter.
			rev := make([]ClaimFacts, len(tc.claims))
			for i, c := range tc.claims {
				rev[len(rev)-1-i] = c
			}
			if got := StateOf(tc.q, rev); got != tc.want {
				t.Errorf("state with claims reversed = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLatestStartWins(t *testing.T) {
	runStateCases(t, []stateCase{
		{"no claims", query("2022-08-03"), nil, ""},
		{"one state", query("2022-08-03"), []ClaimFacts{claim(Detained, "2022-07-02")}, Detained},
		{"released after detention", query("2022-08-03"), []ClaimFacts{claim(Detained, "2022-07-02"), claim(Released, "2022-07-20")}, Released},
		{"as of before the release", query("2022-07-19"), []ClaimFacts{claim(Detained, "2022-07-02"), claim(Released, "2022-07-20")}, Detained},
		{"as of the release day", query("2022-07-20"), []ClaimFacts{claim(Detained, "2022-07-02"), claim(Released, "2022-07-20")}, Released},
		{"missing then found detained", query("2022-08-03"), []ClaimFacts{claim(Missing, "2022-07-02"), claim(Detained, "2022-07-05")}, Detained},
		{"earlier stage but later start wins", query("2022-08-03"), []ClaimFacts{claim(Sentenced, "2022-07-10"), claim(Detained, "2022-07-12")}, Detained},
		{"acts never set a state", query("2022-08-03"), []ClaimFacts{claim(Detained, "2022-07-02"), claim(Tortured, "2022-07-10"), claim(Charged, "2022-07-11")}, Detained},
		{"only acts", query("2022-08-03"), []ClaimFacts{claim(Injured, "2022-07-01")}, ""},
		{"claim after the as-of date ignored", query("2022-07-01"), []ClaimFacts{claim(Detained, "2022-07-02")}, ""},
	})
}

func TestTieOrder(t *testing.T) {
	runStateCases(t, []stateCase{
		{"detained beats missing", query("2022-08-03"), []ClaimFacts{claim(Missing, "2022-07-02"), claim(Detained, "2022-07-02")}, Detained},
		{"sentenced beats detained", query("2022-08-03"), []ClaimFacts{claim(Detained, "2022-07-20"), claim(Sentenced, "2022-07-20")}, Sentenced},
		{"restricted beats sentenced", query("2022-08-03"), []ClaimFacts{claim(Sentenced, "2022-07-20"), claim(Restricted, "2022-07-20")}, Restricted},
		{"released beats restricted", query("2022-08-03"), []ClaimFacts{claim(Restricted, "2022-07-20"), claim(Released, "2022-07-20")}, Released},
		{"found beats detained", query("2022-08-03"), []ClaimFacts{claim(Detained, "2022-07-20"), claim(Found, "2022-07-20")}, Found},
		{"killed beats released", query("2022-08-03"), []ClaimFacts{claim(Released, "2022-07-20"), claim(Killed, "2022-07-20")}, Killed},
		{"died in custody beats detained", query("2022-08-03"), []ClaimFacts{claim(Detained, "2022-07-20"), claim(DiedInCustody, "2022-07-20")}, DiedInCustody},
	})
	// released = found: the later-recorded claim wins.
	a, b := claim(Released, "2022-07-20"), claim(Found, "2022-07-20")
	b.RecordedAt++
	runStateCases(t, []stateCase{{"equal stage: later recorded wins", query("2022-08-03"), []ClaimFacts{a, b}, Found}})
}

func TestFinalStates(t *testing.T) {
	runStateCases(t, []stateCase{
		{"killed stays after a later release", query("2022-08-03"), []ClaimFacts{claim(Killed, "2022-07-01"), claim(Released, "2022-07-20")}, Killed},
		{"died in custody stays after a later detention", query("2022-08-03"), []ClaimFacts{claim(DiedInCustody, "2022-07-10"), claim(Detained, "2022-07-15")}, DiedInCustody},
		{"killed after detention", query("2022-08-03"), []ClaimFacts{claim(Detained, "2022-07-02"), claim(Killed, "2022-07-05")}, Killed},
		{"killed not yet counted as of before", query("2022-07-04"), []ClaimFacts{claim(Detained, "2022-07-02"), claim(Killed, "2022-07-05")}, Detained},
	})
	var tl Tally
	tl.Add(claim(Killed, "2022-07-01"))
	tl.Add(claim(Released, "2022-07-20"))
	if !tl.Conflict() {
		t.Error("a release after a killing is not flagged as a conflict")
	}
	var ok Tally
	ok.Add(claim(Detained, "2022-07-01"))
	ok.Add(claim(Killed, "2022-07-05"))
	if ok.Conflict() {
		t.Error("a killing after a detention is flagged as a conflict")
	}
}

func TestMonthAndYearPrecision(t *testing.T) {
	runStateCases(t, []stateCase{
		{"month claim not counted before its last day", query("2022-07-30"), []ClaimFacts{claim(Detained, "2022-07")}, ""},
		{"month claim counted from its last day", query("2022-07-31"), []ClaimFacts{claim(Detained, "2022-07")}, Detained},
		{"february of a leap year ends on the 29th", query("2024-02-29"), []ClaimFacts{claim(Released, "2024-02")}, Released},
		{"year claim counted only from 31 December", query("2022-12-30"), []ClaimFacts{claim(Sentenced, "2022")}, ""},
		{"year claim counted on 31 December", query("2022-12-31"), []ClaimFacts{claim(Sentenced, "2022")}, Sentenced},
		// A month claim starts on the first of the month, so a dated claim in
		// the same month that starts later wins.
		{"day claim inside a month claim wins by start", query("2022-08-03"), []ClaimFacts{claim(Released, "2022-07"), claim(Detained, "2022-07-15")}, Detained},
		{"month claim starting later than a day claim wins", query("2022-08-31"), []ClaimFacts{claim(Detained, "2022-07-15"), claim(Released, "2022-08")}, Released},
	})
}

func TestRetractedClaims(t *testing.T) {
	retracted := claim(Killed, "2022-07-02")
	retracted.RetractedAt = Micros(later)
	runStateCases(t, []stateCase{
		{"retracted claim does not count now", Query{AsOf: 20220803, KnownAt: now, MinVerification: Corroborated},
			[]ClaimFacts{claim(Missing, "2022-07-01"), retracted}, Missing},
		{"retracted claim still counted as known before its retraction", Query{AsOf: 20220803, KnownAt: published, MinVerification: Corroborated},
			[]ClaimFacts{claim(Missing, "2022-07-01"), retracted}, Killed},
		{"retracted at exactly known-at does not count", Query{AsOf: 20220803, KnownAt: later, MinVerification: Corroborated},
			[]ClaimFacts{claim(Missing, "2022-07-01"), retracted}, Missing},
	})
}

func TestVerificationThreshold(t *testing.T) {
	weak := claim(Released, "2022-07-20")
	weak.Verification = Unverified
	strong := claim(Detained, "2022-07-02")
	strong.Verification = Verified
	cases := []stateCase{
		{"unverified ignored at corroborated", Query{AsOf: 20220803, KnownAt: now, MinVerification: Corroborated}, []ClaimFacts{strong, weak}, Detained},
		{"unverified counted at unverified", Query{AsOf: 20220803, KnownAt: now, MinVerification: Unverified}, []ClaimFacts{strong, weak}, Released},
		{"verified counted at verified", Query{AsOf: 20220803, KnownAt: now, MinVerification: Verified}, []ClaimFacts{strong, weak}, Detained},
		{"corroborated ignored at verified", Query{AsOf: 20220803, KnownAt: now, MinVerification: Verified}, []ClaimFacts{claim(Killed, "2022-07-02")}, ""},
	}
	runStateCases(t, cases)
}

func TestKnownAt(t *testing.T) {
	lateNews := claim(Released, "2022-07-20")
	lateNews.RecordedAt = Micros(later) // learned after publication
	moved := claim(Killed, "2022-07-02")
	moved.UnlinkedAt = Micros(later) // the record was split off this person later
	newlyLinked := claim(Missing, "2022-07-01")
	newlyLinked.LinkedAt = Micros(later)
	runStateCases(t, []stateCase{
		{"claim recorded after known-at not counted", Query{AsOf: 20220803, KnownAt: published, MinVerification: Corroborated},
			[]ClaimFacts{claim(Detained, "2022-07-02"), lateNews}, Detained},
		{"claim recorded before known-at counted", Query{AsOf: 20220803, KnownAt: now, MinVerification: Corroborated},
			[]ClaimFacts{claim(Detained, "2022-07-02"), lateNews}, Released},
		{"record unlinked later still counted as then known", Query{AsOf: 20220803, KnownAt: published, MinVerification: Corroborated},
			[]ClaimFacts{claim(Detained, "2022-07-05"), moved}, Killed},
		{"record unlinked before known-at not counted", Query{AsOf: 20220803, KnownAt: now, MinVerification: Corroborated},
			[]ClaimFacts{claim(Detained, "2022-07-05"), moved}, Detained},
		{"record linked after known-at not counted", Query{AsOf: 20220803, KnownAt: published, MinVerification: Corroborated},
			[]ClaimFacts{newlyLinked}, ""},
	})
}

func TestCountsTable(t *testing.T) {
	q := query("2022-08-03")
	persons := map[string][]ClaimFacts{
		"missing":    {claim(Missing, "2022-07-02")},
		"detained":   {claim(Detained, "2022-07-02")},
		"sentenced":  {claim(Detained, "2022-07-02"), claim(Sentenced, "2022-07-30")},
		"restricted": {claim(Detained, "2022-07-02"), claim(Restricted, "2022-07-25")},
		"released":   {claim(Missing, "2022-07-01"), claim(Detained, "2022-07-02"), claim(Released, "2022-07-25")},
		"found":      {claim(Missing, "2022-07-01"), claim(Found, "2022-07-10")},
		"killed":     {claim(Killed, "2022-07-01")},
		"died":       {claim(Detained, "2022-07-02"), claim(DiedInCustody, "2022-07-15")},
		"acts only":  {claim(Injured, "2022-07-01")},
		"future":     {claim(Detained, "2022-09-01")},
	}
	got := Count(q, persons)
	want := Counts{MissingNow: 1, DetainedNow: 2, RestrictedNow: 1, ReleasedNow: 2, FoundNow: 1, Killed: 2,
		DetainedEver: 5, MissingEver: 3, SentencedEver: 1}
	if got != want {
		t.Errorf("counts = %+v\nwant     %+v", got, want)
	}
	for _, name := range CountNames {
		if _, err := got.Get(name); err != nil {
			t.Error(err)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct {
		in         string
		start, end Day
		ok         bool
	}{
		{"2022-07-02", 20220702, 20220702, true},
		{"2022-07", 20220701, 20220731, true},
		{"2022", 20220101, 20221231, true},
		{"2023-02", 20230201, 20230228, true},
		{"2022-13", 0, 0, false},
		{"2022-02-30", 0, 0, false},
		{"22-07-02", 0, 0, false},
		{"2022/07/02", 0, 0, false},
		{"", 0, 0, false},
		{"july", 0, 0, false},
	} {
		p, err := ParsePeriod(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParsePeriod(%q) error = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && (p.Start != tc.start || p.End != tc.end || p.String() != tc.in) {
			t.Errorf("ParsePeriod(%q) = %v..%v %q", tc.in, p.Start, p.End, p)
		}
	}
}
