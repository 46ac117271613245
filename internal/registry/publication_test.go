package registry

import "testing"

// The publication rule: only a recorded decision lists a name.
func TestPublicationNeedsADecision(t *testing.T) {
	raised := Claim{Status: Detained, Date: day("2022-07-02"), Verification: Corroborated}
	weak := Claim{Status: Detained, Date: day("2022-07-02"), Verification: Unverified}
	adult := Record{Name: "CANARY Adult", BirthYear: 1990}
	for _, tc := range []struct {
		name  string
		facts func() PersonFacts
		want  Ground
	}{
		{"raised to corroborated, no mark, no basis", func() PersonFacts {
			p := person(adult, raised)
			p.Records[0].PublicBasis = false
			return p
		}, GroundUndecided},
		{"a source with a public basis", func() PersonFacts { return person(adult, raised) }, GroundSourceBasis},
		{"a basis on a record whose claims are not shown", func() PersonFacts {
			p := person(adult, raised)
			p.Records[0].PublicBasis = false
			p.Records = append(p.Records, SourcedRecord{Record: adult, PublicBasis: true, Claims: []Claim{weak}})
			p.Records[1].Claims[0].RecordedAt = recorded
			return p
		}, GroundUndecided},
		{"marked public with a reason", func() PersonFacts {
			p := person(adult, raised)
			p.Records[0].PublicBasis, p.Mark = false, MarkPublic
			return p
		}, GroundReason},
		{"marked public with a consent", func() PersonFacts {
			p := person(adult, raised)
			p.Mark, p.MarkConsent = MarkPublic, true
			return p
		}, GroundConsent},
		{"public before the rule", func() PersonFacts {
			p := person(adult, raised)
			p.Records[0].PublicBasis, p.Mark, p.MarkLegacy = false, MarkPublic, true
			return p
		}, GroundLegacy},
		{"marked withheld beats a basis", func() PersonFacts {
			p := person(adult, raised)
			p.Mark = MarkWithheld
			return p
		}, GroundMarkedWithheld},
		{"a minor with a basis", func() PersonFacts { return person(Record{BirthYear: 2010}, raised) }, GroundMinor},
		{"a minor from before the rule", func() PersonFacts {
			p := person(Record{BirthYear: 2010}, raised)
			p.Mark, p.MarkLegacy = MarkPublic, true
			return p
		}, GroundMinor},
		{"a relative with a reason only", func() PersonFacts {
			p := person(Record{Roles: []Role{"relative"}}, raised)
			p.Mark = MarkPublic
			return p
		}, GroundRelative},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.facts()
			got := Publication(p, publicQ)
			if got != tc.want {
				t.Fatalf("ground %s, want %s", got, tc.want)
			}
			shown, ok := Project(p, publicQ)
			if !ok {
				t.Fatal("not projected at all")
			}
			if shown.Withheld == got.Public() {
				t.Errorf("projection withheld=%v but ground %s", shown.Withheld, got)
			}
		})
	}
}
