package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"filippo.io/age"
)

// BackupRecipients lists the age public keys backups are encrypted to.
func (s *Store) BackupRecipients(ctx context.Context) ([]string, error) {
	return queryStrings(ctx, s.read, `SELECT recipient FROM backup_recipients ORDER BY added_at, recipient`)
}

// AddBackupRecipient adds an age public key every backup made from now on
// is encrypted to; the addition is audited.
func (s *Store) AddBackupRecipient(ctx context.Context, actor, recipient string) error {
	r, err := age.ParseX25519Recipient(recipient)
	if err != nil {
		return fmt.Errorf("backup recipient %q: not an age public key (age1…)", recipient)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO backup_recipients (recipient, added_at, added_by) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`), r.String(), s.Now().UnixMicro(), actor)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = s.appendAudit(ctx, tx, actor, "backup.recipient", r.String(), "added")
		return err
	})
}

// tableNames lists the registry's tables, schema_migrations included.
func (s *Store) tableNames(ctx context.Context, q querier) ([]string, error) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if s.dialect == Postgres {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	return queryStrings(ctx, q, query)
}

// TableCounts gives the number of rows of every table: what a restore is
// checked against.
func (s *Store) TableCounts(ctx context.Context) (map[string]int64, error) {
	_, counts, err := s.describe(ctx, s.read)
	return counts, err
}

func quoteIdent(name string) string { return strconv.Quote(name) }

// SnapshotKind names the form of a database snapshot in a backup.
func (s *Store) SnapshotKind() string {
	if s.dialect == Postgres {
		return "postgres-rows"
	}
	return "sqlite-file"
}

// Snapshot writes a consistent copy of the database into the file path
// (which must not exist) while the server keeps running: SQLite's VACUUM
// INTO, or for PostgreSQL every row read in one REPEATABLE READ
// transaction (the rows, not pg_dump's SQL, so that a backup restores
// into any schema of any database of the same version).
//
// It returns the audit head and table counts the snapshot holds, read in
// the snapshot itself, so that a restore can be checked against them.
func (s *Store) Snapshot(ctx context.Context, path string) (AuditHead, map[string]int64, error) {
	if s.dialect == SQLite {
		if _, err := s.read.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
			return AuditHead{}, nil, err
		}
		db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
		if err != nil {
			return AuditHead{}, nil, err
		}
		defer db.Close()
		tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return AuditHead{}, nil, err
		}
		defer tx.Rollback()
		return s.describe(ctx, tx)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return AuditHead{}, nil, err
	}
	defer f.Close()
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return AuditHead{}, nil, err
	}
	defer tx.Rollback()
	names, err := s.tableNames(ctx, tx)
	if err != nil {
		return AuditHead{}, nil, err
	}
	enc := json.NewEncoder(f)
	for _, n := range names {
		if err := dumpTable(ctx, tx, enc, n); err != nil {
			return AuditHead{}, nil, fmt.Errorf("snapshot of %s: %w", n, err)
		}
	}
	if err := f.Sync(); err != nil {
		return AuditHead{}, nil, err
	}
	return s.describe(ctx, tx)
}

// describe reads the audit head and the table counts through q.
func (s *Store) describe(ctx context.Context, q querier) (AuditHead, map[string]int64, error) {
	h := AuditHead{Hash: genesisHash}
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&h.Seq, &h.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return h, nil, err
	}
	names, err := s.tableNames(ctx, q)
	if err != nil {
		return h, nil, err
	}
	counts := make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(n)).Scan(&c); err != nil {
			return h, nil, err
		}
		counts[n] = c
	}
	return h, counts, nil
}

// dumpLine is one line of a PostgreSQL snapshot: a table's columns, then
// its rows, each value tagged with its type so that it comes back as it was.
type dumpLine struct {
	Table   string      `json:"table,omitempty"`
	Columns []string    `json:"columns,omitempty"`
	Row     []dumpValue `json:"row,omitempty"`
}

type dumpValue struct {
	Null   bool    `json:"n,omitempty"`
	Int    *int64  `json:"i,omitempty"`
	Float  *string `json:"f,omitempty"`
	Text   *string `json:"s,omitempty"`
	Bytes  []byte  `json:"b,omitempty"`
	Bool   *bool   `json:"t,omitempty"`
	IsByte bool    `json:"isb,omitempty"`
}

func dumpTable(ctx context.Context, tx *sql.Tx, enc *json.Encoder, table string) error {
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+quoteIdent(table))
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	if err := enc.Encode(dumpLine{Table: table, Columns: cols}); err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		line := dumpLine{Row: make([]dumpValue, len(cols))}
		for i, v := range vals {
			dv, err := encodeValue(v)
			if err != nil {
				return fmt.Errorf("column %s: %w", cols[i], err)
			}
			line.Row[i] = dv
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return rows.Err()
}

func encodeValue(v any) (dumpValue, error) {
	switch x := v.(type) {
	case nil:
		return dumpValue{Null: true}, nil
	case int64:
		return dumpValue{Int: &x}, nil
	case int32:
		n := int64(x)
		return dumpValue{Int: &n}, nil
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		return dumpValue{Float: &s}, nil
	case string:
		return dumpValue{Text: &x}, nil
	case []byte:
		return dumpValue{Bytes: x, IsByte: true}, nil
	case bool:
		return dumpValue{Bool: &x}, nil
	}
	return dumpValue{}, fmt.Errorf("a value of type %T cannot be kept in a backup", v)
}

func (d dumpValue) value() (any, error) {
	switch {
	case d.Null:
		return nil, nil
	case d.Int != nil:
		return *d.Int, nil
	case d.Float != nil:
		return strconv.ParseFloat(*d.Float, 64)
	case d.Text != nil:
		return *d.Text, nil
	case d.IsByte:
		return d.Bytes, nil
	case d.Bool != nil:
		return *d.Bool, nil
	}
	return nil, errors.New("a value without a type")
}

// ErrRestoreTarget means a restore was pointed at a database or directory
// that already holds something; a restore never overwrites.
var ErrRestoreTarget = errors.New("the target is not empty")

// RestoreSnapshot puts a snapshot that Snapshot wrote back: a SQLite file
// becomes dataDir/rollcall.db (dataDir must hold no database), PostgreSQL
// rows go into the database dsn names, which must have no tables, in one
// transaction. It returns the restored store, open.
func RestoreSnapshot(ctx context.Context, kind, snapshot, dataDir, dsn string) (*Store, error) {
	switch kind {
	case "sqlite-file":
		if dsn != "" {
			return nil, errors.New("this backup is of a SQLite database: restore it without --db")
		}
		target := filepath.Join(dataDir, "rollcall.db")
		if _, err := os.Stat(target); err == nil {
			return nil, fmt.Errorf("%s: %w", target, ErrRestoreTarget)
		}
		if err := os.Rename(snapshot, target); err != nil {
			return nil, err
		}
		return Open(ctx, dataDir, "")
	case "postgres-rows":
		if dsn == "" {
			return nil, errors.New("this backup is of a PostgreSQL database: give the empty database to restore into with --db")
		}
		return restoreRows(ctx, snapshot, dataDir, dsn)
	}
	return nil, fmt.Errorf("unknown kind of snapshot %q", kind)
}

func restoreRows(ctx context.Context, snapshot, dataDir, dsn string) (*Store, error) {
	s, err := openPostgres(dsn)
	if err != nil {
		return nil, err
	}
	existing, err := s.tableNames(ctx, s.read)
	if err != nil || len(existing) > 0 {
		s.Close()
		if err == nil {
			err = fmt.Errorf("database %s has %d tables: %w", redactDSN(dsn), len(existing), ErrRestoreTarget)
		}
		return nil, err
	}
	f, err := os.Open(snapshot)
	if err != nil {
		s.Close()
		return nil, err
	}
	defer f.Close()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// The schema is made inside the same transaction, so that a
		// restore cut short leaves the database as empty as it was.
		if err := s.migrateTx(ctx, tx); err != nil {
			return err
		}
		want, err := queryStrings(ctx, tx, `SELECT CAST(version AS TEXT) FROM schema_migrations ORDER BY version`)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM schema_migrations`); err != nil {
			return err
		}
		if err := loadRows(ctx, tx, json.NewDecoder(f)); err != nil {
			return err
		}
		got, err := queryStrings(ctx, tx, `SELECT CAST(version AS TEXT) FROM schema_migrations ORDER BY version`)
		if err != nil {
			return err
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return errors.New("the backup was made by another version of rollcall (its schema differs): restore it with that version")
		}
		return nil
	})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("restore: %w", err)
	}
	return s, nil
}

