package names

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// equivalentsData is the default table of given names that no
// transliteration rule reaches (Lola/Lala, Daulet/Dovlat, Jamshid/Jamshed).
//
//go:embed equivalents.txt
var equivalentsData string

// Equivalents is a table of equivalence classes of given names, keyed by
// their folded forms (FoldToken). The first name of the first line that
// made a class is its representative. A line naming a member of an
// existing class extends that class (and so can join two classes); this
// keeps the table a set of disjoint classes whatever order editors add
// lines in.
//
// An Equivalents is safe for concurrent reads; Load/Add must not run at the
// same time as reads.
type Equivalents struct {
	parent map[string]string // union–find over folded names
}

// NewEquivalents returns an empty table.
func NewEquivalents() *Equivalents {
	return &Equivalents{parent: make(map[string]string)}
}

var (
	defaultEqOnce sync.Once
	defaultEq     *Equivalents
)

// DefaultEquivalents returns the built-in table (equivalents.txt). The
// same value is returned each time: callers must not modify it; use
// LoadEquivalents to extend a copy.
func DefaultEquivalents() *Equivalents {
	defaultEqOnce.Do(func() {
		e := NewEquivalents()
		if err := e.Load(strings.NewReader(equivalentsData)); err != nil {
			panic("names: bad embedded equivalents.txt: " + err.Error())
		}
		e.flatten()
		defaultEq = e
	})
	return defaultEq
}

// LoadEquivalents returns a new table holding the default classes plus
// those read from r (format: see Load).
func LoadEquivalents(r io.Reader) (*Equivalents, error) {
	e := DefaultEquivalents().Clone()
	if err := e.Load(r); err != nil {
		return nil, err
	}
	e.flatten()
	return e, nil
}

// Clone returns an independent copy.
func (e *Equivalents) Clone() *Equivalents {
	c := &Equivalents{parent: make(map[string]string, len(e.parent))}
	for k, v := range e.parent {
		c.parent[k] = v
	}
	return c
}

// Load adds classes read from r: one class per line, names separated by
// commas, semicolons or whitespace, in any script and spelling ("Lola Lala
// Лола Лала"). Text after '#' is a comment. A line with a single name is an
// error (it says nothing), reported with its line number.
func (e *Equivalents) Load(r io.Reader) error {
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.FieldsFunc(text, func(r rune) bool {
			return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '|' || r == '/'
		})
		var folded []string
		for _, f := range fields {
			if k := FoldToken(f); k != "" {
				folded = append(folded, k)
			}
		}
		if len(fields) == 0 {
			continue
		}
		if len(folded) < 2 {
			return fmt.Errorf("equivalents line %d: a class needs at least two names", line)
		}
		e.Add(folded...)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("equivalents line %d: %w", line+1, err)
	}
	return nil
}

// Add puts already folded names into one class. The representative of the
// first name's class wins.
func (e *Equivalents) Add(folded ...string) {
	if len(folded) == 0 {
		return
	}
	root := e.find(folded[0])
	for _, f := range folded[1:] {
		if r := e.find(f); r != root {
			e.parent[r] = root
		}
	}
}

func (e *Equivalents) find(k string) string {
	p, ok := e.parent[k]
	if !ok {
		e.parent[k] = k
		return k
	}
	for p != k {
		gp := e.parent[p]
		e.parent[k] = gp // path halving
		k, p = p, gp
	}
	return k
}

// flatten points every name straight at its representative, so that
// Canonical is one map read and never writes.
func (e *Equivalents) flatten() {
	for k := range e.parent {
		root := k
		for e.parent[root] != root {
			root = e.parent[root]
		}
		e.parent[k] = root
	}
}

// Canonical returns the representative of the class of a folded given name
// (Fold/FoldToken output), or the name itself when no class holds it.
// A name that is not yet folded is folded first.
func (e *Equivalents) Canonical(foldedGiven string) string {
	if e == nil {
		return foldedGiven
	}
	if !isFolded(foldedGiven) {
		foldedGiven = FoldToken(foldedGiven)
	}
	if r, ok := e.parent[foldedGiven]; ok {
		if rr, ok := e.parent[r]; ok && rr != r {
			// not flattened (Add after Load): walk to the root
			for rr != r {
				r = rr
				rr = e.parent[r]
			}
		}
		return r
	}
	return foldedGiven
}

// Known reports whether a folded given name is in some class. Parse uses it
// to tell given names from surnames.
func (e *Equivalents) Known(foldedGiven string) bool {
	if e == nil {
		return false
	}
	_, ok := e.parent[foldedGiven]
	return ok
}

// Class returns the folded members of the class of a name, sorted, the
// representative first. For editors and tests; not fast.
func (e *Equivalents) Class(foldedGiven string) []string {
	root := e.Canonical(foldedGiven)
	out := []string{root}
	for k := range e.parent {
		if k != root && e.Canonical(k) == root {
			out = append(out, k)
		}
	}
	slices.Sort(out[1:])
	return out
}

func isFolded(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
