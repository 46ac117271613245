package names

import (
	"strings"
	"testing"
)

func TestDefaultEquivalents(t *testing.T) {
	eq := DefaultEquivalents()
	classes := [][]string{
		{"Lola", "Lala", "Лола", "Лала"},
		{"Nodira", "Nadira", "Надира"},
		{"Gulnora", "Gulnara", "Гульнара", "Гулнора"},
		{"Davlat", "Daulet", "Dawlet", "Dovlat", "Даўлет", "Давлет"},
		{"Jamshid", "Jamshed", "Джамшед", "Жамшид"},
		{"Dilnoza", "Dilnaza", "Дильназа"},
		{"Shuhrat", "Shukhrat", "Шуҳрат", "Шухрат"},
		{"O‘tkir", "Utkir", "Уткир", "Otkir"},
		{"Po‘lat", "Pulat", "Пулат", "Polat"},
		{"G‘ulom", "Gulyam", "Гулям", "Ghulam"},
	}
	for _, cl := range classes {
		want := eq.Canonical(FoldToken(cl[0]))
		for _, n := range cl[1:] {
			if got := eq.Canonical(FoldToken(n)); got != want {
				t.Errorf("Canonical(%q) = %q, want %q (class of %q)", n, got, want, cl[0])
			}
		}
	}
	if got := eq.Canonical("tajimuratov"); got != "tajimuratov" {
		t.Errorf("unknown name: Canonical = %q", got)
	}
	if got := eq.Canonical("Лала"); got != eq.Canonical("lola") {
		t.Errorf("unfolded input: Canonical(Лала) = %q", got)
	}
	if eq.Canonical("lola") != "lola" {
		t.Errorf("representative is the first name of the line: %q", eq.Canonical("lola"))
	}
	if cl := eq.Class("lala"); len(cl) < 2 || cl[0] != "lola" {
		t.Errorf("Class(lala) = %q", cl)
	}
	var nilEq *Equivalents
	if nilEq.Canonical("lola") != "lola" || nilEq.Known("lola") {
		t.Error("nil Equivalents must be an empty table")
	}
}

func TestLoadEquivalents(t *testing.T) {
	eq, err := LoadEquivalents(strings.NewReader(`
# an editor's additions
Qurbonoy, Kurbanay, Курбанай   # comment after names
Lala Lalaxon
Zarina Зарина; Zarrina
`))
	if err != nil {
		t.Fatal(err)
	}
	if eq.Canonical(FoldToken("Курбанай")) != "kurbonoi" {
		t.Errorf("new class: %q", eq.Canonical(FoldToken("Курбанай")))
	}
	// Lalaxon joins the existing Lola class; its representative stays.
	if got := eq.Canonical(FoldToken("Lalaxon")); got != "lola" {
		t.Errorf("extended class: %q, want lola", got)
	}
	if eq.Canonical(FoldToken("Zarrina")) != eq.Canonical(FoldToken("Зарина")) {
		t.Error("semicolon-separated class")
	}
	// The default table is untouched.
	if DefaultEquivalents().Known(FoldToken("Lalaxon")) {
		t.Error("LoadEquivalents modified the default table")
	}
	if _, err := LoadEquivalents(strings.NewReader("Lola Lala\nAlone\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("single-name line: err = %v, want line 2", err)
	}
}

// Adding after loading (no flatten) still gives the root.
func TestEquivalentsAdd(t *testing.T) {
	eq := NewEquivalents()
	eq.Add("a1", "a2")
	eq.Add("b1", "b2")
	eq.Add("a2", "b2")
	if eq.Canonical("b1") != "a1" || eq.Canonical("a2") != "a1" {
		t.Errorf("union: %q %q", eq.Canonical("b1"), eq.Canonical("a2"))
	}
}
