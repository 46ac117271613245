package names

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFold: no panic; output is lower-case ASCII words with single spaces;
// Fold is idempotent (a folded string folds to itself, so keys built from
// stored folds agree with keys built from raw text).
func FuzzFold(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Fold(s)
		checkFolded(t, s, out)
		if again := Fold(out); again != out {
			t.Fatalf("Fold not idempotent: %q → %q → %q", s, out, again)
		}
		if tok := FoldToken(s); strings.ReplaceAll(out, " ", "") != tok {
			t.Fatalf("FoldToken(%q) = %q, Fold = %q", s, tok, out)
		}
		_ = Phonetic(out)
		_ = DetectScript(s)
		_ = DetectCyrillicLanguage(s)
		for _, sc := range Schemes {
			l := ToLatin(s, sc)
			c := ToCyrillic(s, sc)
			if utf8.ValidString(s) && (!utf8.ValidString(l) || !utf8.ValidString(c)) {
				t.Fatalf("invalid UTF-8 from valid input %q", s)
			}
		}
	})
}

// FuzzParse: no panic; Parse never loses or invents a letter; keys are
// sorted and distinct.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		q := ParseQuery(s)
		if len(q.Words) > MaxQueryWords {
			t.Fatalf("%d query words", len(q.Words))
		}
		for _, w := range q.Words {
			for _, k := range append(append(append([]string{}, w.Exact...), w.Prefixes...), w.Phonetic...) {
				if !isKey(k) {
					t.Fatalf("query key %q of %q", k, s)
				}
			}
		}
		_ = q.Score(SearchKeys(s), true)
		n := Parse(s)
		checkNoLoss(t, s, n)
		if n.SexHint != "" && n.SexHint != "m" && n.SexHint != "f" {
			t.Fatalf("SexHint %q", n.SexHint)
		}
		for _, keys := range [][]string{BlockingKeys(s), SearchKeys(s)} {
			for i := 1; i < len(keys); i++ {
				if keys[i-1] >= keys[i] {
					t.Fatalf("keys not sorted/distinct: %q", keys)
				}
			}
		}
	})
}

var fuzzSeeds = []string{
	"", " ", "Лалагул Каллыханова", "KALLYKHANOVA Lalagul", "Lalagul Kallıxanova",
	"Tajimuratov D.", "D. M. Tajimuratov", "Jamshid Ahmad o‘g‘li Yusupov",
	"Иван Иванович Иванов", "Sultan, Jamshid", "Нөкис", "O'zbekiston", "Qon'i'rat",
	"Фе\u0308дор", "ǅemal", "محمد علي", "a.b.c.", "''''", "-- , ;", "Ёё Ўў Ғғ Ққ Ҳҳ",
	"Shcherbakova Natalya Yuryevna", "Ali-zade Vali", "qızı", "\xff\xfe",
}

// isKey: a search key is a kind, ':' and lower-case ASCII letters and
// digits (so that KeyRangeEnd bounds every range).
func isKey(k string) bool {
	if len(k) < 2 || k[1] != ':' {
		return false
	}
	for i := 2; i < len(k); i++ {
		if c := k[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// FuzzParseQuery: the query parser takes anything a person may type (one
// letter, punctuation, 1,000 characters, other scripts) without panic;
// every key it asks for is a well-formed key, a query asks for a bounded
// number of them (so the store's lookup stays as fast for any input), and
// a name typed exactly as a record spells it finds that record exactly.
func FuzzParseQuery(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range []string{"a", "!!!", "Досжан", "Утепбергенов Даулет Бахтиярович", "Po' Ayteembetov", "Серик Джо", "Анв",
		strings.Repeat("ж", 1000), strings.Repeat("Утепбергенов ", 80), "李小龙", "Ótepbergenov Dáwlet Baxtiyar ulı"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := ParseQuery(s)
		if len(q.Words) > MaxQueryWords {
			t.Fatalf("%d query words", len(q.Words))
		}
		for _, w := range q.Words {
			all := slices.Concat(w.Exact, w.Prefixes, w.Phonetic, w.NearPrefixes, w.NearKeys)
			if len(all) > 80 {
				t.Fatalf("%d keys for one word of %q", len(all), s)
			}
			for _, k := range all {
				if !isKey(k) {
					t.Fatalf("query key %q of %q", k, s)
				}
			}
		}
		if !utf8.ValidString(s) || q.Empty() {
			return
		}
		if sc := q.Score(SearchKeys(s), false); !sc.Found || sc.Low != TierExact {
			t.Fatalf("%q does not find itself exactly: %+v", s, sc)
		}
	})
}
