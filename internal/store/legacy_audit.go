package store

import (
	"context"
	"database/sql"
)

// Migration 0017 gave every person listed by name before the publication
// rule a mark "public before the publication rule" in SQL, which cannot
// extend the hash-chained audit log. After the migrations each such mark
// gets its audit entry here, once: the audit log then shows every mark
// that keeps a name public, the migration's too, and `rollcall audit
// verify` checks them with the rest.

// legacyMarkDetail is the audit detail of a migration mark.
const legacyMarkDetail = "mark=public legacy"

// auditLegacyMarks appends an audit entry, by the system, for each
// migration mark that has none yet, all in one transaction.
func (s *Store) auditLegacyMarks(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		marked, err := queryStrings(ctx, tx, `SELECT person_id FROM person_publicity WHERE legacy = 1 ORDER BY marked_at, person_id`)
		if err != nil || len(marked) == 0 {
			return err
		}
		audited, err := queryStrings(ctx, tx, s.rebind(`SELECT object FROM audit_log WHERE action = 'person.mark' AND detail = ?`), legacyMarkDetail)
		if err != nil {
			return err
		}
		done := set(audited)
		for _, person := range marked {
			if done[person] {
				continue
			}
			if _, err := s.appendAudit(ctx, tx, ActorSystem, "person.mark", person, legacyMarkDetail); err != nil {
				return err
			}
			done[person] = true
		}
		return nil
	})
}
