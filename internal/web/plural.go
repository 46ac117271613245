package web

import "fmt"

// A plural rule picks the CLDR plural category of a whole number. A
// language names its rule in its catalogue ("lang.plural"), so adding a
// language whose rule is already here is adding a folder of files.
type pluralRule struct {
	// categories are those the rule gives for whole numbers: a plural
	// message must have a form for each.
	categories []string
	pick       func(n int) string
}

// pluralRules are the CLDR rule families for whole numbers
// (https://cldr.unicode.org, plurals.xml), by the name catalogues use.
var pluralRules = map[string]pluralRule{
	// en, uz, kaa, kk, tr …: one for exactly 1 (English also needs v=0,
	// which whole numbers always have).
	"one_other": {[]string{"one", "other"}, func(n int) string {
		if n == 1 {
			return "one"
		}
		return "other"
	}},
	// ru, uk, be: one for 1, 21, 31 … but not 11; few for 2–4, 22–24 …
	// but not 12–14; many for the rest.
	"east_slavic": {[]string{"one", "few", "many"}, func(n int) string {
		if n < 0 {
			n = -n
		}
		mod10, mod100 := n%10, n%100
		switch {
		case mod10 == 1 && mod100 != 11:
			return "one"
		case mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14):
			return "few"
		}
		return "many"
	}},
	// Languages without grammatical number (ja, zh, …).
	"other": {[]string{"other"}, func(int) string { return "other" }},
}

func lookupPluralRule(name string) (pluralRule, error) {
	r, ok := pluralRules[name]
	if !ok {
		return pluralRule{}, fmt.Errorf("unknown plural rule %q (known: one_other, east_slavic, other)", name)
	}
	return r, nil
}
