package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"rollcall/internal/names"
	"rollcall/internal/registry"
)

// ImportSummary says what an import changed (or, in a dry run, would).
type ImportSummary struct {
	SourcesNew      int   `json:"sources_new"`
	RecordsNew      int   `json:"records_new"`
	PersonsNew      int   `json:"persons_new"`
	ClaimsNew       int64 `json:"claims_new"`
	ClaimsUnchanged int64 `json:"claims_unchanged"`
}

// ErrRecordDiffers is matched (errors.Is) by the error Add returns for a
// row whose person fields differ from its record's: an import never
// changes a record.
var ErrRecordDiffers = errors.New("the record has other person fields")

// RecordDiffersError says where the record was first seen: FirstLine is
// its first row in this file (and Fields the indexes of the fields that
// differ), or 0 when it was stored before this import.
type RecordDiffersError struct {
	FirstLine int
	Fields    []int
}

func (e *RecordDiffersError) Error() string { return ErrRecordDiffers.Error() }

// Is makes errors.Is(err, ErrRecordDiffers) true.
func (e *RecordDiffersError) Is(target error) bool { return target == ErrRecordDiffers }

// FieldHashes are small per-field hashes of a record's person fields, in an
// order the caller chooses, to say which fields two rows disagree on.
type FieldHashes [8]uint32

// storedRecord is what the import keeps of each record it has seen, in
// fixed-size arrays: a million records must fit in a small machine.
type storedRecord struct {
	id         uuid.UUID
	person     uuid.UUID // the person it was first stored in
	fieldsHash [16]byte  // the digest's 16 base64 characters
	firstLine  int32     // first row in this file; 0 when stored before
	fields     FieldHashes
}

func digestBytes(s string) (d [16]byte) {
	copy(d[:], s)
	return d
}

// recordKey identifies a source's own record id in the import's map by a
// 128-bit hash, which costs less memory than the string; two different
// ids colliding is as likely as guessing a random UUID.
type recordKey [16]byte

func keyOf(sourceRecord string) recordKey {
	h := fnv.New128a()
	h.Write([]byte(sourceRecord))
	var k recordKey
	h.Sum(k[:0])
	return k
}

// Importer writes one file's rows in one transaction: all of it lands, or
// none of it (an interrupted import leaves the database as it was).
type Importer struct {
	s       *Store
	conn    *sql.Conn
	tx      *sql.Tx
	now     int64
	sources map[string]string                     // source key → id
	records map[string]map[recordKey]storedRecord // source key → source's record id → stored
	summary ImportSummary
	rows    int64
	sink    importSink
	// last is the record the last row belonged to: a file's rows of one
	// record usually follow each other, and each claim names its record.
	last lastRecord
	// rollbackJournal says a bulk import took the SQLite database out of
	// WAL mode, to be put back when it ends.
	rollbackJournal bool
	// Actor, when set, is who asked for the import: its audit entry
	// ("import.file") is written with it, in the same transaction.
	Actor string
}

// lastRecord is a record's ids as the database stores them.
type lastRecord struct {
	source     string
	key        recordKey
	id, person string
}

// importSink is how rows reach the database: batched INSERTs for SQLite,
// COPY for PostgreSQL.
type importSink interface {
	record(ctx context.Context, values ...any) error
	// claim takes a claim's values; newRecord says its record is new in
	// this import, so the claim can be stored only if repeated in the file.
	claim(ctx context.Context, newRecord bool, values ...any) error
	// finish writes what is queued and returns how many claims were new.
	finish(ctx context.Context) (int64, error)
	close()
}

var (
	recordColumns = []string{"id", "source_id", "source_record", "person_id", "name", "name_norm", "name_alt", "name_alt_norm",
		"sex", "birth_year", "birth_date", "region", "locality", "roles", "fields_hash", "created_at"}
	// claimColumns lists the claims table's columns the import writes; the
	// two indexes below point into it.
	claimColumns = []string{"id", "record_id", "record_person", "status", "date_start", "date_end", "precision", "place", "details",
		"verification", "note", "fingerprint", "recorded_at"}
)

const (
	claimRecordColumn      = 1
	claimFingerprintColumn = 11
)

// BeginImport starts the transaction of one file's import. Every row gets
// the same recorded-at time: the moment the import began.
func (s *Store) BeginImport(ctx context.Context) (*Importer, error) {
	return s.beginImport(ctx, false)
}

// BeginBulkImport is BeginImport for a caller that expects to be the
// database's only user while it runs: the import command. On SQLite it then
// writes the rows once, into the database file under a rollback journal,
// rather than first into the write-ahead log and again into the file when
// the log is checkpointed, which takes a fifth off a large import. It is
// as atomic: a killed import leaves a journal from which the next opening
// restores the database as it was. Another connection to the database (a
// running server, say) keeps it in WAL mode; the import is then an
// ordinary one. While a bulk import runs, other processes wait for it
// (for up to the busy timeout) rather than read beside it.
func (s *Store) BeginBulkImport(ctx context.Context) (*Importer, error) {
	return s.beginImport(ctx, true)
}

