package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"rollcall/internal/linkage"
	"rollcall/internal/registry"
)

// DedupeRun is one run of linkage over the whole registry and what it
// changed (or, when not applied, would change).
type DedupeRun struct {
	Input   *LinkageInput
	Result  *linkage.Result
	Plan    DedupePlan
	Applied bool
}

// Dedupe links every record in the registry, people's decisions winning
// over the model. With apply it moves records into their persons and
// replaces the review queue, in one transaction (see ApplyDedupe); without
// it nothing is written. Zero options take linkage's defaults.
func (s *Store) Dedupe(ctx context.Context, apply bool, opt linkage.Options) (*DedupeRun, error) {
	in, err := s.LoadLinkageInput(ctx)
	if err != nil {
		return nil, err
	}
	res, err := linkage.Link(in.Records, in.Decisions, opt)
	if err != nil {
		return nil, err
	}
	run := &DedupeRun{Input: in, Result: res, Plan: PlanDedupe(in, res)}
	if apply {
		if err := s.ApplyDedupe(ctx, in, run.Plan, res.Review, "dedupe"); err != nil {
			return nil, err
		}
		run.Applied = true
	}
	return run, nil
}

// LinkageInput is what a dedupe run reads, from one snapshot: every record
// as linkage sees it, the person each record is in now, and the people's
// decisions in force.
type LinkageInput struct {
	Records   []linkage.Record
	PersonOf  map[string]string // record id → person id now
	Decisions []linkage.Decision
	// Anchors are the records each published person id was first shown
	// with, and ShownAt when (Unix µs): the ids keep to those records.
	Anchors map[string][]string
	ShownAt map[string]int64
	state   linkState
}

// linkState changes whenever a record moves or a decision is taken; a run
// whose input was read in another state must not be applied.
type linkState struct {
	links, decisions int64
	lastLinked       int64
}

// ErrChangedDuringRun is returned when records were moved or decisions
// taken while a dedupe run was computing; its plan is stale.
var ErrChangedDuringRun = errors.New("records were linked or decided while dedupe was running; nothing was applied, run it again")

// LoadLinkageInput reads every record with its claims in force, its person
// now, and the decisions in force.
func (s *Store) LoadLinkageInput(ctx context.Context) (*LinkageInput, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead // one snapshot for the three reads
	}
	tx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	in := &LinkageInput{PersonOf: map[string]string{}}
	if in.state, err = s.readLinkState(ctx, tx); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT r.id, s.key, r.name, r.name_alt, r.sex, r.birth_year, r.birth_date, r.region, r.locality, COALESCE(l.person_id, r.person_id)
		FROM records r JOIN sources s ON s.id = r.source_id
		LEFT JOIN links l ON l.record_id = r.id AND l.unlinked_at IS NULL
		ORDER BY r.id`)
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	for rows.Next() {
		var r linkage.Record
		var name, alt, person string
		if err := rows.Scan(&r.ID, &r.Source, &name, &alt, &r.Sex, &r.BirthYear, &r.BirthDate, &r.Region, &r.Locality, &person); err != nil {
			rows.Close()
			return nil, err
		}
		r.Names = append([]string{name}, splitList(alt)...)
		index[r.ID] = len(in.Records)
		in.Records = append(in.Records, r)
		in.PersonOf[r.ID] = person
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT record_id, status, date_start, date_end FROM claims WHERE retracted_at IS NULL`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, status string
		var start, end int64
		if err := rows.Scan(&id, &status, &start, &end); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := index[id]; ok {
			r := &in.Records[i]
			r.Claims = append(r.Claims, linkageClaim(registry.Status(status), registry.Day(start), registry.Day(end)))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if in.Decisions, err = s.decisionsInForce(ctx, tx); err != nil {
		return nil, err
	}
	in.Anchors, in.ShownAt, err = s.loadAnchors(ctx, tx)
	return in, err
}

// loadAnchors reads every published id's first records.
func (s *Store) loadAnchors(ctx context.Context, q querier) (map[string][]string, map[string]int64, error) {
	anchors, shown := map[string][]string{}, map[string]int64{}
	rows, err := q.QueryContext(ctx, `SELECT person_id, record_id, published_at FROM person_anchors ORDER BY person_id, record_id`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p, r string
		var at int64
		if err := rows.Scan(&p, &r, &at); err != nil {
			return nil, nil, err
		}
		anchors[p] = append(anchors[p], r)
		if old, ok := shown[p]; !ok || at < old {
			shown[p] = at
		}
	}
	return anchors, shown, rows.Err()
}

