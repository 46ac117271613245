package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
)

// batchInsert collects rows and writes them many to a statement: each
// statement costs a round trip through the driver, and a bulk import is
// dominated by that cost when rows go one at a time.
type batchInsert struct {
	s        *Store
	tx       *sql.Tx
	table    string
	columns  []string
	tail     string // e.g. ON CONFLICT DO NOTHING
	perBatch int
	args     []any
	affected int64

	// defaults holds, for columns the table fills itself, the value it
	// fills in (see leaveOutDefaults); nil for the others.
	defaults []any
	kept     []any // a batch's values without the columns left out

	// conn, when set, is the connection holding tx, and statements go to
	// its driver directly (see direct).
	conn     *sql.Conn
	named    []driver.NamedValue
	prepared map[uint64]*batchStatement // full batches' statements by the columns left out
}

// batchStatement is a statement prepared for a full batch, through
// database/sql or, on a direct batch, the driver.
type batchStatement struct {
	viaSQL    *sql.Stmt
	viaDriver driver.Stmt
}

func newBatchInsert(s *Store, tx *sql.Tx, table string, columns []string, tail string) *batchInsert {
	// Stay well under SQLite's and PostgreSQL's parameter limits.
	per := 4000 / len(columns)
	return &batchInsert{s: s, tx: tx, table: table, columns: columns, tail: tail, perBatch: per,
		args: make([]any, 0, per*len(columns)), prepared: map[uint64]*batchStatement{}}
}

// leaveOutDefaults has a batch leave out the columns in which every row
// holds the value the table would fill in itself, given by defaults (a
// column's value, or nil for a column without a default). A file that
// leaves a column empty then costs nothing for it: binding a parameter is
// a good part of what an SQLite insert costs. At most 64 columns.
func (b *batchInsert) leaveOutDefaults(defaults []any) {
	b.defaults = defaults
}

// direct sends the batches straight to the driver of conn, the connection
// holding the batch's transaction, past database/sql's conversion of every
// argument, which a large import feels. Meant for SQLite, whose driver
// takes the values the import gives as they are.
func (b *batchInsert) direct(conn *sql.Conn) {
	b.conn = conn
}

// statement is the INSERT of rows rows without the columns in leftOut (a
// bit per column).
func (b *batchInsert) statement(rows int, leftOut uint64) string {
	var names []string
	for i, c := range b.columns {
		if leftOut&(1<<i) == 0 {
			names = append(names, c)
		}
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(names)), ",") + ")"
	var q strings.Builder
	fmt.Fprintf(&q, "INSERT INTO %s (%s) VALUES ", b.table, strings.Join(names, ", "))
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

// add queues one row; its values must number the columns.
func (b *batchInsert) add(ctx context.Context, values ...any) error {
	b.args = append(b.args, values...)
	if len(b.args) >= b.perBatch*len(b.columns) {
		return b.flush(ctx)
	}
	return nil
}

// leftOut says which columns hold their default in every queued row.
func (b *batchInsert) leftOut() uint64 {
	var out uint64
	cols := len(b.columns)
	for i, d := range b.defaults {
		if d == nil {
			continue
		}
		same := true
		for j := i; j < len(b.args); j += cols {
			if b.args[j] != d {
				same = false
				break
			}
		}
		if same {
			out |= 1 << i
		}
	}
	return out
}

// flush writes the queued rows.
func (b *batchInsert) flush(ctx context.Context) error {
	cols := len(b.columns)
	rows := len(b.args) / cols
	if rows == 0 {
		return nil
	}
	leftOut := b.leftOut()
	args := b.args
	if leftOut != 0 {
		b.kept = b.kept[:0]
		for j, v := range b.args {
			if leftOut&(1<<(j%cols)) == 0 {
				b.kept = append(b.kept, v)
			}
		}
		args = b.kept
	}
	var n int64
	var err error
	if b.conn != nil {
		n, err = b.execDirect(ctx, rows, leftOut, args)
	} else {
		n, err = b.exec(ctx, rows, leftOut, args)
	}
	if err != nil {
		return err
	}
	b.affected += n
	b.args = b.args[:0]
	return nil
}

// exec runs a batch through database/sql.
func (b *batchInsert) exec(ctx context.Context, rows int, leftOut uint64, args []any) (int64, error) {
	var res sql.Result
	var err error
	if rows == b.perBatch {
		st := b.prepared[leftOut]
		if st == nil {
			st = &batchStatement{}
			if st.viaSQL, err = b.tx.PrepareContext(ctx, b.statement(rows, leftOut)); err != nil {
				return 0, err
			}
			b.prepared[leftOut] = st
		}
		res, err = st.viaSQL.ExecContext(ctx, args...)
	} else {
		res, err = b.tx.ExecContext(ctx, b.statement(rows, leftOut), args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// execDirect runs a batch through the driver of b.conn, inside the
// transaction that connection holds.
func (b *batchInsert) execDirect(ctx context.Context, rows int, leftOut uint64, args []any) (int64, error) {
	var n int64
	err := b.conn.Raw(func(dc any) error {
		prepare, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("batch insert: driver connection %T cannot prepare", dc)
		}
		var st driver.Stmt
		if rows == b.perBatch {
			if p := b.prepared[leftOut]; p != nil {
				st = p.viaDriver
			}
		}
		if st == nil {
			var err error
			if st, err = prepare.PrepareContext(ctx, b.statement(rows, leftOut)); err != nil {
				return err
			}
			if rows == b.perBatch {
				b.prepared[leftOut] = &batchStatement{viaDriver: st}
			} else {
				defer st.Close()
			}
		}
		exec, ok := st.(driver.StmtExecContext)
		if !ok {
			return fmt.Errorf("batch insert: driver statement %T cannot execute with a context", st)
		}
		b.named = b.named[:0]
		for i, v := range args {
			b.named = append(b.named, driver.NamedValue{Ordinal: i + 1, Value: v})
		}
		res, err := exec.ExecContext(ctx, b.named)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

func (b *batchInsert) close() {
	for _, st := range b.prepared {
		if st.viaSQL != nil {
			st.viaSQL.Close()
		}
		if st.viaDriver != nil {
			// A driver statement is closed on its connection, under Raw.
			b.conn.Raw(func(any) error { return st.viaDriver.Close() })
		}
	}
}
