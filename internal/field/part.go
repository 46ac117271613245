package field

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
	"strconv"
	"strings"
)

// A part file is a text header, a blank line and a body:
//
//	ROLLCALL-PART 1
//	kind: bundle
//	id: 0192…-…
//	from: <base64url ed25519 public key of the sender>
//	part: 2/5
//	encoding: binary
//	size: 1048576
//	sha256: <hex SHA-256 of the body's bytes>
//	signature: <base64url ed25519 signature of the lines above>
//
//	<size bytes>                 (encoding binary)
//	<base64, 76 to a line>       (encoding base64, then a line END ROLLCALL-PART)
//
// The body is a piece of one age message; the parts of a message joined in
// order are the message. The signature covers kind, id, sender, position,
// size and hash, so a part can be neither altered nor moved to another
// message or place without its signature failing; lines may come back
// with CRLF endings (mail), which the signature does not see.

const (
	partMagic      = "ROLLCALL-PART 1"
	armorEnd       = "END ROLLCALL-PART"
	signContext    = "rollcall-part-v1\n"
	maxHeaderBytes = 4096
	// MaxParts bounds how many parts one message may be cut into.
	MaxParts = 100000
)

// Kinds of message.
const (
	KindBundle = "bundle"
	KindAck    = "ack"
)

// Header is what a part says of itself.
type Header struct {
	Kind   string
	ID     string
	From   ed25519.PublicKey
	Index  int // 1-based
	Count  int
	Armor  bool
	Size   int64
	SHA256 [32]byte
	Sig    []byte
}

func (h *Header) signed() []byte {
	enc := "binary"
	if h.Armor {
		enc = "base64"
	}
	var b bytes.Buffer
	b.WriteString(signContext)
	fmt.Fprintf(&b, "%s\nkind: %s\nid: %s\nfrom: %s\npart: %d/%d\nencoding: %s\nsize: %d\nsha256: %s\n",
		partMagic, h.Kind, h.ID, SignKeyText(h.From), h.Index, h.Count, enc, h.Size, hex.EncodeToString(h.SHA256[:]))
	return b.Bytes()
}

func (h *Header) text() string {
	return strings.TrimPrefix(string(h.signed()), signContext) + "signature: " + base64.RawURLEncoding.EncodeToString(h.Sig) + "\n\n"
}

// Verify checks the part's signature against key.
func (h *Header) Verify(key ed25519.PublicKey) bool {
	return len(key) == ed25519.PublicKeySize && ed25519.Verify(key, h.signed(), h.Sig)
}

// Split cuts the message src (size bytes) into parts of at most partSize
// body bytes (0: one part), signs each with sender, and writes each to
// the writer create gives for it (index 1…count).
func Split(src io.ReaderAt, size, partSize int64, kind, id string, sender *Identity, armor bool, create func(index, count int) (io.WriteCloser, error)) (int, error) {
	if partSize <= 0 || partSize > size {
		partSize = size
	}
	if partSize <= 0 {
		partSize = 1
	}
	count := int((size + partSize - 1) / partSize)
	if count == 0 {
		count = 1
	}
	if count > MaxParts {
		return 0, fmt.Errorf("%d parts: more than %d; give a larger --part-size", count, MaxParts)
	}
	for i := 0; i < count; i++ {
		off := int64(i) * partSize
		n := min(partSize, size-off)
		h := Header{Kind: kind, ID: id, From: sender.Public().Sign, Index: i + 1, Count: count, Armor: armor, Size: n}
		sum := sha256.New()
		if _, err := io.Copy(sum, io.NewSectionReader(src, off, n)); err != nil {
			return 0, err
		}
		copy(h.SHA256[:], sum.Sum(nil))
		h.Sig = ed25519.Sign(sender.Sign, h.signed())
		w, err := create(i+1, count)
		if err != nil {
			return 0, err
		}
		if err := writePart(w, &h, io.NewSectionReader(src, off, n)); err != nil {
			w.Close()
			return 0, err
		}
		if err := w.Close(); err != nil {
			return 0, err
		}
	}
	return count, nil
}

func writePart(w io.Writer, h *Header, body io.Reader) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(h.text())
	if !h.Armor {
		if _, err := io.Copy(bw, body); err != nil {
			return err
		}
		return bw.Flush()
	}
	lw := &lineWriter{w: bw}
	enc := base64.NewEncoder(base64.StdEncoding, lw)
	if _, err := io.Copy(enc, body); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	if lw.col > 0 {
		bw.WriteByte('\n')
	}
	bw.WriteString(armorEnd + "\n")
	return bw.Flush()
}

// lineWriter breaks base64 into lines of 76 characters.
type lineWriter struct {
	w   *bufio.Writer
	col int
}

func (l *lineWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		if l.col == 76 {
			l.w.WriteByte('\n')
			l.col = 0
		}
		l.w.WriteByte(c)
		l.col++
	}
	return len(p), nil
}

