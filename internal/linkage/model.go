package linkage

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Model is a Fellegi–Sunter model: per field and level, the probability of
// that level among matching pairs (M) and among non-matching pairs (U), and
// the resulting weight log2(M/U). M is learned by EM over the candidate
// pairs; U is estimated from random pairs; both are shrunk towards
// built-in priors so that a small input still gets a sensible model.
type Model struct {
	Fields              []FieldModel
	MatchShare          float64 // EM's estimate of the share of candidate pairs that match
	Iterations          int     // EM iterations run
	Converged           bool    // EM stopped because the parameters stopped changing
	CandidatePairs      int     // pairs EM learned from
	RandomPairs         int     // random pairs U was estimated from
	ClaimConflictWeight float64 // weight of claims that say dead, then alive
	PairPrior           float64 // estimated share of all pairs of records that are one person
	Upper, Lower        float64 // thresholds in force
	// NameForms are the confirmed name forms the run compared with, so
	// that Explain compares as the run did.
	NameForms []NameForm

	weights [numFields][]float64
	tf      *termFrequencies
}

// FieldModel holds one field's levels.
type FieldModel struct {
	Field  string
	Levels []LevelModel
}

// LevelModel is one comparison level of a field. Level 0 is "missing" and
// always weighs 0.
type LevelModel struct {
	Label  string
	M, U   float64
	Weight float64
}

// String prints the model as a table, for --explain.
func (m Model) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Fellegi–Sunter model: %d candidate pairs, %d random pairs, EM %d iterations (converged %v), match share %.4f\n",
		m.CandidatePairs, m.RandomPairs, m.Iterations, m.Converged, m.MatchShare)
	fmt.Fprintf(&b, "thresholds: link at weight >= %.1f, review at >= %.1f; claims conflict weight %.1f; prior of a random pair %.3g\n", m.Upper, m.Lower, m.ClaimConflictWeight, m.PairPrior)
	for _, f := range m.Fields {
		fmt.Fprintf(&b, "%s\n", f.Field)
		for _, l := range f.Levels[1:] {
			fmt.Fprintf(&b, "  %-30s m=%.4f u=%.5f weight=%+.2f\n", l.Label, l.M, l.U, l.Weight)
		}
	}
	if m.tf != nil {
		fmt.Fprintf(&b, "term frequency adjustment on exact surname and given name agreement (%d records)\n", m.tf.records)
	}
	return b.String()
}

// Priors: M and U per level (level 0 unused). They encode what a careful
// person expects from lists typed by hand in two scripts.
var (
	priorM = [numFields][]float64{
		fieldSurname:    {0, 0.80, 0.12, 0.05, 0.03},
		fieldGiven:      {0, 0.82, 0.08, 0.07, 0.03},
		fieldPatronymic: {0, 0.80, 0.14, 0.06},
		fieldBirth:      {0, 0.60, 0.10, 0.15, 0.08, 0.04, 0.03},
		fieldSex:        {0, 0.98, 0.02},
		fieldPlace:      {0, 0.75, 0.12, 0.10, 0.03},
	}
	priorU = [numFields][]float64{
		fieldSurname:    {0, 0.004, 0.004, 0.04, 0.952},
		fieldGiven:      {0, 0.01, 0.005, 0.04, 0.945},
		fieldPatronymic: {0, 0.01, 0.01, 0.98},
		fieldBirth:      {0, 0.0002, 0.002, 0.02, 0.04, 0.08, 0.8578},
		fieldSex:        {0, 0.5, 0.5},
		fieldPlace:      {0, 0.1, 0.2, 0.6, 0.1},
	}
)

const (
	// Pseudo-counts that say how much evidence the data need to move a
	// parameter away from its prior.
	priorStrengthM = 50.0
	priorStrengthU = 500.0
	// randomPairsWanted caps the sample for U.
	randomPairsWanted = 200000
	emMaxIterations   = 200
	emTolerance       = 1e-6
	// weightCap keeps one field from deciding alone.
	weightCap = 14.0
	// claimConflictWeight: a person killed on 1 July is not the one released
	// on 20 July, whatever the names say. Such pairs also never merge.
	claimConflictWeight = -20.0
	// tfPrior is the number of pseudo-records shrinking a name's frequency
	// towards the average, so that small lists do not over-adjust.
	tfPrior = 1000.0
)

