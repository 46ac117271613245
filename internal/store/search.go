package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"rollcall/internal/linkage"
	"rollcall/internal/names"
	"rollcall/internal/registry"
)

// BuildSearchKeys adds the search keys (names.SearchKeys of every spelling)
// of the records that have none yet, and returns how many keys it added.
// Records never change their names, so keys once made stay right.
func (s *Store) BuildSearchKeys(ctx context.Context) (int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT r.id, r.name, r.name_alt FROM records r
		WHERE NOT EXISTS (SELECT 1 FROM record_search_keys k WHERE k.record_id = r.id)`)
	if err != nil {
		return 0, err
	}
	type pending struct{ record, key string }
	var todo []pending
	for rows.Next() {
		var id, name, alt string
		if err := rows.Scan(&id, &name, &alt); err != nil {
			rows.Close()
			return 0, err
		}
		for _, k := range searchKeysOf(name, splitList(alt)) {
			todo = append(todo, pending{id, k})
		}
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	if len(todo) == 0 {
		return 0, nil
	}
	// In key order, so the primary key's index grows at its end instead
	// of splitting pages all over (a first build writes millions).
	slices.SortFunc(todo, func(a, b pending) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.record, b.record)
	})
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		b := newBatchInsert(s, tx, "record_search_keys", []string{"key", "record_id"}, "ON CONFLICT DO NOTHING")
		defer b.close()
		for _, p := range todo {
			if err := b.add(ctx, p.key, p.record); err != nil {
				return err
			}
		}
		return b.flush(ctx)
	})
	return len(todo), err
}

// SearchRecords returns the ids of the records (all of them, public or
// not: for editors) whose spellings match the name query, best first (see
// names.ParseQuery: exact, then prefix, then phonetic matches; name forms
// people confirmed count as exact).
func (s *Store) SearchRecords(ctx context.Context, query string, limit int) ([]string, error) {
	ranked, err := s.searchRecords(ctx, query, limit)
	ids := make([]string, len(ranked))
	for i, r := range ranked {
		ids[i] = r.id
	}
	return ids, err
}

type rankedID struct {
	id        string
	low, rank int
}

func (s *Store) searchRecords(ctx context.Context, query string, limit int) ([]rankedID, error) {
	q, err := s.parseQuery(ctx, query)
	if err != nil || q.Empty() {
		return nil, err
	}
	var out []rankedID
	for _, near := range nearPasses(q) {
		m, args := nameMatch("record_search_keys", "record_id", q, near)
		rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT id, low FROM (`+m+`) m ORDER BY low DESC, score DESC, id LIMIT ?`), append(args, limit)...)
		if err != nil {
			return nil, err
		}
		out = out[:0]
		for rows.Next() {
			var r rankedID
			if err := rows.Scan(&r.id, &r.low); err != nil {
				rows.Close()
				return nil, err
			}
			r.rank = len(out)
			out = append(out, r)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if len(out) >= min(limit, DefaultPerPage) {
			break
		}
	}
	return out, nil
}

// recordQuery is the condition of RecordFilter.Query: the records that
// match, and their rank to order them by. ok false: the query has nothing
// to search for, or nothing matched.
func (s *Store) recordQuery(ctx context.Context, query string) (cond string, args []any, rank map[string]int, err error) {
	ranked, err := s.searchRecords(ctx, query, 1000)
	if err != nil || len(ranked) == 0 {
		return "", nil, nil, err
	}
	rank = make(map[string]int, len(ranked))
	args = make([]any, len(ranked))
	for i, r := range ranked {
		rank[r.id], args[i] = i, r.id
	}
	return `r.id IN (` + placeholders(len(ranked)) + `)`, args, rank, nil
}

// nearPasses are the passes of a search: without the near tier, then (for
// a query of two words or more, when the first pass finds less than a
// page) with it.
func nearPasses(q names.Query) []bool {
	if q.Required() < 2 {
		return []bool{false}
	}
	return []bool{false, true}
}

