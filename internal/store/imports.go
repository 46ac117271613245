package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

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

// StoredRecord is what the import needs to know of a record already stored.
type StoredRecord struct {
	ID         string
	FieldsHash string
}

// Importer writes one file's rows in one transaction: all of it lands, or
// none of it (an interrupted import leaves the database as it was).
type Importer struct {
	s       *Store
	tx      *sql.Tx
	now     int64
	sources map[string]string                  // source key → id
	records map[string]map[string]StoredRecord // source key → source's record id → stored
	summary ImportSummary
	rows    int64

	recordRows, personRows, linkRows, claimRows *batchInsert
}

// BeginImport starts the transaction of one file's import. Every row gets
// the same recorded-at time: the moment the import began.
func (s *Store) BeginImport(ctx context.Context) (*Importer, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	im := &Importer{s: s, tx: tx, now: s.Now().UnixMicro(),
		sources: map[string]string{}, records: map[string]map[string]StoredRecord{}}
	im.recordRows = newBatchInsert(s, tx, `INSERT INTO records (id, source_id, source_record, name, name_norm, name_alt, name_alt_norm, sex, birth_year, birth_date, region, locality, roles, fields_hash, created_at)`, "", 15)
	im.personRows = newBatchInsert(s, tx, `INSERT INTO persons (id, created_at)`, "", 2)
	im.linkRows = newBatchInsert(s, tx, `INSERT INTO links (id, record_id, person_id, linked_at, by_whom, why)`, "", 6)
	im.claimRows = newBatchInsert(s, tx, `INSERT INTO claims (id, record_id, status, date_start, date_end, precision, place, details, verification, note, fingerprint, recorded_at)`, "ON CONFLICT (record_id, fingerprint) DO NOTHING", 12)
	im.linkRows.parents = []*batchInsert{im.recordRows, im.personRows}
	im.claimRows.parents = []*batchInsert{im.recordRows}
	return im, nil
}

// RecordedAt is the time every claim of this import is recorded at.
func (im *Importer) RecordedAt() time.Time { return time.UnixMicro(im.now).UTC() }

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
		im.records[key] = map[string]StoredRecord{}
	case err != nil:
		return "", err
	default:
		known := map[string]StoredRecord{}
		rows, err := im.tx.QueryContext(ctx, im.s.rebind(`SELECT source_record, id, fields_hash FROM records WHERE source_id = ?`), id)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var key string
			var r StoredRecord
			if err := rows.Scan(&key, &r.ID, &r.FieldsHash); err != nil {
				rows.Close()
				return "", err
			}
			known[key] = r
		}
		if err := rows.Close(); err != nil {
			return "", err
		}
		im.records[key] = known
	}
	im.sources[key] = id
	return id, nil
}

// Stored returns the record a source already has under its own id.
func (im *Importer) Stored(ctx context.Context, sourceKey, recordKey string) (StoredRecord, bool, error) {
	if _, err := im.source(ctx, sourceKey); err != nil {
		return StoredRecord{}, false, err
	}
	r, ok := im.records[sourceKey][recordKey]
	return r, ok, nil
}

// Add writes one claim of one record. A record seen for the first time is
// stored with a person of its own (linking into larger persons is dedupe's
// job); a claim already stored (same record, same fingerprint) is left as is.
func (im *Importer) Add(ctx context.Context, rec registry.Record, fieldsHash string, c registry.Claim, fingerprint string) error {
	sourceID, err := im.source(ctx, rec.SourceKey)
	if err != nil {
		return err
	}
	known := im.records[rec.SourceKey]
	stored, ok := known[rec.Key]
	if !ok {
		stored = StoredRecord{ID: NewID(), FieldsHash: fieldsHash}
		known[rec.Key] = stored
		if err := im.addRecord(ctx, sourceID, stored, rec); err != nil {
			return err
		}
	} else if stored.FieldsHash != fieldsHash {
		return fmt.Errorf("record %q of source %q is stored with other person fields", rec.Key, rec.SourceKey)
	}
	im.rows++
	return im.claimRows.add(ctx, NewID(), stored.ID, string(c.Status), int64(c.Date.Start), int64(c.Date.End), string(c.Date.Precision),
		c.Place, c.Details, int(c.Verification), c.Note, fingerprint, im.now)
}

func (im *Importer) addRecord(ctx context.Context, sourceID string, stored StoredRecord, rec registry.Record) error {
	alt := strings.Join(rec.NameAlt, ";")
	altNorm := make([]string, len(rec.NameAlt))
	for i, n := range rec.NameAlt {
		altNorm[i] = names.Normalize(n)
	}
	roles := make([]string, len(rec.Roles))
	for i, r := range rec.Roles {
		roles[i] = string(r)
	}
	if err := im.recordRows.add(ctx, stored.ID, sourceID, rec.Key, rec.Name, names.Normalize(rec.Name), alt, strings.Join(altNorm, ";"),
		rec.Sex, rec.BirthYear, rec.BirthDate, rec.Region, rec.Locality, strings.Join(roles, ";"), stored.FieldsHash, im.now); err != nil {
		return err
	}
	personID := NewID()
	if err := im.personRows.add(ctx, personID, im.now); err != nil {
		return err
	}
	im.summary.RecordsNew++
	im.summary.PersonsNew++
	return im.linkRows.add(ctx, NewID(), stored.ID, personID, im.now, "import", "new record")
}

// Finish writes what is queued and records the import in the imports
// table; with commit false it rolls everything back (a dry run).
func (im *Importer) Finish(ctx context.Context, fileName, fileSHA256 string, commit bool) (ImportSummary, error) {
	defer func() {
		for _, b := range []*batchInsert{im.recordRows, im.personRows, im.linkRows, im.claimRows} {
			b.close()
		}
	}()
	// Parents before children, for the foreign keys.
	for _, b := range []*batchInsert{im.recordRows, im.personRows, im.linkRows, im.claimRows} {
		if err := b.flush(ctx); err != nil {
			im.tx.Rollback()
			return ImportSummary{}, err
		}
	}
	im.summary.ClaimsNew = im.claimRows.affected
	im.summary.ClaimsUnchanged = im.rows - im.claimRows.affected
	if !commit {
		return im.summary, im.tx.Rollback()
	}
	if _, err := im.tx.ExecContext(ctx, im.s.rebind(`INSERT INTO imports (id, file_name, file_sha256, rows_read, claims_new, records_new, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		NewID(), fileName, fileSHA256, im.rows, im.summary.ClaimsNew, im.summary.RecordsNew, im.now); err != nil {
		im.tx.Rollback()
		return ImportSummary{}, err
	}
	return im.summary, im.tx.Commit()
}

// Abort rolls the import back.
func (im *Importer) Abort() error { return im.tx.Rollback() }
