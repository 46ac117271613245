package names

import (
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in                   string
		surname, given, patr string
		initials, other      []string
		sex                  string
	}{
		// Russian official order and its variants.
		{"Иванов Иван Иванович", "Иванов", "Иван", "Иванович", nil, nil, "m"},
		{"Иван Иванович Иванов", "Иванов", "Иван", "Иванович", nil, nil, "m"},
		{"Ivanova Mariya Petrovna", "Ivanova", "Mariya", "Petrovna", nil, nil, "f"},
		{"Petrovna Ivanova Mariya", "Ivanova", "Mariya", "Petrovna", nil, nil, "f"},
		{"Сергеев Евгений Юрьевич", "Сергеев", "Евгений", "Юрьевич", nil, nil, "m"},
		{"Ильинична Каримова Нодира", "Каримова", "Нодира", "Ильинична", nil, nil, "f"},
		// Given Surname (press) and Surname Given (lists), by ending or table.
		{"Lalagul Kallykhanova", "Kallykhanova", "Lalagul", "", nil, nil, "f"},
		{"Kallykhanova Lalagul", "Kallykhanova", "Lalagul", "", nil, nil, "f"},
		{"Лалагул Каллыханова", "Каллыханова", "Лалагул", "", nil, nil, "f"},
		{"Dauletbay Tajimuratov", "Tajimuratov", "Dauletbay", "", nil, nil, "m"},
		{"Tajimuratova Dilnoza", "Tajimuratova", "Dilnoza", "", nil, nil, "f"},
		// -in ends given names too: a stronger ending wins.
		{"Ulbosyn Raushanova", "Raushanova", "Ulbosyn", "", nil, nil, "f"},
		{"Улбосын Раушанова", "Раушанова", "Улбосын", "", nil, nil, "f"},
		{"Nurdin Amanbaev", "Amanbaev", "Nurdin", "", nil, nil, "m"},
		{"Kalinin Oraz", "Kalinin", "Oraz", "", nil, nil, "m"},
		{"Jamshid Sultan", "Sultan", "Jamshid", "", nil, nil, ""},
		{"Sultan Jamshid", "Sultan", "Jamshid", "", nil, nil, ""},
		{"Ernazar Alaqoz", "Alaqoz", "Ernazar", "", nil, nil, ""}, // Ernazar is a known given name
		{"Alaqoz Ernazar", "Alaqoz", "Ernazar", "", nil, nil, ""},
		{"Seytmurat Qudaybergen", "Seytmurat", "Qudaybergen", "", nil, nil, ""}, // no signal at all: first word
		// ALL-CAPS surname.
		{"KALLYKHANOVA Lalagul", "KALLYKHANOVA", "Lalagul", "", nil, nil, "f"},
		{"Lalagul KALLYKHANOVA", "KALLYKHANOVA", "Lalagul", "", nil, nil, "f"},
		{"Aybek SEYTMURATOV", "SEYTMURATOV", "Aybek", "", nil, nil, "m"},
		{"BERDAQ Nurlan", "BERDAQ", "Nurlan", "", nil, nil, ""},
		// Comma.
		{"Tajimuratov, Dauletbay", "Tajimuratov", "Dauletbay", "", nil, nil, "m"},
		{"Sultan, Jamshid Ahmadovich", "Sultan", "Jamshid", "Ahmadovich", nil, nil, "m"},
		{"Каллыханова, Лалагул", "Каллыханова", "Лалагул", "", nil, nil, "f"},
		{"de Teliga, Maliah", "de Teliga", "Maliah", "", nil, nil, ""},
		{"Kally khanova, Lalagul", "Kally khanova", "Lalagul", "", nil, nil, "f"},
		{"Tajimuratov Dauletbay, Q.", "Tajimuratov", "Dauletbay", "", []string{"Q"}, nil, "m"},
		// Initials.
		{"Tajimuratov D.", "Tajimuratov", "", "", []string{"D"}, nil, "m"},
		{"D. M. Tajimuratov", "Tajimuratov", "", "", []string{"D", "M"}, nil, "m"},
		{"D.M. Tajimuratov", "Tajimuratov", "", "", []string{"D", "M"}, nil, "m"},
		{"Таджимуратова Д.М.", "Таджимуратова", "", "", []string{"Д", "М"}, nil, "f"},
		{"Sh. Mirziyoyev", "Mirziyoyev", "", "", []string{"Sh"}, nil, "m"},
		{"Mirziyoyev Shavkat M.", "Mirziyoyev", "Shavkat", "", []string{"M"}, nil, "m"},
		// Turkic patronymics.
		{"Yusupov Jamshid Ahmad o‘g‘li", "Yusupov", "Jamshid", "Ahmad o‘g‘li", nil, nil, "m"},
		{"Jamshid Ahmad o'g'li Yusupov", "Yusupov", "Jamshid", "Ahmad o'g'li", nil, nil, "m"},
		{"Aliyeva Gulnora Rustam qizi", "Aliyeva", "Gulnora", "Rustam qizi", nil, nil, "f"},
		{"Gulnara Rustam kyzy Alieva", "Alieva", "Gulnara", "Rustam kyzy", nil, nil, "f"},
		{"Ernazar Qalmurat ulı Alaqozov", "Alaqozov", "Ernazar", "Qalmurat ulı", nil, nil, "m"},
		{"Жамшид Ахмад угли", "", "Жамшид", "Ахмад угли", nil, nil, "m"},
		{"Yusupov Jamshid Ahmadugli", "Yusupov", "Jamshid", "Ahmadugli", nil, nil, "m"},
		{"Qızı Aliyeva", "Aliyeva", "Qızı", "", nil, nil, "f"}, // a particle with nothing before it is a word
		// Single words, extra words.
		{"Tajimuratov", "Tajimuratov", "", "", nil, nil, "m"},
		{"Lola", "", "Lola", "", nil, nil, ""},
		{"Kallykhanova Lalagul Bakhtiyarovna Nurlan", "Kallykhanova", "Lalagul", "Bakhtiyarovna", nil, []string{"Nurlan"}, "f"},
		{"", "", "", "", nil, nil, ""},
		{"  ,.  ", "", "", "", nil, nil, ""},
		// -skii / -skaya
		{"Tatyana Dubrovskaya", "Dubrovskaya", "Tatyana", "", nil, nil, "f"},
		{"Дубровский Андрей", "Дубровский", "Андрей", "", nil, nil, "m"},
	}
	for _, tt := range tests {
		n := Parse(tt.in)
		if n.Surname != tt.surname || n.Given != tt.given || n.Patronymic != tt.patr ||
			!slices.Equal(n.Initials, tt.initials) || !slices.Equal(n.Other, tt.other) || n.SexHint != tt.sex {
			t.Errorf("Parse(%q) = S %q G %q P %q I %q O %q sex %q; want S %q G %q P %q I %q O %q sex %q",
				tt.in, n.Surname, n.Given, n.Patronymic, n.Initials, n.Other, n.SexHint,
				tt.surname, tt.given, tt.patr, tt.initials, tt.other, tt.sex)
		}
	}
}

