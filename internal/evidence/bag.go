package evidence

import (
	"archive/zip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// A bag is a BagIt bag (RFC 8493, version 1.0) for courts and UN
// mechanisms: the payload under data/ listed with its SHA-256 in
// manifest-sha256.txt, the tag files (bagit.txt, bag-info.txt, the
// manifest, the signing key) listed in tagmanifest-sha256.txt, and an
// ed25519 signature over the tag manifest, which thereby covers every
// byte of the bag. The signature is not a BagIt file: it sits beside the
// tag manifest (SignatureFile) and is not listed anywhere, since nothing
// can list its own signature.

// Files of a bag that are not payload.
const (
	BagDeclarationFile = "bagit.txt"
	BagInfoFile        = "bag-info.txt"
	ManifestFile       = "manifest-sha256.txt"
	TagManifestFile    = "tagmanifest-sha256.txt"
	// SignatureFile is the base64 ed25519 signature of the tag manifest's
	// bytes, one line (as snapshots' .sig files are).
	SignatureFile = "tagmanifest-sha256.txt.sig"
	// SigningKeyFile is the public key the signature verifies with
	// (base64, one line): a convenience, listed in the tag manifest; a
	// court checks it against the key the project publishes.
	SigningKeyFile = "snapshot-signing.pub"
)

// BagInfo is one line of bag-info.txt.
type BagInfo struct{ Label, Value string }

// Bag is a bag being written: into a directory, or into a zip file with
// the bag as its one top-level folder (RFC 8493 §4.2's serialization).
// Nothing is visible under the target's name until Finish succeeds.
type Bag struct {
	out      bagOut
	payload  map[string]string // path in the bag -> sha256
	tags     map[string]string
	octets   int64
	started  time.Time
	finished bool
}

type bagOut interface {
	// create makes a file at a slash path inside the bag.
	create(name string) (io.WriteCloser, error)
	commit() error
	abort()
}

// NewBag starts a bag at target: a zip file when it ends in .zip, else a
// directory. It must not exist yet.
func NewBag(target string) (*Bag, error) {
	if _, err := os.Lstat(target); err == nil {
		return nil, fmt.Errorf("%s exists already: a bag is never written over anything", target)
	}
	var out bagOut
	var err error
	if strings.EqualFold(filepath.Ext(target), ".zip") {
		out, err = newZipOut(target)
	} else {
		out, err = newDirOut(target)
	}
	if err != nil {
		return nil, plainDiskError(err)
	}
	return &Bag{out: out, payload: map[string]string{}, tags: map[string]string{}, started: time.Now()}, nil
}

// validBagPath keeps a path inside data/ plain: slash-separated, relative,
// no dot segments, no characters the manifests would need to encode.
func validBagPath(p string) error {
	if p == "" || path.Clean(p) != p || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "../") || p == ".." || strings.ContainsAny(p, "\\\r\n%") {
		return fmt.Errorf("bag path %q", p)
	}
	return nil
}

// AddPayload copies src into data/name, hashing it on the way; it returns
// the SHA-256 (hex) and the size written.
func (b *Bag) AddPayload(name string, src io.Reader) (string, int64, error) {
	if err := validBagPath(name); err != nil {
		return "", 0, err
	}
	full := "data/" + name
	if _, dup := b.payload[full]; dup {
		return "", 0, fmt.Errorf("bag path %q twice", name)
	}
	sum, n, err := b.write(full, src)
	if err != nil {
		return "", 0, err
	}
	b.payload[full] = sum
	b.octets += n
	return sum, n, nil
}

func (b *Bag) write(name string, src io.Reader) (string, int64, error) {
	w, err := b.out.create(name)
	if err != nil {
		return "", 0, plainDiskError(err)
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(w, h), src, make([]byte, chunkSize))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, plainDiskError(err)
	}
	return hexSum(h), n, nil
}

func (b *Bag) tag(name string, body []byte) error {
	sum, _, err := b.write(name, strings.NewReader(string(body)))
	if err == nil {
		b.tags[name] = sum
	}
	return err
}

// manifest lists sums as RFC 8493 §2.1.3 says: "SUM PATH", one a line,
// paths sorted so that the same bag is always written the same way.
func manifest(sums map[string]string) []byte {
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Strings(names)
	var s strings.Builder
	for _, n := range names {
		s.WriteString(sums[n] + "  " + n + "\n")
	}
	return []byte(s.String())
}

