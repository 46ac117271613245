package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestPasswordPolicy(t *testing.T) {
	cases := []struct {
		p    string
		want error
	}{
		{"short", ErrPasswordShort},
		{"elevenchars", ErrPasswordShort},
		{"twelve chars", nil},
		{"все буквы тут", nil}, // 13 letters in Cyrillic: counted as characters, not bytes
		{"qazwsxedcrfv", ErrPasswordCommon},
		{"1QAZ2WSX3EDC", ErrPasswordCommon}, // case does not help
		{"lowercase only but long", nil},    // no composition rules
		{strings.Repeat("x", MaxPasswordLen+1), ErrPasswordLong},
	}
	for _, c := range cases {
		if err := CheckPassword(c.p); !errors.Is(err, c.want) {
			t.Errorf("CheckPassword(%.20q) = %v, want %v", c.p, err, c.want)
		}
	}
	if n := len(commonPasswords()); n < 4000 {
		t.Errorf("only %d common passwords loaded", n)
	}
}

func TestArgon2idHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q lacks the OWASP parameters", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if !VerifyPassword("correct horse battery", h) || !VerifyPassword("correct horse battery", h2) {
		t.Error("right password refused")
	}
	for _, bad := range []string{"correct horse batterY", "", "correct horse battery "} {
		if VerifyPassword(bad, h) {
			t.Errorf("wrong password %q accepted", bad)
		}
	}
	for _, broken := range []string{"", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdA$aGFzaA", "plain"} {
		if VerifyPassword("x", broken) {
			t.Errorf("malformed hash %q verified", broken)
		}
	}
}

func TestDummyHashHasTheRealParameters(t *testing.T) {
	h, _ := HashPassword("x")
	prefix := h[:strings.LastIndex(h[:strings.LastIndex(h, "$")], "$")]
	if !strings.HasPrefix(dummyHash(), prefix+"$") {
		t.Errorf("dummy hash %q has other parameters than %q: its check would take another time", dummyHash(), prefix)
	}
	if !VerifyPassword("rollcall-dummy-password-never-used", dummyHash()) {
		t.Error("dummy hash is not a valid hash")
	}
}