// loadRows inserts a snapshot's rows. Tables are inserted in the order of
// their foreign keys (the referenced first).
func loadRows(ctx context.Context, tx *sql.Tx, dec *json.Decoder) error {
	type table struct {
		cols []string
		rows [][]any
	}
	tables := map[string]*table{}
	var cur *table
	for {
		var line dumpLine
		if err := dec.Decode(&line); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		if line.Table != "" {
			cur = &table{cols: line.Columns}
			tables[line.Table] = cur
			continue
		}
		if cur == nil || len(line.Row) != len(cur.cols) {
			return errors.New("snapshot: a row outside a table or of the wrong width")
		}
		row := make([]any, len(line.Row))
		for i, v := range line.Row {
			x, err := v.value()
			if err != nil {
				return err
			}
			row[i] = x
		}
		cur.rows = append(cur.rows, row)
	}
	order, err := foreignKeyOrder(ctx, tx, tables)
	if err != nil {
		return err
	}
	for _, name := range order {
		t := tables[name]
		query := `INSERT INTO ` + quoteIdent(name) + ` (`
		for i, c := range t.cols {
			if i > 0 {
				query += ", "
			}
			query += quoteIdent(c)
		}
		query += `) VALUES (`
		for i := range t.cols {
			if i > 0 {
				query += ", "
			}
			query += "$" + strconv.Itoa(i+1)
		}
		query += ")"
		for _, row := range t.rows {
			if _, err := tx.ExecContext(ctx, query, row...); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return nil
}

// foreignKeyOrder sorts the snapshot's tables so that each comes after the
// tables its foreign keys reference.
func foreignKeyOrder[T any](ctx context.Context, tx *sql.Tx, tables map[string]T) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT cl.relname, ref.relname FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class ref ON ref.oid = c.confrelid
		JOIN pg_namespace ns ON ns.oid = cl.relnamespace
		WHERE c.contype = 'f' AND ns.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			rows.Close()
			return nil, err
		}
		if from != to {
			deps[from] = append(deps[from], to)
		}
	}
	rows.Close()
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	sort.Strings(names)
	var order []string
	done := map[string]bool{}
	var visit func(string, int) error
	visit = func(n string, depth int) error {
		if done[n] {
			return nil
		}
		if depth > len(names)+1 {
			return errors.New("foreign keys form a cycle")
		}
		for _, d := range deps[n] {
			if _, ok := tables[d]; ok {
				if err := visit(d, depth+1); err != nil {
					return err
				}
			}
		}
		done[n] = true
		order = append(order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n, 0); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// migrateTx makes the whole schema inside tx, on an empty database.
func (s *Store) migrateTx(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return err
	}
	dir := "migrations/" + string(s.dialect)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		version, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		body, err := fs.ReadFile(migrations, dir+"/"+e.Name())
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, version, s.Now().UnixMicro()); err != nil {
			return err
		}
	}
	return nil
}
