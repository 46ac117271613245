package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// FieldRow is one row of a bundle: a line of its rows.jsonl.
type FieldRow struct {
	Table  string               `json:"t"`
	ID     string               `json:"id"`
	Hash   string               `json:"h"`
	Values map[string]dumpValue `json:"v"`
}

// SentRow is the version of a row a bundle carried.
type SentRow struct{ Table, ID, Hash string }

// rowHash is the SHA-256 of a row's values as they travel (encoding/json
// sorts a map's keys, so one row has one hash).
func rowHash(values map[string]dumpValue) (string, error) {
	b, err := json.Marshal(values)
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}

// ExportFieldRows writes, as JSON lines, every row of the tables a bundle
// carries whose present version headquarters has not acknowledged, and
// returns them. Claims' sealed notes are opened (the bundle is encrypted
// to headquarters, which seals them again under its own key).
func (s *Store) ExportFieldRows(ctx context.Context, w io.Writer) ([]SentRow, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	acked := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT r.tbl, r.row_id, r.row_hash FROM bundle_sent_rows r JOIN bundles_sent b ON b.id = r.bundle_id WHERE b.acked_at IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t, id, h string
		if err := rows.Scan(&t, &id, &h); err != nil {
			rows.Close()
			return nil, err
		}
		acked[t+"\x00"+id+"\x00"+h] = true
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	var sent []SentRow
	for _, t := range fieldTables {
		if sent, err = s.exportTable(ctx, tx, t, acked, enc, sent); err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return sent, bw.Flush()
}

func (s *Store) exportTable(ctx context.Context, tx *sql.Tx, t fieldTable, acked map[string]bool, enc *json.Encoder, sent []SentRow) ([]SentRow, error) {
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = quoteIdent(c)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+quoteIdent(t.name)+` ORDER BY `+quotedList(t.orderBy()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := FieldRow{Table: t.name, Values: make(map[string]dumpValue, len(cols))}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b) // every column a bundle carries is text or a number
			}
			dv, err := encodeValue(v)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", t.columns[i], err)
			}
			row.Values[t.columns[i]] = dv
		}
		var ok bool
		if row.ID, ok = t.rowID(row.text); !ok {
			return nil, fmt.Errorf("a row without its key")
		}
		if t.name == "claims" {
			if note := row.Values["note"]; note.Text != nil {
				open, err := s.unsealNote(row.ID, *note.Text)
				if err != nil {
					return nil, fmt.Errorf("claim %s: note: %w", row.ID, err)
				}
				row.Values["note"] = dumpValue{Text: &open}
			}
		}
		if row.Hash, err = rowHash(row.Values); err != nil {
			return nil, err
		}
		if acked[t.name+"\x00"+row.ID+"\x00"+row.Hash] {
			continue
		}
		if err := enc.Encode(row); err != nil {
			return nil, err
		}
		sent = append(sent, SentRow{t.name, row.ID, row.Hash})
	}
	return sent, rows.Err()
}

// RecordBundleSent keeps which versions of which rows bundle id carried
// to headquarters device to; audited.
func (s *Store) RecordBundleSent(ctx context.Context, actor, id, to string, madeAt time.Time, sent []SentRow) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO bundles_sent (id, to_device, made_at, row_count) VALUES (?, ?, ?, ?)`), id, to, madeAt.UnixMicro(), len(sent)); err != nil {
			return err
		}
		b := newBatchInsert(s, tx, "bundle_sent_rows", []string{"bundle_id", "tbl", "row_id", "row_hash"}, "")
		defer b.close()
		for _, r := range sent {
			if err := b.add(ctx, id, r.Table, r.ID, r.Hash); err != nil {
				return err
			}
		}
		if err := b.flush(ctx); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "bundle.export", id, fmt.Sprintf("to=%s rows=%d", to, len(sent)))
		return err
	})
}

// AckBundles marks the bundles headquarters device hq acknowledges as
// arrived, so that the next export leaves out the versions they carried;
// it returns how many it marked (those acknowledged before count not).
func (s *Store) AckBundles(ctx context.Context, actor, hq string, ids []string) (int, error) {
	marked := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.Now().UnixMicro()
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, s.rebind(`UPDATE bundles_sent SET acked_at = ? WHERE id = ? AND to_device = ? AND acked_at IS NULL`), now, id, hq)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			marked += int(n)
		}
		if marked == 0 {
			return nil
		}
		_, err := s.appendAudit(ctx, tx, actor, "bundle.acked", hq, fmt.Sprintf("bundles=%d", marked))
		return err
	})
	return marked, err
}

// BundlesReceived lists the ids of the bundles applied from device.
func (s *Store) BundlesReceived(ctx context.Context, device string) ([]string, error) {
	return queryStrings(ctx, s.read, s.rebind(`SELECT id FROM bundles_received WHERE device_id = ? ORDER BY id`), device)
}

// text is a column's value when it is text.
func (r FieldRow) text(col string) (string, bool) {
	v, ok := r.Values[col]
	if !ok || v.Text == nil {
		return "", false
	}
	return *v.Text, true
}

func quotedList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quoteIdent(c)
	}
	return strings.Join(q, ", ")
}

// BundleApplied says whether the bundle id was applied here before.
func (s *Store) BundleApplied(ctx context.Context, id string) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM bundles_received WHERE id = ?`), id).Scan(&n)
	return n > 0, err
}
