package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"rollcall/internal/evidence"
)

// BundleResult says what applying a bundle changed.
type BundleResult struct {
	Replay    bool // this very bundle was applied before: nothing done
	New       int  // rows added
	Matched   int  // rows headquarters had already (the same natural key)
	Updated   int  // rows a later field version closed (retracted, superseded, unlinked)
	Unchanged int  // versions headquarters has already
	Conflicts int  // field versions kept for editors beside headquarters' row
}

// ReadFieldRows reads a bundle's rows.jsonl, refusing a table, a column or
// a value a bundle does not carry. At most limit rows.
func ReadFieldRows(r io.Reader, limit int) ([]FieldRow, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var out []FieldRow
	for line := 1; ; line++ {
		var row FieldRow
		if err := dec.Decode(&row); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("rows, line %d: %w", line, err)
		}
		if err := checkFieldRow(row); err != nil {
			return nil, fmt.Errorf("rows, line %d: %w", line, err)
		}
		if len(out) >= limit {
			return nil, fmt.Errorf("more than %d rows", limit)
		}
		out = append(out, row)
	}
}

func checkFieldRow(row FieldRow) error {
	t, ok := fieldTableNamed(row.Table)
	if !ok {
		return fmt.Errorf("a bundle carries no table %q", row.Table)
	}
	if len(row.Values) != len(t.columns) {
		return fmt.Errorf("%s: %d columns, a bundle has %d (made by another version of rollcall?)", t.name, len(row.Values), len(t.columns))
	}
	for _, c := range t.columns {
		v, ok := row.Values[c]
		if !ok {
			return fmt.Errorf("%s: no column %s", t.name, c)
		}
		if _, err := v.value(); err != nil {
			return fmt.Errorf("%s.%s: %w", t.name, c, err)
		}
	}
	if id, ok := t.rowID(row.text); !ok || id != row.ID || row.ID == "" {
		return fmt.Errorf("%s: the row's id is not its key", t.name)
	}
	if h, _ := rowHash(row.Values); h != row.Hash {
		return fmt.Errorf("%s %s: its hash does not match its values", t.name, row.ID)
	}
	return nil
}

// ApplyBundle applies a bundle's rows from device in one transaction.
// Applying it again changes nothing; rows headquarters has (by origin or
// natural key) are not added twice; a field version that closes a row
// (a retraction) updates it; any other difference is kept as a conflict.
// Every row keeps, in field_origins, the field's version and time, and
// carries the time headquarters received it.
//
// originals are the evidence files the bundle carried, staged by
// StageOriginal; those it does not use (and all, when it fails) are
// removed from blobs.
func (s *Store) ApplyBundle(ctx context.Context, actor string, device Device, bundleID string, madeAt time.Time, rows []FieldRow, blobs evidence.Blobs, originals map[string]StagedOriginal) (BundleResult, error) {
	order := map[string]int{}
	for i, t := range fieldTables {
		order[t.name] = i
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if order[rows[i].Table] != order[rows[j].Table] {
			return order[rows[i].Table] < order[rows[j].Table]
		}
		return rows[i].ID < rows[j].ID
	})
	var res BundleResult
	used := map[string]bool{}
	if blobs != nil {
		defer func() { DiscardStaged(blobs, originals, used) }()
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM bundles_received WHERE id = ?`), bundleID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			res.Replay = true
			return nil
		}
		clear(used)
		a := &applier{s: s, tx: tx, device: device, bundle: bundleID, received: s.Now().UnixMicro(), local: map[string]string{}, originals: originals, used: used}
		for _, r := range rows {
			t, _ := fieldTableNamed(r.Table)
			if err := a.apply(ctx, t, r); err != nil {
				return fmt.Errorf("%s %s: %w", r.Table, r.ID, err)
			}
		}
		res = a.res
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO bundles_received (id, device_id, made_at, received_at, rows_new) VALUES (?, ?, ?, ?, ?)`),
			bundleID, device.ID, madeAt.UnixMicro(), a.received, res.New); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "bundle.import", bundleID, fmt.Sprintf("device=%s new=%d matched=%d updated=%d conflicts=%d", device.ID, res.New, res.Matched, res.Updated, res.Conflicts))
		return err
	})
	if err != nil {
		clear(used) // nothing was recorded: every staged copy goes
	}
	return res, err
}

type applier struct {
	s        *Store
	tx       *sql.Tx
	device   Device
	bundle   string
	received int64
	local    map[string]string // table NUL field id → the row here
	res      BundleResult
	// originals staged for the bundle, by SHA-256, and those recorded
	originals map[string]StagedOriginal
	used      map[string]bool
}