func TestParseFoldedFields(t *testing.T) {
	a := Parse("Тажимуратова Дилноза Ахмедовна")
	b := Parse("Tajimuratov Davlat Akhmedovich")
	if a.SurnameStem != b.SurnameStem || a.SurnameStem != "tajimuratov" {
		t.Errorf("stems %q %q, want tajimuratov", a.SurnameStem, b.SurnameStem)
	}
	if a.PatronymicStem != "ahmed" || b.PatronymicStem != "ahmed" {
		t.Errorf("patronymic stems %q %q, want ahmed", a.PatronymicStem, b.PatronymicStem)
	}
	if a.SexHint != "f" || b.SexHint != "m" {
		t.Errorf("sex %q %q", a.SexHint, b.SexHint)
	}
	if a.GivenFold != "dilnoza" || a.SurnameFold != "tajimuratova" {
		t.Errorf("folds %q %q", a.GivenFold, a.SurnameFold)
	}
	c := Parse("Tajimuratov D.")
	if c.GivenInitial() != 'd' {
		t.Errorf("GivenInitial = %q", c.GivenInitial())
	}
}

func TestSurnameStem(t *testing.T) {
	tests := []struct{ in, stem, sex string }{
		{"tajimuratova", "tajimuratov", "f"}, {"tajimuratov", "tajimuratov", "m"},
		{"alieva", "aliev", "f"}, {"aliev", "aliev", "m"},
		{"pushkina", "pushkin", "f"}, {"pushkin", "pushkin", "m"},
		{"dubrovskaia", "dubrovski", "f"}, {"dubrovski", "dubrovski", "m"},
		{"alizade", "alizade", ""}, {"sultan", "sultan", ""}, {"ov", "ov", ""},
	}
	for _, tt := range tests {
		if s, x := SurnameStem(tt.in); s != tt.stem || x != tt.sex {
			t.Errorf("SurnameStem(%q) = %q %q, want %q %q", tt.in, s, x, tt.stem, tt.sex)
		}
	}
}

// parseWords returns every word Parse placed, for the no-loss invariant.
func parseWords(n Name) []string {
	var w []string
	for _, f := range []string{n.Surname, n.Given, n.Patronymic} {
		w = append(w, strings.Fields(f)...)
	}
	w = append(w, n.Initials...)
	w = append(w, n.Other...)
	return w
}

// checkNoLoss: every letter of the input appears in some field, in the same
// total count (Parse never loses or invents a word).
func checkNoLoss(t *testing.T, in string, n Name) {
	t.Helper()
	count := func(s string) map[rune]int {
		m := map[rune]int{}
		for _, r := range Exact(s) {
			if isLetterRune(r) || (r >= '0' && r <= '9') {
				m[r]++
			}
		}
		return m
	}
	want := count(in)
	got := count(strings.Join(parseWords(n), " "))
	if len(want) != len(got) {
		t.Fatalf("Parse(%q) = %+v: letters %v, want %v", in, n, got, want)
	}
	for r, c := range want {
		if got[r] != c {
			t.Fatalf("Parse(%q) = %+v: letter %q ×%d, want ×%d", in, n, r, got[r], c)
		}
	}
}

func TestParseNoLoss(t *testing.T) {
	for _, s := range []string{
		"Иванов Иван Иванович", "D.M. Tajimuratov", "Jamshid Ahmad o'g'li Yusupov",
		"Kallykhanova Lalagul Bakhtiyarovna Nurlan Aybek", "A, B, C", "x.y.z", "'Ali' -Vali-",
		"Sh.Ch. Qodirov", "ugli ugli ugli", "Ахмедовна Ахмедовна",
	} {
		checkNoLoss(t, s, Parse(s))
	}
}

func TestSurnameSplitBeforeCommaFoldsAsOneWord(t *testing.T) {
	// a stray space typed into a surname ("Bl ake, Deakyn") must not
	// change its folded form
	if a, b := Parse("Bl ake, Deakyn"), Parse("Blake, Deakyn"); a.SurnameFold != b.SurnameFold || a.GivenFold != b.GivenFold {
		t.Errorf("Bl ake, Deakyn: %q %q; Blake, Deakyn: %q %q", a.SurnameFold, a.GivenFold, b.SurnameFold, b.GivenFold)
	}
}
