package registry

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func day(s string) Period {
	p, err := ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

var (
	recorded = time.Date(2022, 8, 1, 12, 0, 0, 0, time.UTC)
	publicQ  = Query{AsOf: 20220803, KnownAt: recorded.Add(time.Hour), MinVerification: Corroborated}
)

func person(rec Record, claims ...Claim) PersonFacts {
	for i := range claims {
		if claims[i].RecordedAt.IsZero() {
			claims[i].RecordedAt = recorded
		}
	}
	return PersonFacts{ID: "P1", Records: []SourcedRecord{{Record: rec, SourceKind: KindVolunteers, PublicBasis: true, Claims: claims}}}
}

func TestProjectShowsOnlyWhatMayBePublic(t *testing.T) {
	p := person(Record{ID: "R1", SourceKey: "CANARY-source", Key: "CANARY-key", Name: "Azamat Qurbanov", NameAlt: []string{"Азамат Курбанов"},
		Sex: "m", BirthYear: 1990, BirthDate: "1990-03-04", Region: "Nukus", Roles: []Role{"protester"}},
		Claim{Status: Detained, Date: day("2022-07-02"), Verification: Verified, Place: "SIZO 1", Note: "CANARY-note"},
		Claim{Status: Released, Date: day("2022-07-20"), Verification: Unverified, Place: "CANARY-unverified"},
		Claim{Status: Sentenced, Date: day("2022-07-25"), Verification: Corroborated, Place: "CANARY-retracted", RetractedAt: recorded.Add(time.Minute)},
		Claim{Status: Killed, Date: day("2022-09"), Verification: Verified, Place: "CANARY-future"},
	)
	got, ok := Project(p, publicQ)
	if !ok {
		t.Fatal("not shown")
	}
	b, _ := json.Marshal(got)
	if strings.Contains(string(b), "CANARY") || strings.Contains(string(b), "1990-03-04") {
		t.Errorf("projection leaks: %s", b)
	}
	if got.State != Detained || got.StateSince != "2022-07-02" || len(got.Timeline) != 1 || got.Timeline[0].Place != "SIZO 1" {
		t.Errorf("state %q since %q timeline %+v", got.State, got.StateSince, got.Timeline)
	}
	if got.Name != "Azamat Qurbanov" || len(got.Spellings) != 2 || got.BirthYear != 1990 || got.SourceKinds[0] != KindVolunteers {
		t.Errorf("person fields: %+v", got)
	}
}

func TestProjectHidesPersonWithoutPublicClaim(t *testing.T) {
	p := person(Record{Name: "Weak Claim"}, Claim{Status: Detained, Date: day("2022-07-02"), Verification: Unverified})
	if _, ok := Project(p, publicQ); ok {
		t.Error("a person with only an unverified claim is listed")
	}
}

func TestProjectWithholds(t *testing.T) {
	claim := Claim{Status: Detained, Date: day("2022-07-02"), Verification: Verified, Place: "SIZO"}
	for _, tc := range []struct {
		name     string
		rec      Record
		mark     Publicity
		consent  bool
		withheld bool
	}{
		{"adult", Record{BirthYear: 1990}, MarkNone, false, false},
		{"adult marked withheld", Record{BirthYear: 1990}, MarkWithheld, false, true},
		{"minor by year", Record{BirthYear: 2008}, MarkNone, false, true},
		{"could be 17 (year only)", Record{BirthYear: 2004}, MarkNone, false, true},
		{"19 by year", Record{BirthYear: 2003}, MarkNone, false, false},
		{"18 by date, day before", Record{BirthYear: 2004, BirthDate: "2004-07-03"}, MarkNone, false, true},
		{"18 by date, that day", Record{BirthYear: 2004, BirthDate: "2004-07-02"}, MarkNone, false, false},
		{"minor marked public with a reason only", Record{BirthYear: 2008}, MarkPublic, false, true},
		{"minor marked public with a consent", Record{BirthYear: 2008}, MarkPublic, true, false},
		{"relative", Record{Roles: []Role{"relative"}}, MarkNone, false, true},
		{"relative marked public with a reason only", Record{Roles: []Role{"relative"}}, MarkPublic, false, true},
		{"relative marked public with a consent", Record{Roles: []Role{"relative"}}, MarkPublic, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.rec.Name, tc.rec.Region, tc.rec.Locality = "CANARY Name", "Nukus", "CANARY-locality"
			p := person(tc.rec, claim)
			p.Mark, p.MarkConsent = tc.mark, tc.consent
			got, ok := Project(p, publicQ)
			if !ok || got.Withheld != tc.withheld {
				t.Fatalf("withheld %v, want %v", got.Withheld, tc.withheld)
			}
			if !tc.withheld {
				return
			}
			b, _ := json.Marshal(got)
			if strings.Contains(string(b), "CANARY") || strings.Contains(string(b), "SIZO") {
				t.Errorf("withheld person leaks: %s", b)
			}
			if got.Name != "Name withheld (#P1)" || got.Region != "Nukus" || got.State != Detained {
				t.Errorf("withheld person shows %+v", got)
			}
		})
	}
}

func TestRelativesShownOnlyWhenPublic(t *testing.T) {
	a := PublicPerson{ID: "A", Name: "Father"}
	others := map[string]PublicPerson{"B": {ID: "B", Name: "Son"}, "C": {ID: "C", Withheld: true, Name: WithheldName("C")}}
	a.AddRelatives([]Relationship{
		{PersonA: "A", PersonB: "B", Kind: Parent},
		{PersonA: "C", PersonB: "A", Kind: Child},
		{PersonA: "D", PersonB: "A", Kind: Sibling},
	}, others)
	if len(a.Relatives) != 1 || a.Relatives[0] != (PublicRelative{PersonID: "B", Kind: Child, Name: "Son"}) {
		t.Errorf("relatives %+v", a.Relatives)
	}
}
