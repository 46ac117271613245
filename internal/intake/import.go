package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"rollcall/internal/store"
)

// MaxReportedErrors caps the errors listed for one file; the count of the
// rest is still given.
const MaxReportedErrors = 1000

// FileError is what is wrong with a file: every bad row, with line and reason.
type FileError struct {
	File   string
	Rows   []*RowError
	Total  int   // bad rows in all, when more than Rows holds
	Reason error // a problem with the file as a whole
}

func (e *FileError) Error() string {
	var b strings.Builder
	if e.Reason != nil {
		fmt.Fprintf(&b, "%s: %v", e.File, e.Reason)
	}
	for i, r := range e.Rows {
		if i > 0 || e.Reason != nil {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s:%d: %s", e.File, r.Line, r.Reason)
	}
	if e.Total > len(e.Rows) {
		fmt.Fprintf(&b, "\n%s: %d more bad rows not listed", e.File, e.Total-len(e.Rows))
	}
	return b.String()
}

// Unwrap gives the problem with the file as a whole, if any.
func (e *FileError) Unwrap() error { return e.Reason }

func (e *FileError) add(r *RowError) {
	e.Total++
	if len(e.Rows) < MaxReportedErrors {
		e.Rows = append(e.Rows, r)
	}
}

// Options for an import.
type Options struct {
	DryRun bool
	// Progress, when set, is told how many bytes of the file were read.
	Progress func(done, total int64)
	// Bulk says the caller expects to be the database's only user while
	// the file is imported (see store.BeginBulkImport).
	Bulk bool
	// Actor, when set, is who asked for the import (an account's id): a
	// file imported from the workspace is an audit entry in the import's
	// own transaction.
	Actor string
}

// Result is what one file's import did (or would do, in a dry run).
type Result struct {
	File string
	Rows int
	store.ImportSummary
}

// batchSize is how many rows the reader hands the writer at a time.
const batchSize = 512

// preparedRow is a checked row made ready for the database.
type preparedRow struct {
	source, record string // for error messages
	row            store.ImportRow
}

// differsError says in words how a row disagrees with its record.
func differsError(p preparedRow, e *store.RecordDiffersError) *RowError {
	line := p.row.Line()
	if e.FirstLine == 0 {
		return rowError(line, fmt.Sprintf("record %q of source %q is already stored with other person fields; an import does not change a record's person fields — give the corrected record a new record id", p.record, p.source),
			"differs_stored", "record", p.record, "source", p.source)
	}
	fields := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		fields[i] = personField[f]
	}
	return rowError(line, fmt.Sprintf("record %q of source %q: %s differ(s) from line %d; rows of one record must agree on the person fields",
		p.record, p.source, strings.Join(fields, ", "), e.FirstLine), "differs", "record", p.record, "source", p.source, "fields", strings.Join(fields, ", "), "first", strconv.Itoa(e.FirstLine))
}

// ImportFile imports one interchange file, all or nothing (ImportReader
// over the opened file).
func ImportFile(ctx context.Context, st *store.Store, path string, opt Options) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{File: path}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Result{File: path}, err
	}
	if !info.Mode().IsRegular() {
		return Result{File: path}, fmt.Errorf("%s: not a regular file", path)
	}
	return ImportReader(ctx, st, path, f, info.Size(), opt)
}

// ImportReader imports one interchange file read from r (size bytes, for
// the progress), all or nothing: the path of the command and of the
// workspace's upload alike. One goroutine reads and checks the rows while
// another writes them in one transaction; at the first bad row writing
// stops but reading goes on, so every bad row is reported, and the
// transaction is rolled back. Importing the same file again changes
// nothing. name is the file's name in messages and in the imports table.
func ImportReader(ctx context.Context, st *store.Store, name string, f io.Reader, size int64, opt Options) (Result, error) {
	path := name
	res := Result{File: path}
	begin := st.BeginImport
	if opt.Bulk {
		begin = st.BeginBulkImport
	}
	im, err := begin(ctx)
	if err != nil {
		return res, err
	}
	im.Actor = opt.Actor
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Reader: checks rows and passes good ones on while the file is clean.
	sum := sha256.New()
	readErrs := &FileError{File: path}
	batches := make(chan []preparedRow, 8)
	var rows int
	var readErr error
	go func() {
		defer close(batches)
		batch := make([]preparedRow, 0, batchSize)
		send := func() bool {
			select {
			case batches <- batch:
				batch = make([]preparedRow, 0, batchSize)
				return true
			case <-ctx.Done():
				return false
			}
		}
		rows, readErr = eachRow(io.TeeReader(progressReader(f, opt.Progress, size), sum), func(row Row) error {
			if readErrs.Total > 0 {
				return nil // nothing more will be written; keep checking
			}
			prepared, err := im.Prepare(row.Line, row.Record, fieldsDigest(&row.Record), store.FieldHashes(row.PersonHash), row.Claim)
			if err != nil {
				return err
			}
			p := preparedRow{source: row.Record.SourceKey, record: row.Record.Key, row: prepared}
			if batch = append(batch, p); len(batch) == batchSize && !send() {
				return ctx.Err()
			}
			return nil
		}, readErrs)
		if readErr == nil && readErrs.Total == 0 && len(batch) > 0 {
			send()
		}
	}()

	// Writer: this goroutine, since the transaction lives here.
	writeErrs := &FileError{File: path}
	var writeErr error
	for batch := range batches {
		if writeErr != nil {
			continue
		}
		for _, p := range batch {
			err := im.Add(ctx, p.row)
			var differs *store.RecordDiffersError
			if errors.As(err, &differs) {
				writeErrs.add(differsError(p, differs))
				continue
			}
			if err != nil {
				writeErr = err
				cancel()
				break
			}
		}
	}
	if err := ctx.Err(); err != nil && writeErr == nil && readErr == nil {
		writeErr = err
	}
	for _, e := range writeErrs.Rows {
		readErrs.add(e)
	}
	readErrs.Total += writeErrs.Total - len(writeErrs.Rows)
	switch {
	case writeErr != nil:
		im.Abort()
		return res, fmt.Errorf("%s: %w; nothing was written", path, writeErr)
	case readErr != nil:
		im.Abort()
		readErrs.Reason = readErr
		return res, readErrs
	case readErrs.Total > 0:
		im.Abort()
		sort.SliceStable(readErrs.Rows, func(i, j int) bool { return readErrs.Rows[i].Line < readErrs.Rows[j].Line })
		return res, readErrs
	}
	res.Rows = rows
	summary, err := im.Finish(ctx, filepath.Base(path), hex.EncodeToString(sum.Sum(nil)), !opt.DryRun)
	res.ImportSummary = summary
	return res, err
}

// eachRow calls f for each good row; bad rows go to ferr. It returns the
// number of rows read, and an error that ends the file.
func eachRow(r io.Reader, f func(Row) error, ferr *FileError) (int, error) {
	cr, err := NewReader(r)
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		row, err := cr.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		var re *RowError
		if errors.As(err, &re) && !re.fatal {
			n++
			ferr.add(re)
			continue
		}
		if err != nil {
			return n, err
		}
		n++
		if err := f(row); err != nil {
			return n, err
		}
	}
}

// progressReader reports bytes read when a progress function is given.
func progressReader(r io.Reader, progress func(done, total int64), total int64) io.Reader {
	if progress == nil {
		return r
	}
	return &countingReader{r: r, report: func(n int64) { progress(n, total) }}
}

type countingReader struct {
	r      io.Reader
	n      int64
	report func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.report(c.n)
	return n, err
}
