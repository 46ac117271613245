package linkage

import (
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// Blocking: every record gets several keys (name keys from package names,
// plus keys that pair a name part with the birth year, and the full birth
// date alone), so that one misspelling in one field does not lose a pair.
// A pair is compared once, in the block of the smallest key the two
// records share. Blocks larger than maxBlockFull (common names) are not
// compared all-against-all but by sorted neighbourhood: members are sorted
// by surname+given and by given+surname and each is compared with the next
// neighbourWindow members in both orders.
const (
	maxBlockFull    = 120
	neighbourWindow = 24
)

type candidate struct {
	a, b int32
	g    gamma
	al   alignment
}

type candidates struct {
	pairs []candidate
}

// hashKey is 64-bit FNV-1a: fixed, so that runs are reproducible; a
// collision would only merge two blocks.
func hashKey(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	if h == 0 {
		h = 1 // 0 means "no shared key"
	}
	return h
}

// recordKeys returns the blocking keys of one record, hashed and sorted.
func recordKeys(p *prepared) []uint64 {
	var keys []uint64
	add := func(s string) {
		h := hashKey(s)
		if !slices.Contains(keys, h) {
			keys = append(keys, h)
		}
	}
	year := ""
	if p.year != 0 {
		year = strconv.Itoa(p.year)
	}
	for _, f := range p.forms {
		for _, k := range f.keys {
			add("n:" + k)
		}
		if year != "" {
			if f.surname != "" {
				add("sy:" + prefix(f.surname, 3) + year)
			}
			if f.givenCanon != "" && len(f.givenCanon) > 1 {
				add("gy:" + prefix(f.givenCanon, 3) + year)
			}
		}
	}
	if p.date != "" {
		add("d:" + p.date)
	}
	slices.Sort(keys)
	return keys
}

type keyedRecord struct {
	key uint64
	rec int32
}

// findCandidates builds the blocks and compares every candidate pair.
func findCandidates(recs []prepared, prog *progress) *candidates {
	n := len(recs)
	keyLists := make([][]uint64, n)
	parallelChunks(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			keyLists[i] = recordKeys(&recs[i])
			for k := range recs[i].forms {
				recs[i].forms[k].keys = nil // hashed now; free the strings
			}
		}
	})
	total := 0
	for _, k := range keyLists {
		total += len(k)
	}
	entries := make([]keyedRecord, 0, total)
	for i, ks := range keyLists {
		for _, k := range ks {
			entries = append(entries, keyedRecord{k, int32(i)})
		}
	}
	slices.SortFunc(entries, func(x, y keyedRecord) int {
		if x.key != y.key {
			if x.key < y.key {
				return -1
			}
			return 1
		}
		return int(x.rec - y.rec)
	})
	// block boundaries
	var starts []int
	for i := range entries {
		if i == 0 || entries[i].key != entries[i-1].key {
			starts = append(starts, i)
		}
	}
	starts = append(starts, len(entries))
	nBlocks := len(starts) - 1

	// A pair is compared in the first small block the two records share;
	// pairs that share only big blocks are compared in the neighbourhoods
	// of those, and duplicates removed at the end.
	big := map[uint64]bool{}
	for bi := 0; bi < nBlocks; bi++ {
		if starts[bi+1]-starts[bi] > maxBlockFull {
			big[entries[starts[bi]].key] = true
		}
	}
	if len(big) > 0 {
		parallelChunks(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				keyLists[i] = slices.DeleteFunc(keyLists[i], func(k uint64) bool { return big[k] })
			}
		})
	}

	sortSG := make([]string, n) // surname+given, for neighbourhoods in big blocks
	sortGS := make([]string, n)
	for i := range recs {
		if len(recs[i].forms) > 0 {
			f := recs[i].forms[0]
			sortSG[i] = f.surname + " " + f.givenCanon
			sortGS[i] = f.givenCanon + " " + f.surname
		}
	}

	workers := max(1, numWorkers())
	results := make([][]candidate, workers)
	var next atomic.Int64
	var done atomic.Int64
	var wg sync.WaitGroup
	const batch = 256
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var out []candidate
			var members []int32
			for {
				lo := int(next.Add(batch)) - batch
				if lo >= nBlocks {
					break
				}
				for bi := lo; bi < min(nBlocks, lo+batch); bi++ {
					key := entries[starts[bi]].key
					members = members[:0]
					for _, e := range entries[starts[bi]:starts[bi+1]] {
						members = append(members, e.rec)
					}
					if len(members) < 2 {
						continue
					}
					isBig := len(members) > maxBlockFull
					emit := func(i, j int32) {
						if i > j {
							i, j = j, i
						}
						shared := firstSharedKey(keyLists[i], keyLists[j])
						if (isBig && shared != 0) || (!isBig && shared != key) {
							return // compared in another block
						}
						g, al := compare(&recs[i], &recs[j])
						out = append(out, candidate{i, j, g, al})
					}
					if !isBig {
						for x := 0; x < len(members); x++ {
							for y := x + 1; y < len(members); y++ {
								emit(members[x], members[y])
							}
						}
						continue
					}
					seen := make(map[[2]int32]bool)
					for _, order := range [2][]string{sortSG, sortGS} {
						sorted := slices.Clone(members)
						slices.SortStableFunc(sorted, func(x, y int32) int {
							switch {
							case order[x] < order[y]:
								return -1
							case order[x] > order[y]:
								return 1
							}
							return int(x - y)
						})
						for x := 0; x < len(sorted); x++ {
							for y := x + 1; y < min(len(sorted), x+1+neighbourWindow); y++ {
								i, j := sorted[x], sorted[y]
								if i > j {
									i, j = j, i
								}
								if seen[[2]int32{i, j}] {
									continue
								}
								seen[[2]int32{i, j}] = true
								emit(i, j)
							}
						}
					}
				}
				if prog != nil {
					prog.compare(int(done.Add(batch)), nBlocks)
				}
			}
			results[w] = out
		}(w)
	}
	wg.Wait()
	size := 0
	for _, r := range results {
		size += len(r)
	}
	all := make([]candidate, 0, size)
	for _, r := range results {
		all = append(all, r...)
	}
	// Workers finish in any order; sort so that everything downstream is
	// reproducible.
	slices.SortFunc(all, func(x, y candidate) int {
		if x.a != y.a {
			return int(x.a - y.a)
		}
		return int(x.b - y.b)
	})
	all = slices.CompactFunc(all, func(x, y candidate) bool { return x.a == y.a && x.b == y.b })
	return &candidates{pairs: all}
}

// firstSharedKey returns the smallest key present in both sorted lists.
func firstSharedKey(x, y []uint64) uint64 {
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			return x[i]
		case x[i] < y[j]:
			i++
		default:
			j++
		}
	}
	return 0
}