func (s *Store) beginImport(ctx context.Context, bulk bool) (*Importer, error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	im := &Importer{s: s, conn: conn, now: s.Now().UnixMicro(),
		sources: map[string]string{}, records: map[string]map[recordKey]storedRecord{}}
	if s.dialect == SQLite {
		if bulk {
			im.rollbackJournal = s.leaveWAL(ctx, conn)
		}
		// The import checks no foreign key: every claim it writes points
		// at a record it wrote itself or read from the database, and a
		// per-row check of the parent costs a tenth of the import
		// (PostgreSQL still checks every row, and the same tests run on
		// both).
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			im.release()
			return nil, err
		}
	}
	if im.tx, err = conn.BeginTx(ctx, nil); err != nil {
		im.release()
		return nil, err
	}
	// The sink is set only once made: a nil one in the interface would be
	// closed by Abort.
	var sink importSink
	if s.dialect == Postgres {
		sink, err = newCopySink(ctx, conn, im.tx)
	} else {
		sink, err = newInsertSink(ctx, s, conn, im.tx)
	}
	if err != nil {
		im.Abort()
		return nil, err
	}
	im.sink = sink
	return im, nil
}

// leaveWAL puts the SQLite database under a rollback journal, synced in
// full (the journal is what makes a killed import undo itself), and says
// whether it could: SQLite leaves WAL mode only when no other connection,
// in this process or another, has the database open. Idle readers of this
// process are closed first so as not to count.
func (s *Store) leaveWAL(ctx context.Context, conn *sql.Conn) bool {
	s.read.SetMaxIdleConns(0)
	s.read.SetMaxIdleConns(readersIdle)
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode); err != nil || mode != "delete" {
		return false
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		s.enterWAL(conn)
		return false
	}
	return true
}

// enterWAL returns the database to WAL mode after a bulk import. Should
// that fail, the next connection opened asks for WAL mode again.
func (s *Store) enterWAL(conn *sql.Conn) {
	conn.ExecContext(context.Background(), "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
}

// source returns the id of the source with this key and loads the records
// it already has, creating the source when it is new.
func (im *Importer) source(ctx context.Context, key string) (string, error) {
	if id, ok := im.sources[key]; ok {
		return id, nil
	}
	var id string
	err := im.tx.QueryRowContext(ctx, im.s.rebind(`SELECT id FROM sources WHERE key = ?`), key).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		id = NewID()
		if _, err := im.tx.ExecContext(ctx, im.s.rebind(`INSERT INTO sources (id, key, kind, created_at) VALUES (?, ?, ?, ?)`), id, key, "", im.now); err != nil {
			return "", err
		}
		im.summary.SourcesNew++
		im.records[key] = map[recordKey]storedRecord{}
	case err != nil:
		return "", err
	default:
		known := map[recordKey]storedRecord{}
		rows, err := im.tx.QueryContext(ctx, im.s.rebind(`SELECT source_record, id, person_id, fields_hash FROM records WHERE source_id = ?`), id)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var key, recordID, personID, hash string
			if err := rows.Scan(&key, &recordID, &personID, &hash); err != nil {
				rows.Close()
				return "", err
			}
			r := storedRecord{fieldsHash: digestBytes(hash)}
			if r.id, err = uuid.Parse(recordID); err == nil {
				r.person, err = uuid.Parse(personID)
			}
			if err != nil {
				rows.Close()
				return "", fmt.Errorf("record %s: %w", recordID, err)
			}
			known[keyOf(key)] = r
		}
		if err := rows.Close(); err != nil {
			return "", err
		}
		im.records[key] = known
	}
	im.sources[key] = id
	return id, nil
}

// ImportRow is one row made ready for writing: every value the database
// needs, computed by Prepare, which is safe to call from another goroutine
// than the one writing, so that the work runs on a second core.
type ImportRow struct {
	line                 int
	sourceKey, recordKey string
	key                  recordKey
	fieldsHash           string
	fields               FieldHashes
	// The ids the record and its person get if the record is new; made
	// here, off the writer's core, and left unused otherwise.
	newRecord, newPerson uuid.UUID
	record               []any // recordColumns' values
	claim                []any // claimColumns' values
}

// Line is the row's line in its file.
func (r ImportRow) Line() int { return r.line }

// ErrNoKeys is returned when a private field is to be written or read and
// the store was given no data key.
var ErrNoKeys = errors.New("notes are sealed with the data key, and the data key is not open")

