package registry

import (
	"slices"
	"testing"
)

func TestCountsMoved(t *testing.T) {
	q := query("2022-08-03")
	detained := []ClaimFacts{claim(Detained, "2022-07-02")}
	missing := []ClaimFacts{claim(Missing, "2022-07-01")}
	released := []ClaimFacts{claim(Detained, "2022-07-02"), claim(Released, "2022-07-20")}
	later := []ClaimFacts{claim(Detained, "2022-09-01")} // after the as-of date: counts nothing yet
	cases := []struct {
		name   string
		groups [][]ClaimFacts
		want   []string
	}{
		// two detained records as two persons count twice, as one once
		{"same state", [][]ClaimFacts{detained, detained}, []string{"detained_now", "detained_ever"}},
		// missing, then detained: as one person no longer missing now;
		// detained now and ever, missing ever, once either way
		{"states differ", [][]ClaimFacts{missing, detained}, []string{"missing_now"}},
		{"released", [][]ClaimFacts{released, detained}, []string{"detained_now", "detained_ever"}},
		// a record with nothing counted changes nothing
		{"nothing counted", [][]ClaimFacts{detained, later}, nil},
		{"one group", [][]ClaimFacts{detained}, nil},
	}
	for _, c := range cases {
		if got := CountsMoved(q, c.groups...); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
