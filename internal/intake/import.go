package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"sort"
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
	// Progress, when set, is told how many bytes of the file were read.
	Progress func(done, total int64)
}

// Result is what one file's import did (or would do, in a dry run).
type Result struct {
	File string
	Rows int
	store.ImportSummary
}

// seenRecord is what the import keeps of each record of the file: enough
// to check that its later rows agree and to say where it was first seen.
type seenRecord struct {
	line int32
	hash personHash
}

// sourceRecordKey identifies a record of the file by a 128-bit hash of its
// source and record ids: less memory than the strings, for a million records.
func sourceRecordKey(source, record string) (k [16]byte) {
	h := fnv.New128a()
	h.Write([]byte(source))
	h.Write([]byte{0})
	h.Write([]byte(record))
	h.Sum(k[:0])
	return k
}

// batchSize is how many rows the reader hands the writer at a time.
const batchSize = 512

// preparedRow is a checked row made ready for the database.
type preparedRow struct {
	line           int
	source, record string // for error messages
	row            store.ImportRow
}

// ImportFile imports one interchange file, all or nothing. One goroutine
// reads and checks the rows while another writes them in one transaction;
// at the first bad row writing stops but reading goes on, so every bad row
// is reported, and the transaction is rolled back. Importing the same file
// again changes nothing.
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

	im, err := st.BeginImport(ctx)
	if err != nil {
		return res, err
	}
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
		seen := map[[16]byte]seenRecord{}
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
		rows, readErr = eachRow(io.TeeReader(progressReader(f, opt.Progress, info.Size()), sum), func(row Row) error {
			key := sourceRecordKey(row.Record.SourceKey, row.Record.Key)
			prev, ok := seen[key]
			if ok {
				if fields := prev.hash.differs(row.PersonHash); len(fields) > 0 {
					readErrs.add(&RowError{Line: row.Line, Reason: fmt.Sprintf("record %q of source %q: %s differ(s) from line %d; rows of one record must agree on the person fields",
						row.Record.Key, row.Record.SourceKey, strings.Join(fields, ", "), prev.line)})
				}
			} else {
				seen[key] = seenRecord{line: int32(row.Line), hash: row.PersonHash}
			}
			if readErrs.Total > 0 {
				return nil // nothing more will be written; keep checking
			}
			// Later rows of a record agree with its first (checked above), so
			// only the first needs the digest that is compared with the store.
			digest := ""
			if !ok {
				digest = fieldsDigest(&row.Record)
			}
			p := preparedRow{line: row.Line, source: row.Record.SourceKey, record: row.Record.Key, row: im.Prepare(row.Record, digest, row.Claim, row.Fingerprint, !ok)}
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
			if errors.Is(err, store.ErrRecordDiffers) {
				writeErrs.add(&RowError{Line: p.line, Reason: fmt.Sprintf("record %q of source %q is already stored with other person fields; an import does not change a record's person fields — give the corrected record a new record id", p.record, p.source)})
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
