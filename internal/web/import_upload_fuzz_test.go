package web

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"
)

// chunked hands out its bytes in pieces of the sizes given, so a
// character may be split across two reads.
type chunked struct {
	b     []byte
	sizes []byte
	i     int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(c.sizes) > 0 {
		n = int(c.sizes[c.i%len(c.sizes)])%7 + 1
		c.i++
	}
	n = min(n, len(p), len(c.b))
	copy(p, c.b[:n])
	c.b = c.b[n:]
	return n, nil
}

// An upload is kept exactly when it is non-empty UTF-8 text without NUL
// bytes and not a known binary format, however the reads split it; what
// is kept reads back byte for byte.
func FuzzImportUpload(f *testing.F) {
	f.Add([]byte("source,record,name\nv,1,Азамат\n"), []byte{1, 2, 3})
	f.Add([]byte("v,1,Na\xefve\n"), []byte{4})
	f.Add([]byte("PK\x03\x04rest"), []byte{0})
	f.Add([]byte("\xff\xfes\x00"), []byte{1})
	f.Add([]byte("ә ң ө ү\r\n"), []byte{0, 1, 0, 2})
	f.Add([]byte("a\x00b"), []byte{})
	f.Add([]byte("\xe2\x82"), []byte{0})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body, sizes []byte) {
		tmp, err := sealUpload(dir, &chunked{b: body, sizes: sizes}, 1<<20)
		binary := false
		for _, b := range binaryFormats {
			binary = binary || bytes.HasPrefix(body, []byte(b.magic))
		}
		want := len(body) > 0 && utf8.Valid(body) && !bytes.ContainsRune(body, 0) && !binary
		var refusal *uploadRefusal
		if err != nil && !errors.As(err, &refusal) {
			t.Fatal(err)
		}
		if (err == nil) != want {
			t.Fatalf("%q: kept %v, want %v (%v)", body, err == nil, want, err)
		}
		if err != nil {
			return
		}
		defer tmp.remove()
		rd, err := tmp.open()
		if err != nil {
			t.Fatal(err)
		}
		back, err := io.ReadAll(rd)
		rd.Close()
		if err != nil || !bytes.Equal(back, body) || tmp.size != int64(len(body)) {
			t.Fatalf("read back %q, want %q (%v)", back, body, err)
		}
	})
}
