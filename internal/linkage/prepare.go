package linkage

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// prepared is a record reduced to what the comparisons need, computed once.
type prepared struct {
	forms       []nameParts // one per spelling that parsed to something
	sex         byte        // 'm', 'f' or 0 (from the record, else from the name's form)
	sexFromName bool        // sex was read from the name's endings, not given by the source
	year        int32
	date        string // YYYYMMDD or ""
	place       string // gazetteer district id, or "?"+folded locality, or ""
	region      string // gazetteer region id, or "?"+folded region, or ""
	placeCode   string // a postcode written with the locality ("2119 Cleveland"), or ""
	deathBy     int32  // YYYYMMDD by which a killed/died claim says the person was dead; 0 none
	aliveFrom   int32  // YYYYMMDD: latest start of a claim that says the person was alive; 0 none
	undecidable bool
	keys        []blockKey // hashed blocking keys, sorted; moved into the blocks when they are built
}

func prepareAll(records []Record, t nameTable) []prepared {
	out := make([]prepared, len(records))
	places := &sync.Map{} // place as written → gazetteer id; lists repeat a few places
	in := newInterner()
	parallelChunks(len(records), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			p := prepare(&records[i], places, t)
			// the same few thousand names and places recur across a
			// million records: keep one copy of each
			for k := range p.forms {
				f := &p.forms[k]
				f.surname, f.given, f.patronymic, f.givenCanon = in.get(f.surname), in.get(f.given), in.get(f.patronymic), in.get(f.givenCanon)
			}
			p.place, p.region = in.get(p.place), in.get(p.region)
			p.forms = slices.Clip(p.forms)
			out[i] = p
		}
	})
	return out
}

// interner keeps one copy of each string, safe for concurrent use.
type interner struct {
	shards [64]struct {
		sync.Mutex
		m map[string]string
	}
}

func newInterner() *interner {
	in := &interner{}
	for i := range in.shards {
		in.shards[i].m = map[string]string{}
	}
	return in
}

func (in *interner) get(s string) string {
	if s == "" {
		return ""
	}
	sh := &in.shards[hashKey(s)%uint64(len(in.shards))]
	sh.Lock()
	defer sh.Unlock()
	if v, ok := sh.m[s]; ok {
		return v
	}
	sh.m[s] = s
	return s
}

// parallelChunks runs f over [0,n) split into chunks, one goroutine per CPU.
func parallelChunks(n int, f func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < 1000 || workers == 1 {
		f(0, n)
		return
	}
	chunk := (n + workers*8 - 1) / (workers * 8)
	var wg sync.WaitGroup
	next := make(chan int, workers*8)
	for lo := 0; lo < n; lo += chunk {
		next <- lo
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				f(lo, min(n, lo+chunk))
			}
		}()
	}
	wg.Wait()
}

func prepare(r *Record, places *sync.Map, t nameTable) prepared {
	var p prepared
	var nameKeys []string
	linkable := false
	for _, n := range r.Names {
		if strings.TrimSpace(n) == "" {
			continue
		}
		parts, keys, joined := parseName(n, t)
		if parts.surname == "" && parts.given == "" {
			continue
		}
		p.forms = append(p.forms, parts)
		nameKeys = append(nameKeys, keys...)
		if joined != nil {
			p.forms = append(p.forms, *joined)
		}
		if parts.decidable() && scriptLinkable(n) {
			linkable = true
		}
	}
	p.undecidable = !linkable
	switch strings.ToLower(strings.TrimSpace(r.Sex)) {
	case "m":
		p.sex = 'm'
	case "f":
		p.sex = 'f'
	default:
		// from the names' forms, when they agree: spellings that tell
		// different sexes (a misread word order) tell nothing
		for _, f := range p.forms {
			if f.sex != 0 {
				if p.sex != 0 && p.sex != f.sex {
					p.sex = 0
					break
				}
				p.sex = f.sex
			}
		}
		p.sexFromName = p.sex != 0
	}
	p.date = compactDate(r.BirthDate)
	if r.BirthYear > 0 && r.BirthYear < 10000 {
		p.year = int32(r.BirthYear)
	}
	if p.year == 0 && p.date != "" {
		y, _ := strconv.Atoi(p.date[:4])
		p.year = int32(y)
	}
	p.place, p.region = resolvePlace(r.Region, r.Locality, places)
	p.placeCode = postcode(r.Locality)

	for _, c := range r.Claims {
		start, end := int32(compactDateInt(c.Start)), int32(compactDateInt(c.End))
		if end == 0 {
			end = start
		}
		if c.Death && end != 0 && (p.deathBy == 0 || end < p.deathBy) {
			p.deathBy = end
		}
		if c.SignOfLife && start > p.aliveFrom {
			p.aliveFrom = start
		}
	}
	p.keys = recordKeys(&p, nameKeys)
	return p
}

// compactDate turns "YYYY-MM-DD" into "YYYYMMDD"; anything else into "".
func compactDate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		d := s[:4] + s[5:7] + s[8:]
		if _, err := strconv.Atoi(d); err == nil {
			return d
		}
	}
	if len(s) == 8 {
		if _, err := strconv.Atoi(s); err == nil {
			return s
		}
	}
	return ""
}

func compactDateInt(s string) int {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 10:
		n, _ := strconv.Atoi(s[:4] + s[5:7] + s[8:])
		return n
	case 7: // YYYY-MM: callers pass periods, but be lenient
		n, _ := strconv.Atoi(s[:4] + s[5:7] + "01")
		return n
	case 4:
		n, _ := strconv.Atoi(s + "0101")
		return n
	}
	return 0
}

// resolvePlace returns the most specific known place and the region of a
// record. Sources put a district in either field, so both are tried.
func resolvePlace(region, locality string, cache *sync.Map) (place, reg string) {
	locID := lookupPlace(locality, cache)
	regID := lookupPlace(region, cache)
	switch {
	case locID != "" && locID != republicID:
		place = locID
	case regID != "" && regID != republicID:
		place = regID
	case locality != "" && locID == "":
		if f := placeFold(locality); f != "" {
			place = "?" + f
		}
	}
	switch {
	case locID != "" || regID != "":
		reg = republicID
	case region != "":
		if f := placeFold(region); f != "" {
			reg = "?" + f
		}
	}
	return place, reg
}

func lookupPlace(raw string, cache *sync.Map) string {
	if strings.TrimSpace(raw) == "" {
		return ""
	}
	if cache == nil {
		return defaultGazetteer().lookup(raw)
	}
	if v, ok := cache.Load(raw); ok {
		return v.(string)
	}
	id := defaultGazetteer().lookup(raw)
	cache.Store(raw, id)
	return id
}

// postcode returns the first word of three or more digits in a locality:
// lists that have one write it with the place, and it names the place as
// well as the place's name does.
func postcode(locality string) string {
	for _, w := range strings.Fields(locality) {
		if len(w) < 3 || len(w) > 10 {
			continue
		}
		digits := true
		for i := 0; i < len(w); i++ {
			if w[i] < '0' || w[i] > '9' {
				digits = false
				break
			}
		}
		if digits {
			return w
		}
	}
	return ""
}
