package field

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

type buffers struct{ parts []*bytes.Buffer }

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

func (b *buffers) create(i, n int) (io.WriteCloser, error) {
	buf := new(bytes.Buffer)
	b.parts = append(b.parts, buf)
	return nopCloser{buf}, nil
}

func split(t testing.TB, msg []byte, size int64, armor bool) (*Identity, [][]byte) {
	id, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	var b buffers
	if _, err := Split(bytes.NewReader(msg), int64(len(msg)), size, KindBundle, "0192-test", id, armor, b.create); err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, len(b.parts))
	for i, p := range b.parts {
		out[i] = p.Bytes()
	}
	return id, out
}

func TestPartsJoinBackAndRefuseChanges(t *testing.T) {
	msg := bytes.Repeat([]byte("a message of many bytes\x00\xff"), 200)
	for _, armor := range []bool{false, true} {
		id, parts := split(t, msg, 1500, armor)
		if len(parts) != (len(msg)+1499)/1500 {
			t.Fatalf("armor %v: %d parts", armor, len(parts))
		}
		var joined []byte
		for i, p := range parts {
			h, body, err := ParsePart(p)
			if err != nil {
				t.Fatalf("armor %v part %d: %v", armor, i+1, err)
			}
			if h.Index != i+1 || h.Count != len(parts) || !h.Verify(id.Public().Sign) {
				t.Fatalf("part %d: header %+v or signature wrong", i+1, h)
			}
			joined = append(joined, body...)
		}
		if !bytes.Equal(joined, msg) {
			t.Fatalf("armor %v: the parts do not join back into the message", armor)
		}
		other, _ := NewIdentity()
		if h, _, _ := ParsePart(parts[0]); h.Verify(other.Public().Sign) {
			t.Error("a part verifies against another key")
		}
		if armor {
			crlf := strings.ReplaceAll(string(parts[0]), "\n", "\r\n")
			if h, _, err := ParsePart([]byte(crlf)); err != nil || !h.Verify(id.Public().Sign) {
				t.Errorf("an armored part with CRLF line ends (mail): %v", err)
			}
		}
		cut := parts[0][:len(parts[0])-30]
		if _, _, err := ParsePart(cut); err == nil {
			t.Errorf("armor %v: a part cut short was read", armor)
		}
	}
}

func TestPublicIdentityRoundTrip(t *testing.T) {
	id, _ := NewIdentity()
	pub, err := ParsePublic(id.Public().String())
	if err != nil || !pub.Sign.Equal(id.Public().Sign) || pub.Age.String() != id.Age.Recipient().String() {
		t.Fatalf("public identity does not read back: %v", err)
	}
	back, err := ParseIdentity(id.String())
	if err != nil || back.String() != id.String() {
		t.Fatalf("private identity does not read back: %v", err)
	}
	for _, bad := range []string{"", "rollcall-device1:", "rollcall-device1:abc:age1xyz", id.String()} {
		if _, err := ParsePublic(bad); err == nil {
			t.Errorf("ParsePublic(%q) accepted", bad)
		}
	}
}

// FuzzParsePart: parts come from outside (USB sticks, messengers, mail).
// Whatever the bytes, ParsePart returns an error or a part whose body
// matches its header; it never panics or reads without bound.
func FuzzParsePart(f *testing.F) {
	msg := []byte("seed message body, binary \x00\x01\x02 and text")
	for _, armor := range []bool{false, true} {
		_, parts := split(f, msg, 16, armor)
		for _, p := range parts {
			f.Add(p)
		}
	}
	f.Add([]byte(partMagic + "\nkind: bundle\n\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, body, err := ParsePart(data)
		if err != nil {
			return
		}
		if int64(len(body)) != h.Size || h.Index < 1 || h.Index > h.Count {
			t.Fatalf("accepted a part whose body (%d bytes) or place (%d/%d) contradicts its header", len(body), h.Index, h.Count)
		}
	})
}