func (s *Store) readLinkState(ctx context.Context, q querier) (linkState, error) {
	var st linkState
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM links), (SELECT COALESCE(max(linked_at), 0) FROM links), (SELECT count(*) FROM decisions)`).
		Scan(&st.links, &st.lastLinked, &st.decisions)
	return st, err
}

// PlannedMove is one record that a dedupe run moves, and why.
type PlannedMove struct {
	Move
	From string // the person it is in now
	Why  string
}

// DedupePlan is what a dedupe run changes.
type DedupePlan struct {
	Moves                       []PlannedMove
	PersonsBefore, PersonsAfter int
	// NewLinks are the linked pairs whose records were in two persons
	// before: the links this run applies.
	NewLinks []linkage.Pair
}

// PlanDedupe turns linkage's clusters into moves. A published person id
// stays with the cluster holding most of the records it was first shown
// with (stickyTargets); every other cluster keeps the unpublished person
// that most of its records are in already, so ids stay stable from run to
// run. A person's id goes to one cluster only, so a cluster that splits
// off gets a new person.
func PlanDedupe(in *LinkageInput, res *linkage.Result) DedupePlan {
	var plan DedupePlan
	before := map[string]bool{}
	for _, p := range in.PersonOf {
		before[p] = true
	}
	plan.PersonsBefore, plan.PersonsAfter = len(before), len(res.Clusters)

	target := stickyTargets(in, res.Clusters)
	taken := map[string]bool{}
	for _, p := range target {
		if p != "" {
			taken[p] = true
		}
	}
	type choice struct {
		cluster, records int
		person           string
	}
	var choices []choice
	for i, c := range res.Clusters {
		if target[i] != "" {
			continue
		}
		n := map[string]int{}
		for _, r := range c {
			// A published id goes only where its first records are.
			if p := in.PersonOf[r]; len(in.Anchors[p]) == 0 {
				n[p]++
			}
		}
		for p, k := range n {
			choices = append(choices, choice{i, k, p})
		}
	}
	sort.Slice(choices, func(i, j int) bool {
		a, b := choices[i], choices[j]
		if a.records != b.records {
			return a.records > b.records
		}
		if a.person != b.person {
			return a.person < b.person
		}
		return a.cluster < b.cluster
	})
	for _, c := range choices {
		if target[c.cluster] == "" && !taken[c.person] {
			target[c.cluster], taken[c.person] = c.person, true
		}
	}

	heaviest := map[string]float64{} // record → weight of its heaviest applied link
	for _, p := range res.Linked {
		heaviest[p.A] = max(heaviest[p.A], p.Weight)
		heaviest[p.B] = max(heaviest[p.B], p.Weight)
		if in.PersonOf[p.A] != in.PersonOf[p.B] {
			plan.NewLinks = append(plan.NewLinks, p)
		}
	}
	for i, c := range res.Clusters {
		if target[i] == "" {
			target[i] = NewID()
		}
		for _, r := range c {
			from := in.PersonOf[r]
			if from == target[i] {
				continue
			}
			why := "no longer linked to the other records of its person"
			if w, ok := heaviest[r]; ok {
				why = fmt.Sprintf("match weight %.1f", w)
			} else if len(c) > 1 {
				why = "people decided these records are the same person"
			}
			plan.Moves = append(plan.Moves, PlannedMove{Move: Move{RecordID: r, PersonID: target[i]}, From: from, Why: why})
		}
	}
	return plan
}

// stickyTargets gives each published person id the cluster that holds
// most of the records it was first shown with (its home; ties: the first
// such cluster); of several ids at home in one cluster, the one shown
// first keeps it and the others will redirect to it. Clusters that are no
// published id's home get "".
func stickyTargets(in *LinkageInput, clusters [][]string) []string {
	target := make([]string, len(clusters))
	if len(in.Anchors) == 0 {
		return target
	}
	clusterOf := map[string]int{}
	for i, c := range clusters {
		for _, r := range c {
			clusterOf[r] = i
		}
	}
	ids := make([]string, 0, len(in.Anchors))
	for p := range in.Anchors {
		ids = append(ids, p)
	}
	// Shown first wins; then by id, so every run decides alike.
	sort.Slice(ids, func(i, j int) bool {
		if a, b := in.ShownAt[ids[i]], in.ShownAt[ids[j]]; a != b {
			return a < b
		}
		return ids[i] < ids[j]
	})
	for _, p := range ids {
		n := map[int]int{}
		home, best := -1, 0
		for _, r := range in.Anchors[p] {
			i, ok := clusterOf[r]
			if !ok {
				continue
			}
			n[i]++
			if n[i] > best || (n[i] == best && i < home) {
				home, best = i, n[i]
			}
		}
		if home >= 0 && target[home] == "" {
			target[home] = p
		}
	}
	return target
}

// testHookBeforeCommit, when set by a test, runs after a dedupe run has
// written everything and before it commits.
var testHookBeforeCommit func()

// ApplyDedupe makes the plan's moves and replaces the review queue with
// res.Review, in one transaction: an interrupted run leaves links and
// queue exactly as they were. It fails with ErrChangedDuringRun when links
// or decisions changed since in was read.
func (s *Store) ApplyDedupe(ctx context.Context, in *LinkageInput, plan DedupePlan, review []linkage.Pair, by string) error {
	now := s.Now().UnixMicro()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockLinks(ctx, tx); err != nil {
			return err
		}
		if st, err := s.readLinkState(ctx, tx); err != nil {
			return err
		} else if st != in.state {
			return ErrChangedDuringRun
		}
		byWhy := map[string][]Move{}
		var whys []string
		for _, m := range plan.Moves {
			if _, ok := byWhy[m.Why]; !ok {
				whys = append(whys, m.Why)
			}
			byWhy[m.Why] = append(byWhy[m.Why], m.Move)
		}
		for _, why := range whys {
			if _, err := s.relinkTx(ctx, tx, now, byWhy[why], by, why); err != nil {
				return err
			}
		}
		if err := s.replaceReviewQueue(ctx, tx, now, review); err != nil {
			return err
		}
		if testHookBeforeCommit != nil {
			testHookBeforeCommit()
		}
		return ctx.Err()
	})
}

// lockLinks keeps other writers of links and decisions out until the
// transaction ends. SQLite's write transactions exclude each other already.
func (s *Store) lockLinks(ctx context.Context, tx *sql.Tx) error {
	if s.dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `LOCK TABLE links, decisions, review_queue IN SHARE ROW EXCLUSIVE MODE`)
	return err
}

func (s *Store) replaceReviewQueue(ctx context.Context, tx *sql.Tx, now int64, review []linkage.Pair) error {
	// Pairs people are unsure of stay queued: linkage queues no decided
	// pair again, and they must stay findable for a second look.
	if _, err := tx.ExecContext(ctx, `DELETE FROM review_queue WHERE NOT EXISTS (SELECT 1 FROM decisions d
		WHERE d.record_a = review_queue.record_a AND d.record_b = review_queue.record_b AND d.superseded_at IS NULL AND d.verdict = 'unsure')`); err != nil {
		return err
	}
	const perStatement = 200
	for start := 0; start < len(review); start += perStatement {
		part := review[start:min(start+perStatement, len(review))]
		query := `INSERT INTO review_queue (id, record_a, record_b, weight, evidence, queued_at) VALUES `
		args := make([]any, 0, 6*len(part))
		for i, p := range part {
			if i > 0 {
				query += ", "
			}
			query += "(?, ?, ?, ?, ?, ?)"
			a, b := orderPair(p.A, p.B)
			evidence := ""
			if len(p.Evidence) > 0 {
				j, err := json.Marshal(p.Evidence)
				if err != nil {
					return err
				}
				evidence = string(j)
			}
			args = append(args, PairID(a, b), a, b, p.Weight, evidence, now)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(query+" ON CONFLICT DO NOTHING"), args...); err != nil {
			return fmt.Errorf("review queue: %w", err)
		}
	}
	return nil
}

// orderPair spells a pair of records one way: the smaller id first.
func orderPair(a, b string) (string, string) {
	if b < a {
		return b, a
	}
	return a, b
}

// PairID is the stable id of a pair of records: the same two records get
// the same id in every run, on every machine.
func PairID(a, b string) string {
	a, b = orderPair(a, b)
	sum := sha256.Sum256([]byte(a + "\x00" + b))
	return hex.EncodeToString(sum[:8])
}