// ReadHeader reads a part's header from r, which is left at the body's
// start. It checks the form only; Verify checks the signature.
func ReadHeader(r *bufio.Reader) (*Header, error) {
	var lines []string
	read := 0
	for {
		line, err := r.ReadString('\n')
		read += len(line)
		if read > maxHeaderBytes {
			return nil, errors.New("not a part: header too long")
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errors.New("not a part, or cut short in its header")
			}
			return nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		lines = append(lines, line)
	}
	if len(lines) != 9 || lines[0] != partMagic {
		return nil, fmt.Errorf("not a part (a part starts %q and has 8 fields)", partMagic)
	}
	want := []string{"kind", "id", "from", "part", "encoding", "size", "sha256", "signature"}
	v := make([]string, len(want))
	for i, k := range want {
		key, val, ok := strings.Cut(lines[i+1], ": ")
		if !ok || key != k {
			return nil, fmt.Errorf("part header: line %d should be %q", i+2, k+": …")
		}
		v[i] = val
	}
	h := &Header{Kind: v[0], ID: v[1]}
	if h.Kind != KindBundle && h.Kind != KindAck {
		return nil, fmt.Errorf("part header: unknown kind %q", h.Kind)
	}
	if h.ID == "" || len(h.ID) > 64 || strings.ContainsAny(h.ID, " /\\") {
		return nil, errors.New("part header: bad id")
	}
	var err error
	if h.From, err = ParseSignKey(v[2]); err != nil {
		return nil, fmt.Errorf("part header: from: %w", err)
	}
	idx, cnt, ok := strings.Cut(v[3], "/")
	h.Index, err = strconv.Atoi(idx)
	if err == nil {
		h.Count, err = strconv.Atoi(cnt)
	}
	if !ok || err != nil || h.Count < 1 || h.Count > MaxParts || h.Index < 1 || h.Index > h.Count {
		return nil, fmt.Errorf("part header: part %q is not i/n", v[3])
	}
	switch v[4] {
	case "binary":
	case "base64":
		h.Armor = true
	default:
		return nil, fmt.Errorf("part header: unknown encoding %q", v[4])
	}
	if h.Size, err = strconv.ParseInt(v[5], 10, 64); err != nil || h.Size < 0 {
		return nil, fmt.Errorf("part header: size %q", v[5])
	}
	sum, err := hex.DecodeString(v[6])
	if err != nil || len(sum) != 32 {
		return nil, errors.New("part header: sha256 is not 64 hex digits")
	}
	copy(h.SHA256[:], sum)
	if h.Sig, err = base64.RawURLEncoding.DecodeString(v[7]); err != nil || len(h.Sig) != ed25519.SignatureSize {
		return nil, errors.New("part header: bad signature")
	}
	return h, nil
}

// ReadBody copies the body that follows h in r into w, checking its
// size and hash; it fails on anything after the body.
func ReadBody(r *bufio.Reader, h *Header, w io.Writer) error {
	sum := sha256.New()
	out := io.MultiWriter(w, sum)
	var n int64
	var err error
	if h.Armor {
		n, err = io.Copy(out, io.LimitReader(base64.NewDecoder(base64.StdEncoding, &armorReader{r: r}), h.Size+1))
	} else {
		n, err = io.Copy(out, io.LimitReader(r, h.Size+1))
	}
	if err != nil {
		return fmt.Errorf("body damaged: %w", err)
	}
	if n != h.Size {
		return fmt.Errorf("body has %d bytes, the header says %d (cut short or padded)", n, h.Size)
	}
	if !bytes.Equal(sum.Sum(nil), h.SHA256[:]) {
		return errors.New("body does not match its hash (altered or damaged)")
	}
	if h.Armor {
		rest, _ := io.ReadAll(io.LimitReader(r, 64))
		if strings.TrimSpace(string(rest)) != "" {
			return errors.New("text after the part's end")
		}
	}
	return nil
}

// armorReader gives the base64 lines of an armored body without their
// line ends, up to the END line.
type armorReader struct {
	r    *bufio.Reader
	buf  []byte
	done bool
}

func (a *armorReader) Read(p []byte) (int, error) {
	for len(a.buf) == 0 {
		if a.done {
			return 0, io.EOF
		}
		line, err := a.r.ReadString('\n')
		if err != nil && (!errors.Is(err, io.EOF) || line == "") {
			if errors.Is(err, io.EOF) {
				return 0, errors.New("no END line: cut short")
			}
			return 0, err
		}
		line = strings.TrimRight(line, "\r\n ")
		if line == armorEnd {
			a.done = true
			continue
		}
		if len(line) > 1024 {
			return 0, errors.New("a base64 line too long")
		}
		a.buf = []byte(line)
	}
	n := copy(p, a.buf)
	a.buf = a.buf[n:]
	return n, nil
}

// ParsePart reads a whole part held in memory: its header and its body.
func ParsePart(data []byte) (*Header, []byte, error) {
	r := bufio.NewReader(bytes.NewReader(data))
	h, err := ReadHeader(r)
	if err != nil {
		return nil, nil, err
	}
	if h.Size > int64(len(data)) {
		return nil, nil, fmt.Errorf("body has fewer bytes than the header's %d", h.Size)
	}
	var body bytes.Buffer
	if err := ReadBody(r, h, &body); err != nil {
		return nil, nil, err
	}
	return h, body.Bytes(), nil
}
