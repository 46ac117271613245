package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/google/uuid"
	"strings"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/seal"
)

// NewReport is a public report as the form gave it, checked (intake.ParseReport).
// Relation, Contact and Text are sealed by AddReport before anything is written.
type NewReport struct {
	Reference string // short random code shown to the reporter
	Lang      string
	Name      string
	NameAlt   []string
	BirthYear int // given, or estimated from Age
	Age       int // as given; 0 when a birth year was given
	Region    string
	Locality  string
	Status    registry.Status
	Date      registry.Period
	Place     string
	Relation  string // the reporter's relationship to the person: sealed
	Contact   string // how to reach the reporter: sealed
	Text      string // the reporter's own account: sealed
	// PersonID is the public person the reporter had open when they chose
	// "I have news about this person", as the form brought it back: not
	// checked against the registry (triage says whether it exists), kept
	// inside the sealed content like the rest of what the report is about.
	PersonID string
}

// Report states.
const (
	ReportOpen      = "open"
	ReportRecorded  = "recorded"
	ReportDismissed = "dismissed"
)

// Report is a stored report without its sealed parts (ReportSealed opens
// them, and says so in the audit log).
type Report struct {
	ID            string
	Reference     string
	Lang          string
	Name          string
	NameAlt       []string
	BirthYear     int
	Age           int
	Region        string
	Locality      string
	Status        registry.Status
	Date          registry.Period
	Place         string
	CreatedAt     time.Time
	State         string
	RecordID      string
	DismissReason string
	ClosedBy      string
	ClosedAt      time.Time
	PersonID      string // the person the news is about, as the form gave it ("" when none)
}

// ReportSecrets are a report's sealed parts, opened.
type ReportSecrets struct {
	Relation, Contact, Text string
}

// ErrReferenceTaken is returned by AddReport when another report has the
// reference already (about one chance in 10^12 per pair): make another.
var ErrReferenceTaken = errors.New("the report reference is taken")

// ErrReportClosed is returned for an action on a report that is no longer open.
var ErrReportClosed = errors.New("the report was already dealt with")

// Places the sealed parts of a report are bound to.
func reportPlace(part, id string) string { return "reports." + part + ":" + id }

// PublicReportsSource is the source key of records made from public reports.
const PublicReportsSource = "public-reports"

// AddReport seals the report's content as a whole and its contact,
// relationship and words each, then
// stores it, and returns its id. The audit entry names no one: the actor
// is "anonymous" and no object is named.
func (s *Store) AddReport(ctx context.Context, r NewReport) (string, error) {
	if s.keys == nil {
		return "", ErrNoKeys
	}
	// A filing time that could be matched with network logs could point to
	// the reporter: the id is random (a UUIDv7 would carry the
	// millisecond), the row keeps the hour, and the audit entry names no
	// report (docs/security.md, what a holder of the database learns).
	id := uuid.NewString()
	filed := ReportHour(s.Now())
	content, err := s.sealReportContent(id, r)
	if err != nil {
		return "", err
	}
	sealed := make([]string, 3)
	for i, part := range []struct{ name, value string }{{"relation", r.Relation}, {"contact", r.Contact}, {"text", r.Text}} {
		var err error
		if sealed[i], err = s.keys.SealString(reportPlace(part.name, id), part.value); err != nil {
			return "", err
		}
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var taken int
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM reports WHERE reference = ?`), r.Reference).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return ErrReferenceTaken
		}
		// The clear columns stay empty: the content is in content_sealed.
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO reports (id, reference, lang, name, name_alt, birth_year, age, region, locality,
			status, date_start, precision, place, relation_sealed, contact_sealed, text_sealed, content_sealed, created_at)
			VALUES (?, ?, ?, '', '', 0, 0, '', '', '', 0, '', '', ?, ?, ?, ?, ?)`),
			id, r.Reference, r.Lang, sealed[0], sealed[1], sealed[2], content, filed.UnixMicro()); err != nil {
			return err
		}
		// No audit entry now: its place in the chain, between editors'
		// entries timed to the microsecond, would tell the filing's time.
		// The hour's filings are audited together once it has closed
		// (auditClosedReportHours).
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

const reportColumns = `id, reference, lang, name, name_alt, birth_year, age, region, locality, status, date_start, precision, place,
	created_at, state, record_id, dismiss_reason, closed_by, closed_at, content_sealed`