// DefaultModel returns the model built from the priors alone, for
// explaining pairs outside a run.
func DefaultModel() Model {
	var m Model
	var zeroU [numFields][]float64
	m.finish(priorM, zeroU, 0)
	m.Upper, m.Lower = DefaultUpper, DefaultLower
	return m
}

// trainModel estimates U from random pairs and M by EM on the histogram
// of the candidates' comparison patterns: Fellegi–Sunter needs only how
// many pairs show each pattern, not the pairs themselves.
func trainModel(recs []prepared, counts map[gamma]int, candidates int) Model {
	var model Model
	u, nRandom := estimateU(recs)
	model.RandomPairs = nRandom
	m, lambda, iters, converged := runEM(counts, u)
	model.MatchShare, model.Iterations, model.Converged = lambda, iters, converged
	model.CandidatePairs = candidates
	model.finish(m, u, 0)
	model.tf = countTermFrequencies(recs)
	return model
}

// patternCounts compares every candidate pair once and counts the
// comparison patterns.
func patternCounts(recs []prepared, b *blocks, prog *progress) (map[gamma]int, int) {
	workers := max(1, numWorkers())
	hist := make([]map[gamma]int, workers)
	for w := range hist {
		hist[w] = map[gamma]int{}
	}
	b.eachPair(func(w int, i, j int32) {
		g, _ := compare(&recs[i], &recs[j])
		hist[w][g.pattern()]++
	}, func(done, total int) { prog.compare(done, 2*total) })
	counts := hist[0]
	for _, h := range hist[1:] {
		for g, n := range h {
			counts[g] += n
		}
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	return counts, total
}

// posteriorWeight returns the weight at which a pair's probability of
// being one person reaches p. The weights are log2(m/u) with u from random
// pairs, so the prior is that of a random pair: EM's matches among the
// candidates, divided by all pairs.
func (model *Model) posteriorWeight(p float64, records int) float64 {
	all := float64(records) * float64(records-1) / 2
	if all < 1 {
		return DefaultUpper
	}
	// EM that finds no matches at all must not make every pair link: at
	// least one match is assumed, which only raises the threshold.
	matches := max(1, model.MatchShare*float64(model.CandidatePairs))
	prior := math.Min(0.5, matches/all)
	model.PairPrior = prior
	return math.Log2(p / (1 - p) * (1 - prior) / prior)
}

// finish fills Fields and the weight table from M and U (nil U → priors).
func (model *Model) finish(m, u [numFields][]float64, _ int) {
	model.ClaimConflictWeight = claimConflictWeight
	model.Fields = model.Fields[:0]
	for f := 0; f < numFields; f++ {
		fm := FieldModel{Field: fieldNames[f]}
		model.weights[f] = make([]float64, len(priorM[f]))
		for l := range priorM[f] {
			lm := LevelModel{Label: levelLabels[f][l]}
			if l > 0 {
				lm.M = m[f][l]
				if u[f] != nil {
					lm.U = u[f][l]
				} else {
					lm.U = priorU[f][l]
				}
				lm.Weight = math.Max(-weightCap, math.Min(weightCap, math.Log2(lm.M/lm.U)))
				if l == len(priorM[f])-1 && lm.Weight > 0 {
					lm.Weight = 0 // disagreement is never evidence for a match (rare levels are noisy)
				}
				model.weights[f][l] = lm.Weight
			}
			fm.Levels = append(fm.Levels, lm)
		}
		model.Fields = append(model.Fields, fm)
	}
}

// estimateU compares random pairs of records. The generator is seeded
// from the input size so that a run is reproducible.
func estimateU(recs []prepared) ([numFields][]float64, int) {
	n := len(recs)
	var counts [numFields][]float64
	for f := range counts {
		counts[f] = make([]float64, len(priorU[f]))
	}
	pairs := 0
	if n >= 2 {
		all := n * (n - 1) / 2
		if all <= randomPairsWanted {
			for i := 0; i < n; i++ {
				for j := i + 1; j < n; j++ {
					g, _ := compare(&recs[i], &recs[j])
					addLevels(&counts, g)
				}
			}
			pairs = all
		} else {
			samples := make([]gamma, randomPairsWanted)
			parallelChunks(randomPairsWanted, func(lo, hi int) {
				r := rand.New(rand.NewPCG(uint64(n), uint64(lo)))
				for k := lo; k < hi; k++ {
					i := r.IntN(n)
					j := r.IntN(n - 1)
					if j >= i {
						j++
					}
					samples[k], _ = compare(&recs[i], &recs[j])
				}
			})
			for _, g := range samples {
				addLevels(&counts, g)
			}
			pairs = randomPairsWanted
		}
	}
	var u [numFields][]float64
	for f := range counts {
		u[f] = smooth(counts[f], priorU[f], priorStrengthU)
	}
	return u, pairs
}

func addLevels(counts *[numFields][]float64, g gamma) {
	for f := 0; f < numFields; f++ {
		counts[f][g.level(f)]++
	}
}

// smooth turns counts over levels 1.. into probabilities, shrunk towards
// the prior with the given number of pseudo-observations.
func smooth(counts, prior []float64, strength float64) []float64 {
	total := 0.0
	for l := 1; l < len(counts); l++ {
		total += counts[l]
	}
	p := make([]float64, len(counts))
	for l := 1; l < len(counts); l++ {
		p[l] = (counts[l] + strength*prior[l]) / (total + strength)
	}
	return p
}

// runEM learns M (and the candidates' own U, used only inside EM) from
// the histogram of comparison patterns.
func runEM(counts map[gamma]int, uRandom [numFields][]float64) (m [numFields][]float64, lambda float64, iterations int, converged bool) {
	var uc [numFields][]float64
	for f := 0; f < numFields; f++ {
		m[f] = append([]float64(nil), priorM[f]...)
		uc[f] = append([]float64(nil), uRandom[f]...)
	}
	lambda = 0.3
	type patternCount struct {
		g gamma
		n float64
	}
	patterns := make([]patternCount, 0, len(counts))
	for g, n := range counts {
		patterns = append(patterns, patternCount{g, float64(n)})
	}
	if len(patterns) == 0 {
		return m, 0, 0, true
	}
	var mAcc, uAcc [numFields][]float64
	for f := 0; f < numFields; f++ {
		mAcc[f] = make([]float64, len(m[f]))
		uAcc[f] = make([]float64, len(m[f]))
	}
	for iterations = 1; iterations <= emMaxIterations; iterations++ {
		for f := 0; f < numFields; f++ {
			clear(mAcc[f])
			clear(uAcc[f])
		}
		matchTotal, total := 0.0, 0.0
		for _, p := range patterns {
			pm, pu := lambda, 1-lambda
			for f := 0; f < numFields; f++ {
				if l := p.g.level(f); l != 0 {
					pm *= m[f][l]
					pu *= uc[f][l]
				}
			}
			w := pm / (pm + pu)
			matchTotal += w * p.n
			total += p.n
			for f := 0; f < numFields; f++ {
				l := p.g.level(f)
				mAcc[f][l] += w * p.n
				uAcc[f][l] += (1 - w) * p.n
			}
		}
		change := 0.0
		for f := 0; f < numFields; f++ {
			nm := smooth(mAcc[f], priorM[f], priorStrengthM)
			capDifferent(f, nm)
			floorM(nm)
			nu := smooth(uAcc[f], uRandom[f], priorStrengthM)
			for l := 1; l < len(nm); l++ {
				change = math.Max(change, math.Abs(nm[l]-m[f][l]))
			}
			m[f], uc[f] = nm, nu
		}
		newLambda := matchTotal / total
		change = math.Max(change, math.Abs(newLambda-lambda))
		lambda = newLambda
		if change < emTolerance {
			return m, lambda, iterations, true
		}
	}
	return m, lambda, emMaxIterations, false
}

// maxMDifferent caps the share of true matches that EM may believe
// disagree completely on a field. Without it EM's "match" class can drift
// towards "same family" (same surname, patronymic and district). Typos and
// transliteration land in the typo levels; a surname or given name
// replaced outright (a married name, a nickname, a clerk's slip) happens to
// one record in ten in some lists (FEBRL: 10% and 13%, measured against
// the truth), so the name caps leave EM room to learn that; siblings are
// kept apart by likeSiblings, not by an underrated name.
var maxMDifferent = [numFields]float64{fieldSurname: 0.15, fieldGiven: 0.15, fieldPatronymic: 0.03, fieldBirth: 0.02}

func capDifferent(f int, m []float64) {
	limit := maxMDifferent[f]
	last := len(m) - 1
	if limit == 0 || m[last] <= limit {
		return
	}
	excess := m[last] - limit
	m[last] = limit
	others := 0.0
	for l := 1; l < last; l++ {
		others += m[l]
	}
	for l := 1; l < last; l++ {
		m[l] += excess * m[l] / others
	}
}

// minM is the least share of true matches EM may give any level: every
// field is mistyped or out of date now and then. Without a floor EM calls
// the few true matches that disagree on, say, the region non-matches, and
// then learns that matches never do (m=0.0003, ten times below the truth
// on FEBRL): one such slip would then outweigh an exact name and birth date.
var minM = 0.005

func floorM(m []float64) {
	for l := 1; l < len(m); l++ {
		m[l] = max(m[l], minM)
	}
	total := 0.0
	for l := 1; l < len(m); l++ {
		total += m[l]
	}
	for l := 1; l < len(m); l++ {
		m[l] /= total
	}
}

// termFrequencies counts how many records carry each folded surname and
// canonical given name.
type termFrequencies struct {
	records          int
	surname, given   map[string]int32
	avgSur, avgGiven float64 // the exact-agreement U they are compared with
}

func countTermFrequencies(recs []prepared) *termFrequencies {
	tf := &termFrequencies{records: len(recs), surname: map[string]int32{}, given: map[string]int32{}}
	for i := range recs {
		// count each value once per record, whatever the spellings
		var seenS, seenG [4]string
		for k, f := range recs[i].forms {
			if k < 4 {
				seenS[k], seenG[k] = f.surname, f.givenCanon
			}
			if f.surname != "" && !containsBefore(seenS[:], k, f.surname) {
				tf.surname[f.surname]++
			}
			if len(f.givenCanon) > 1 && !containsBefore(seenG[:], k, f.givenCanon) {
				tf.given[f.givenCanon]++
			}
		}
	}
	return tf
}

func containsBefore(xs []string, k int, s string) bool {
	for i := 0; i < k && i < len(xs); i++ {
		if xs[i] == s {
			return true
		}
	}
	return false
}

// adjustment returns the term-frequency correction for agreeing exactly on
// value: log2(U_exact / frequency), so a common surname counts for less
// and a rare one for more.
func (tf *termFrequencies) adjustment(counts map[string]int32, value string, uExact float64) float64 {
	if tf == nil || value == "" {
		return 0
	}
	freq := (float64(counts[value]) + tfPrior*uExact) / (float64(tf.records) + tfPrior)
	adj := math.Log2(uExact / freq)
	return math.Max(-6, math.Min(4, adj))
}

// weightOf returns the match weight of a compared pair.
func (model *Model) weightOf(a, b *prepared, g gamma, al alignment) float64 {
	w := 0.0
	for f := 0; f < numFields; f++ {
		w += model.weights[f][g.level(f)]
	}
	if model.tf != nil {
		if g.level(fieldSurname) == 1 && int(al.formA) < len(a.forms) {
			w += model.tf.adjustment(model.tf.surname, a.forms[al.formA].surname, model.Fields[fieldSurname].Levels[1].U)
		}
		if g.level(fieldGiven) == 1 && int(al.formA) < len(a.forms) && !al.swapped {
			w += model.tf.adjustment(model.tf.given, a.forms[al.formA].givenCanon, model.Fields[fieldGiven].Levels[1].U)
		}
	}
	if g.conflict() {
		w += model.ClaimConflictWeight
	}
	return w
}