// nameMatch is the SQL of names' matching over a key table: one row per
// id that matches every required word of q, with low (the weakest
// required word's tier, the rank class) and score (the sum of tiers,
// optional words included). Words are numbered, required first; each key
// range or key list is one index lookup.
func nameMatch(table, idCol string, q names.Query, near bool) (string, []any) {
	var parts []string
	var args []any
	required := q.Required()
	words := make([]names.QueryWord, 0, len(q.Words))
	for _, w := range q.Words {
		if !w.Optional {
			words = append(words, w)
		}
	}
	for _, w := range q.Words {
		if w.Optional {
			words = append(words, w)
		}
	}
	for i, w := range words {
		in := func(tier int, keys []string) {
			if len(keys) == 0 {
				return
			}
			parts = append(parts, fmt.Sprintf(`SELECT %s AS id, %d AS w, %d AS t FROM %s WHERE key IN (%s)`, idCol, i, tier, table, placeholders(len(keys))))
			for _, k := range keys {
				args = append(args, k)
			}
		}
		ranges := func(tier int, prefixes []string) {
			for _, p := range prefixes {
				parts = append(parts, fmt.Sprintf(`SELECT %s AS id, %d AS w, %d AS t FROM %s WHERE key >= ? AND key < ?`, idCol, i, tier, table))
				args = append(args, p, names.KeyRangeEnd(p))
			}
		}
		in(names.TierExact, w.Exact)
		ranges(names.TierPrefix, w.Prefixes)
		in(names.TierPhonetic, w.Phonetic)
		if near && !w.Optional {
			ranges(names.TierNear, w.NearPrefixes)
			in(names.TierNear, w.NearKeys)
		}
	}
	req := func(expr, otherwise string) string {
		return fmt.Sprintf(`CASE WHEN w < %d THEN %s ELSE %s END`, required, expr, otherwise)
	}
	matched, low := fmt.Sprintf(`SUM(%s)`, req("1", "0")), fmt.Sprintf(`MIN(%s)`, req("t", "NULL"))
	having := fmt.Sprintf(`%s = %d`, matched, required)
	if near {
		// A near word only beside a word that matched as a prefix or better.
		having += fmt.Sprintf(` AND (%s > %d OR MAX(%s) >= %d)`, low, names.TierNear, req("t", "NULL"), names.TierPrefix)
	}
	rank := low
	if miss := q.MayMiss(); miss > 0 {
		// A required word may match nothing (names.Query.MayMiss); such
		// a match ranks as alike at best, and a near word stands in it
		// only beside a word that matched as a prefix or better.
		incomplete := fmt.Sprintf(`%s >= %d AND %s > %d`, matched, required-miss, low, names.TierNear)
		if near {
			incomplete = fmt.Sprintf(`%s >= %d AND (%s > %d OR MAX(%s) >= %d)`, matched, required-miss, low, names.TierNear, req("t", "NULL"), names.TierPrefix)
		}
		having = fmt.Sprintf(`(%s) OR (%s)`, having, incomplete)
		rank = fmt.Sprintf(`CASE WHEN %s = %d OR %s < %d THEN %s ELSE %d END`, matched, required, low, names.TierPhonetic, low, names.TierPhonetic)
	}
	return fmt.Sprintf(`SELECT id, %s AS low, SUM(t) AS score FROM (SELECT id, w, MAX(t) AS t FROM (%s) u GROUP BY id, w) g GROUP BY id HAVING %s`,
		rank, strings.Join(parts, " UNION ALL "), having), args
}

// MaxQueryRunes is how much of a name query is read; the rest is cut.
const MaxQueryRunes = 200

