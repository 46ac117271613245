package field

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// WipeReport says what Wipe did.
type WipeReport struct {
	KeyFiles    int   // key files overwritten and removed first
	Overwritten int   // other files overwritten in place, then removed
	Bytes       int64 // bytes overwritten
	Removed     int   // files removed without overwriting (evidence: age ciphertext)
}

// ErrNotADataDir is returned by Wipe for a folder that holds neither a
// database nor a data key: a mistyped --data must not wipe someone's home.
var ErrNotADataDir = errors.New("this folder holds no Rollcall database or data key; nothing was wiped")

// keyMaterial tells whether a path (relative to the data directory, with
// slashes) holds key material: the data key (seal.key, seal.key.age and
// their temporary files), the snapshot-signing key and anything else in
// keys/. This instance's identity lives in the database, sealed under the
// data key.
func keyMaterial(rel string) bool {
	base := filepath.Base(rel)
	return strings.HasPrefix(rel, "keys/") || (!strings.Contains(rel, "/") && (strings.HasPrefix(base, "seal.key") || strings.HasPrefix(base, ".seal-key-")))
}

// databaseFile tells whether rel is the SQLite database or its log.
func databaseFile(rel string) bool {
	switch rel {
	case "rollcall.db", "rollcall.db-wal", "rollcall.db-shm", "rollcall.db-journal":
		return true
	}
	return false
}

// Wipe makes a field instance's data directory unreadable and then removes
// it, for the moment a laptop is about to be taken. The key material goes
// first (each file overwritten in place with random bytes and synced to
// the disk, then removed), so that an interruption after that instant
// leaves nothing sealed that can be opened; then the database and every
// other file are overwritten the same way and removed (the registry's
// names are in the database in clear); the evidence store's files, age
// ciphertext, are removed without the slow overwrite. What overwriting
// cannot reach (copies an SSD's wear levelling or a copy-on-write file
// system keeps) is why docs/operations.md asks for full-disk encryption
// too.
func Wipe(dataDir string) (WipeReport, error) {
	var rep WipeReport
	var keys, db, other, evidence []string
	err := filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || p == dataDir {
			return nil
		}
		rel, err := filepath.Rel(dataDir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case !d.Type().IsRegular(): // a link or socket: removed, never followed
			other = append(other, p)
		case keyMaterial(rel):
			keys = append(keys, p)
		case databaseFile(rel):
			db = append(db, p)
		case strings.HasPrefix(rel, "evidence/"):
			evidence = append(evidence, p)
		default:
			other = append(other, p)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if len(keys) == 0 && len(db) == 0 {
		return rep, ErrNotADataDir
	}
	sort.Strings(keys)
	for _, p := range keys {
		n, err := overwrite(p)
		rep.Bytes += n
		if err != nil {
			return rep, fmt.Errorf("destroying the key %s: %w", p, err)
		}
		if err := os.Remove(p); err != nil {
			return rep, err
		}
		rep.KeyFiles++
	}
	syncDir(dataDir)
	for _, p := range append(db, other...) {
		n, err := overwrite(p)
		rep.Bytes += n
		if err != nil {
			return rep, fmt.Errorf("overwriting %s: %w", p, err)
		}
		if err := os.Remove(p); err != nil {
			return rep, err
		}
		rep.Overwritten++
	}
	for _, p := range evidence {
		if err := os.Remove(p); err != nil {
			return rep, err
		}
		rep.Removed++
	}
	return rep, os.RemoveAll(dataDir)
}

// overwrite writes random bytes over the whole of a regular file, in
// place (the same blocks, as far as the file system allows), and syncs
// it; anything else (a link) is left for the caller to remove.
func overwrite(path string) (int64, error) {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() {
		return 0, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return 0, err
	}
	n, err := io.CopyN(f, rand.Reader, info.Size())
	if err == nil {
		err = f.Sync()
	}
	return n, errors.Join(err, f.Close())
}

// syncDir makes the removals in dir durable, so a power cut right after
// the key is gone does not bring its name back.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
