package linkage

import "sync"

// Explain returns the evidence, field by field, for one pair of records
// under model m (a zero Model means the built-in priors).
func Explain(a, b Record, m Model) Pair {
	if m.Fields == nil {
		m = DefaultModel()
	}
	cache := &sync.Map{}
	t := newNameTable(m.NameForms)
	pa, pb := prepare(&a, cache, t), prepare(&b, cache, t)
	return explainPrepared(&a, &b, &pa, &pb, &m)
}

func explainPrepared(a, b *Record, pa, pb *prepared, m *Model) Pair {
	g, al, why := compareDetail(pa, pb, true)
	pair := Pair{A: a.ID, B: b.ID, Weight: m.weightOf(pa, pb, g, al)}
	for f := 0; f < numFields; f++ {
		level := g.level(f)
		if level == 0 {
			continue
		}
		ev := Evidence{Field: fieldNames[f], Comparison: why[f], Level: level, Weight: m.weights[f][level]}
		if ev.Comparison == "" {
			ev.Comparison = fieldNames[f] + " " + levelLabels[f][level]
		}
		pair.Evidence = append(pair.Evidence, ev)
	}
	if tf := pair.Weight - sumWeights(pair.Evidence); g.conflict() {
		pair.Evidence = append(pair.Evidence, Evidence{Field: "claims", Comparison: "dead in one record before alive in the other", Level: 1, Weight: m.ClaimConflictWeight})
		if adj := tf - m.ClaimConflictWeight; adj > 0.005 || adj < -0.005 {
			pair.Evidence = append(pair.Evidence, Evidence{Field: "frequency", Comparison: "how common the agreeing names are", Weight: adj})
		}
	} else if tf > 0.005 || tf < -0.005 {
		pair.Evidence = append(pair.Evidence, Evidence{Field: "frequency", Comparison: "how common the agreeing names are", Weight: tf})
	}
	return pair
}

func sumWeights(ev []Evidence) float64 {
	s := 0.0
	for _, e := range ev {
		s += e.Weight
	}
	return s
}
