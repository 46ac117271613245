package linkage

import (
	"slices"
	"sort"
)

// Coherence rule for merging two clusters through a strong pair: every
// pair across the two clusters is compared, and the merge happens only if
// each of them would at least be worth a review (weight at or above the
// review threshold, no contradiction, no claims that conflict). This is
// what keeps a chain of weak links from growing one giant cluster and keeps
// namesakes apart: on a big list, where a name proves less, the review
// threshold is higher, and so is the bar for every pair a merge implies.
// MaxExplainedReview is how many review pairs, heaviest first, carry
// their Evidence; call Explain for the others.
const MaxExplainedReview = 20000

// MaxReview is how many pairs, heaviest first, the review queue holds. On
// a million records the model can leave millions of pairs between the
// thresholds: no team reads them, and holding them all cost more memory
// than the linking. The rest stay apart, as pairs below Lower do, and
// are counted in Result.ReviewDropped.
const MaxReview = 250000

// maxContradiction: a cross pair whose patronymic, birth, sex and place
// evidence together weigh this much against is a cannot-link, however well
// the names agree. Namesakes (same name, birth years and districts apart)
// stay apart this way even when records without those fields would chain
// them. It takes two fields against, or one far beyond a slip: one
// mistyped region or birth date alone (about -7 and -5.5) does not part
// two records that agree on all else.
const maxContradiction = -9.0

const (
	// maxCrossChecks bounds the work of one merge; clusters of one person
	// are small, so the bound only matters for pathological inputs.
	maxCrossChecks = 4096
)

type scored struct {
	a, b int32
	w    float64
}

// scoreCandidates compares the candidate pairs again, weighs them and
// keeps those at or above the review threshold, heaviest first, each once.
func scoreCandidates(recs []prepared, b *blocks, model *Model, prog *progress) []scored {
	parts := make([][]scored, max(1, numWorkers()))
	b.eachPair(func(w int, i, j int32) {
		g, al := compare(&recs[i], &recs[j])
		if wt := model.weightOf(&recs[i], &recs[j], g, al); wt >= model.Lower {
			parts[w] = append(parts[w], scored{i, j, wt})
		}
	}, func(done, total int) { prog.compare(total+done, 2*total) })
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	all := make([]scored, 0, size)
	for k := range parts {
		all = append(all, parts[k]...)
		parts[k] = nil
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].w != all[j].w {
			return all[i].w > all[j].w
		}
		if all[i].a != all[j].a {
			return all[i].a < all[j].a
		}
		return all[i].b < all[j].b
	})
	// a pair near in two big blocks was compared twice, with one weight
	return slices.CompactFunc(all, func(x, y scored) bool { return x.a == y.a && x.b == y.b })
}

type pairKey [2]int32

func keyOf(a, b int32) pairKey {
	if a > b {
		a, b = b, a
	}
	return pairKey{a, b}
}

// clusters is a union-find whose roots also hold their member lists.
type clusters struct {
	parent  []int32
	members [][]int32
}

func newClusters(n int) *clusters {
	c := &clusters{parent: make([]int32, n), members: make([][]int32, n)}
	for i := range c.parent {
		c.parent[i] = int32(i)
	}
	return c
}

func (c *clusters) find(x int32) int32 {
	for c.parent[x] != x {
		c.parent[x] = c.parent[c.parent[x]]
		x = c.parent[x]
	}
	return x
}

func (c *clusters) membersOf(root int32) []int32 {
	if c.members[root] == nil {
		return []int32{root}
	}
	return c.members[root]
}

func (c *clusters) union(a, b int32) {
	ra, rb := c.find(a), c.find(b)
	if ra == rb {
		return
	}
	ma, mb := c.membersOf(ra), c.membersOf(rb)
	if len(ma) < len(mb) {
		ra, rb, ma, mb = rb, ra, mb, ma
	}
	c.parent[rb] = ra
	c.members[ra] = append(ma, mb...)
	c.members[rb] = nil
}