// localID is the row here that field id of table is, or id itself.
func (a *applier) localID(ctx context.Context, table, id string) (string, error) {
	if l, ok := a.local[table+"\x00"+id]; ok {
		return l, nil
	}
	var l string
	err := a.tx.QueryRowContext(ctx, a.s.rebind(`SELECT local_id FROM field_origins WHERE device_id = ? AND tbl = ? AND field_id = ?`), a.device.ID, table, id).Scan(&l)
	if errors.Is(err, sql.ErrNoRows) {
		return id, nil
	}
	if err == nil {
		a.local[table+"\x00"+id] = l
	}
	return l, err
}

func (a *applier) apply(ctx context.Context, t fieldTable, r FieldRow) error {
	doc, err := json.Marshal(r.Values)
	if err != nil {
		return err
	}
	var local, hash, oldDoc string
	err = a.tx.QueryRowContext(ctx, a.s.rebind(`SELECT local_id, row_hash, row_doc FROM field_origins WHERE device_id = ? AND tbl = ? AND field_id = ?`), a.device.ID, t.name, r.ID).Scan(&local, &hash, &oldDoc)
	switch {
	case err == nil && hash == r.Hash:
		a.res.Unchanged++
		return nil
	case err == nil:
		return a.laterVersion(ctx, t, r, local, oldDoc, string(doc))
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	vals, err := a.values(ctx, t, r)
	if err != nil {
		return err
	}
	if len(t.natural) > 0 {
		found, differs, err := a.natural(ctx, t, vals)
		if err != nil {
			return err
		}
		if found != "" {
			a.res.Matched++
			if differs {
				if err := a.conflict(ctx, t, r, found, string(doc)); err != nil {
					return err
				}
			}
			return a.origin(ctx, t, r, found, string(doc))
		}
	}
	var staged StagedOriginal
	if t.name == "evidence_items" {
		if staged, err = a.stagedFor(vals); err != nil {
			return err
		}
	}
	cols := make([]string, len(t.columns))
	args := make([]any, len(t.columns))
	for i, c := range t.columns {
		cols[i] = quoteIdent(c)
		args[i] = vals[c]
	}
	query := `INSERT INTO ` + quoteIdent(t.name) + ` (` + strings.Join(cols, ", ") + `) VALUES (` + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + `) ON CONFLICT DO NOTHING`
	res, err := a.tx.ExecContext(ctx, a.s.rebind(query), args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Another unique rule holds (a decision or link in force on
		// the same records here): headquarters' row stays.
		return a.conflict(ctx, t, r, "", string(doc))
	}
	a.res.New++
	if t.name == "evidence_items" {
		if err := a.recordOriginal(ctx, r.ID, staged); err != nil {
			return err
		}
	}
	return a.origin(ctx, t, r, r.ID, string(doc))
}

// values turns a field row into the row headquarters stores.
func (a *applier) values(ctx context.Context, t fieldTable, r FieldRow) (map[string]any, error) {
	vals := make(map[string]any, len(t.columns))
	for _, c := range t.columns {
		v, _ := r.Values[c].value()
		ref := t.refs[c]
		if t.name == "evidence_links" && c == "target_id" {
			kind, _ := r.text("kind")
			ref = map[string]string{"claim": "claims", "incident": "incidents"}[kind]
		}
		switch {
		case ref != "" && v != nil && v != "":
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%s is not an id", c)
			}
			l, err := a.localID(ctx, ref, s)
			if err != nil {
				return nil, err
			}
			v = l
		case t.has(t.received, c) && v != nil:
			v = a.received
		case t.has(t.actors, c):
			v = "device:" + a.device.ID
		}
		vals[c] = v
	}
	if t.name == "claims" {
		var person string
		if err := a.tx.QueryRowContext(ctx, a.s.rebind(`SELECT person_id FROM records WHERE id = ?`), vals["record_id"]).Scan(&person); err != nil {
			return nil, fmt.Errorf("its record %v: %w", vals["record_id"], err)
		}
		vals["record_person"] = person
		if note, _ := vals["note"].(string); note != "" {
			sealed, _, err := a.s.sealNote(r.ID, note)
			if err != nil {
				return nil, err
			}
			vals["note"] = sealed
		}
	}
	return vals, nil
}

// natural finds the row here with the same natural key, and whether it
// differs in the columns that must agree.
func (a *applier) natural(ctx context.Context, t fieldTable, vals map[string]any) (string, bool, error) {
	where := make([]string, len(t.natural))
	args := make([]any, len(t.natural))
	for i, c := range t.natural {
		where[i] = quoteIdent(c) + ` = ?`
		args[i] = vals[c]
	}
	keys := t.orderBy()
	var sel []string
	for _, c := range keys {
		sel = append(sel, quoteIdent(c))
	}
	for _, c := range t.compare {
		sel = append(sel, quoteIdent(c))
	}
	got := make([]any, len(sel))
	ptrs := make([]any, len(sel))
	for i := range got {
		ptrs[i] = &got[i]
	}
	err := a.tx.QueryRowContext(ctx, a.s.rebind(`SELECT `+strings.Join(sel, ", ")+` FROM `+quoteIdent(t.name)+` WHERE `+strings.Join(where, " AND ")), args...).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	differs := false
	for i, c := range t.compare {
		differs = differs || fmt.Sprint(text(got[len(keys)+i])) != fmt.Sprint(vals[c])
	}
	id := make([]string, len(keys))
	for i := range keys {
		id[i] = fmt.Sprint(text(got[i]))
	}
	return strings.Join(id, "|"), differs, nil
}

func text(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

// laterVersion handles a field row headquarters has in another version: a
// version that only closes the row (sets a retraction, a supersession, the
// end of a link) updates it, an earlier one changes nothing, anything else
// is a conflict.
func (a *applier) laterVersion(ctx context.Context, t fieldTable, r FieldRow, local, oldDoc, doc string) error {
	var old map[string]dumpValue
	if err := json.Unmarshal([]byte(oldDoc), &old); err != nil {
		return err
	}
	var closes, reopens bool
	var sets []string
	var args []any
	for _, c := range t.columns {
		ov, _ := old[c].value()
		nv, _ := r.Values[c].value()
		if fmt.Sprint(ov) == fmt.Sprint(nv) && (ov == nil) == (nv == nil) {
			continue
		}
		if !t.has(t.closing, c) {
			return a.conflict(ctx, t, r, local, doc)
		}
		if !t.has(t.received, c) {
			sets, args = append(sets, quoteIdent(c)+` = ?`), append(args, nv)
			continue
		}
		switch {
		case ov == nil && nv != nil:
			closes = true
			sets, args = append(sets, quoteIdent(c)+` = ?`), append(args, a.received)
		case ov != nil && nv == nil:
			reopens = true
		default: // closed at another time: the first closing stays
		}
	}
	if reopens || !closes {
		a.res.Unchanged++ // an earlier version arriving after a later one
		return nil
	}
	args = append(args, local)
	if t.key == "" {
		return a.conflict(ctx, t, r, local, doc) // rows keyed by their content never close
	}
	if _, err := a.tx.ExecContext(ctx, a.s.rebind(`UPDATE `+quoteIdent(t.name)+` SET `+strings.Join(sets, ", ")+` WHERE `+quoteIdent(t.key)+` = ?`), args...); err != nil {
		return err
	}
	if _, err := a.tx.ExecContext(ctx, a.s.rebind(`UPDATE field_origins SET row_hash = ?, row_doc = ? WHERE device_id = ? AND tbl = ? AND field_id = ?`), r.Hash, doc, a.device.ID, t.name, r.ID); err != nil {
		return err
	}
	a.res.Updated++
	return nil
}

func (a *applier) origin(ctx context.Context, t fieldTable, r FieldRow, local, doc string) error {
	var at int64
	if v := r.Values[t.fieldAt]; v.Int != nil {
		at = *v.Int
	}
	a.local[t.name+"\x00"+r.ID] = local
	_, err := a.tx.ExecContext(ctx, a.s.rebind(`INSERT INTO field_origins (device_id, tbl, field_id, local_id, row_hash, row_doc, field_at, received_at, bundle_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		a.device.ID, t.name, r.ID, local, r.Hash, doc, at, a.received, a.bundle)
	return err
}

func (a *applier) conflict(ctx context.Context, t fieldTable, r FieldRow, local, doc string) error {
	res, err := a.tx.ExecContext(ctx, a.s.rebind(`INSERT INTO field_conflicts (id, device_id, tbl, field_id, local_id, row_hash, row_doc, bundle_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
		NewID(), a.device.ID, t.name, r.ID, local, r.Hash, doc, a.bundle, a.received)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		a.res.Conflicts++
	}
	return nil
}

// FieldConflict is a field version headquarters kept beside its own row.
type FieldConflict struct {
	Device, Table, FieldID, LocalID, Bundle string
	ReceivedAt                              time.Time
}

// FieldConflicts lists them, oldest first, for editors.
func (s *Store) FieldConflicts(ctx context.Context) ([]FieldConflict, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT d.name, c.tbl, c.field_id, c.local_id, c.bundle_id, c.received_at FROM field_conflicts c JOIN devices d ON d.id = c.device_id ORDER BY c.received_at, c.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FieldConflict
	for rows.Next() {
		var c FieldConflict
		var at int64
		if err := rows.Scan(&c.Device, &c.Table, &c.FieldID, &c.LocalID, &c.Bundle, &at); err != nil {
			return nil, err
		}
		c.ReceivedAt = time.UnixMicro(at).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