// CutQuery cuts a query to at most MaxQueryRunes runes, never inside a
// character and, where it can, not inside a word (half a word would
// search for another name).
func CutQuery(q string) string {
	if utf8.RuneCountInString(q) <= MaxQueryRunes {
		return q
	}
	n := 0
	for i := range q {
		if n == MaxQueryRunes {
			if sp := strings.LastIndexAny(q[:i], " \t\n"); sp > 0 {
				return q[:sp]
			}
			return q[:i]
		}
		n++
	}
	return q
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// PeopleFilter chooses persons from the public list. Zero fields do not
// filter. Page counts from 1; a page past the end gives the last page.
type PeopleFilter struct {
	State  registry.Status // a state
	Region string          // any spelling; compared by RegionKey
	Role   registry.Role
	Sex    string // "m" or "f"
	// From and To keep persons with a shown claim dated in [From, To].
	From, To registry.Day
	Query    string // a name in any script
	Page     int
	PerPage  int
}

// DefaultPerPage is the size of a page of the public list.
const DefaultPerPage = 50

// MaxPerPage bounds what one request can ask for.
const MaxPerPage = 500

// PersonRow is one line of the public list.
type PersonRow struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Withheld   bool            `json:"withheld"`
	State      registry.Status `json:"state,omitempty"`
	StateSince string          `json:"state_since,omitempty"`
	Region     string          `json:"region,omitempty"`
	Sex        string          `json:"sex,omitempty"`
	BirthYear  int             `json:"birth_year,omitempty"`
	Roles      []registry.Role `json:"roles"`
}

// PeoplePage is one page of the public list.
type PeoplePage struct {
	People  []PersonRow `json:"people"`
	Total   int         `json:"total"`
	Page    int         `json:"page"`
	Pages   int         `json:"pages"`
	PerPage int         `json:"per_page"`
	// Fuzzy says the name search found nothing exactly and these are
	// the persons whose names sound alike.
	Fuzzy bool `json:"fuzzy"`
	// NoSearchTerms says the query had nothing to search for (initials
	// or one letter only); the list is then not narrowed by name.
	NoSearchTerms bool `json:"no_search_terms,omitempty"`
}

// PublicPeople returns a page of the public list, sorted by name in a
// script-independent order (then by id, so the order is stable).
func (s *Store) PublicPeople(ctx context.Context, f PeopleFilter) (PeoplePage, error) {
	if f.PerPage <= 0 {
		f.PerPage = DefaultPerPage
	}
	f.PerPage = min(f.PerPage, MaxPerPage)
	page := PeoplePage{PerPage: f.PerPage}
	var where []string
	var args []any
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, string(f.State))
	}
	if f.Region != "" {
		where, args = append(where, "region_key = ?"), append(args, RegionKey(f.Region))
	}
	if f.Role != "" {
		where, args = append(where, "roles LIKE ?"), append(args, "%;"+string(f.Role)+";%")
	}
	if f.Sex != "" {
		where, args = append(where, "sex = ?"), append(args, f.Sex)
	}
	if f.From != 0 {
		where, args = append(where, "last_day >= ?"), append(args, int64(f.From))
	}
	if f.To != 0 {
		where, args = append(where, "first_day <> 0 AND first_day <= ?"), append(args, int64(f.To))
	}
	if q := strings.TrimSpace(CutQuery(f.Query)); q != "" {
		nq, err := s.parseQuery(ctx, q)
		if err != nil {
			return page, err
		}
		if nq.Empty() {
			page.NoSearchTerms = true
		} else {
			var out PeoplePage
			var err error
			for _, near := range nearPasses(nq) {
				if out, err = s.searchPage(ctx, f, where, args, nq, near, page); err != nil || out.Total >= f.PerPage {
					break
				}
			}
			return out, err
		}
	}
	return s.peoplePage(ctx, f, where, args, page)
}