// Prepare computes the values of one row of the file at line: fieldsHash
// is the record's digest, kept to recognise it in later imports; fields
// serve only to say which fields differ when two rows disagree. A note is
// sealed here, bound to its claim.
func (im *Importer) Prepare(line int, rec registry.Record, fieldsHash string, fields FieldHashes, c registry.Claim) (ImportRow, error) {
	row := ImportRow{line: line, sourceKey: rec.SourceKey, recordKey: rec.Key, key: keyOf(rec.Key), fieldsHash: fieldsHash, fields: fields,
		newRecord: uuid.Must(uuid.NewV7()), newPerson: uuid.Must(uuid.NewV7())}
	// source_id is filled in by Add.
	row.record = []any{row.newRecord.String(), nil, rec.Key, row.newPerson.String(), rec.Name, names.Normalize(rec.Name), strings.Join(rec.NameAlt, ";"), normalizedSpellings(rec.NameAlt),
		rec.Sex, int64(rec.BirthYear), rec.BirthDate, rec.Region, rec.Locality, registry.JoinRoles(rec.Roles), fieldsHash, im.now}
	claimID := NewID()
	note, noteKey, err := im.s.sealNote(claimID, c.Note)
	if err != nil {
		return row, err
	}
	// record_id and record_person are filled in by Add.
	row.claim = []any{claimID, nil, nil, string(c.Status), int64(c.Date.Start), int64(c.Date.End), string(c.Date.Precision),
		c.Place, c.Details, int64(c.Verification), note, ClaimFingerprint(c, noteKey), im.now}
	return row, nil
}

// normalizedSpellings is a record's other spellings as name_alt_norm
// keeps them: each normalised, separated by ";".
func normalizedSpellings(alt []string) string {
	norm := make([]string, len(alt))
	for i, n := range alt {
		norm[i] = names.Normalize(n)
	}
	return strings.Join(norm, ";")
}

// RecordDigest is the stored fingerprint of a record's person fields, by
// which a later import recognises the record unchanged. Its encoding must
// never change: databases keep it.
func RecordDigest(rec registry.Record) string {
	return Digest(rec.Name, strings.Join(rec.NameAlt, ";"), rec.Sex, strconv.Itoa(rec.BirthYear),
		rec.BirthDate, rec.Region, rec.Locality, registry.JoinRoles(rec.Roles))
}

