package seal

import (
	"bytes"
	"testing"
)

// Sealed values come back from a database an intruder may have written:
// Unseal must refuse anything it did not seal, never panic, and open what
// it did seal exactly.
func FuzzUnseal(f *testing.F) {
	k, err := Open(f.TempDir(), nil)
	if err != nil {
		f.Fatal(err)
	}
	good, _ := k.SealString("p", "value")
	for _, s := range []string{good, good[:len(good)-1], Prefix, Prefix + k.KeyID() + ":", Prefix + ":::", "", "plain", Prefix + k.KeyID() + ":AAAA"} {
		f.Add(s, []byte("value"))
	}
	f.Fuzz(func(t *testing.T, sealed string, plain []byte) {
		if got, err := k.Unseal("p", sealed); err == nil && sealed != good {
			// Only a value this keyring sealed for "p" may open.
			t.Fatalf("a foreign value opened: %q -> %q", sealed, got)
		}
		s, err := k.Seal("p", plain)
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.Unseal("p", s)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("round trip of %q: %q %v", plain, got, err)
		}
	})
}
