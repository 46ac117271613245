package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"rollcall/internal/names"
	"rollcall/internal/registry"
)

// PublicityMark is one editor's mark on a person, as stored.
type PublicityMark struct {
	PersonID string
	Mark     registry.Publicity
	Reason   string
	By       string
	At       time.Time
}

// PersonMarks returns the history of a person's marks, oldest first.
func (s *Store) PersonMarks(ctx context.Context, personID string) ([]PublicityMark, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT mark, reason, by_whom, marked_at FROM person_publicity WHERE person_id = ? ORDER BY marked_at, id`), personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PublicityMark
	for rows.Next() {
		m := PublicityMark{PersonID: personID}
		var at int64
		if err := rows.Scan(&m.Mark, &m.Reason, &m.By, &at); err != nil {
			return nil, err
		}
		m.At = time.UnixMicro(at).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// EachPersonFacts calls f for every person that holds records now, with
// their records (as linked now), the kind of each record's source and
// every claim, retracted ones included (the projection decides as of its
// known-at time). Notes and the sources' and records' own keys are not
// read at all: nothing public can leak what it never had.
func (s *Store) EachPersonFacts(ctx context.Context, f func(registry.PersonFacts) error) error {
	return s.eachPersonFacts(ctx, "", f)
}

// PersonFactsOf returns the facts of one person as EachPersonFacts gives
// them; false when the person holds no claim now.
func (s *Store) PersonFactsOf(ctx context.Context, personID string) (registry.PersonFacts, bool, error) {
	var out registry.PersonFacts
	err := s.eachPersonFacts(ctx, personID, func(p registry.PersonFacts) error {
		out = p
		return nil
	})
	return out, out.ID != "", err
}

// eachPersonFacts is EachPersonFacts for every person (personID "") or
// for one.
func (s *Store) eachPersonFacts(ctx context.Context, personID string, f func(registry.PersonFacts) error) error {
	marks, err := s.currentMarks(ctx)
	if err != nil {
		return err
	}
	bases, err := s.sourcesWithBasis(ctx)
	if err != nil {
		return err
	}
	where, args := "", []any{}
	if personID != "" {
		where, args = `WHERE r.id IN (SELECT r2.id FROM records r2 WHERE r2.person_id = ?
		  AND NOT EXISTS (SELECT 1 FROM links l2 WHERE l2.record_id = r2.id AND l2.unlinked_at IS NULL)
		  UNION SELECT l3.record_id FROM links l3 WHERE l3.person_id = ? AND l3.unlinked_at IS NULL)`, []any{personID, personID}
	}
	rows, err := s.read.QueryContext(ctx, s.rebind(`
		SELECT COALESCE(l.person_id, r.person_id), r.id, s.id, s.kind, r.name, r.name_alt, r.sex, r.birth_year, r.birth_date,
		       r.region, r.locality, r.roles, r.created_at,
		       c.id, c.status, c.date_start, c.precision, c.place, c.details, COALESCE(c.incident_id, ''), COALESCE(i.name, ''),
		       c.verification, c.recorded_at, COALESCE(c.retracted_at, 0)
		FROM claims c
		JOIN records r ON r.id = c.record_id
		JOIN sources s ON s.id = r.source_id
		LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL
		LEFT JOIN incidents i ON i.id = c.incident_id
		`+where+`
		ORDER BY 1, r.created_at, r.id, c.date_start, c.id`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur registry.PersonFacts
	flush := func() error {
		if cur.ID == "" {
			return nil
		}
		m := marks[cur.ID]
		cur.Mark, cur.MarkConsent, cur.MarkLegacy = m.mark, m.consent, m.legacy
		err := f(cur)
		cur = registry.PersonFacts{}
		return err
	}
	for rows.Next() {
		var person, recID, sourceID, kind, alt, roles, status, precision, incidentID, incident string
		var rec registry.Record
		var c registry.Claim
		var created, start, verification, recorded, retracted int64
		if err := rows.Scan(&person, &recID, &sourceID, &kind, &rec.Name, &alt, &rec.Sex, &rec.BirthYear, &rec.BirthDate,
			&rec.Region, &rec.Locality, &roles, &created,
			&c.ID, &status, &start, &precision, &c.Place, &c.Details, &incidentID, &incident,
			&verification, &recorded, &retracted); err != nil {
			return err
		}
		if person != cur.ID {
			if err := flush(); err != nil {
				return err
			}
			cur.ID = person
		}
		n := len(cur.Records)
		if n == 0 || cur.Records[n-1].Record.ID != recID {
			rec.ID = recID
			rec.NameAlt = splitList(alt)
			rec.Roles = registry.SplitRoles(roles)
			rec.CreatedAt = time.UnixMicro(created).UTC()
			cur.Records = append(cur.Records, registry.SourcedRecord{Record: rec, SourceKind: registry.SourceKind(kind), PublicBasis: bases[sourceID]})
			n++
		}
		sr := &cur.Records[n-1]
		c.RecordID = recID
		c.Status = registry.Status(status)
		c.Date = registry.PeriodFrom(registry.Day(start), registry.Precision(precision))
		c.Verification = registry.Verification(verification)
		c.RecordedAt = time.UnixMicro(recorded).UTC()
		if retracted != 0 {
			c.RetractedAt = time.UnixMicro(retracted).UTC()
		}
		if incidentID != "" {
			c.IncidentID = incidentID
			if sr.IncidentNames == nil {
				sr.IncidentNames = map[string]string{}
			}
			sr.IncidentNames[incidentID] = incident
		}
		sr.Claims = append(sr.Claims, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

// Relationships returns every relationship between persons, retracted
// ones included.
func (s *Store) Relationships(ctx context.Context) ([]registry.Relationship, error) {
	rels, err := s.scanRelations(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []registry.Relationship
	for _, r := range rels {
		out = append(out, r.Relationship)
	}
	return out, nil
}

// ProjectAll calls f with the public projection of every person shown as
// of q, relatives included, ordered by person id. It is what the public
// list and the snapshots are made of.
func (s *Store) ProjectAll(ctx context.Context, q registry.Query, f func(registry.PublicPerson) error) error {
	rels, err := s.Relationships(ctx)
	if err != nil {
		return err
	}
	related := map[string]bool{}
	for _, r := range rels {
		related[r.PersonA], related[r.PersonB] = true, true
	}
	// Persons with relatives wait until every person is projected: a
	// relative is shown only when they are shown themselves.
	projected := map[string]registry.PublicPerson{}
	var waiting []registry.PublicPerson
	err = s.EachPersonFacts(ctx, func(p registry.PersonFacts) error {
		pp, ok := registry.Project(p, q)
		if !ok {
			return nil
		}
		if related[pp.ID] {
			projected[pp.ID] = pp
			waiting = append(waiting, pp)
			return nil
		}
		return f(pp)
	})
	if err != nil {
		return err
	}
	for _, pp := range waiting {
		pp.AddRelatives(rels, projected)
		if err := f(pp); err != nil {
			return err
		}
	}
	return nil
}

// RefreshSummary says what a refresh of the public list found.
type RefreshSummary struct {
	People       int `json:"people"`
	Withheld     int `json:"withheld"`
	New          int `json:"new"`
	StateChanges int `json:"state_changes"`
	SearchKeys   int `json:"search_keys_added"`
	// Steps say how long each step took, for benchmarks (bench/publicbench).
	Steps []RefreshStep `json:"-"`
}

// RefreshStep is one step of a refresh and how long it took.
type RefreshStep struct {
	Name string
	Took time.Duration
}

// step notes that the step name ended now, begun at *since, and restarts
// the clock.
func (sum *RefreshSummary) step(name string, since *time.Time) {
	now := time.Now()
	sum.Steps = append(sum.Steps, RefreshStep{name, now.Sub(*since)})
	*since = now
}

// RefreshPublic rebuilds the public list (public_people, its search keys
// and regions) from the projection as of now, in one transaction, and
// appends to the change log the persons shown for the first time and
// those whose state changed. It first adds the search keys of records
// that lack them. Call it after anything that changes what is public:
// import, dedupe, review decisions, marks.
func (s *Store) RefreshPublic(ctx context.Context) (RefreshSummary, error) {
	var sum RefreshSummary
	var err error
	clock := time.Now()
	if sum.SearchKeys, err = s.BuildSearchKeys(ctx); err != nil {
		return sum, err
	}
	sum.step("search keys", &clock)
	now := s.Now().UTC()
	q := registry.PublicQuery(now)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		old := map[string]string{}
		rows, err := tx.QueryContext(ctx, `SELECT person_id, state FROM public_people`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var p, st string
			if err := rows.Scan(&p, &st); err != nil {
				rows.Close()
				return err
			}
			old[p] = st
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, t := range []string{"public_people", "public_search", "public_regions"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		// Indexes are built once over the whole list rather than kept up
		// row by row: inserting into them was most of a refresh's time.
		for _, ix := range publicIndexes {
			if _, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS `+ix.name); err != nil {
				return err
			}
		}
		people := newBatchInsert(s, tx, "public_people", []string{"person_id", "sort_key", "name", "withheld", "state", "state_since", "region", "region_key", "sex", "birth_year", "roles", "first_day", "last_day", "doc"}, "")
		defer people.close()
		search := newBatchInsert(s, tx, "public_search", []string{"key", "person_id"}, "")
		defer search.close()
		changes := newBatchInsert(s, tx, "public_changes", []string{"id", "at", "person_id", "kind", "state"}, "")
		defer changes.close()
		type region struct {
			name   string
			people int
		}
		regions := map[string]*region{}
		var searchKeys [][2]string
		at := now.UnixMicro()
		err = s.ProjectAll(ctx, q, func(p registry.PublicPerson) error {
			doc, err := json.Marshal(p)
			if err != nil {
				return err
			}
			sortKey, withheld := names.Fold(p.Name), 0
			if p.Withheld {
				// Never sort by the real name: its place in the list would
				// tell something of it.
				sortKey, withheld = "~"+p.ID, 1
				sum.Withheld++
			}
			roles := ""
			if len(p.Roles) > 0 {
				roles = ";" + registry.JoinRoles(p.Roles) + ";"
			}
			regionKey := RegionKey(p.Region)
			if err := people.add(ctx, p.ID, sortKey, p.Name, withheld, string(p.State), p.StateSince, p.Region, regionKey,
				p.Sex, p.BirthYear, roles, int64(p.FirstDay), int64(p.LastDay), string(doc)); err != nil {
				return err
			}
			sum.People++
			if regionKey != "" {
				if r, ok := regions[regionKey]; ok {
					r.people++
				} else {
					regions[regionKey] = &region{p.Region, 1}
				}
			}
			if !p.Withheld {
				seen := map[string]bool{}
				for _, sp := range p.Spellings {
					for _, k := range names.SearchKeys(sp) {
						if !seen[k] {
							seen[k] = true
							searchKeys = append(searchKeys, [2]string{k, p.ID})
						}
					}
				}
			}
			prev, known := old[p.ID]
			switch {
			case !known:
				sum.New++
				return changes.add(ctx, NewID(), at, p.ID, "new", string(p.State))
			case prev != string(p.State):
				sum.StateChanges++
				return changes.add(ctx, NewID(), at, p.ID, "state", string(p.State))
			}
			return nil
		})
		if err != nil {
			return err
		}
		// In key order, so the index grows at its end instead of
		// splitting pages all over.
		slices.SortFunc(searchKeys, func(a, b [2]string) int {
			if c := strings.Compare(a[0], b[0]); c != 0 {
				return c
			}
			return strings.Compare(a[1], b[1])
		})
		for _, k := range searchKeys {
			if err := search.add(ctx, k[0], k[1]); err != nil {
				return err
			}
		}
		for _, b := range []*batchInsert{people, search, changes} {
			if err := b.flush(ctx); err != nil {
				return err
			}
		}
		sum.step("list", &clock)
		for _, ix := range publicIndexes {
			if _, err := tx.ExecContext(ctx, `CREATE INDEX `+ix.name+` ON public_people `+ix.columns); err != nil {
				return err
			}
		}
		sum.step("indexes", &clock)
		// Every id of the list as it was is anchored already (it was
		// anchored when first listed, in the same transaction), so only a
		// refresh that lists someone new has anything to anchor; most
		// refreshes list nobody new, and probing every listed id for its
		// anchors cost them 0.7 s at 139,215 persons (docs/benchmarks.md).
		if sum.New > 0 {
			if err := s.anchorNewlyListedTx(ctx, tx, at); err != nil {
				return err
			}
		}
		sum.step("anchors", &clock)
		for key, r := range regions {
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO public_regions (region_key, name, people) VALUES (?, ?, ?)`), key, r.name, r.people); err != nil {
				return err
			}
		}
		for name, v := range map[string]int64{"people": int64(sum.People), "refreshed_at": at} {
			if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM public_meta WHERE name = ?`), name); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO public_meta (name, value) VALUES (?, ?)`), name, v); err != nil {
				return err
			}
		}
		return nil
	})
	sum.step("regions and commit", &clock)
	if err == nil {
		// The rebuild rewrote the whole list through the write-ahead log:
		// put it into the database now rather than leave a log of that
		// size for every reader to go through.
		err = s.Checkpoint(ctx)
	}
	sum.step("checkpoint", &clock)
	return sum, err
}

// publicIndexes are the indexes of public_people (as migration 0004 made
// them), rebuilt by each refresh.
var publicIndexes = []struct{ name, columns string }{
	{"public_people_order", "(sort_key, person_id)"},
	{"public_people_state", "(state, sort_key, person_id)"},
	{"public_people_region", "(region_key, sort_key, person_id)"},
}

// PublicRefreshedAt is when the public list was last rebuilt (zero: never).
func (s *Store) PublicRefreshedAt(ctx context.Context) (time.Time, error) {
	var v int64
	err := s.read.QueryRowContext(ctx, `SELECT value FROM public_meta WHERE name = 'refreshed_at'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return time.UnixMicro(v).UTC(), err
}

