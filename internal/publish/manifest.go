package publish

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The signed manifest of a mirror, at its root. The manifest is in the
// format sha256sum writes and reads ("HEX  PATH", one file a line, sorted),
// so `sha256sum -c` checks the files without Rollcall; the signature file
// is a snapshot's .sig (base64 of an ed25519 signature over the manifest's
// bytes, by the snapshot-signing key), so OpenSSL checks it the same way.
const (
	ManifestFile          = "rollcall-manifest.sha256"
	ManifestSignatureFile = ManifestFile + ".sig"
)

// ManifestEntry is one file of a manifest.
type ManifestEntry struct {
	Path   string // relative, with slashes
	SHA256 string // lowercase hex
}

// maxManifest bounds a manifest read from a folder someone handed over.
const maxManifest = 64 << 20

// SignMirror writes the manifest of every file under dir (but the manifest
// and its signature) and its signature by key, and returns how many files
// it lists.
func SignMirror(dir string, key ed25519.PrivateKey) (int, error) {
	files, err := mirrorFiles(dir)
	if err != nil {
		return 0, err
	}
	var b bytes.Buffer
	for _, rel := range files {
		if strings.ContainsAny(rel, "\n\r\\") {
			return 0, fmt.Errorf("%q: a file name the manifest cannot hold", rel)
		}
		sum, err := fileSHA256(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, rel)
	}
	sig := ed25519.Sign(key, b.Bytes())
	if err := writeAtomic(filepath.Join(dir, ManifestFile), b.Bytes()); err != nil {
		return 0, err
	}
	return len(files), writeAtomic(filepath.Join(dir, ManifestSignatureFile), []byte(base64.StdEncoding.EncodeToString(sig)+"\n"))
}

// ParseManifest reads a manifest: each line a SHA-256 in hex, two spaces
// and a relative path inside the folder (no "..", no absolute path, no
// file twice).
func ParseManifest(b []byte) ([]ManifestEntry, error) {
	var out []ManifestEntry
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		sum, rel, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 || strings.ToLower(sum) != sum {
			return nil, fmt.Errorf("manifest line %d: not “SHA256  PATH”", n)
		}
		if _, err := hex.DecodeString(sum); err != nil {
			return nil, fmt.Errorf("manifest line %d: not a SHA-256 in hex", n)
		}
		if !fs.ValidPath(rel) || rel == "." || strings.ContainsAny(rel, "\\\r") {
			return nil, fmt.Errorf("manifest line %d: %q is not a path inside the folder", n, rel)
		}
		if seen[rel] {
			return nil, fmt.Errorf("manifest line %d: %s is listed twice", n, rel)
		}
		seen[rel] = true
		out = append(out, ManifestEntry{Path: rel, SHA256: sum})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return out, nil
}

// MirrorCheck is what VerifyMirror found: every file the manifest lists
// that differs or is gone, and every file it does not list.
type MirrorCheck struct {
	Files                   int // files the manifest lists
	Changed, Missing, Extra []string
}

// OK tells whether the folder is exactly what was signed.
func (c MirrorCheck) OK() bool { return len(c.Changed)+len(c.Missing)+len(c.Extra) == 0 }

// ErrNoManifest means the folder holds no signed manifest.
var ErrNoManifest = errors.New("no signed manifest (" + ManifestFile + " and " + ManifestSignatureFile + "): the mirror was not made with 'rollcall mirror --sign', or they were removed")

// VerifyMirror checks a mirror folder against its signed manifest and pub:
// first the manifest's signature (ErrBadSignature when it fails: then
// nothing in the manifest can be trusted, and nothing else is checked),
// then every file.
func VerifyMirror(dir string, pub ed25519.PublicKey) (MirrorCheck, error) {
	var c MirrorCheck
	manifest, err := readBounded(filepath.Join(dir, ManifestFile), maxManifest)
	if errors.Is(err, fs.ErrNotExist) {
		return c, ErrNoManifest
	}
	if err != nil {
		return c, err
	}
	sigFile, err := readBounded(filepath.Join(dir, ManifestSignatureFile), 4096)
	if errors.Is(err, fs.ErrNotExist) {
		return c, ErrNoManifest
	}
	if err != nil {
		return c, err
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sigFile)))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return c, errors.New(ManifestSignatureFile + " does not hold an ed25519 signature")
	}
	if !ed25519.Verify(pub, manifest, sig) {
		return c, ErrBadSignature
	}
	entries, err := ParseManifest(manifest)
	if err != nil {
		return c, err
	}
	c.Files = len(entries)
	listed := map[string]bool{}
	for _, e := range entries {
		listed[e.Path] = true
		sum, err := fileSHA256(filepath.Join(dir, filepath.FromSlash(e.Path)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			c.Missing = append(c.Missing, e.Path)
		case err != nil:
			return c, err
		case sum != e.SHA256:
			c.Changed = append(c.Changed, e.Path)
		}
	}
	files, err := mirrorFiles(dir)
	if err != nil {
		return c, err
	}
	for _, rel := range files {
		if !listed[rel] {
			c.Extra = append(c.Extra, rel)
		}
	}
	return c, nil
}

// mirrorFiles lists every file under dir but the manifest and its
// signature, relative with slashes, sorted. A link counts as a file (it
// is not followed): one the signer did not make is reported as added.
func mirrorFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != ManifestFile && rel != ManifestSignatureFile {
			files = append(files, rel)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// fileSHA256 hashes a regular file; anything else (a link, a folder where
// a file was) hashes as nothing a manifest lists.
func fileSHA256(path string) (string, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return "", err
	}
	if !info.Mode().IsRegular() {
		return "not a regular file", nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("%s is larger than %d bytes", filepath.Base(path), limit)
	}
	return b, err
}
