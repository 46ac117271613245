package names

import (
	"strings"
	"testing"
)

// tierOf is the rank class at which query q finds a record spelt name,
// near matches allowed, or -1.
func tierOf(q, name string) int {
	s := ParseQuery(q).Score(SearchKeys(name), true)
	if !s.Found {
		return -1
	}
	return s.Low
}

func TestSearchFindsSpellings(t *testing.T) {
	record := "Каллыханова Лалагул Бахтияровна"
	for _, q := range []string{
		"Kallykhanova", "KALLYKHANOVA", "Kallıxanova", "kallykhanov", "Каллыханов",
		"Lolagul Kallykhanova", "Лолагул", "Lalagul Kallykhanova", "Kallykhanova L.",
		"Bakhtiyarovna", "Baxtiyor", "Бахтиёр о‘г‘ли",
	} {
		if tier := tierOf(q, record); tier != TierExact {
			t.Errorf("query %q finds %q at tier %d, want exact", q, record, tier)
		}
	}
	for _, q := range []string{"Tajimuratov", "Kallykhanova Dilnoza", "L.", ""} {
		if tier := tierOf(q, record); tier >= 0 {
			t.Errorf("query %q should not find %q (tier %d)", q, record, tier)
		}
	}
	if tier := tierOf("Kallykanova", record); tier != TierPhonetic {
		t.Errorf("a misspelt surname: tier %d, want phonetic", tier)
	}
}

// A full name with a patronymic or a Turkic "son/daughter of" finds the
// person whether or not the record has it.
func TestSearchPatronymicOptional(t *testing.T) {
	cases := []struct{ query, record string }{
		{"Утепбергенов Даулет Бахтиярович", "Utepbergenov Daulet"},
		{"Утепбергенов Даулет Бахтиярович", "Daulet Baxtiyar ulı Ótepbergenov"},
		{"Ótepbergenov Dawlet Baxtiyar ulı", "Утепбергенов Даулет"},
		{"Ótepbergenov Dawlet Baxtiyar uly", "Утепбергенов Даулет"},
		{"Yusupov Jamshid Ahmad o‘g‘li", "Юсупов Жамшид"},
		{"Yusupov Jamshid Ahmad o'g'li", "Юсупов Жамшид"},
		{"Yusupov Jamshid Ahmad ogli", "Юсупов Жамшид"},
		{"Юсупов Жамшид Ахмад угли", "Jamshid Yusupov"},
		{"Юсупов Жамшид Ахмад ұлы", "Jamshid Yusupov"},
		{"Юсупов Жамшид Ахмад улы", "Jamshid Yusupov"},
		{"Каллыханова Лалагул Бахтиёр қызы", "Lalagul Kallykhanova"},
		{"Каллыханова Лалагул Бахтиёр кызы", "Lalagul Kallykhanova"},
		{"Kallıxanova Lalagul Baxtiyar qızı", "Лалагул Каллыханова"},
		{"Kallikhanova Lalagul Baxtiyar kyzy", "Лалагул Каллыханова"},
		{"Kallixanova Lalagul Baxtiyor qizi", "Лалагул Каллыханова"},
		{"Kallixanova Lalagul Baxtiyor kizi", "Лалагул Каллыханова"},
		{"Каллыханова Лалагул Бахтияровна", "Lalagul Kallykhanova"},
		{"Иванов Иван Ильич", "Ivan Ivanov"},
		{"Сапарбаев Нурлан Исаевич", "Saparbayev Nurlan"},
		{"Сапарбаева Гульнара Исаевна", "Saparbayeva Gulnara"},
	}
	for _, c := range cases {
		if tier := tierOf(c.query, c.record); tier != TierExact {
			t.Errorf("%q finds %q at tier %d, want exact", c.query, c.record, tier)
		}
	}
	// The patronymic raises the record that has it.
	q := ParseQuery("Утепбергенов Даулет Бахтиярович")
	with, without := q.Score(SearchKeys("Утепбергенов Даулет Бахтиярович"), false), q.Score(SearchKeys("Утепбергенов Даулет"), false)
	if with.Sum <= without.Sum {
		t.Errorf("with patronymic %+v not above without %+v", with, without)
	}
	// A patronymic alone is still a query.
	if tier := tierOf("Бахтиярович", "Утепбергенов Даулет Бахтиярович"); tier != TierExact {
		t.Errorf("patronymic alone: tier %d", tier)
	}
	// A wrong given name is not forgiven because a patronymic is there.
	if tier := tierOf("Утепбергенов Бердах Бахтиярович", "Утепбергенов Даулет"); tier >= 0 {
		t.Errorf("another given name found at tier %d", tier)
	}
}