// oneLine keeps a bag-info value on its line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Finish writes the tag files and the signature made with key, and makes
// the bag visible under its target's name. info adds to the lines every
// bag has (Bagging-Date, Payload-Oxum, Bag-Size).
func (b *Bag) Finish(info []BagInfo, key ed25519.PrivateKey) error {
	if b.finished {
		return errors.New("the bag is finished already")
	}
	b.finished = true
	fail := func(err error) error {
		b.out.abort()
		return plainDiskError(err)
	}
	if err := b.tag(BagDeclarationFile, []byte("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")); err != nil {
		return fail(err)
	}
	var s strings.Builder
	lines := append([]BagInfo{
		{"Bagging-Date", b.started.UTC().Format("2006-01-02")},
		{"Payload-Oxum", fmt.Sprintf("%d.%d", b.octets, len(b.payload))},
		{"Bag-Size", humanSize(b.octets)},
	}, info...)
	for _, l := range lines {
		fmt.Fprintf(&s, "%s: %s\n", oneLine(l.Label), oneLine(l.Value))
	}
	if err := b.tag(BagInfoFile, []byte(s.String())); err != nil {
		return fail(err)
	}
	if err := b.tag(ManifestFile, manifest(b.payload)); err != nil {
		return fail(err)
	}
	pub := key.Public().(ed25519.PublicKey)
	if err := b.tag(SigningKeyFile, []byte(base64.StdEncoding.EncodeToString(pub)+"\n")); err != nil {
		return fail(err)
	}
	tagManifest := manifest(b.tags)
	if _, _, err := b.write(TagManifestFile, strings.NewReader(string(tagManifest))); err != nil {
		return fail(err)
	}
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(key, tagManifest)) + "\n"
	if _, _, err := b.write(SignatureFile, strings.NewReader(sig)); err != nil {
		return fail(err)
	}
	if err := b.out.commit(); err != nil {
		return plainDiskError(err)
	}
	return nil
}

// Abort throws the bag away; safe after Finish (it does nothing then).
func (b *Bag) Abort() {
	if !b.finished {
		b.finished = true
		b.out.abort()
	}
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// dirOut writes the bag in TARGET.part, renamed to TARGET at the end.
type dirOut struct{ target, tmp string }

func newDirOut(target string) (*dirOut, error) {
	tmp := target + ".part"
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, err
	}
	return &dirOut{target: target, tmp: tmp}, nil
}

func (d *dirOut) create(name string) (io.WriteCloser, error) {
	p := filepath.Join(d.tmp, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	return syncCloser{f}, nil
}

func (d *dirOut) commit() error {
	if err := os.Rename(d.tmp, d.target); err != nil {
		os.RemoveAll(d.tmp)
		return err
	}
	return nil
}

func (d *dirOut) abort() { os.RemoveAll(d.tmp) }

// syncCloser makes Close reach the disk first.
type syncCloser struct{ *os.File }

func (f syncCloser) Close() error {
	err := f.File.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	return err
}

// zipOut writes the bag as entries NAME/… of TARGET.part, renamed to
// TARGET at the end. Entries are stored, not compressed: photos and
// videos are compressed already, and a court's tools read stored entries
// fastest.
type zipOut struct {
	target, tmp, root string
	f                 *os.File
	z                 *zip.Writer
}

func newZipOut(target string) (*zipOut, error) {
	tmp := target + ".part"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	root := strings.TrimSuffix(filepath.Base(target), filepath.Ext(target))
	return &zipOut{target: target, tmp: tmp, root: root, f: f, z: zip.NewWriter(f)}, nil
}

type zipEntry struct{ io.Writer }

func (zipEntry) Close() error { return nil }

func (o *zipOut) create(name string) (io.WriteCloser, error) {
	w, err := o.z.CreateHeader(&zip.FileHeader{Name: o.root + "/" + name, Method: zip.Store, Modified: time.Now()})
	if err != nil {
		return nil, err
	}
	return zipEntry{w}, nil
}

func (o *zipOut) commit() error {
	err := o.z.Close()
	if err == nil {
		err = o.f.Sync()
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(o.tmp, o.target)
	}
	if err != nil {
		os.Remove(o.tmp)
	}
	return err
}

func (o *zipOut) abort() {
	o.f.Close()
	os.Remove(o.tmp)
}
