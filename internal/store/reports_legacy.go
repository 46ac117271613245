package store

import (
	"context"
	"database/sql"

	"rollcall/internal/registry"
	"rollcall/internal/seal"
)

// SealClearReports seals the content of reports filed before it was sealed
// (migration 0015 left theirs in the clear columns) as AddReport seals a
// new one, and empties the clear columns, in one transaction; it returns
// how many it sealed. A migration cannot do it (it has no data key), so
// every command that opens the data key runs it (cmd/rollcall openWithKeys,
// serve). SQLite overwrites the freed bytes (secure_delete) and the log is
// truncated after, PostgreSQL rewrites the table, so the old content is not
// left in free space either.
func (s *Store) SealClearReports(ctx context.Context) (int, error) {
	if s.keys == nil {
		return 0, ErrNoKeys
	}
	var waiting int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM reports WHERE content_sealed = ''`).Scan(&waiting); err != nil || waiting == 0 {
		return 0, err
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if s.dialect == SQLite {
		if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
			return 0, err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA secure_delete = OFF`)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	n, err := s.sealClearReportsTx(ctx, tx, s.keys)
	if err == nil {
		err = tx.Commit()
	} else {
		tx.Rollback()
	}
	if err != nil {
		return 0, err
	}
	if s.dialect == Postgres {
		_, err = conn.ExecContext(ctx, `VACUUM FULL reports`)
	} else {
		_, err = conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	return n, err
}

// sealClearReportsTx seals, under k's current key, every report whose
// content is still in the clear columns, inside tx (also run by key
// rotation, so nothing is left for the old key).
func (s *Store) sealClearReportsTx(ctx context.Context, tx *sql.Tx, k *seal.Keyring) (int, error) {
	type clearReport struct {
		id string
		r  NewReport
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, name, name_alt, birth_year, age, region, locality, status, date_start, precision, place
		FROM reports WHERE content_sealed = ''`)
	if err != nil {
		return 0, err
	}
	var todo []clearReport
	for rows.Next() {
		var c clearReport
		var alt, status, precision string
		var start int64
		if err := rows.Scan(&c.id, &c.r.Name, &alt, &c.r.BirthYear, &c.r.Age, &c.r.Region, &c.r.Locality, &status, &start, &precision, &c.r.Place); err != nil {
			rows.Close()
			return 0, err
		}
		c.r.NameAlt = splitList(alt)
		c.r.Status = registry.Status(status)
		c.r.Date = registry.PeriodFrom(registry.Day(start), registry.Precision(precision))
		todo = append(todo, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, c := range todo {
		content, err := sealReportContentWith(k, c.id, c.r)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE reports SET content_sealed = ?, name = '', name_alt = '', birth_year = 0, age = 0,
			region = '', locality = '', status = '', date_start = 0, precision = '', place = '' WHERE id = ?`), content, c.id); err != nil {
			return 0, err
		}
	}
	return len(todo), nil
}