// searchKeysOf are the distinct search keys of a record's spellings.
func searchKeysOf(name string, alt []string) []string {
	var keys []string
	seen := map[string]bool{}
	for _, n := range append([]string{name}, alt...) {
		for _, k := range names.SearchKeys(n) {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// ClaimFingerprint is what makes a claim the same claim when a list is
// imported again: its status, date, verification and place, and its note
// through noteKey — a keyed hash of the note (the data key's Lookup), so
// that a guessed note cannot be confirmed from the database alone. Its
// encoding is stored; it must not change.
func ClaimFingerprint(c registry.Claim, noteKey string) string {
	return Digest(string(c.Status), c.Date.String(), c.Verification.String(), c.Place, noteKey)
}

// Digest hashes values as "length:value\x00" each, so that no two lists
// of values give the same input; 12 bytes of SHA-256 in base64.
func Digest(values ...string) string {
	h := sha256.New()
	buf := make([]byte, 0, 128)
	for _, v := range values {
		buf = strconv.AppendInt(buf[:0], int64(len(v)), 10)
		buf = append(buf, ':')
		buf = append(buf, v...)
		buf = append(buf, 0)
		h.Write(buf)
	}
	return base64.RawStdEncoding.EncodeToString(h.Sum(nil)[:12])
}

// Add writes one prepared row. A record seen for the first time is stored
// in a person of its own (linking records into persons is dedupe's job); a
// claim already stored (same record, same fingerprint) is left as it is. A
// record stored before with other person fields gives ErrRecordDiffers and
// writes nothing.
func (im *Importer) Add(ctx context.Context, row ImportRow) error {
	sourceID, err := im.source(ctx, row.sourceKey)
	if err != nil {
		return err
	}
	known := im.records[row.sourceKey]
	stored, ok := known[row.key]
	if !ok {
		stored = storedRecord{id: row.newRecord, person: row.newPerson, fieldsHash: digestBytes(row.fieldsHash), firstLine: int32(row.line), fields: row.fields}
		known[row.key] = stored
		row.record[1] = sourceID
		im.last = lastRecord{source: row.sourceKey, key: row.key, id: row.record[0].(string), person: row.record[3].(string)}
		im.summary.RecordsNew++
		im.summary.PersonsNew++
		if err := im.sink.record(ctx, row.record...); err != nil {
			return err
		}
	} else if stored.fieldsHash != digestBytes(row.fieldsHash) {
		e := &RecordDiffersError{FirstLine: int(stored.firstLine)}
		if e.FirstLine > 0 {
			for i := range row.fields {
				if row.fields[i] != stored.fields[i] {
					e.Fields = append(e.Fields, i)
				}
			}
		}
		return e
	}
	im.rows++
	if im.last.source != row.sourceKey || im.last.key != row.key {
		im.last = lastRecord{source: row.sourceKey, key: row.key, id: stored.id.String(), person: stored.person.String()}
	}
	row.claim[1], row.claim[2] = im.last.id, im.last.person
	return im.sink.claim(ctx, !ok, row.claim...)
}

// Finish writes what is queued and records the import in the imports
// table; with commit false it rolls everything back (a dry run). An import
// that changed nothing leaves no trace.
func (im *Importer) Finish(ctx context.Context, fileName, fileSHA256 string, commit bool) (ImportSummary, error) {
	defer im.release()
	claimsNew, err := im.sink.finish(ctx)
	if err != nil {
		im.tx.Rollback()
		return ImportSummary{}, err
	}
	im.summary.ClaimsNew = claimsNew
	im.summary.ClaimsUnchanged = im.rows - claimsNew
	changed := im.summary.ClaimsNew > 0 || im.summary.RecordsNew > 0 || im.summary.SourcesNew > 0
	if !commit || !changed {
		return im.summary, im.tx.Rollback()
	}
	importID := NewID()
	if _, err := im.tx.ExecContext(ctx, im.s.rebind(`INSERT INTO imports (id, file_name, file_sha256, rows_read, claims_new, records_new, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		importID, fileName, fileSHA256, im.rows, im.summary.ClaimsNew, im.summary.RecordsNew, im.now); err != nil {
		im.tx.Rollback()
		return ImportSummary{}, err
	}
	if im.Actor != "" {
		detail := fmt.Sprintf("sha256=%s rows=%d claims_new=%d records_new=%d sources_new=%d", fileSHA256, im.rows, im.summary.ClaimsNew, im.summary.RecordsNew, im.summary.SourcesNew)
		if _, err := im.s.appendAudit(ctx, im.tx, im.Actor, "import.file", importID, detail); err != nil {
			im.tx.Rollback()
			return ImportSummary{}, err
		}
	}
	return im.summary, im.tx.Commit()
}

// Abort rolls the import back.
func (im *Importer) Abort() error {
	defer im.release()
	return im.tx.Rollback()
}

func (im *Importer) release() {
	if im.sink != nil {
		im.sink.close()
	}
	if im.s.dialect == SQLite {
		im.conn.ExecContext(context.Background(), "PRAGMA foreign_keys = ON")
		if im.rollbackJournal {
			im.s.enterWAL(im.conn)
		}
	}
	im.conn.Close()
}

// insertSink writes with multi-row INSERTs (SQLite).
type insertSink struct {
	records, claims *batchInsert
}

func newInsertSink(ctx context.Context, s *Store, conn *sql.Conn, tx *sql.Tx) (*insertSink, error) {
	k := &insertSink{
		records: newBatchInsert(s, tx, "records", recordColumns, ""),
		claims:  newBatchInsert(s, tx, "claims", claimColumns, "ON CONFLICT (record_id, fingerprint) DO NOTHING"),
	}
	for _, b := range []*batchInsert{k.records, k.claims} {
		defaults, err := sqliteDefaults(ctx, tx, b.table, b.columns)
		if err != nil {
			return nil, err
		}
		b.leaveOutDefaults(defaults)
		b.direct(conn)
	}
	return k, nil
}

// sqliteDefaults reads from the schema the value each of a table's columns
// gets when an INSERT leaves it out, as the import would bind it: an empty
// string or an integer; nil for a column with no default or another kind.
func sqliteDefaults(ctx context.Context, tx *sql.Tx, table string, columns []string) ([]any, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name, dflt_value FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byName := map[string]any{}
	for rows.Next() {
		var name string
		var dflt sql.NullString
		if err := rows.Scan(&name, &dflt); err != nil {
			return nil, err
		}
		if dflt.String == "''" {
			byName[name] = ""
		} else if n, err := strconv.ParseInt(dflt.String, 10, 64); err == nil {
			byName[name] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	defaults := make([]any, len(columns))
	for i, c := range columns {
		defaults[i] = byName[c]
	}
	return defaults, nil
}

func (k *insertSink) record(ctx context.Context, values ...any) error {
	return k.records.add(ctx, values...)
}
func (k *insertSink) claim(ctx context.Context, _ bool, values ...any) error {
	return k.claims.add(ctx, values...)
}

func (k *insertSink) finish(ctx context.Context) (int64, error) {
	if err := k.records.flush(ctx); err != nil {
		return 0, err
	}
	if err := k.claims.flush(ctx); err != nil {
		return 0, err
	}
	return k.claims.affected, nil
}

func (k *insertSink) close() {
	k.records.close()
	k.claims.close()
}
