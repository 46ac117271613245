package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
)

// ReviewFilter chooses which open pairs and queued persons the review
// page lists, and which page of them. Zero values choose everything.
type ReviewFilter struct {
	// MinWeight and MaxWeight bound a pair's match weight, both inclusive;
	// NaN means no bound.
	MinWeight, MaxWeight float64
	Source               string // a source key: either record is from it
	Region               string // a RegionKey: either record is in it
	Name                 string // a name query, matched as the search matches (SearchRecords)
	Conflict             string // persons only: a conflict kind ("" any, "any" with one at least)
	Unsure               bool   // pairs only: the pairs people said they are unsure of, instead of the others
	Offset, Limit        int    // the page; Limit <= 0 lists all
}

// NoWeightBound is the bound of a ReviewFilter that does not bound.
var NoWeightBound = math.NaN()

// ReviewChoice is one value a filter of the review page can take, with the
// number of open pairs and persons that have it.
type ReviewChoice struct {
	Key, Name string
	Count     int
}

// ReviewPage is one page of the review queue under a filter.
type ReviewPage struct {
	Pairs    []ReviewPair
	Matching int // open pairs the filter matches
	Open     int // open pairs in all (those people are unsure of aside)
	Unsure   int // open pairs people are unsure of
	// Sources and Regions are the values the filters offer: those of the
	// open pairs' and persons' records.
	Sources, Regions []ReviewChoice
}

// PersonReviewPage is one page of the queued persons under a filter.
type PersonReviewPage struct {
	Persons  []PersonReview
	Matching int
	Open     int
	Kinds    []string // the conflict kinds queued persons have
}

// reviewRow is what filtering a pair needs, read for every open pair.
type reviewRow struct {
	id, a, b               string
	weight                 float64
	sourceA, sourceB       string
	regionA, regionB       string
	regionKeyA, regionKeyB string
}

// ReviewQueuePage returns the open pairs the filter matches, in the
// queue's order (RankReview's impact, then weight), one page of them.
func (s *Store) ReviewQueuePage(ctx context.Context, f ReviewFilter) (ReviewPage, error) {
	var page ReviewPage
	if err := s.read.QueryRowContext(ctx, `SELECT (SELECT count(*) `+reviewOpen+`), (SELECT count(*) `+reviewUnsure+`)`).Scan(&page.Open, &page.Unsure); err != nil {
		return page, err
	}
	base := reviewOpen
	if f.Unsure {
		base = reviewUnsure
	}
	rows, err := s.read.QueryContext(ctx, `SELECT q.id, q.record_a, q.record_b, q.weight, sa.key, sb.key, ra.region, rb.region `+base+
		` ORDER BY q.impact DESC, q.weight DESC, q.id`)
	if err != nil {
		return page, err
	}
	var all []reviewRow
	for rows.Next() {
		var r reviewRow
		if err := rows.Scan(&r.id, &r.a, &r.b, &r.weight, &r.sourceA, &r.sourceB, &r.regionA, &r.regionB); err != nil {
			rows.Close()
			return page, err
		}
		r.regionKeyA, r.regionKeyB = RegionKey(r.regionA), RegionKey(r.regionB)
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, err
	}
	var named map[string]bool
	if strings.TrimSpace(f.Name) != "" {
		if named, err = s.namedRecords(ctx, f.Name); err != nil {
			return page, err
		}
	}
	sources, regions := choices{}, choices{}
	var ids []string
	for _, r := range all {
		sources.add(r.sourceA, r.sourceA, r.sourceB, r.sourceB)
		regions.add(r.regionKeyA, r.regionA, r.regionKeyB, r.regionB)
		switch {
		case !math.IsNaN(f.MinWeight) && r.weight < f.MinWeight,
			!math.IsNaN(f.MaxWeight) && r.weight > f.MaxWeight,
			f.Source != "" && r.sourceA != f.Source && r.sourceB != f.Source,
			f.Region != "" && r.regionKeyA != f.Region && r.regionKeyB != f.Region,
			named != nil && !named[r.a] && !named[r.b]:
			continue
		}
		ids = append(ids, r.id)
	}
	page.Sources, page.Regions = sources.list(), regions.list()
	page.Matching = len(ids)
	for _, id := range pageOf(ids, f.Offset, f.Limit) {
		p, err := s.ReviewPair(ctx, id)
		if err != nil {
			return page, err
		}
		page.Pairs = append(page.Pairs, p)
	}
	return page, nil
}

// PersonReviewPage returns the queued persons the filter matches (its
// weight bounds aside: a person has no one weight), one page of them.
func (s *Store) PersonReviewPage(ctx context.Context, f ReviewFilter) (PersonReviewPage, error) {
	var page PersonReviewPage
	all, open, err := s.PersonReviews(ctx, 0)
	if err != nil {
		return page, err
	}
	page.Open = open
	var named map[string]bool
	if strings.TrimSpace(f.Name) != "" {
		if named, err = s.namedRecords(ctx, f.Name); err != nil {
			return page, err
		}
	}
	kinds := map[string]bool{}
	var matching []PersonReview
	for _, p := range all {
		hasKind := f.Conflict == "" || f.Conflict == "any" && len(p.Conflicts) > 0
		for _, c := range p.Conflicts {
			kinds[c.Kind] = true
			hasKind = hasKind || c.Kind == f.Conflict
		}
		source, region, name := f.Source == "", f.Region == "", named == nil
		for _, r := range p.Records {
			source = source || r.SourceKey == f.Source
			region = region || RegionKey(r.Region) == f.Region
			name = name || named[r.ID]
		}
		if hasKind && source && region && name {
			matching = append(matching, p)
		}
	}
	for k := range kinds {
		page.Kinds = append(page.Kinds, k)
	}
	slices.Sort(page.Kinds)
	page.Matching = len(matching)
	page.Persons = pageOf(matching, f.Offset, f.Limit)
	return page, nil
}

// namedRecords is the set of records a name query finds, as the search
// finds them (exact, prefix, phonetic and confirmed name forms).
func (s *Store) namedRecords(ctx context.Context, query string) (map[string]bool, error) {
	ranked, err := s.searchRecords(ctx, query, 5000)
	if err != nil {
		return nil, fmt.Errorf("name search: %w", err)
	}
	out := make(map[string]bool, len(ranked))
	for _, r := range ranked {
		out[r.id] = true
	}
	return out, nil
}

func pageOf[T any](xs []T, offset, limit int) []T {
	if offset < 0 {
		offset = 0
	}
	if offset >= len(xs) {
		return nil
	}
	xs = xs[offset:]
	if limit > 0 && limit < len(xs) {
		xs = xs[:limit]
	}
	return xs
}

// choices counts the values of a filter, by key, with the first spelling
// seen as the name.
type choices map[string]*ReviewChoice

func (c choices) add(kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		key, name := kv[i], kv[i+1]
		if key == "" {
			continue
		}
		if c[key] == nil {
			c[key] = &ReviewChoice{Key: key, Name: name}
		}
		c[key].Count++
	}
}

func (c choices) list() []ReviewChoice {
	out := make([]ReviewChoice, 0, len(c))
	for _, v := range c {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b ReviewChoice) int { return strings.Compare(a.Key, b.Key) })
	return out
}