// reportContent is what content_sealed holds: the report's person, as
// the form gave it.
type reportContent struct {
	Name      string   `json:"name"`
	NameAlt   []string `json:"name_alt,omitempty"`
	BirthYear int      `json:"birth_year,omitempty"`
	Age       int      `json:"age,omitempty"`
	Region    string   `json:"region,omitempty"`
	Locality  string   `json:"locality,omitempty"`
	Status    string   `json:"status"`
	DateStart int64    `json:"date_start"`
	Precision string   `json:"precision"`
	Place     string   `json:"place,omitempty"`
	Person    string   `json:"person,omitempty"`
}

func (s *Store) sealReportContent(id string, r NewReport) (string, error) {
	return sealReportContentWith(s.keys, id, r)
}

func sealReportContentWith(k *seal.Keyring, id string, r NewReport) (string, error) {
	b, err := json.Marshal(reportContent{Name: r.Name, NameAlt: r.NameAlt, BirthYear: r.BirthYear, Age: r.Age, Region: r.Region, Locality: r.Locality,
		Status: string(r.Status), DateStart: int64(r.Date.Start), Precision: string(r.Date.Precision), Place: r.Place, Person: r.PersonID})
	if err != nil {
		return "", err
	}
	return k.Seal(reportPlace("content", id), b)
}

// scanReport reads a report, opening its sealed content (a report filed
// before content was sealed has it in the clear columns).
func (s *Store) scanReport(row interface{ Scan(...any) error }) (Report, error) {
	var r Report
	var alt, status, precision, content string
	var start, created int64
	var closed sql.NullInt64
	if err := row.Scan(&r.ID, &r.Reference, &r.Lang, &r.Name, &alt, &r.BirthYear, &r.Age, &r.Region, &r.Locality, &status, &start, &precision, &r.Place,
		&created, &r.State, &r.RecordID, &r.DismissReason, &r.ClosedBy, &closed, &content); err != nil {
		return r, err
	}
	r.NameAlt = splitList(alt)
	if content != "" {
		if s.keys == nil {
			return r, ErrNoKeys
		}
		b, err := s.keys.Unseal(reportPlace("content", r.ID), content)
		if err != nil {
			return r, fmt.Errorf("report %s: %w", r.ID, err)
		}
		var c reportContent
		if err := json.Unmarshal(b, &c); err != nil {
			return r, fmt.Errorf("report %s: %w", r.ID, err)
		}
		r.Name, r.NameAlt, r.BirthYear, r.Age, r.Region, r.Locality, r.Place = c.Name, c.NameAlt, c.BirthYear, c.Age, c.Region, c.Locality, c.Place
		r.PersonID = c.Person
		status, start, precision = c.Status, c.DateStart, c.Precision
	}
	r.Status = registry.Status(status)
	r.Date = registry.PeriodFrom(registry.Day(start), registry.Precision(precision))
	r.CreatedAt = time.UnixMicro(created).UTC()
	r.ClosedAt = fromMicros(closed)
	return r, nil
}

// ReportFilter chooses reports for the triage queue.
type ReportFilter struct {
	State     string // open, recorded, dismissed; "" for open
	Reference string // exact reference, any state
	Limit     int
}

