package registry

// CountsMoved returns the names of the counts (in the order of CountNames)
// that differ between the groups of claims counted as separate persons and
// counted as one: what deciding that records are one person, or splitting
// one person into these groups, changes in the figures as of q. The review
// queue ranks by it, so that decisions that move a count come first.
func CountsMoved(q Query, groups ...[]ClaimFacts) []string {
	var apart, together Counts
	var merged Tally
	for _, g := range groups {
		var t Tally
		for _, c := range g {
			if q.Counted(c) {
				t.Add(c)
				merged.Add(c)
			}
		}
		t.AddTo(&apart)
	}
	merged.AddTo(&together)
	var out []string
	for _, name := range CountNames {
		a, _ := apart.Get(name)
		b, _ := together.Get(name)
		if a != b {
			out = append(out, name)
		}
	}
	return out
}
