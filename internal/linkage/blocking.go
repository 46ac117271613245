package linkage

import (
	"slices"
	"strconv"
	"strings"
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
	maxBlockFull    = 40
	neighbourWindow = 12
)

// blocks is the blocking index: every (key, record) entry sorted by key.
// Candidate pairs are never stored: each pass over the blocks compares
// them again, so memory does not grow with the number of pairs.
type blocks struct {
	entries  []keyedRecord
	starts   []int        // block boundaries in entries
	keyLists [][]blockKey // per record: its keys of small blocks, sorted, then those of big blocks, sorted
	nSmall   []uint8      // per record: how many of its keys are of small blocks
	recs     []prepared   // for the neighbourhood orders of big blocks
}

// blockKey is a hashed blocking key. 32 bits keep the index small on a
// million records; a collision only merges two blocks (a few more pairs
// compared), never loses one.
type blockKey = uint32

// keyOfString folds hashKey to a blockKey (0 means "no shared key").
func keyOfString(s string) blockKey {
	h := hashKey(s)
	k := blockKey(h ^ h>>32)
	if k == 0 {
		k = 1
	}
	return k
}

// hashKey is 64-bit FNV-1a: fixed, so that runs are reproducible.
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

// recordKeys returns the blocking keys of one record, hashed and sorted:
// its names' keys from package names and keys of its own.
func recordKeys(p *prepared, nameKeys []string) []blockKey {
	var keys []blockKey
	add := func(s string) {
		h := keyOfString(s)
		if !slices.Contains(keys, h) {
			keys = append(keys, h)
		}
	}
	year := ""
	if p.year != 0 {
		year = strconv.Itoa(int(p.year))
	}
	for _, k := range nameKeys {
		add("n:" + k)
	}
	for _, f := range p.forms {
		// a name word's beginning with the birth year, whichever word the
		// parser took for the surname: a misread order still meets here
		if year != "" {
			if f.surname != "" {
				add("wy:" + prefix(f.surname, 3) + year)
			}
			if f.givenCanon != "" && len(f.givenCanon) > 1 {
				add("wy:" + prefix(f.givenCanon, 3) + year)
			}
		}
		// the given name with the surname after its first letter: first
		// letters are where scripts disagree most (Ўтепов, Утепов,
		// Втепов; Йусупов, Юсупов, Yusupov)
		if len(f.surname) >= 6 && len(f.givenCanon) > 1 {
			add("ns:" + f.givenCanon + ":" + f.surname[1:5])
		}
	}
	if p.date != "" {
		add("d:" + p.date)
		// day and month swapped (03/07 read as 7 March): the record joins
		// the block of the other reading too
		if sw := p.date[:4] + p.date[6:8] + p.date[4:6]; sw != p.date && p.date[6:8] <= "12" {
			add("d:" + sw)
		}
	}
	// place with the beginnings of the names: a pair whose surname and
	// given name are both misspelt still meets here
	if p.place != "" || p.placeCode != "" {
		pl := p.place
		if p.placeCode != "" {
			pl = p.placeCode
		}
		for _, f := range p.forms {
			if f.surname != "" && f.given != "" {
				// a postcode is a small place: a shorter prefix keeps its
				// blocks as small as a district's with a longer one
				n := 3
				if p.placeCode != "" {
					n = 2
				}
				add("pl:" + pl + ":" + prefix(f.surname, n) + prefix(f.given, 1))
				add("pl:" + pl + ":" + prefix(f.given, n) + prefix(f.surname, 1)) // order misread
			}
		}
	}
	slices.Sort(keys)
	return keys
}

type keyedRecord struct {
	key blockKey
	rec int32
}

