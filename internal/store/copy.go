package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// copySink writes with PostgreSQL's COPY, many times faster than INSERT
// for bulk rows. New records go straight into records (the import knows
// they are new); claims go into a temporary table first and then into
// claims with ON CONFLICT DO NOTHING, which skips those already stored.
type copySink struct {
	conn            *sql.Conn
	tx              *sql.Tx
	records, claims [][]any
}

const copyBatch = 10000

func newCopySink(ctx context.Context, conn *sql.Conn, tx *sql.Tx) (*copySink, error) {
	if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE import_claims (LIKE claims INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
		return nil, err
	}
	return &copySink{conn: conn, tx: tx}, nil
}

func (k *copySink) record(ctx context.Context, values ...any) error {
	k.records = append(k.records, values)
	if len(k.records) >= copyBatch {
		return k.flushRecords(ctx)
	}
	return nil
}

func (k *copySink) claim(ctx context.Context, values ...any) error {
	k.claims = append(k.claims, values)
	if len(k.claims) >= copyBatch {
		return k.flushClaims(ctx)
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
	err := k.copy(ctx, "import_claims", claimColumns, k.claims)
	k.claims = k.claims[:0]
	return err
}

func (k *copySink) finish(ctx context.Context) (int64, error) {
	if err := k.flushClaims(ctx); err != nil {
		return 0, err
	}
	cols := strings.Join(claimColumns, ", ")
	res, err := k.tx.ExecContext(ctx, `INSERT INTO claims (`+cols+`) SELECT `+cols+` FROM import_claims ORDER BY id ON CONFLICT (record_id, fingerprint) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (k *copySink) close() {}
