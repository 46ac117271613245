package linkage

import (
	"slices"
	"testing"
)

func TestSuspectsNamesConflictsAndSplits(t *testing.T) {
	detained := []Claim{claim("detained", "2022-07-10")}
	killed := []Claim{claim("killed", "2022-07-02")}
	recs := []Record{
		{ID: "a1", Source: "vol", Names: []string{"Reymov Azamat"}, BirthYear: 1971, Sex: "m", Claims: detained},
		{ID: "a2", Source: "press", Names: []string{"Реймов Азамат"}, BirthYear: 1971, Sex: "m", Claims: detained},
		{ID: "a3", Source: "hrw", Names: []string{"Reymov Azamat"}, BirthYear: 1980, Sex: "m", Claims: detained},
		{ID: "b1", Source: "vol", Names: []string{"Seytova Gulnara"}, Sex: "f", BirthYear: 1990, Claims: killed},
		{ID: "b2", Source: "press", Names: []string{"Seytova Gulnara"}, Sex: "m", BirthYear: 1990, Claims: detained},
		{ID: "c1", Source: "vol", Names: []string{"Allamov Marat"}, BirthYear: 1985},
		{ID: "c2", Source: "press", Names: []string{"Allamov Marat"}, BirthYear: 1986},
		{ID: "d1", Source: "vol", Names: []string{"Tajiev Rustam"}, BirthDate: "1970-01-02"},
		{ID: "d2", Source: "vol", Names: []string{"Tajiev Rustam"}, BirthDate: "1970-01-02"},
	}
	clusters := [][]string{{"a3", "a1", "a2"}, {"b1", "b2"}, {"c1", "c2"}, {"d1", "d2"}}
	got := Suspects(recs, clusters, Model{})
	if len(got) != 2 {
		t.Fatalf("suspects %+v, want the Reymovs and the Seytovas (a year apart is one person; a list's own exact duplicate too)", got)
	}
	a, b := got[0], got[1]
	if !slices.Equal(a.Records, []string{"a1", "a2", "a3"}) || len(a.Conflicts) != 2 || a.Conflicts[0].Kind != ConflictBirth || a.Conflicts[0].Detail != "born 1971 and 1980" {
		t.Errorf("Reymovs: %+v", a)
	}
	if len(a.Split) != 2 || !slices.Equal(a.Split[0], []string{"a1", "a2"}) || !slices.Equal(a.Split[1], []string{"a3"}) {
		t.Errorf("Reymovs split %v, want [a1 a2] [a3]", a.Split)
	}
	kinds := []string{}
	for _, c := range b.Conflicts {
		kinds = append(kinds, c.Kind)
	}
	if !slices.Equal(kinds, []string{ConflictFate, ConflictSex}) || len(b.Split) != 2 {
		t.Errorf("Seytovas: conflicts %v, split %v", kinds, b.Split)
	}
}
