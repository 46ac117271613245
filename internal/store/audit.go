package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one line of the audit log. Actor and Object are ids (a
// user's id, a record's id), never names, addresses or tokens; Detail is a
// short machine word or two (a role, a field kind, a count).
type AuditEntry struct {
	Seq      int64
	At       time.Time
	Actor    string
	Action   string
	Object   string
	Detail   string
	PrevHash string
	Hash     string
}

// Actors that are not users.
const (
	ActorCLI       = "cli"       // the operator at the server's console
	ActorAnonymous = "anonymous" // someone not signed in (a failed sign-in)
	ActorSystem    = "system"
)

// hourPrecisionActions are the entries whose time could point to someone
// outside (a reporter's filing, matched with network logs): they keep the
// hour only. The chain's hash covers whatever time an entry carries and
// nothing reads the times as increasing, so an entry earlier in the hour
// than the one before it is as sound as any other (VerifyAudit).
var hourPrecisionActions = map[string]bool{actionReportFile: true}

// actionReportFile is the entry of the public reports filed in one hour.
const actionReportFile = "report.file"

// auditClosedReportHours appends, for each closed hour since the last one
// audited, one entry saying how many reports were filed in it. It runs
// before every other entry (and hourly from serve, AuditClosedReportHours),
// so the entry's neighbours in the chain bound nothing finer than the hour.
// Filings audited one by one by older releases keep their entries.
func (s *Store) auditClosedReportHours(ctx context.Context, tx *sql.Tx, now time.Time) error {
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT max(at) FROM audit_log WHERE action = ?`), actionReportFile).Scan(&last); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, s.rebind(`SELECT created_at, count(*) FROM reports WHERE created_at > ? AND created_at < ? GROUP BY created_at ORDER BY created_at`),
		last.Int64, ReportHour(now).UnixMicro())
	if err != nil {
		return err
	}
	type hour struct {
		at    int64
		count int
	}
	var hours []hour
	for rows.Next() {
		var h hour
		if err := rows.Scan(&h.at, &h.count); err != nil {
			rows.Close()
			return err
		}
		hours = append(hours, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, h := range hours {
		detail := strconv.Itoa(h.count) + " reports filed"
		if _, err := s.insertAudit(ctx, tx, AuditEntry{At: time.UnixMicro(h.at).UTC(), Actor: ActorAnonymous, Action: actionReportFile, Detail: detail}); err != nil {
			return err
		}
	}
	return nil
}

// AuditClosedReportHours audits the reports filed in hours that have
// closed since the last entry; serve calls it every hour so a quiet
// workspace still records them.
func (s *Store) AuditClosedReportHours(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if s.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return err
			}
		}
		return s.auditClosedReportHours(ctx, tx, s.Now().UTC())
	})
}

// genesisHash is the "previous hash" of the first entry.
var genesisHash = strings.Repeat("0", 64)

// auditHash is the entry's hash: SHA-256 over the previous hash and the
// entry's canonical content (each field quoted, one per line, so no two
// different entries share an encoding).
func auditHash(prev string, e AuditEntry) string {
	var b strings.Builder
	b.WriteString("rollcall-audit-v1\n")
	b.WriteString(prev)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatInt(e.Seq, 10))
	b.WriteByte('\n')
	b.WriteString(strconv.FormatInt(e.At.UnixMicro(), 10))
	for _, f := range []string{e.Actor, e.Action, e.Object, e.Detail} {
		b.WriteByte('\n')
		b.WriteString(strconv.Quote(f))
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Audit appends an entry in a transaction of its own.
func (s *Store) Audit(ctx context.Context, actor, action, object, detail string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := s.appendAudit(ctx, tx, actor, action, object, detail)
		return err
	})
}

// appendAudit appends an entry inside tx, so a change and its entry are
// committed together or not at all.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, actor, action, object, detail string) (AuditEntry, error) {
	if s.dialect == Postgres {
		// Appends are serialised: each needs the one before it.
		if _, err := tx.ExecContext(ctx, `LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return AuditEntry{}, err
		}
	}
	now := s.Now().UTC()
	if action != actionReportFile {
		if err := s.auditClosedReportHours(ctx, tx, now); err != nil {
			return AuditEntry{}, err
		}
	}
	return s.insertAudit(ctx, tx, AuditEntry{At: now.Truncate(time.Microsecond), Actor: actor, Action: action, Object: object, Detail: detail})
}

// insertAudit links e to the last entry and writes it.
func (s *Store) insertAudit(ctx context.Context, tx *sql.Tx, e AuditEntry) (AuditEntry, error) {
	e.Seq, e.PrevHash = 1, genesisHash
	if hourPrecisionActions[e.Action] {
		e.At = e.At.Truncate(time.Hour)
	}
	var lastSeq int64
	var lastHash string
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&lastSeq, &lastHash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return AuditEntry{}, err
	default:
		e.Seq, e.PrevHash = lastSeq+1, lastHash
	}
	e.Hash = auditHash(e.PrevHash, e)
	_, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO audit_log (seq, at, actor, action, object, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		e.Seq, e.At.UnixMicro(), e.Actor, e.Action, e.Object, e.Detail, e.PrevHash, e.Hash)
	return e, err
}