// buildBlocks computes every record's keys and sorts them into blocks.
func buildBlocks(recs []prepared) *blocks {
	n := len(recs)
	keyLists := make([][]blockKey, n)
	for i := range recs {
		keyLists[i], recs[i].keys = recs[i].keys, nil
	}
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
	var starts []int
	for i := range entries {
		if i == 0 || entries[i].key != entries[i-1].key {
			starts = append(starts, i)
		}
	}
	starts = append(starts, len(entries))
	nBlocks := len(starts) - 1

	// A pair is compared in the first small block the two records share;
	// pairs that share only big blocks are compared in the neighbourhood
	// of the first of those, if they are near there.
	big := map[blockKey]bool{}
	for bi := 0; bi < nBlocks; bi++ {
		if starts[bi+1]-starts[bi] > maxBlockFull {
			big[entries[starts[bi]].key] = true
		}
	}
	nSmall := make([]uint8, n)
	parallelChunks(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ks := keyLists[i]
			if len(ks) > 255 {
				ks = ks[:255]
				keyLists[i] = ks
			}
			if len(big) > 0 {
				// stable: both parts stay sorted
				slices.SortStableFunc(ks, func(x, y blockKey) int {
					bx, by := big[x], big[y]
					switch {
					case bx == by:
						return 0
					case by:
						return -1
					}
					return 1
				})
			}
			k := 0
			for k < len(ks) && !big[ks[k]] {
				k++
			}
			nSmall[i] = uint8(k)
		}
	})
	return &blocks{entries: entries, starts: starts, keyLists: keyLists, nSmall: nSmall, recs: recs}
}

// orderSG and orderGS sort a big block by surname then given name, and by
// given name then surname, so that near spellings are neighbours.
func (b *blocks) orderSG(x, y int32) int { return b.order(x, y, false) }
func (b *blocks) orderGS(x, y int32) int { return b.order(x, y, true) }

func (b *blocks) order(x, y int32, givenFirst bool) int {
	var fx, fy *nameParts
	if f := b.recs[x].forms; len(f) > 0 {
		fx = &f[0]
	}
	if f := b.recs[y].forms; len(f) > 0 {
		fy = &f[0]
	}
	switch {
	case fx == nil && fy == nil:
		return int(x - y)
	case fx == nil:
		return -1
	case fy == nil:
		return 1
	}
	first, second := [2]string{fx.surname, fy.surname}, [2]string{fx.givenCanon, fy.givenCanon}
	if givenFirst {
		first, second = second, first
	}
	if c := strings.Compare(first[0], first[1]); c != 0 {
		return c
	}
	if c := strings.Compare(second[0], second[1]); c != 0 {
		return c
	}
	return int(x - y)
}

func (b *blocks) small(i int32) []blockKey   { return b.keyLists[i][:b.nSmall[i]] }
func (b *blocks) bigKeys(i int32) []blockKey { return b.keyLists[i][b.nSmall[i]:] }

func (b *blocks) count() int { return len(b.starts) - 1 }

// eachPair calls visit(worker, i, j) with i < j for every candidate pair,
// on all CPUs; worker is in [0, numWorkers()). progress, when set, is
// called with the number of blocks done.
func (b *blocks) eachPair(visit func(w int, i, j int32), progress func(done, total int)) {
	nBlocks := b.count()
	workers := max(1, numWorkers())
	var next atomic.Int64
	var done atomic.Int64
	var wg sync.WaitGroup
	const batch = 256
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var members, sorted []int32
			seen := map[[2]int32]bool{}
			for {
				lo := int(next.Add(batch)) - batch
				if lo >= nBlocks {
					break
				}
				for bi := lo; bi < min(nBlocks, lo+batch); bi++ {
					key := b.entries[b.starts[bi]].key
					members = members[:0]
					for _, e := range b.entries[b.starts[bi]:b.starts[bi+1]] {
						members = append(members, e.rec)
					}
					if len(members) < 2 {
						continue
					}
					if len(members) <= maxBlockFull {
						for x := 0; x < len(members); x++ {
							for y := x + 1; y < len(members); y++ {
								i, j := members[x], members[y]
								if firstSharedKey(b.small(i), b.small(j)) == key {
									visit(w, i, j)
								}
							}
						}
						continue
					}
					clear(seen)
					for _, order := range [2]func(x, y int32) int{b.orderSG, b.orderGS} {
						sorted = append(sorted[:0], members...)
						slices.SortFunc(sorted, order)
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
								// compared in a small block, or in the first
								// big block the two share if they are near there
								if firstSharedKey(b.small(i), b.small(j)) == 0 && firstSharedKey(b.bigKeys(i), b.bigKeys(j)) == key {
									visit(w, i, j)
								}
							}
						}
					}
				}
				if progress != nil {
					progress(int(done.Add(batch)), nBlocks)
				}
			}
		}(w)
	}
	wg.Wait()
}

// firstSharedKey returns the smallest key present in both sorted lists.
func firstSharedKey(x, y []blockKey) blockKey {
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