// Reports lists reports oldest first (the queue is worked from its head),
// and how many match in all.
func (s *Store) Reports(ctx context.Context, f ReportFilter) ([]Report, int, error) {
	where, args := `WHERE state = ?`, []any{f.State}
	if f.State == "" {
		args[0] = ReportOpen
	}
	if f.Reference != "" {
		where, args = `WHERE reference = ?`, []any{strings.ToUpper(strings.TrimSpace(f.Reference))}
	}
	var total int
	if err := s.read.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM reports `+where), args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := s.read.QueryContext(ctx, s.rebind(`SELECT `+reportColumns+` FROM reports `+where+` ORDER BY created_at, reference LIMIT ?`), append(args, f.Limit)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		r, err := s.scanReport(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// Report returns one report without its sealed parts; ErrNotFound when
// there is none.
func (s *Store) Report(ctx context.Context, id string) (Report, error) {
	r, err := s.scanReport(s.read.QueryRowContext(ctx, s.rebind(`SELECT `+reportColumns+` FROM reports WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// ReportSealed opens a report's sealed parts for actor; the read is an
// audit entry committed before the values are returned.
func (s *Store) ReportSealed(ctx context.Context, actor, id string) (ReportSecrets, error) {
	var out ReportSecrets
	if s.keys == nil {
		return out, ErrNoKeys
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var relation, contact, text string
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT relation_sealed, contact_sealed, text_sealed FROM reports WHERE id = ?`), id).Scan(&relation, &contact, &text)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if out.Relation, err = s.keys.UnsealString(reportPlace("relation", id), relation); err != nil {
			return err
		}
		if out.Contact, err = s.keys.UnsealString(reportPlace("contact", id), contact); err != nil {
			return err
		}
		if out.Text, err = s.keys.UnsealString(reportPlace("text", id), text); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, actor, "report.unseal", id, "")
		return err
	})
	return out, err
}

// DismissReport closes an open report without a record, with the editor's
// reason. ErrNotFound for no such report, ErrReportClosed for one already
// dealt with.
func (s *Store) DismissReport(ctx context.Context, actor, id, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("a dismissal needs a reason")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.closeReport(ctx, tx, id, ReportDismissed, "", reason, actor); err != nil {
			return err
		}
		_, err := s.appendAudit(ctx, tx, actor, "report.dismiss", id, "")
		return err
	})
}

// closeReport moves an open report to state; the condition on state makes
// two editors' simultaneous clicks safe: the second finds it closed.
func (s *Store) closeReport(ctx context.Context, tx *sql.Tx, id, state, recordID, reason, actor string) error {
	res, err := tx.ExecContext(ctx, s.rebind(`UPDATE reports SET state = ?, record_id = ?, dismiss_reason = ?, closed_by = ?, closed_at = ?
		WHERE id = ? AND state = ?`), state, recordID, reason, actor, s.Now().UnixMicro(), id, ReportOpen)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		return nil
	}
	var found int
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM reports WHERE id = ?`), id).Scan(&found); err != nil {
		return err
	}
	if found == 0 {
		return ErrNotFound
	}
	return ErrReportClosed
}

// RecordReport turns an open report into a record of the public-reports
// source (kind relative) with one claim, written by the import's own path
// (Prepare and Add: the same normalised names, digests and person), and
// closes the report with the record's id, in one transaction with its
// audit entry. rec and c come from intake.RecordOfReport; rec.Key is the
// report's id. It returns the new record's id.
func (s *Store) RecordReport(ctx context.Context, actor, reportID string, rec registry.Record, fieldsHash string, fields FieldHashes, c registry.Claim) (string, error) {
	if rec.SourceKey != PublicReportsSource || rec.Key != reportID {
		return "", fmt.Errorf("a report's record belongs to source %s under the report's id", PublicReportsSource)
	}
	im, err := s.BeginImport(ctx)
	if err != nil {
		return "", err
	}
	fail := func(err error) (string, error) {
		im.Abort()
		return "", err
	}
	row, err := im.Prepare(0, rec, fieldsHash, fields, c)
	if err != nil {
		return fail(err)
	}
	if err := im.Add(ctx, row); err != nil {
		return fail(err)
	}
	recordID := im.records[rec.SourceKey][keyOf(rec.Key)].id.String()
	if err := s.closeReport(ctx, im.tx, reportID, ReportRecorded, recordID, "", actor); err != nil {
		return fail(err)
	}
	// A source made here says what it is; one an editor has set keeps its kind.
	if _, err := im.tx.ExecContext(ctx, s.rebind(`UPDATE sources SET kind = ? WHERE key = ? AND kind = ''`), string(registry.KindRelative), PublicReportsSource); err != nil {
		return fail(err)
	}
	if _, err := s.appendAudit(ctx, im.tx, actor, "report.record", reportID, recordID); err != nil {
		return fail(err)
	}
	if _, err := im.Finish(ctx, "public report", "", true); err != nil {
		return "", err
	}
	// Editors find the record by any spelling at once.
	if _, err := s.BuildSearchKeys(ctx); err != nil {
		return recordID, err
	}
	return recordID, nil
}

// ReportHour is the precision a report's filing time is kept at: the hour.
func ReportHour(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }
