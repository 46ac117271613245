// Package linkage finds the records, from one list or many, that describe
// the same person: blocking on several keys, field comparisons across
// scripts, a Fellegi–Sunter model whose m-probabilities are learned by EM
// and whose u-probabilities come from random pairs, and a clustering that
// keeps people's decisions and refuses incoherent merges.
//
// Candidate pairs are never held in memory: a first pass over the blocks
// counts how many pairs show each comparison pattern (all EM needs), a
// second pass compares them again and keeps only the pairs worth a review.
// With default options the thresholds come from the learned model: a pair
// links when its probability of being one person reaches MinPosterior,
// given the prior odds that two records of this input are one person, so
// the same evidence counts for less in a million records than in a
// thousand.
//
// Names that are empty, one word, initials alone or in a script other
// than Cyrillic and Latin are never linked automatically (Undecidable);
// a surname with initials ("Reymov A. B.") is a name.
//
// Link is a pure function of its input: no clock, no randomness that is
// not seeded from the input, no I/O. An interrupted run can simply be
// repeated.
package linkage

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Claim is the part of a record's claim that linkage needs: what the
// source said happened and the period of its date.
type Claim struct {
	Status     string
	Start, End string // YYYY-MM-DD, the period of the claim date
	// What the claim says of the person's life, as the caller's status
	// table has it (registry.StatusTable): alive when the period began,
	// dead by its end. Linkage knows no status by name.
	SignOfLife, Death bool
}

// Record is what one source says about one person.
type Record struct {
	ID        string   // globally unique record id
	Source    string   // source short id (duplicates also occur inside one source)
	Names     []string // name as written first, then alternative spellings
	Sex       string   // "m", "f" or ""
	BirthYear int      // 0 = unknown
	BirthDate string   // "YYYY-MM-DD" or ""
	Region    string
	Locality  string
	Claims    []Claim
}

// Verdicts of people's decisions.
const (
	Same      = "same"
	Different = "different"
	Unsure    = "unsure"
)

// Decision is a person's verdict on a pair of records. "same" and
// "different" always win over the model.
type Decision struct {
	A, B    string
	Verdict string // "same" | "different" | "unsure"
}

// Options tune a run. Zero thresholds are derived from the learned model
// (see MinPosterior).
type Options struct {
	Upper, Lower float64 // match weight thresholds (log2 Bayes factor); both zero: from the posterior
	Progress     func(done, total int)
	// MinPosterior is the probability of a match at which a pair links
	// automatically when Upper and Lower are zero (default
	// DefaultMinPosterior): the upper threshold is then the weight at which the learned model's posterior
	// reaches it, given the prior odds that two records of this input are
	// one person. More records, lower prior odds, higher threshold: the
	// same name means less in a million records than in a thousand.
	MinPosterior float64
	// MinReviewPosterior is, likewise, the probability of a match from
	// which a pair is queued for people to review (default
	// DefaultMinReviewPosterior, never below DefaultLower): on a million
	// records a fixed review threshold would queue millions of pairs that
	// are almost surely two people.
	MinReviewPosterior float64
	// NameForms are name forms people confirmed (see LearnNameForms):
	// given names joined to the built-in equivalents for this run.
	NameForms []NameForm
}

// Default thresholds, in log2 Bayes factor, for a model without data
// (DefaultModel, Explain outside a run). A run with zero thresholds
// derives its own from the posterior; DefaultLower is the least review
// threshold it takes.
const (
	DefaultUpper = 11.0
	DefaultLower = 4.0
	// DefaultMinPosterior: with default options a pair links
	// automatically when the model gives it at least this probability.
	DefaultMinPosterior = 0.8
	// DefaultMinReviewPosterior: with default options a pair is queued for
	// review when the model gives it at least this probability.
	DefaultMinReviewPosterior = 0.01
)

// Evidence is one field's contribution to a pair's weight.
type Evidence struct {
	Field      string
	Comparison string // e.g. "name jw=0.93 (translit)"
	Level      int
	Weight     float64
}

// Pair is two records with their total weight and the evidence for it.
type Pair struct {
	A, B     string
	Weight   float64
	Evidence []Evidence
}

// Result is the outcome of Link.
type Result struct {
	Clusters [][]string // record IDs, one slice per person; every input record appears exactly once
	Linked   []Pair     // pairs at/above Upper that were applied (no Evidence: call Explain)
	Review   []Pair     // pairs between Lower and Upper, for people to decide (never including pairs already decided); the first MaxExplainedReview carry Evidence
	// ReviewDropped counts pairs between the thresholds left out of Review
	// because it holds MaxReview already.
	ReviewDropped int
	Undecidable   []string // records never linked automatically, for a person to decide
	Compared      int      // number of candidate pairs compared (so blocking can be judged)
	Model         Model    // learned m/u parameters, printable for --explain
}

// DecisionConflictError reports "same" decisions that would join records
// that people also declared different. Nothing can satisfy both, so Link
// refuses rather than guess which person was right.
type DecisionConflictError struct {
	Conflicts []Decision // the "same" decisions that could not be applied
}

func (e *DecisionConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "linkage: %d \"same\" decision(s) contradict \"different\" decisions:", len(e.Conflicts))
	for i, d := range e.Conflicts {
		if i == 5 {
			b.WriteString(" …")
			break
		}
		fmt.Fprintf(&b, " %s=%s", d.A, d.B)
	}
	return b.String()
}

// Link groups records into persons.
func Link(records []Record, decisions []Decision, opt Options) (*Result, error) {
	auto := opt.Upper == 0 && opt.Lower == 0
	if auto {
		opt.Upper, opt.Lower = DefaultUpper, DefaultLower
	}
	if opt.MinPosterior == 0 {
		opt.MinPosterior = DefaultMinPosterior
	}
	if opt.MinReviewPosterior == 0 {
		opt.MinReviewPosterior = DefaultMinReviewPosterior
	}
	if opt.MinPosterior <= 0 || opt.MinPosterior >= 1 || opt.MinReviewPosterior <= 0 || opt.MinReviewPosterior > opt.MinPosterior {
		return nil, fmt.Errorf("linkage: posteriors %v (link) and %v (review) must be 0 < review <= link < 1", opt.MinPosterior, opt.MinReviewPosterior)
	}
	if opt.Lower > opt.Upper {
		return nil, fmt.Errorf("linkage: lower threshold %.2f is above upper threshold %.2f", opt.Lower, opt.Upper)
	}
	for i := range records {
		if records[i].ID == "" {
			return nil, fmt.Errorf("linkage: record %d has no id", i)
		}
	}
	index := newIDIndex(records)
	if dup := index.duplicate(); dup != "" {
		return nil, fmt.Errorf("linkage: record id %q appears twice", dup)
	}
	for _, d := range decisions {
		switch d.Verdict {
		case Same, Different, Unsure:
		default:
			return nil, fmt.Errorf("linkage: decision on %s and %s has unknown verdict %q", d.A, d.B, d.Verdict)
		}
	}
	prog := &progress{f: opt.Progress}

	recs := prepareAll(records, newNameTable(opt.NameForms))
	prog.report(progressPrepared)
	blk := buildBlocks(recs)
	counts, compared := patternCounts(recs, blk, prog)
	model := trainModel(recs, counts, compared)
	if auto {
		opt.Lower = max(DefaultLower, model.posteriorWeight(opt.MinReviewPosterior, len(records)))
		opt.Upper = max(opt.Lower, model.posteriorWeight(opt.MinPosterior, len(records)))
	}
	model.Upper, model.Lower = opt.Upper, opt.Lower
	model.NameForms = opt.NameForms
	strong := scoreCandidates(recs, blk, &model, prog)
	blk = nil
	prog.report(progressScored)
	res, err := cluster(records, recs, index, strong, decisions, &model, opt)
	if err != nil {
		return nil, err
	}
	res.Compared = compared
	res.Model = model
	prog.report(progressDone)
	return res, nil
}

// progress reports per mille of the run; comparisons dominate it.
type progress struct {
	f    func(done, total int)
	mu   sync.Mutex
	last int
}

const (
	progressTotal    = 1000
	progressPrepared = 50
	progressCompared = 800
	progressScored   = 900
	progressDone     = 1000
)

func (p *progress) report(done int) {
	if p == nil || p.f == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if done > p.last {
		p.last = done
		p.f(done, progressTotal)
	}
}

// compare reports progress through the blocks being compared.
func (p *progress) compare(blocksDone, blocks int) {
	if blocks == 0 {
		return
	}
	blocksDone = min(blocksDone, blocks)
	p.report(progressPrepared + (progressCompared-progressPrepared)*blocksDone/blocks)
}

// sortPairs orders pairs by weight, heaviest first, then by ids so that
// the result never depends on goroutine scheduling.
func sortPairs(ps []Pair) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Weight != ps[j].Weight {
			return ps[i].Weight > ps[j].Weight
		}
		if ps[i].A != ps[j].A {
			return ps[i].A < ps[j].A
		}
		return ps[i].B < ps[j].B
	})
}

// idIndex finds records by id: the record numbers sorted by id, a quarter
// of the memory of a map on a million records.
type idIndex struct {
	records []Record
	order   []int32
}

func newIDIndex(records []Record) *idIndex {
	order := make([]int32, len(records))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int { return strings.Compare(records[x].ID, records[y].ID) })
	return &idIndex{records: records, order: order}
}

// duplicate returns an id that appears twice, or "".
func (x *idIndex) duplicate() string {
	for k := 1; k < len(x.order); k++ {
		if id := x.records[x.order[k]].ID; id == x.records[x.order[k-1]].ID {
			return id
		}
	}
	return ""
}

// lookup returns the record number of id.
func (x *idIndex) lookup(id string) (int32, bool) {
	k, found := slices.BinarySearchFunc(x.order, id, func(i int32, id string) int { return strings.Compare(x.records[i].ID, id) })
	if !found {
		return 0, false
	}
	return x.order[k], true
}