// A name part cut to three letters or more, as typed, finds the person at
// the prefix tier, below exact matches.
func TestSearchPrefixes(t *testing.T) {
	cases := []struct{ query, record string }{
		{"Утепб", "Utepbergenov Daulet"},
		{"Ótep", "Утепбергенов Даулет"},
		{"Даулет Утеп", "Ótepbergenov Dawlet"},
		{"Dau Ute", "Утепбергенов Даулет"},
		{"Досжан", "Досжанов Азамат"},
		{"Dosjan", "Досжанов Азамат"},
		{"Doszhan", "Досжанов Азамат"},
		{"Kallyk", "Каллыханова Лалагул"}, // stops inside kh
		{"Lalagul Kal", "Qallıxanova Lalagul"},
		{"Jams Yus", "Юсупов Жамшид"},
		{"Zham", "Jamshid Yusupov"}, // stops inside zh? no: zh typed whole
		{"Qurb", "Курбанов Азамат"},
		{"nókis", "Nókisbaev Aman"},
	}
	for _, c := range cases {
		if tier := tierOf(c.query, c.record); tier != TierPrefix {
			t.Errorf("%q finds %q at tier %d, want prefix", c.query, c.record, tier)
		}
	}
	if tier := tierOf("Ut", "Utepbergenov Daulet"); tier >= 0 {
		t.Errorf("two letters matched as a prefix (tier %d)", tier)
	}
}

// Karakalpak Latin letters, their Cyrillic and the Russian stand-ins meet
// both ways, with and without diacritics, in any case.
func TestSearchKarakalpakLetters(t *testing.T) {
	groups := [][]string{
		{"Ótepbergenov", "Өтепбергенов", "Утепбергенов", "Otepbergenov", "OTEPBERGENOV", "ótepbergenov", "ӨТЕПБЕРГЕНОВ", "Utepbergenov", "O'tepbergenov"},
		{"Ámet", "Әмет", "Амет", "Amet", "AMET"},
		{"Júsipov", "Жүсипов", "Жусипов", "Jusipov"},
		{"Qallıxanov", "Қаллыханов", "Каллыханов", "Qallixanov", "Kallykhanov", "QALLIXANOV"},
		{"Ǵayıpov", "Ғайыпов", "Гайыпов", "Gayipov", "G'ayipov", "Gʻayıpov"},
		{"Jańabaev", "Жаңабаев", "Жанабаев", "Жангабаев", "Janabaev", "Jangabaev"},
		{"Tilewov", "Тилеўов", "Тилеуов", "Tileuov", "Tilevov"},
		{"Dawletov", "Даўлетов", "Даулетов", "Давлетов", "Dauletov", "Davletov"},
		{"Wmbetov", "Ўмбетов", "Умбетов", "Umbetov", "Vmbetov"},
		{"Shımbaev", "Шымбаев", "Чимбаев", "Chimbaev", "Shimbayev"},
		{"Sultonov", "Султанов", "Sultanov", "Sułtanov"},
	}
	for _, g := range groups {
		for _, a := range g {
			for _, b := range g {
				if tier := tierOf(a, b); tier != TierExact {
					t.Errorf("%q finds %q at tier %d, want exact", a, b, tier)
				}
			}
		}
	}
	// Look-alike letters of the other script inside a word.
	if tier := tierOf("Рахимов", "Paxимов"); tier != TierExact { // Latin P, a, x
		t.Errorf("look-alikes: tier %d", tier)
	}
}

