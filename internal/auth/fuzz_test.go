package auth

import (
	"testing"
	"time"
)

// What a sign-in form sends: passwords and codes of any shape, and stored
// hashes of any shape. None may panic; codes pass only in their form.
func FuzzSignInInputs(f *testing.F) {
	for _, s := range []string{"", "the right passphrase", "123456", "abcd-efgh-ijkl-mnop", "\x00\xff", "ＡＢＣＤ-ｅｆｇｈ", "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA"} {
		f.Add(s, s)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, password, code string) {
		CheckPassword(password)
		// A stored hash of any shape must not panic, nor accept a password
		// it was not made from.
		if VerifyPassword("x", password) {
			t.Fatalf("a made-up stored hash %q accepted a password", password)
		}
		if _, ok := matchTOTP("JBSWY3DPEHPK3PXP", code, now); ok && len(code) != 6 {
			t.Fatalf("code %q of length %d accepted", code, len(code))
		}
		looksLikeRecoveryCode(code)
		plausibleEmail(code)
	})
}
