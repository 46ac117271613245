package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"rollcall/internal/registry"
)

// Editing in the workspace. Every change here is one transaction holding
// the change and its audit entry; actors are user ids.

// AddIncident stores a dated event that claims can point to.
func (s *Store) AddIncident(ctx context.Context, actor string, in registry.Incident) (string, error) {
	if strings.TrimSpace(in.Name) == "" || in.Date.Start == 0 {
		return "", errors.New("an incident needs a name and a date")
	}
	id := NewID()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO incidents (id, name, date_start, precision, place, description) VALUES (?, ?, ?, ?, ?, ?)`),
			id, in.Name, int64(in.Date.Start), string(in.Date.Precision), in.Place, in.Description); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "incident.add", id, "")
		return err
	})
	return id, err
}

// Incidents lists the incidents, earliest first.
func (s *Store) Incidents(ctx context.Context) ([]registry.Incident, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name, date_start, precision, place, description FROM incidents ORDER BY date_start, name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []registry.Incident
	for rows.Next() {
		var in registry.Incident
		var start int64
		var precision string
		if err := rows.Scan(&in.ID, &in.Name, &start, &precision, &in.Place, &in.Description); err != nil {
			return nil, err
		}
		in.Date = registry.PeriodFrom(registry.Day(start), registry.Precision(precision))
		out = append(out, in)
	}
	return out, rows.Err()
}