func cluster(records []Record, recs []prepared, index *idIndex, strong []scored, decisions []Decision, model *Model, opt Options) (*Result, error) {
	n := len(records)
	cl := newClusters(n)
	different := map[pairKey]bool{}
	decided := map[pairKey]bool{}
	differentOf := map[int32][]int32{}
	var sameDecisions []pairKey
	for _, d := range decisions {
		a, okA := index.lookup(d.A)
		b, okB := index.lookup(d.B)
		if !okA || !okB || a == b {
			continue // a decision about records not in this run
		}
		k := keyOf(a, b)
		decided[k] = true
		switch d.Verdict {
		case Different:
			different[k] = true
			differentOf[a] = append(differentOf[a], b)
			differentOf[b] = append(differentOf[b], a)
		case Same:
			sameDecisions = append(sameDecisions, k)
		}
	}
	// declaredApart reports a "different" decision between the clusters.
	declaredApart := func(ra, rb int32) bool {
		small, other := cl.membersOf(ra), rb
		if mb := cl.membersOf(rb); len(mb) < len(small) {
			small, other = mb, ra
		}
		for _, x := range small {
			for _, y := range differentOf[x] {
				if cl.find(y) == other {
					return true
				}
			}
		}
		return false
	}

	var conflicts []Decision
	for _, k := range sameDecisions {
		ra, rb := cl.find(k[0]), cl.find(k[1])
		if ra == rb {
			continue
		}
		if declaredApart(ra, rb) {
			conflicts = append(conflicts, Decision{A: records[k[0]].ID, B: records[k[1]].ID, Verdict: Same})
			continue
		}
		cl.union(ra, rb)
	}
	if len(conflicts) > 0 {
		return nil, &DecisionConflictError{Conflicts: conflicts}
	}

	res := &Result{}
	var review []scored
	for _, p := range strong {
		k := keyOf(p.a, p.b)
		if p.w < model.Upper || recs[p.a].undecidable || recs[p.b].undecidable {
			if !decided[k] {
				review = append(review, p)
			}
			continue
		}
		if different[k] {
			continue
		}
		ra, rb := cl.find(p.a), cl.find(p.b)
		if ra == rb {
			continue
		}
		if g, _ := compare(&recs[p.a], &recs[p.b]); likeSiblings(g) || declaredApart(ra, rb) || !coherent(recs, cl.membersOf(ra), cl.membersOf(rb), model) {
			if !decided[k] {
				review = append(review, p)
			}
			continue
		}
		cl.union(ra, rb)
	}

	// Linked: strong pairs whose records ended in one cluster.
	for _, p := range strong {
		if p.w >= model.Upper && cl.find(p.a) == cl.find(p.b) && !recs[p.a].undecidable && !recs[p.b].undecidable {
			res.Linked = append(res.Linked, Pair{A: records[p.a].ID, B: records[p.b].ID, Weight: p.w})
		}
	}
	// Review: undecided pairs still in two clusters, heaviest first. Only
	// the heaviest carry their evidence: on a million records the queue can
	// hold millions of pairs, and people work from the top.
	sort.SliceStable(review, func(i, j int) bool { return review[i].w > review[j].w })
	for i, p := range review {
		if cl.find(p.a) == cl.find(p.b) {
			continue
		}
		if len(res.Review) == MaxReview {
			for _, q := range review[i:] {
				if cl.find(q.a) != cl.find(q.b) {
					res.ReviewDropped++
				}
			}
			break
		}
		var pair Pair
		if len(res.Review) < MaxExplainedReview {
			pair = explainPrepared(&records[p.a], &records[p.b], &recs[p.a], &recs[p.b], model)
		} else {
			pair = Pair{A: records[p.a].ID, B: records[p.b].ID, Weight: p.w}
		}
		res.Review = append(res.Review, pair)
	}
	sortPairs(res.Review)

	seen := make([]bool, n)
	for i := 0; i < n; i++ {
		if seen[i] {
			continue
		}
		ms := slices.Clone(cl.membersOf(cl.find(int32(i))))
		slices.Sort(ms)
		ids := make([]string, len(ms))
		for k, m := range ms {
			seen[m] = true
			ids[k] = records[m].ID
		}
		res.Clusters = append(res.Clusters, ids)
	}
	for i := range recs {
		if recs[i].undecidable {
			res.Undecidable = append(res.Undecidable, records[i].ID)
		}
	}
	return res, nil
}

// coherent applies the coherence rule to a proposed merge.
func coherent(recs []prepared, ma, mb []int32, model *Model) bool {
	count := 0
	for _, x := range ma {
		for _, y := range mb {
			if count >= maxCrossChecks {
				break
			}
			g, al := compare(&recs[x], &recs[y])
			if g.conflict() || model.contradiction(g) <= maxContradiction {
				return false
			}
			if recs[x].undecidable || recs[y].undecidable {
				continue // joined by a person; their weak names prove nothing
			}
			if model.weightOf(&recs[x], &recs[y], g, al) < model.Lower {
				return false
			}
			count++
		}
	}
	return true
}

// likeSiblings reports two records whose given names and birth years
// both differ: brothers and sisters, however well the family name, the
// father's name and the place agree, and however much EM has learnt to
// forgive each disagreement alone. Only a person links such records.
func likeSiblings(g gamma) bool {
	return g.level(fieldGiven) == len(levelLabels[fieldGiven])-1 && g.level(fieldBirth) >= 5
}

// contradiction sums the evidence against from the fields that are not
// the names themselves: the father's name, birth, sex and place. Two
// namesakes with other fathers and birth years far apart stay apart.
func (model *Model) contradiction(g gamma) float64 {
	c := 0.0
	for _, f := range [...]int{fieldPatronymic, fieldBirth, fieldSex, fieldPlace} {
		c += min(0, model.weights[f][g.level(f)])
	}
	return c
}