// Queries with nothing to search for are empty, whatever their length.
func TestSearchNothingToSearch(t *testing.T) {
	for _, q := range []string{"", "a", "Д", "D.", "Sh.", "!!!", "—,.;:", "محمد علي", "李小龙", "山田 太郎", "ugli", strings.Repeat("?", 1000)} {
		if p := ParseQuery(q); !p.Empty() {
			t.Errorf("%q: %d words, want none", q, len(p.Words))
		}
	}
	long := strings.Repeat("Утепбергенов ", 100)
	if p := ParseQuery(long); len(p.Words) > MaxQueryWords {
		t.Errorf("%d words", len(p.Words))
	}
}

// Near: a typo after the first letters, or an initial, is found beside a
// word that matched well, and never alone.
func TestSearchNear(t *testing.T) {
	if tier := tierOf("Lalagul Kallykhanova", "Каллыханова Лалбгуп"); tier != TierNear {
		t.Errorf("two typos in the given name: tier %d, want near", tier)
	}
	for _, c := range [][2]string{
		{"Lalagul Kallykhanova", "Каллыханова Л."},
		{"Rakhsaparov Dzhumaniiaz Valerievich", "Рахсапаров Д."},
		{"Jangagul Bazarsidiqova", "Базарсыдыкова Д."},
		{"Ерлан Садыкахметов", "Sadiqahmetov Y. I."},
	} {
		if tier := tierOf(c[0], c[1]); tier != TierNear {
			t.Errorf("%q finds the initial of %q at tier %d, want near", c[0], c[1], tier)
		}
	}
	if tier := tierOf("Kallykhanova", "Калыхнаова Лалагул"); tier >= 0 && tier != TierPhonetic {
		t.Errorf("a lone word found near (tier %d)", tier)
	}
	if s := ParseQuery("Lalagul Kallykhanova").Score(SearchKeys("Каллыханова Лалбгуп"), false); s.Found {
		t.Errorf("near found without the second pass: %+v", s)
	}
}

// One letter wrong — dropped, added, changed, or two swapped — in a
// record or in the query, in any word of four letters or more: found in
// the first pass, ranked as alike (phonetic), never as exact.
func TestSearchOneTypo(t *testing.T) {
	for _, c := range []struct{ query, record string }{
		{"Shakhnaza Akmalova", "Шахназа Амкалова"},        // swapped
		{"Ravshan Sultanimbetov", "Равашн Султанимбетов"}, // swapped
		{"Azizbek Mirzabergenov", "Аззбек Мирзабергенов"}, // dropped
		{"Мансуров Зокир Давронович", "Мансуров Зооир"},   // changed
		{"Исаева Улбосин", "Улбосин Бахтияр қизи Иаева"},  // dropped in the surname
		{"Ermekov Umid", "Умиид Емеков"},
		{"Sultanimbetov", "Султанимбетоп Равшан"}, // a lone word
		{"Султанимбетв", "Ravshan Sultanimbetov"}, // the searcher's typo
	} {
		if tier := tierOf(c.query, c.record); tier != TierPhonetic && tier != TierPrefix {
			t.Errorf("%q finds %q at tier %d, want phonetic (or prefix)", c.query, c.record, tier)
		}
		if s := ParseQuery(c.query).Score(SearchKeys(c.record), false); !s.Found {
			t.Errorf("%q does not find %q in the first pass", c.query, c.record)
		}
	}
	// Short words and two letters wrong stay apart.
	for _, c := range []struct{ query, record string }{
		{"Alim Karimov", "Alik Karimov"},
		{"Sultanimbetov", "Sultanbetov"},
		{"Akmalova", "Akramova"},
	} {
		if s := ParseQuery(c.query).Score(SearchKeys(c.record), false); s.Found {
			t.Errorf("%q finds %q: %+v", c.query, c.record, s)
		}
	}
}

