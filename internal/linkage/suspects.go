package linkage

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Reasons a person looks wrong.
const (
	ConflictBirth  = "birth"    // birth years more than a year apart
	ConflictFate   = "fate"     // dead in one record before alive in another
	ConflictSource = "one_list" // two records of one list
	ConflictSex    = "sex"      // different sex given by the sources
)

// Conflict is one reason a person's records may be two people: the kind,
// the two records and what they say.
type Conflict struct {
	Kind   string
	A, B   string // record ids
	Detail string // e.g. "born 1971 and 1980"
}

// Suspect is a person (a cluster of records) whose records conflict, with
// the split the model would make: groups in which no two records conflict,
// each record put with the group it matches best.
type Suspect struct {
	Records   []string // sorted
	Conflicts []Conflict
	Split     [][]string
}

// Suspects returns the clusters whose records conflict: birth years more
// than a year apart, fates that exclude each other, two records of one
// list, different sex. People decide them as persons: keep them together
// or split them as proposed. m weighs which group a record joins (a zero
// Model means the built-in priors).
func Suspects(records []Record, clusters [][]string, m Model) []Suspect {
	if m.Fields == nil {
		m = DefaultModel()
	}
	t := newNameTable(m.NameForms)
	byID := make(map[string]*Record, len(records))
	for i := range records {
		byID[records[i].ID] = &records[i]
	}
	places := &sync.Map{}
	var out []Suspect
	for _, c := range clusters {
		if len(c) < 2 || len(c) > 50 {
			continue // one record cannot conflict; a cluster of fifty is no person anyone could read
		}
		ids := slices.Clone(c)
		slices.Sort(ids)
		recs := make([]*Record, 0, len(ids))
		preps := make([]prepared, 0, len(ids))
		for _, id := range ids {
			r := byID[id]
			if r == nil {
				continue
			}
			recs = append(recs, r)
			p := prepare(r, places, t)
			p.keys = nil
			preps = append(preps, p)
		}
		var conflicts []Conflict
		for i := range recs {
			for j := i + 1; j < len(recs); j++ {
				for _, k := range conflictsOf(recs[i], recs[j], &preps[i], &preps[j]) {
					// a list that names one person twice, in records that
					// match as strongly as a link needs, is its own duplicate
					if k.Kind == ConflictSource && explainPrepared(recs[i], recs[j], &preps[i], &preps[j], &m).Weight >= max(m.Upper, DefaultUpper) {
						continue
					}
					conflicts = append(conflicts, k)
				}
			}
		}
		if len(conflicts) == 0 {
			continue
		}
		out = append(out, Suspect{Records: ids, Conflicts: conflicts, Split: splitSuspect(recs, preps, &m)})
	}
	return out
}

func conflictsOf(a, b *Record, pa, pb *prepared) []Conflict {
	var out []Conflict
	add := func(kind, detail string) { out = append(out, Conflict{Kind: kind, A: a.ID, B: b.ID, Detail: detail}) }
	if pa.year != 0 && pb.year != 0 && (pa.year-pb.year > 1 || pb.year-pa.year > 1) {
		add(ConflictBirth, fmt.Sprintf("born %d and %d", pa.year, pb.year))
	}
	if claimsContradict(pa, pb) {
		add(ConflictFate, "dead in one record before alive in the other")
	}
	if a.Source != "" && a.Source == b.Source {
		add(ConflictSource, "two records of the list "+a.Source)
	}
	sa, sb := strings.ToLower(strings.TrimSpace(a.Sex)), strings.ToLower(strings.TrimSpace(b.Sex))
	if (sa == "m" || sa == "f") && (sb == "m" || sb == "f") && sa != sb {
		add(ConflictSex, "sex "+sa+" and "+sb)
	}
	return out
}

// splitSuspect puts each record, heaviest evidence first, into the group
// whose records it matches best without conflicting with any, or into a
// group of its own.
func splitSuspect(recs []*Record, preps []prepared, m *Model) [][]string {
	var groups [][]int
	for i := range recs {
		best, bestWeight := -1, 0.0
		for g, members := range groups {
			ok, weight := true, 0.0
			for _, j := range members {
				if hardConflict(conflictsOf(recs[i], recs[j], &preps[i], &preps[j])) {
					ok = false
					break
				}
				weight += explainPrepared(recs[i], recs[j], &preps[i], &preps[j], m).Weight
			}
			if ok && (best < 0 || weight/float64(len(members)) > bestWeight) {
				best, bestWeight = g, weight/float64(len(members))
			}
		}
		if best < 0 {
			groups = append(groups, []int{i})
		} else {
			groups[best] = append(groups[best], i)
		}
	}
	out := make([][]string, len(groups))
	for g, members := range groups {
		for _, i := range members {
			out[g] = append(out[g], recs[i].ID)
		}
	}
	return out
}

// hardConflict: records that cannot be one person (two records of one
// list can: lists repeat people).
func hardConflict(cs []Conflict) bool {
	for _, c := range cs {
		if c.Kind != ConflictSource {
			return true
		}
	}
	return false
}
