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

func (e *FileError) add(r *RowError) {
	e.Total++
	if len(e.Rows) < MaxReportedErrors {
		e.Rows = append(e.Rows, r)
	}
}

// Options for an import.
type Options struct {
	DryRun bool
	// Progress, when set, is told how many bytes of the file were read in
	// each of the two passes (checking, then writing).
	Progress func(pass int, done, total int64)
}

// Result is what one file's import did (or would do, in a dry run).
type Result struct {
	File string
	Rows int
	store.ImportSummary
}

// seenRecord is what the first pass keeps of each record: enough to check
// that later rows agree and to report where it was first seen.
type seenRecord struct {
	line int
	hash personHash
	full string
}

// ImportFile imports one interchange file, all or nothing: it reads the
// file once to check every row and, only when all are good, again to write
// them in one transaction. Importing the same file again changes nothing.
func ImportFile(ctx context.Context, st *store.Store, path string, opt Options) (Result, error) {
	res := Result{File: path}
	f, err := os.Open(path)
	if err != nil {
		return res, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return res, err
	}
	if !info.Mode().IsRegular() {
		return res, fmt.Errorf("%s: not a regular file", path)
	}
	size := info.Size()

	// Pass 1: check every row; remember each record's person fields.
	sum := sha256.New()
	seen := map[string]*seenRecord{}
	ferr := &FileError{File: path}
	rows, err := eachRow(io.TeeReader(progressReader(f, opt.Progress, 1, size), sum), func(row Row) error {
		key := row.Record.SourceKey + "\x00" + row.Record.Key
		if prev, ok := seen[key]; ok {
			if fields := prev.hash.differs(row.PersonHash); len(fields) > 0 {
				ferr.add(&RowError{Line: row.Line, Reason: fmt.Sprintf("record %q of source %q: %s differ(s) from line %d; rows of one record must agree on the person fields",
					row.Record.Key, row.Record.SourceKey, strings.Join(fields, ", "), prev.line)})
			}
			return nil
		}
		seen[key] = &seenRecord{line: row.Line, hash: row.PersonHash, full: row.FieldsHash}
		return nil
	}, ferr)
	if err != nil {
		ferr.Reason = err
		return res, ferr
	}
	if ferr.Total > 0 {
		return res, ferr
	}
	res.Rows = rows
	fileSHA := hex.EncodeToString(sum.Sum(nil))

	im, err := st.BeginImport(ctx)
	if err != nil {
		return res, err
	}
	// Records the database already has must not be changed by a new file.
	for key, rec := range seen {
		source, record, _ := strings.Cut(key, "\x00")
		stored, ok, err := im.Stored(ctx, source, record)
		if err != nil {
			im.Abort()
			return res, err
		}
		if ok && stored.FieldsHash != rec.full {
			ferr.add(&RowError{Line: rec.line, Reason: fmt.Sprintf("record %q of source %q is already stored with other person fields; a record's person fields are not changed by import — give the corrected record a new record id", record, source)})
		}
	}
	seen = nil
	if ferr.Total > 0 {
		im.Abort()
		return res, ferr
	}

	// Pass 2: write.
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		im.Abort()
		return res, err
	}
	check := sha256.New()
	if _, err := eachRow(io.TeeReader(progressReader(f, opt.Progress, 2, size), check), func(row Row) error {
		return im.Add(ctx, row.Record, row.FieldsHash, row.Claim, row.Fingerprint)
	}, ferr); err != nil || ferr.Total > 0 {
		im.Abort()
		if err == nil {
			err = ferr
		}
		return res, err
	}
	if hex.EncodeToString(check.Sum(nil)) != fileSHA {
		im.Abort()
		return res, fmt.Errorf("%s changed while it was being imported; nothing was written", path)
	}
	summary, err := im.Finish(ctx, filepath.Base(path), fileSHA, !opt.DryRun)
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
func progressReader(r io.Reader, progress func(pass int, done, total int64), pass int, total int64) io.Reader {
	if progress == nil {
		return r
	}
	return &countingReader{r: r, report: func(n int64) { progress(pass, n, total) }}
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
