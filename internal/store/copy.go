package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// copySink writes with PostgreSQL's COPY, many times faster than INSERT
// for bulk rows. New records go straight into records (the import knows
// they are new), and so do their claims, the first time a claim is seen.
// Claims that may be stored already — of records stored before, or that
// look like a repeat within the file — go into a temporary table and then
// into claims with ON CONFLICT DO NOTHING, which decides exactly.
type copySink struct {
	conn                    *sql.Conn
	tx                      *sql.Tx
	records, claims, maybes [][]any
	seen                    map[uint64]struct{} // hashes of (record, fingerprint) copied directly
	direct                  int64
}

const copyBatch = 10000

func newCopySink(ctx context.Context, conn *sql.Conn, tx *sql.Tx) (*copySink, error) {
	if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE import_claims (LIKE claims INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
		return nil, err
	}
	return &copySink{conn: conn, tx: tx, seen: map[uint64]struct{}{}}, nil
}

func (k *copySink) record(ctx context.Context, values ...any) error {
	k.records = append(k.records, values)
	if len(k.records) >= copyBatch {
		return k.flushRecords(ctx)
	}
	return nil
}

func (k *copySink) claim(ctx context.Context, newRecord bool, values ...any) error {
	if newRecord {
		h := fnv.New64a()
		h.Write([]byte(values[claimRecordColumn].(string)))
		h.Write([]byte(values[claimFingerprintColumn].(string)))
		key := h.Sum64()
		if _, repeat := k.seen[key]; !repeat {
			k.seen[key] = struct{}{}
			k.claims = append(k.claims, values)
			if len(k.claims) >= copyBatch {
				return k.flushClaims(ctx)
			}
			return nil
		}
	}
	k.maybes = append(k.maybes, values)
	if len(k.maybes) >= copyBatch {
		return k.flushMaybes(ctx)
	}
	return nil
}

func (k *copySink) copy(ctx context.Context, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	// COPY runs on the connection that holds the transaction, so it is part
	// of it and rolls back with it.
	return k.conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy: unexpected driver connection %T", dc)
		}
		n, err := pc.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		if err == nil && n != int64(len(rows)) {
			err = fmt.Errorf("copy into %s: %d of %d rows", table, n, len(rows))
		}
		return err
	})
}

func (k *copySink) flushRecords(ctx context.Context) error {
	err := k.copy(ctx, "records", recordColumns, k.records)
	k.records = k.records[:0]
	return err
}

func (k *copySink) flushClaims(ctx context.Context) error {
	if err := k.flushRecords(ctx); err != nil {
		return err
	}
	err := k.copy(ctx, "claims", claimColumns, k.claims)
	k.direct += int64(len(k.claims))
	k.claims = k.claims[:0]
	return err
}

func (k *copySink) flushMaybes(ctx context.Context) error {
	err := k.copy(ctx, "import_claims", claimColumns, k.maybes)
	k.maybes = k.maybes[:0]
	return err
}

func (k *copySink) finish(ctx context.Context) (int64, error) {
	if err := k.flushClaims(ctx); err != nil {
		return 0, err
	}
	if err := k.flushMaybes(ctx); err != nil {
		return 0, err
	}
	cols := strings.Join(claimColumns, ", ")
	res, err := k.tx.ExecContext(ctx, `INSERT INTO claims (`+cols+`) SELECT `+cols+` FROM import_claims ON CONFLICT (record_id, fingerprint) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return k.direct + n, err
}

func (k *copySink) close() {}
