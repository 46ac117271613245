// Package intake brings data in: the interchange CSV of DESIGN.md, and the
// synthetic demo set that is loaded through the same path.
package intake

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"rollcall/internal/names"
	"rollcall/internal/registry"
	"rollcall/internal/safecsv"
	"rollcall/internal/store"
)

// Columns are the interchange CSV's columns in their documented order.
var Columns = []string{"source", "record", "name", "name_alt", "sex", "birth_year", "birth_date",
	"region", "locality", "roles", "status", "date", "verification", "place", "note"}

var requiredColumns = []string{"source", "record", "name", "status", "date"}

// Limits on field sizes: generous for any real name or note, small enough
// that a hostile file cannot bloat the database through one cell.
const (
	maxShortField = 500
	maxNoteField  = 10000
)

// Row is one valid line of an interchange file: one claim of one record.
type Row struct {
	Line       int
	Record     registry.Record
	Claim      registry.Claim
	PersonHash personHash // per-field hashes, to say which field disagrees
}

// RowError is a bad line; the reason says why in plain words.
type RowError struct {
	Line   int
	Reason string
	// Problems say the same as codes with their values, for a page in
	// another language (the workspace's import, catalogue ids
	// admin.import.row.CODE with {name} placeholders).
	Problems []Problem
	// fatal marks broken CSV structure, after which no later line can be
	// trusted to start where it seems to.
	fatal bool
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Problem is one thing wrong with a line, as a code and its values.
type Problem struct {
	Code string
	Args []string // name, value pairs
}

// rowError is a RowError of one problem.
func rowError(line int, reason, code string, args ...string) *RowError {
	return &RowError{Line: line, Reason: reason, Problems: []Problem{{Code: code, Args: args}}}
}

// Reader reads interchange rows one at a time, so a file of any size is
// read in bounded memory.
type Reader struct {
	csv *csv.Reader
	col map[string]int
}

// NewReader reads and checks the header. A UTF-8 byte order mark is skipped.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // we check the count ourselves, to say which line
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, rowError(1, "the file is empty; the first line must name the columns", "empty_file")
	}
	if err != nil {
		return nil, csvError(err)
	}
	col := map[string]int{}
	var unknown []string
	for i, name := range header {
		if !utf8.ValidString(name) {
			return nil, rowError(1, "the header is not valid UTF-8", "header_utf8")
		}
		name = strings.TrimSpace(name)
		if !isColumn(name) {
			unknown = append(unknown, strconv.Quote(name))
			continue
		}
		if _, dup := col[name]; dup {
			return nil, rowError(1, fmt.Sprintf("column %q appears twice", name), "column_twice", "column", name)
		}
		col[name] = i
	}
	if len(unknown) > 0 {
		return nil, rowError(1, fmt.Sprintf("unknown column(s) %s; the columns are %s", strings.Join(unknown, ", "), strings.Join(Columns, ", ")),
			"unknown_columns", "columns", strings.Join(unknown, ", "), "known", strings.Join(Columns, ", "))
	}
	var missing []string
	for _, name := range requiredColumns {
		if _, ok := col[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, rowError(1, "missing required column(s) "+strings.Join(missing, ", "), "missing_columns", "columns", strings.Join(missing, ", "))
	}
	return &Reader{csv: cr, col: col}, nil
}

func isColumn(name string) bool {
	for _, c := range Columns {
		if c == name {
			return true
		}
	}
	return false
}

// csvError turns encoding/csv's errors into a RowError with the line.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		e := rowError(pe.StartLine, "broken CSV: "+pe.Err.Error(), "broken_csv", "detail", pe.Err.Error())
		e.fatal = true
		return e
	}
	return err
}

// Next returns the next row. A bad row comes back as a *RowError and
// reading may go on; any other error (broken quoting, a read error) ends
// the file. At the end it returns io.EOF.
func (r *Reader) Next() (Row, error) {
	fields, err := r.csv.Read()
	if err != nil {
		return Row{}, csvError(err)
	}
	line, _ := r.csv.FieldPos(0)
	if len(fields) != len(r.col) {
		return Row{}, rowError(line, fmt.Sprintf("%d fields, the header has %d", len(fields), len(r.col)), "field_count", "n", strconv.Itoa(len(fields)), "want", strconv.Itoa(len(r.col)))
	}
	get := func(name string) string {
		if i, ok := r.col[name]; ok {
			// Our exports guard formula cells with an apostrophe (safecsv); take it off.
			return safecsv.Unescape(fields[i])
		}
		return ""
	}
	for i, f := range fields {
		if !utf8.ValidString(f) {
			l, _ := r.csv.FieldPos(i)
			return Row{}, rowError(l, fmt.Sprintf("column %s is not valid UTF-8 (save the file as UTF-8)", r.columnAt(i)), "cell_utf8", "column", r.columnAt(i))
		}
	}
	row, problems, coded := parseRow(get)
	row.Line = line
	if len(problems) > 0 {
		return Row{}, &RowError{Line: line, Reason: strings.Join(problems, "; "), Problems: coded}
	}
	return row, nil
}

func (r *Reader) columnAt(i int) string {
	for name, j := range r.col {
		if j == i {
			return name
		}
	}
	return strconv.Itoa(i + 1)
}

