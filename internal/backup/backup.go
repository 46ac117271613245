// Package backup writes and reads Rollcall's backup files: one age
// message (encrypted to the backup recipients) holding a tar stream of the
// database snapshot, the data directory's files (the sealed data key, the
// evidence originals) and, last, a manifest with every entry's SHA-256, the
// table counts and the audit chain head. A file cut short or altered fails
// age's authentication or the manifest; nothing is trusted before the
// manifest has been read and matched.
package backup

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
)

// Format is the manifest's format number.
const Format = 1

// SnapshotEntry is the tar name of the database snapshot.
const SnapshotEntry = "db/snapshot"

const manifestEntry = "MANIFEST.json"

// Manifest describes a backup; it is the tar stream's last entry.
type Manifest struct {
	Format       int              `json:"format"`
	CreatedAt    time.Time        `json:"created_at"`
	SnapshotKind string           `json:"snapshot_kind"`
	AuditHead    string           `json:"audit_head"`
	Counts       map[string]int64 `json:"counts"`
	Files        []File           `json:"files"`
}

// File is one entry of the backup with its size and SHA-256.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Write encrypts to recipients, into w, the snapshot file, every regular
// file under dataDir for which keep says yes (as data/REL), and m
// completed with the files' hashes.
func Write(w io.Writer, recipients []age.Recipient, snapshot, dataDir string, keep func(rel string) bool, m Manifest) error {
	if len(recipients) == 0 {
		return errors.New("no backup recipients: add one with 'rollcall key recipients add --backup AGE1…'")
	}
	enc, err := age.Encrypt(w, recipients...)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(enc)
	add := func(name, file string) error {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime(), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(tw, h), f)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if n != st.Size() {
			return fmt.Errorf("%s changed size while it was copied", file)
		}
		m.Files = append(m.Files, File{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	}
	if err := add(SnapshotEntry, snapshot); err != nil {
		return err
	}
	err = filepath.WalkDir(dataDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dataDir, p)
		if err != nil || !keep(filepath.ToSlash(rel)) {
			return err
		}
		return add("data/"+filepath.ToSlash(rel), p)
	})
	if err != nil {
		return err
	}
	m.Format = Format
	body, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestEntry, Mode: 0o600, Size: int64(len(body)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(body); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return enc.Close()
}

// ErrNotForThisKey means none of the identities given opens the backup.
var ErrNotForThisKey = errors.New("this backup is not encrypted to the key given")

// Read decrypts r with identities, checks every entry against the
// manifest and, when into is not "", writes the entries under into (the
// snapshot as into/db/snapshot, files as into/data/…). The manifest is
// returned only when everything matched.
func Read(r io.Reader, identities []age.Identity, into string) (*Manifest, error) {
	dec, err := age.Decrypt(r, identities...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, ErrNotForThisKey
		}
		return nil, fmt.Errorf("not a readable backup: %w", err)
	}
	tr := tar.NewReader(dec)
	seen := map[string]File{}
	var m *Manifest
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("backup damaged or cut short: %w", err)
		}
		if m != nil {
			return nil, fmt.Errorf("backup damaged: %q after the manifest", h.Name)
		}
		if h.Name == manifestEntry {
			m = new(Manifest)
			if err := json.NewDecoder(io.LimitReader(tr, 64<<20)).Decode(m); err != nil {
				return nil, fmt.Errorf("backup damaged or cut short: manifest: %w", err)
			}
			continue
		}
		if !validName(h.Name) || h.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("backup damaged: entry %q", h.Name)
		}
		if _, dup := seen[h.Name]; dup {
			return nil, fmt.Errorf("backup damaged: %q twice", h.Name)
		}
		sum := sha256.New()
		var out io.Writer = sum
		var f *os.File
		if into != "" {
			target := filepath.Join(into, filepath.FromSlash(h.Name))
			if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
				return nil, err
			}
			if f, err = os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
				return nil, err
			}
			out = io.MultiWriter(f, sum)
		}
		n, err := io.Copy(out, tr)
		if f != nil {
			if err == nil {
				err = f.Sync()
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return nil, fmt.Errorf("backup damaged or cut short in %q: %w", h.Name, err)
		}
		seen[h.Name] = File{Name: h.Name, Size: n, SHA256: hex.EncodeToString(sum.Sum(nil))}
	}
	if m == nil {
		return nil, errors.New("backup cut short: no manifest at its end")
	}
	if m.Format != Format {
		return nil, fmt.Errorf("backup format %d: this rollcall reads format %d", m.Format, Format)
	}
	if len(m.Files) != len(seen) {
		return nil, fmt.Errorf("backup damaged: the manifest lists %d files, the backup holds %d", len(m.Files), len(seen))
	}
	for _, want := range m.Files {
		if got, ok := seen[want.Name]; !ok || got != want {
			return nil, fmt.Errorf("backup damaged: %q does not match the manifest", want.Name)
		}
	}
	if _, ok := seen[SnapshotEntry]; !ok {
		return nil, errors.New("backup damaged: no database snapshot")
	}
	return m, nil
}

func validName(name string) bool {
	if name == SnapshotEntry {
		return true
	}
	clean := path.Clean(name)
	return clean == name && strings.HasPrefix(name, "data/") && !strings.Contains(name, "..") && !strings.HasPrefix(name, "/")
}

// ParseIdentities reads an age identity file (AGE-SECRET-KEY-1… lines).
func ParseIdentities(file string) ([]age.Identity, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, fmt.Errorf("%s: not an age identity file: %w", file, err)
	}
	return ids, nil
}
