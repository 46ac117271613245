package store

import (
	"context"
	"database/sql"
	"strings"
)

// batchInsert collects rows and writes them many to a statement: each
// statement costs a round trip through the driver, and a bulk import is
// dominated by that cost when rows go one at a time.
type batchInsert struct {
	s        *Store
	tx       *sql.Tx
	head     string // INSERT INTO t (a, b, c)
	tail     string // e.g. ON CONFLICT DO NOTHING
	cols     int
	perBatch int
	args     []any
	full     *sql.Stmt // prepared for perBatch rows
	affected int64
}

func newBatchInsert(s *Store, tx *sql.Tx, head, tail string, cols int) *batchInsert {
	// Stay well under SQLite's and PostgreSQL's parameter limits.
	per := 4000 / cols
	return &batchInsert{s: s, tx: tx, head: head, tail: tail, cols: cols, perBatch: per, args: make([]any, 0, per*cols)}
}

func (b *batchInsert) statement(rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", b.cols), ",") + ")"
	var q strings.Builder
	q.WriteString(b.head)
	q.WriteString(" VALUES ")
	for i := 0; i < rows; i++ {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(row)
	}
	q.WriteByte(' ')
	q.WriteString(b.tail)
	return b.s.rebind(q.String())
}

// add queues one row; its values must number cols.
func (b *batchInsert) add(ctx context.Context, values ...any) error {
	b.args = append(b.args, values...)
	if len(b.args) >= b.perBatch*b.cols {
		return b.flush(ctx)
	}
	return nil
}

// flush writes the queued rows.
func (b *batchInsert) flush(ctx context.Context) error {
	rows := len(b.args) / b.cols
	if rows == 0 {
		return nil
	}
	var res sql.Result
	var err error
	if rows == b.perBatch {
		if b.full == nil {
			if b.full, err = b.tx.PrepareContext(ctx, b.statement(rows)); err != nil {
				return err
			}
		}
		res, err = b.full.ExecContext(ctx, b.args...)
	} else {
		res, err = b.tx.ExecContext(ctx, b.statement(rows), b.args...)
	}
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	b.affected += n
	b.args = b.args[:0]
	return nil
}

func (b *batchInsert) close() {
	if b.full != nil {
		b.full.Close()
	}
}