// parseRow checks every field and says everything wrong with the row.
func parseRow(get func(string) string) (Row, []string, []Problem) {
	var problems []string
	var coded []Problem
	// bad keeps a problem in words and as a code with its values.
	bad := func(code string, kv []string, format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
		coded = append(coded, Problem{Code: code, Args: kv})
	}
	text := func(name string, limit int) string {
		v := names.Exact(get(name))
		if utf8.RuneCountInString(v) > limit {
			bad("too_long", []string{"column", name, "n", strconv.Itoa(limit)}, "%s is longer than %d characters", name, limit)
		}
		if strings.ContainsRune(v, 0) {
			bad("nul", []string{"column", name}, "%s contains a NUL character", name)
		}
		return v
	}
	var row Row
	rec := &row.Record
	rec.SourceKey = text("source", 100)
	rec.Key = text("record", 200)
	rec.Name = text("name", maxShortField)
	for _, name := range []struct{ col, v string }{{"source", rec.SourceKey}, {"record", rec.Key}, {"name", rec.Name}} {
		if name.v == "" {
			bad("empty", []string{"column", name.col}, "%s is empty", name.col)
		}
	}
	for _, alt := range strings.Split(text("name_alt", maxShortField), ";") {
		if alt = names.Exact(alt); alt != "" {
			rec.NameAlt = append(rec.NameAlt, alt)
		}
	}
	switch sex := strings.ToLower(text("sex", 1)); sex {
	case "", "m", "f":
		rec.Sex = sex
	default:
		bad("sex", []string{"value", sex}, "sex %q: want m, f or empty", sex)
	}
	if y := text("birth_year", 10); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || len(y) != 4 || !registry.ValidBirthYear(n) {
			bad("birth_year", []string{"value", y}, "birth_year %q: want four digits such as 1987", y)
		}
		rec.BirthYear = n
	}
	if d := text("birth_date", 20); d != "" {
		day, err := registry.ParseDay(d)
		if err != nil || !registry.ValidBirthYear(int(day)/10000) {
			bad("birth_date", []string{"value", d, "min", strconv.Itoa(registry.MinBirthYear), "max", strconv.Itoa(registry.MaxBirthYear)}, "birth_date %q: want YYYY-MM-DD, from %d to %d", d, registry.MinBirthYear, registry.MaxBirthYear)
		} else {
			rec.BirthDate = day.String()
			if rec.BirthYear != 0 && rec.BirthYear != int(day)/10000 {
				bad("birth_disagree", []string{"date", d, "year", strconv.Itoa(rec.BirthYear)}, "birth_date %s and birth_year %d disagree", d, rec.BirthYear)
			}
			rec.BirthYear = int(day) / 10000
		}
	}
	rec.Region = text("region", maxShortField)
	rec.Locality = text("locality", maxShortField)
	for _, role := range strings.Split(text("roles", maxShortField), ";") {
		if role = strings.TrimSpace(role); role == "" {
			continue
		}
		r, err := registry.ParseRole(role)
		if err != nil {
			bad("role", []string{"value", role}, "%v", err)
			continue
		}
		rec.Roles = append(rec.Roles, r)
	}
	c := &row.Claim
	var err error
	status, date, verification := text("status", 50), text("date", 20), text("verification", 20)
	if c.Status, err = registry.ParseStatus(status); err != nil {
		bad("status", []string{"value", status, "known", joinStatuses()}, "%v", err)
	}
	if c.Date, err = registry.ParsePeriod(date); err != nil {
		bad("date", []string{"value", date}, "%v", err)
	}
	if c.Verification, err = registry.ParseVerification(verification); err != nil {
		bad("verification", []string{"value", verification}, "%v", err)
	}
	c.Place = text("place", maxShortField)
	c.Note = text("note", maxNoteField)
	if len(problems) > 0 {
		return row, problems, coded
	}
	row.PersonHash = hashPerson(rec)
	return row, nil, nil
}

// personField names the person fields in the order of personHash.
var personField = [...]string{"name", "name_alt", "sex", "birth_year", "birth_date", "region", "locality", "roles"}

// personHash holds one small hash per person field: enough to tell which
// field two rows of a record disagree on without keeping the rows.
type personHash [len(personField)]uint32

func personValues(rec *registry.Record) [len(personField)]string {
	return [len(personField)]string{rec.Name, strings.Join(rec.NameAlt, ";"), rec.Sex, strconv.Itoa(rec.BirthYear),
		rec.BirthDate, rec.Region, rec.Locality, registry.JoinRoles(rec.Roles)}
}

func hashPerson(rec *registry.Record) personHash {
	var ph personHash
	for i, v := range personValues(rec) {
		// FNV-1a, inline: this runs for every row.
		h := uint32(2166136261)
		for j := 0; j < len(v); j++ {
			h ^= uint32(v[j])
			h *= 16777619
		}
		ph[i] = h
	}
	return ph
}

// fieldsDigest is the stored fingerprint of a record's person fields
// (store.RecordDigest, which hand-entered records use too).
func fieldsDigest(rec *registry.Record) string { return store.RecordDigest(*rec) }

// differs names the fields in which two rows of one record disagree.
func (a personHash) differs(b personHash) []string {
	var fields []string
	for i := range a {
		if a[i] != b[i] {
			fields = append(fields, personField[i])
		}
	}
	return fields
}

// joinStatuses lists the states a claim may name, for a message.
func joinStatuses() string {
	names := make([]string, len(registry.Statuses))
	for i, st := range registry.Statuses {
		names[i] = string(st)
	}
	return strings.Join(names, ", ")
}
