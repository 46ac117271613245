package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestVerifiedGivesTheWholeOnlyWhenItIsTheOneReceived(t *testing.T) {
	body := bytes.Repeat([]byte("evidence "), 50_000)
	sum := sha256.Sum256(body)
	good := hex.EncodeToString(sum[:])
	altered := bytes.Clone(body)
	altered[len(altered)-1] ^= 1
	for _, c := range []struct {
		name string
		src  []byte
		sha  string
		size int64
		ok   bool
	}{
		{"as received", body, good, int64(len(body)), true},
		{"last byte changed", altered, good, int64(len(body)), false},
		{"cut short by one byte", body[:len(body)-1], good, int64(len(body)), false},
		{"one byte too many", append(bytes.Clone(body), 'x'), good, int64(len(body)), false},
		{"empty as received", nil, hex.EncodeToString(sha256.New().Sum(nil)), 0, true},
		{"empty, one byte expected", nil, good, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			// One byte at a time: the hold-back must work whatever the
			// reads' sizes.
			for _, src := range []io.Reader{bytes.NewReader(c.src), iotest.OneByteReader(bytes.NewReader(c.src))} {
				got, err := io.ReadAll(Verified(src, c.sha, c.size))
				if c.ok {
					if err != nil || !bytes.Equal(got, c.src) {
						t.Fatalf("err %v, %d bytes of %d", err, len(got), len(c.src))
					}
					continue
				}
				if !errors.Is(err, ErrNotAsReceived) {
					t.Fatalf("err %v", err)
				}
				if int64(len(got)) >= c.size && c.size > 0 {
					t.Fatalf("a damaged file was given whole (%d bytes)", len(got))
				}
			}
		})
	}
}