// searchPage is a page of the persons whose public spellings match a name
// query, best first: by the weakest word's tier (exact, prefix, phonetic,
// near), then by all words' tiers, then in the list's order.
func (s *Store) searchPage(ctx context.Context, f PeopleFilter, where []string, args []any, q names.Query, near bool, page PeoplePage) (PeoplePage, error) {
	m, margs := nameMatch("public_search", "person_id", q, near)
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	all := append(append(make([]any, 0, len(margs)+len(args)+2), margs...), args...)
	from := ` FROM (` + m + `) m JOIN public_people p ON p.person_id = m.id` + cond
	page.Page = max(f.Page, 1)
	for attempt := 0; ; attempt++ {
		rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT p.person_id, p.name, p.withheld, p.state, p.state_since, p.region, p.sex, p.birth_year, p.roles,
			count(*) OVER (), MAX(m.low) OVER ()`+from+` ORDER BY m.low DESC, m.score DESC, p.sort_key, p.person_id LIMIT ? OFFSET ?`),
			append(all, page.PerPage, (page.Page-1)*page.PerPage)...)
		if err != nil {
			return page, err
		}
		page.People = []PersonRow{}
		best := -1
		for rows.Next() {
			var r PersonRow
			var withheld int
			var state, roles string
			if err := rows.Scan(&r.ID, &r.Name, &withheld, &state, &r.StateSince, &r.Region, &r.Sex, &r.BirthYear, &roles, &page.Total, &best); err != nil {
				rows.Close()
				return page, err
			}
			r.Withheld, r.State = withheld != 0, registry.Status(state)
			r.Roles = append([]registry.Role{}, registry.SplitRoles(strings.Trim(roles, ";"))...)
			page.People = append(page.People, r)
		}
		if err := rows.Close(); err != nil {
			return page, err
		}
		if len(page.People) == 0 && page.Page > 1 && attempt == 0 {
			// Past the end: the last page instead.
			if err := s.read.QueryRowContext(ctx, s.rebind(`SELECT count(*)`+from), all...).Scan(&page.Total); err != nil {
				return page, err
			}
			page.Page = max(1, (page.Total+page.PerPage-1)/page.PerPage)
			continue
		}
		if len(page.People) == 0 {
			page.Total = 0
		}
		page.Pages = max(1, (page.Total+page.PerPage-1)/page.PerPage)
		// "Sound alike" only when something was found and nothing better
		// than a phonetic match: never beside "nobody matches".
		page.Fuzzy = page.Total > 0 && best < names.TierPrefix
		return page, nil
	}
}

func (s *Store) peoplePage(ctx context.Context, f PeopleFilter, where []string, args []any, page PeoplePage) (PeoplePage, error) {
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var err error
	if cond == "" {
		// The whole list's size is kept at refresh: counting 100,000
		// rows on every request would cost more than the page itself.
		err = s.read.QueryRowContext(ctx, `SELECT COALESCE((SELECT value FROM public_meta WHERE name = 'people'), 0)`).Scan(&page.Total)
	} else {
		err = s.read.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM public_people`+cond), args...).Scan(&page.Total)
	}
	if err != nil {
		return page, err
	}
	page.Pages = max(1, (page.Total+page.PerPage-1)/page.PerPage)
	page.Page = min(max(f.Page, 1), page.Pages)
	page.People = []PersonRow{}
	// The page's ids are found on the (sort_key, person_id) index alone;
	// only the rows shown are read from the table.
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT person_id, name, withheld, state, state_since, region, sex, birth_year, roles
		FROM public_people WHERE person_id IN (SELECT person_id FROM public_people`+cond+` ORDER BY sort_key, person_id LIMIT ? OFFSET ?)
		ORDER BY sort_key, person_id`), append(args, page.PerPage, (page.Page-1)*page.PerPage)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		var r PersonRow
		var withheld int
		var state, roles string
		if err := rows.Scan(&r.ID, &r.Name, &withheld, &state, &r.StateSince, &r.Region, &r.Sex, &r.BirthYear, &roles); err != nil {
			return page, err
		}
		r.Withheld, r.State = withheld != 0, registry.Status(state)
		r.Roles = append([]registry.Role{}, registry.SplitRoles(strings.Trim(roles, ";"))...)
		page.People = append(page.People, r)
	}
	return page, rows.Err()
}

// PublicPerson returns one person of the public list; ErrNotFound when the
// person is not shown.
func (s *Store) PublicPerson(ctx context.Context, id string) (registry.PublicPerson, error) {
	var doc string
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT doc FROM public_people WHERE person_id = ?`), id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return registry.PublicPerson{}, fmt.Errorf("person %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return registry.PublicPerson{}, err
	}
	var p registry.PublicPerson
	return p, json.Unmarshal([]byte(doc), &p)
}