// Three letters as typed make a prefix even where they fold to two: Дж
// is one letter (j), and double letters are one.
func TestSearchPrefixAsTyped(t *testing.T) {
	for _, c := range []struct{ query, record string }{
		{"Серик Джо", "Джоллыалиев Серик Курбанбаевич"},
		{"All Asanergaliyev", "Asanergaliev Allayar"},
		{"Равшан Анв", "Раушан Анваров"}, // a v cut from the vowel after it
		{"Asanergaliyev Al", ""},
	} {
		tier := tierOf(c.query, c.record)
		if c.record == "" {
			continue
		}
		if tier != TierPrefix {
			t.Errorf("%q finds %q at tier %d, want prefix", c.query, c.record, tier)
		}
	}
	if tier := tierOf("Asanergaliyev Al", "Asanergaliev Allayar"); tier == TierPrefix || tier == TierExact {
		t.Errorf("two letters typed made a prefix (tier %d)", tier)
	}
}

// Forms people confirmed find each other exactly, in both directions and
// in any script; without them the two forms stay apart.
func TestSearchWithForms(t *testing.T) {
	forms := map[string][]string{"kadirbai": {"kodirbek"}, "kodirbek": {"kadirbai"}, "saparov": {"sapaev"}, "sapaev": {"saparov"}}
	e := DefaultEquivalents()
	for _, c := range [][2]string{
		{"Кадырбай Сапаров", "Qodirbek Sapayev"},
		{"Qodirbek Sapaeva", "Кадирбай Сапарова"},
	} {
		if s := e.ParseQuery(c[0]).Score(SearchKeys(c[1]), true); s.Found {
			t.Errorf("%q finds %q without the forms: %+v", c[0], c[1], s)
		}
		if s := e.WithForms(e.ParseQuery(c[0]), forms).Score(SearchKeys(c[1]), false); !s.Found || s.Low != TierExact {
			t.Errorf("%q with the forms finds %q: %+v", c[0], c[1], s)
		}
	}
}

// Of three words or more one may match nothing (a patronymic cut where no
// spelling of it stops, or one the record lacks): found, ranked as alike,
// never beside a word found only near. Of two words, both must match.
func TestSearchOneWordOfThreeMissing(t *testing.T) {
	for _, c := range []struct{ query, record string }{
		{"Утеп Даул Бахт", "Utepbergenov Daulet"},
		{"Бахт Ótep dawl", "Утепбергенов Даулет"},
		{"Islamb Atabekovic Iskandar", "Искандар Исламбеков"},
		{"Дауле Канат Азиз", "Канатов Азиз"},
	} {
		s := ParseQuery(c.query).Score(SearchKeys(c.record), false)
		if !s.Found || s.Low != TierPhonetic {
			t.Errorf("%q finds %q: %+v, want found as alike", c.query, c.record, s)
		}
	}
	if s := ParseQuery("Утеп Даул Бахт").Score(SearchKeys("Утепбергенов Даулет Бахтиярович"), false); !s.Found || s.Low != TierPrefix {
		t.Errorf("every word a prefix: %+v", s)
	}
	for _, c := range []struct{ query, record string }{
		{"Утеп Нурл", "Utepbergenov Daulet"},       // two words
		{"Утеп Нурл Сапар", "Utepbergenov Daulet"}, // two of three missing
		{"Утеп Нурл Бахт", "Utepbergenov Daulet"},
	} {
		if s := ParseQuery(c.query).Score(SearchKeys(c.record), true); s.Found {
			t.Errorf("%q finds %q: %+v", c.query, c.record, s)
		}
	}
	// A missing word and a word found only by its first letters: in the
	// second pass only, ranked near, and only beside a prefix or better.
	q := ParseQuery("Utepbergenov Dxyz Bakht")
	if s := q.Score(SearchKeys("Utepbergenov D."), false); s.Found {
		t.Errorf("near beside a missing word, first pass: %+v", s)
	}
	if s := q.Score(SearchKeys("Utepbergenov D."), true); !s.Found || s.Low != TierNear {
		t.Errorf("near beside a missing word, second pass: %+v", s)
	}
	if s := ParseQuery("Utepbregenov Dxyz Bakht").Score(SearchKeys("Utepbergenov D."), true); s.Found {
		t.Errorf("near beside a missing word and an alike one: %+v", s)
	}
	// Dz typed, cut from Dzh.
	if tier := tierOf("Baltabay Oryndz", "Baltabay Orinjarov"); tier != TierPrefix {
		t.Errorf("Oryndz: tier %d", tier)
	}
}
