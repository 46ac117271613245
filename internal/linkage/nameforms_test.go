package linkage

import (
	"fmt"
	"testing"
)

// withheldGiven are given-name forms that the equivalents table does not
// join (the test checks it): the lists below use them as a source that
// writes another language's form would.
var withheldGiven = [][2]string{
	{"Temirbek", "Демирбек"},
	{"Oralbay", "Уралбай"},
	{"Jangabay", "Жанабай"},
	{"Qudaybergen", "Худайберген"},
}

// formLists makes two lists, one Latin and one Cyrillic, of persons whose
// given names are written in withheld forms, beside their siblings (same
// surname, patronymic and place, another birth year) and one pair of twins
// with different names (everything but the given name agrees).
func formLists(t *testing.T) (recs []Record, truth map[string]string) {
	t.Helper()
	truth = map[string]string{}
	surnames := [][2]string{{"Reymov", "Реймов"}, {"Seytov", "Сейтов"}, {"Allamov", "Алламов"}}
	fathers := [][2]string{{"Bakhtiyar uli", "Бахтиярович"}, {"Jumabay uli", "Жумабаевич"}, {"Orazbay uli", "Оразбаевич"}}
	siblings := [][2]string{{"Aziz", "Азиз"}, {"Marat", "Марат"}, {"Rustam", "Рустам"}}
	add := func(person, id string, name string, year int, date, place string) {
		recs = append(recs, Record{ID: id, Source: id[:3], Names: []string{name}, Sex: "m", BirthYear: year, BirthDate: date, Locality: place,
			Claims: []Claim{claim("detained", "2022-07-02")}})
		truth[id] = person
	}
	n := 0
	for fi, form := range withheldGiven {
		if equivalents.Canonical(foldWord(form[0])) == equivalents.Canonical(foldWord(form[1])) {
			t.Fatalf("%s and %s are in the equivalents table already; the test needs forms it lacks", form[0], form[1])
		}
		for k := 0; k < 3; k++ {
			n++
			sur, father, sib := surnames[(fi+k)%3], fathers[k], siblings[(fi+k)%3]
			year := 1970 + n
			date := fmt.Sprintf("%d-0%d-1%d", year, 1+k, k)
			person := fmt.Sprintf("p%d", n)
			add(person, fmt.Sprintf("lat%d", n), sur[0]+" "+form[0]+" "+father[0], year, date, "Nukus")
			add(person, fmt.Sprintf("cyr%d", n), sur[1]+" "+form[1]+" "+father[1], year, date, "Нукус")
			sibling := person + "s"
			add(sibling, fmt.Sprintf("lat%ds", n), sur[0]+" "+sib[0]+" "+father[0], year+3, fmt.Sprintf("%d-05-05", year+3), "Nukus")
			add(sibling, fmt.Sprintf("cyr%ds", n), sur[1]+" "+sib[1]+" "+father[1], year+3, fmt.Sprintf("%d-05-05", year+3), "Нукус")
		}
	}
	// twins: one birth date, two names
	add("twin1", "lat-t1", "Tajiev Anvar Kamal uli", 1990, "1990-03-03", "Chimbay")
	add("twin2", "cyr-t2", "Таджиев Ильхом Камалович", 1990, "1990-03-03", "Чимбай")
	return recs, truth
}

func TestLearnNameFormsRecoversWithheldForms(t *testing.T) {
	recs, truth := formLists(t)
	forms := LearnNameForms(recs, nil)
	got := map[string]NameForm{}
	for _, f := range forms {
		got[f.Kind+" "+f.A+" "+f.B] = f
	}
	for _, w := range withheldGiven {
		a, b := foldWord(w[0]), foldWord(w[1])
		if b < a {
			a, b = b, a
		}
		f, ok := got[GivenForm+" "+a+" "+b]
		if !ok {
			t.Errorf("%s = %s not learned; learned %v", w[0], w[1], forms)
			continue
		}
		if f.Support != 3 || len(f.Pairs) != 3 {
			t.Errorf("%s = %s: support %d, %d pairs; want the 3 persons who show it", w[0], w[1], f.Support, len(f.Pairs))
		}
		if f.ShownA == "" || f.ShownB == "" {
			t.Errorf("%s = %s: no form as written (%q, %q)", w[0], w[1], f.ShownA, f.ShownB)
		}
	}
	if len(forms) != len(withheldGiven) {
		t.Errorf("learned %d forms, want only the %d withheld ones (siblings and twins teach nothing): %+v", len(forms), len(withheldGiven), forms)
	}
	// confirmed, they are not proposed again
	if again := LearnNameForms(recs, forms); len(again) != 0 {
		t.Errorf("forms already confirmed proposed again: %+v", again)
	}

	// confirmed, they join each person's two records and nobody else
	res, err := Link(recs, nil, Options{NameForms: forms})
	if err != nil {
		t.Fatal(err)
	}
	cluster := map[string]int{}
	for i, c := range res.Clusters {
		for _, id := range c {
			cluster[id] = i
		}
	}
	for i := range recs {
		for j := i + 1; j < len(recs); j++ {
			a, b := recs[i].ID, recs[j].ID
			same := truth[a] == truth[b]
			if linked := cluster[a] == cluster[b]; linked != same {
				t.Errorf("%v and %v: linked %v, one person %v", recs[i].Names, recs[j].Names, linked, same)
			}
		}
	}
}

func TestLearnNameFormsSurnames(t *testing.T) {
	var recs []Record
	for k, given := range [][2]string{{"Dawlet", "Даулет"}, {"Azamat", "Азамат"}, {"Berdaq", "Бердак"}} {
		date := fmt.Sprintf("198%d-02-0%d", k, k+1)
		recs = append(recs,
			Record{ID: fmt.Sprintf("a%d", k), Names: []string{"Ótepbergenov " + given[0]}, BirthDate: date, Locality: "Qońırat"},
			Record{ID: fmt.Sprintf("b%d", k), Names: []string{"Утепбергенов " + given[1]}, BirthDate: date, Locality: "Кунград"})
	}
	forms := LearnNameForms(recs, nil)
	if len(forms) != 1 || forms[0].Kind != SurnameForm || forms[0].Support != 3 {
		t.Fatalf("learned %+v, want one surname form shown by 3 persons", forms)
	}
	if !FormJoins(forms[0], recs[0], recs[1]) || FormJoins(forms[0], recs[0], recs[2]) {
		t.Errorf("FormJoins: the form joins a0 and b0 (%v), not a0 and a1 (%v)", FormJoins(forms[0], recs[0], recs[1]), FormJoins(forms[0], recs[0], recs[2]))
	}
}