// EachPublicPerson calls f for every person of the public list in its
// order (for downloads and the mirror).
func (s *Store) EachPublicPerson(ctx context.Context, f func(registry.PublicPerson) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT doc FROM public_people ORDER BY sort_key, person_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return err
		}
		var p registry.PublicPerson
		if err := json.Unmarshal(doc, &p); err != nil {
			return err
		}
		if err := f(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RegionKey is the form under which regions are grouped and filtered: the
// place's id in linkage's gazetteer, so that Nukus, Нукус, Nókis and
// "г. Нукус" are one region; a place the gazetteer does not know, by its
// folded spelling.
func RegionKey(region string) string {
	if strings.TrimSpace(region) == "" {
		return ""
	}
	regionKeys.Lock()
	defer regionKeys.Unlock()
	if k, ok := regionKeys.m[region]; ok {
		return k
	}
	k := linkage.Place(region)
	if k == "" {
		k = names.Fold(region)
	}
	if len(regionKeys.m) >= 10000 {
		clear(regionKeys.m) // a refresh asks for each spelling again
	}
	regionKeys.m[region] = k
	return k
}

// regionKeys remembers RegionKey's answers: a refresh asks once per
// person, and a spelling the gazetteer lacks costs a near-match search.
var regionKeys = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// RegionName is a region's name in a language of the site (en, ru, kaa,
// uz) when the gazetteer knows it, else the spelling given.
func RegionName(key, spelling, lang string) string {
	if n := linkage.PlaceName(key, lang); n != "" {
		return n
	}
	return spelling
}

// Region is one region of the public list with how many persons it holds.
type Region struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	People int    `json:"people"`
}

// PublicRegions lists the regions of the public list by name.
func (s *Store) PublicRegions(ctx context.Context) ([]Region, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT region_key, name, people FROM public_regions ORDER BY region_key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Region
	for rows.Next() {
		var r Region
		if err := rows.Scan(&r.Key, &r.Name, &r.People); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PublicChange is one entry of the change log of the public list.
type PublicChange struct {
	At     int64           `json:"-"`
	Person PersonRow       `json:"person"`
	Kind   string          `json:"kind"` // "new" or "state"
	State  registry.Status `json:"state"`
}

// PublicChanges returns the latest changes, newest first, of persons
// still shown, with their name as shown now (so a person withheld since
// shows as withheld in old entries too).
func (s *Store) PublicChanges(ctx context.Context, limit int) ([]PublicChange, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT c.at, c.kind, c.state, p.person_id, p.name, p.withheld, p.region
		FROM public_changes c JOIN public_people p ON p.person_id = c.person_id
		ORDER BY c.at DESC, c.id DESC LIMIT ?`), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PublicChange
	for rows.Next() {
		var c PublicChange
		var state string
		var withheld int
		if err := rows.Scan(&c.At, &c.Kind, &state, &c.Person.ID, &c.Person.Name, &withheld, &c.Person.Region); err != nil {
			return nil, err
		}
		c.State, c.Person.Withheld = registry.Status(state), withheld != 0
		out = append(out, c)
	}
	return out, rows.Err()
}