// AuditHead is the last entry's number and hash ("0" and the genesis hash
// for an empty log). Kept away from the server (printed at each
// publication), it proves later that no entry up to it was changed or cut.
type AuditHead struct {
	Seq  int64
	Hash string
}

func (h AuditHead) String() string { return strconv.FormatInt(h.Seq, 10) + ":" + h.Hash }

// ParseAuditHead reads the SEQ:HASH form that AuditHead.String prints.
func ParseAuditHead(s string) (AuditHead, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || n < 0 || len(hash) != 64 {
		return AuditHead{}, fmt.Errorf("audit head %q: want SEQ:HASH as 'rollcall audit head' prints it", s)
	}
	return AuditHead{Seq: n, Hash: strings.ToLower(hash)}, nil
}

// AuditHead returns the head of the chain.
func (s *Store) AuditHead(ctx context.Context) (AuditHead, error) {
	h := AuditHead{Hash: genesisHash}
	err := s.read.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	return h, err
}

// AuditEntries lists entries after seq, in order, at most limit.
func (s *Store) AuditEntries(ctx context.Context, after int64, limit int) ([]AuditEntry, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT seq, at, actor, action, object, detail, prev_hash, hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`), after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.At = time.UnixMicro(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditBreak says where the chain is broken and how.
type AuditBreak struct {
	Seq    int64 // the first entry that does not check out
	Reason string
	// Kind is the reason as a word a page can translate: AuditMissing,
	// AuditUnlinked, AuditEdited, AuditRewritten or AuditCut.
	Kind string
}

// Kinds of AuditBreak.
const (
	AuditMissing   = "missing"   // entries deleted from the middle
	AuditUnlinked  = "unlinked"  // an entry does not follow the one before it
	AuditEdited    = "edited"    // an entry's content does not match its hash
	AuditRewritten = "rewritten" // the head kept elsewhere differs
	AuditCut       = "cut"       // entries cut from the end
)

func (b *AuditBreak) Error() string {
	return fmt.Sprintf("audit log broken at entry %d: %s", b.Seq, b.Reason)
}

// VerifyAudit walks the whole chain and returns the number of entries and
// its head, or an *AuditBreak naming the first entry that was edited,
// deleted or moved. When want is not nil the chain must also reach that
// head unchanged (this catches entries cut from the end).
func (s *Store) VerifyAudit(ctx context.Context, want *AuditHead) (int64, AuditHead, error) {
	head := AuditHead{Hash: genesisHash}
	rows, err := s.read.QueryContext(ctx, `SELECT seq, at, actor, action, object, detail, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, head, err
	}
	defer rows.Close()
	var n int64
	var wantSeen bool
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return n, head, err
		}
		e.At = time.UnixMicro(at).UTC()
		switch {
		case e.Seq != head.Seq+1:
			return n, head, &AuditBreak{Seq: head.Seq + 1, Kind: AuditMissing, Reason: fmt.Sprintf("entries %d to %d are missing (deleted); the next entry is %d", head.Seq+1, e.Seq-1, e.Seq)}
		case e.PrevHash != head.Hash:
			return n, head, &AuditBreak{Seq: e.Seq, Kind: AuditUnlinked, Reason: fmt.Sprintf("it does not follow entry %d (an entry before it was deleted, replaced or moved)", head.Seq)}
		case auditHash(e.PrevHash, e) != e.Hash:
			return n, head, &AuditBreak{Seq: e.Seq, Kind: AuditEdited, Reason: "its content does not match its hash (edited)"}
		}
		if want != nil && e.Seq == want.Seq {
			if e.Hash != want.Hash {
				return n, head, &AuditBreak{Seq: e.Seq, Kind: AuditRewritten, Reason: "its hash differs from the head kept elsewhere (the log was rewritten)"}
			}
			wantSeen = true
		}
		head = AuditHead{Seq: e.Seq, Hash: e.Hash}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, head, err
	}
	if want != nil && !wantSeen && want.Seq > 0 {
		return n, head, &AuditBreak{Seq: head.Seq + 1, Kind: AuditCut, Reason: fmt.Sprintf("the log ends at entry %d but the head kept elsewhere is entry %d (entries cut from the end)", head.Seq, want.Seq)}
	}
	return n, head, nil
}

// AuditLinks lists the links of the chain from entry from to entry to,
// inclusive: each entry's number, previous hash and hash, and nothing of
// what it says. A bag carries them so that its custody entries can be
// shown to belong to a chain that reaches a head kept elsewhere, without
// disclosing the entries between them.
func (s *Store) AuditLinks(ctx context.Context, from, to int64) ([]AuditEntry, error) {
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT seq, prev_hash, hash FROM audit_log WHERE seq >= ? AND seq <= ? ORDER BY seq`), from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Seq, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
