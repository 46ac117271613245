package field

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"filippo.io/age"
)

// A message's payload, before it is cut into parts: one age message
// (encrypted to the receiver) holding a tar stream whose first entry is
// meta.json (Meta) and whose other entries are named in Meta's kind:
// rows.jsonl for a bundle, ack.json for an acknowledgement.

// Format is the payload's format number.
const Format = 1

const metaEntry = "meta.json"

// Meta says what a message is; it repeats what every part says, so that
// parts cannot be moved from one message to another.
type Meta struct {
	Format int       `json:"format"`
	Kind   string    `json:"kind"`
	ID     string    `json:"id"`
	From   string    `json:"from"` // SignKeyText of the sender
	To     string    `json:"to"`   // SignKeyText of the receiver
	MadeAt time.Time `json:"made_at"`
}

// Entry is one file of a payload: Body, or what Open opens when it is
// written (so that a bundle of many files holds one open at a time).
type Entry struct {
	Name string
	Size int64
	Body io.Reader
	Open func() (io.ReadCloser, error)
}

// OriginalPrefix names the entries holding evidence originals, by SHA-256.
const OriginalPrefix = "originals/"

var entryName = regexp.MustCompile(`^(rows\.jsonl|ack\.json|originals/[0-9a-f]{64})$`)

// Seal writes the payload: meta then entries, encrypted to to.
func Seal(w io.Writer, to age.Recipient, m Meta, entries []Entry) error {
	m.Format = Format
	enc, err := age.Encrypt(w, to)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(enc)
	meta, err := json.Marshal(m)
	if err != nil {
		return err
	}
	add := func(name string, size int64, body io.Reader) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: m.MadeAt, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		n, err := io.Copy(tw, body)
		if err == nil && n != size {
			err = fmt.Errorf("%s: %d bytes, expected %d", name, n, size)
		}
		return err
	}
	if err := add(metaEntry, int64(len(meta)), bytes.NewReader(meta)); err != nil {
		return err
	}
	for _, e := range entries {
		if !entryName.MatchString(e.Name) {
			return fmt.Errorf("no entry %q in a message", e.Name)
		}
		body := e.Body
		if e.Open != nil {
			rc, err := e.Open()
			if err != nil {
				return fmt.Errorf("%s: %w", e.Name, err)
			}
			err = add(e.Name, e.Size, rc)
			rc.Close()
			if err != nil {
				return err
			}
			continue
		}
		if err := add(e.Name, e.Size, body); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return enc.Close()
}

// ErrNotForUs means the message is encrypted to another instance.
var ErrNotForUs = errors.New("it is encrypted to another instance, not to this one (check the identity given to 'bundle export --to')")

// Open decrypts a payload with identity and hands each entry after the
// meta to each, in order. Age authenticates every chunk, so an altered
// payload fails here; a payload cut short fails at its end.
func Open(r io.Reader, identity age.Identity, each func(m Meta, name string, size int64, body io.Reader) error) (Meta, error) {
	var m Meta
	dec, err := age.Decrypt(r, identity)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return m, ErrNotForUs
		}
		return m, fmt.Errorf("not a readable message: %w", err)
	}
	tr := tar.NewReader(dec)
	h, err := tr.Next()
	if err != nil || h.Name != metaEntry || h.Size > 64<<10 {
		return m, errors.New("damaged: no meta.json first")
	}
	if err := json.NewDecoder(tr).Decode(&m); err != nil {
		return m, fmt.Errorf("damaged: meta.json: %w", err)
	}
	if m.Format != Format {
		return m, fmt.Errorf("message format %d: this rollcall reads format %d", m.Format, Format)
	}
	seen := map[string]bool{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			// Read to the age message's end, whose last chunk says it
			// is the last: a message cut after the tar's end fails here.
			if _, err := io.Copy(io.Discard, dec); err != nil {
				return m, fmt.Errorf("damaged or cut short: %w", err)
			}
			return m, nil
		}
		if err != nil {
			return m, fmt.Errorf("damaged or cut short: %w", err)
		}
		if !entryName.MatchString(h.Name) || seen[h.Name] || h.Typeflag != tar.TypeReg {
			return m, fmt.Errorf("damaged: entry %q", h.Name)
		}
		seen[h.Name] = true
		if err := each(m, h.Name, h.Size, tr); err != nil {
			return m, err
		}
	}
}
