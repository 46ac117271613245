package store

import (
	"context"
	"strings"
	"time"
)

// AuditFilter chooses entries of the audit log for the workspace's viewer.
// Zero values choose everything.
type AuditFilter struct {
	Actor  string // exactly this actor (a user id, "cli", "system", …)
	Kind   string // an action ("review.decide") or its family ("review": every "review.…")
	Object string // exactly this object id
	Seq    int64  // only this entry
	// From and To bound the entry's time: From <= at < To.
	From, To      time.Time
	Offset, Limit int // the page, newest first; Limit <= 0 lists all
}

// AuditPage is one page of the entries a filter matches, newest first.
type AuditPage struct {
	Entries  []AuditEntry
	Matching int
	Total    int // entries in the log
	// Kinds are the actions and their families in the log, for the filter.
	Kinds []string
}

// AuditEntriesFiltered returns the entries the filter matches.
func (s *Store) AuditEntriesFiltered(ctx context.Context, f AuditFilter) (AuditPage, error) {
	var page AuditPage
	var where []string
	var args []any
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if f.Kind != "" {
		// the family by its prefix, without LIKE and its wildcards
		where, args = append(where, "(action = ? OR substr(action, 1, ?) = ?)"), append(args, f.Kind, len([]rune(f.Kind))+1, f.Kind+".")
	}
	if f.Object != "" {
		where, args = append(where, "object = ?"), append(args, f.Object)
	}
	if f.Seq > 0 {
		where, args = append(where, "seq = ?"), append(args, f.Seq)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.From.UnixMicro())
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.To.UnixMicro())
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`).Scan(&page.Total); err != nil {
		return page, err
	}
	if err := s.read.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM audit_log`+cond), args...).Scan(&page.Matching); err != nil {
		return page, err
	}
	query := `SELECT seq, at, actor, action, object, detail, prev_hash, hash FROM audit_log` + cond + ` ORDER BY seq DESC`
	if f.Limit > 0 {
		query += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, max(f.Offset, 0))
	}
	rows, err := s.read.QueryContext(ctx, s.rebind(query), args...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return page, err
		}
		e.At = time.UnixMicro(at).UTC()
		page.Entries = append(page.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	actions, err := queryStrings(ctx, s.read, `SELECT DISTINCT action FROM audit_log ORDER BY action`)
	if err != nil {
		return page, err
	}
	seen := map[string]bool{}
	for _, a := range actions {
		if family, _, ok := strings.Cut(a, "."); ok && !seen[family] {
			seen[family] = true
			page.Kinds = append(page.Kinds, family)
		}
		if !seen[a] {
			seen[a] = true
			page.Kinds = append(page.Kinds, a)
		}
	}
	return page, nil
}
