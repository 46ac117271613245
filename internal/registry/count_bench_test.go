package registry

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkCount counts 100,000 persons of three claims each (a mix of
// states and acts, some final) as of one date: the counting rules' own
// cost, the part the counts page repeats for ~100 dates.
func BenchmarkCount(b *testing.B) {
	known := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	byPerson := map[string][]ClaimFacts{}
	for i := 0; i < 100_000; i++ {
		day := Day(20220701 + i%28)
		cs := []ClaimFacts{
			{Status: Statuses[i%len(Statuses)], Start: day, End: day, Verification: Verified, RecordedAt: 1, LinkedAt: 1},
			{Status: Detained, Start: day, End: day, Verification: Corroborated, RecordedAt: 2, LinkedAt: 1},
			{Status: Statuses[(i/7)%8], Start: day + 1, End: day + 1, Verification: Verified, RecordedAt: 3, LinkedAt: 1},
		}
		byPerson[fmt.Sprint(i)] = cs
	}
	q := Query{AsOf: 20221231, KnownAt: known, MinVerification: Corroborated}
	b.ResetTimer()
	var c Counts
	for n := 0; n < b.N; n++ {
		c = Count(q, byPerson)
	}
	if c.DetainedEver == 0 {
		b.Fatal("nothing counted")
	}
}