// PublicStale reports whether anything the public list is made of may have
// changed since it was last rebuilt (or it never was, or it was rebuilt on
// an earlier day: states are as of the day of the rebuild), so that
// `serve` rebuilds it at start only when it must.
func (s *Store) PublicStale(ctx context.Context) (bool, error) {
	refreshed, err := s.PublicRefreshedAt(ctx)
	if err != nil || refreshed.IsZero() {
		return true, err
	}
	if registry.DayOf(refreshed) != registry.DayOf(s.Now()) {
		return true, nil
	}
	var latest int64
	err = s.read.QueryRowContext(ctx, `SELECT max(t) FROM (
		SELECT COALESCE(max(imported_at), 0) AS t FROM imports
		UNION ALL SELECT COALESCE(max(linked_at), 0) FROM links
		UNION ALL SELECT COALESCE(max(unlinked_at), 0) FROM links
		-- A claim's last change: its retraction, else its recording (one scan).
		UNION ALL SELECT COALESCE(max(COALESCE(retracted_at, recorded_at)), 0) FROM claims
		UNION ALL SELECT COALESCE(max(marked_at), 0) FROM person_publicity
		UNION ALL SELECT COALESCE(max(recorded_at), 0) FROM relationships
		UNION ALL SELECT COALESCE(max(retracted_at), 0) FROM relationships
		-- A public copy published, or an item linked to a person: the
		-- person pages kept rendered must show it.
		UNION ALL SELECT COALESCE(max(published_at), 0) FROM evidence_derivatives
		UNION ALL SELECT COALESCE(max(linked_at), 0) FROM evidence_links) changes`).Scan(&latest)
	return latest >= refreshed.UnixMicro(), err
}
