package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"rollcall/internal/linkage"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// Search as people type (issue 13), on both databases: the public list
// and the workspace's records answer the same queries the same way.
func TestSearchAsPeopleType(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withClock(s)
		ctx := context.Background()
		importCSV(t, s,
			"vol,1,Utepbergenov Daulet,m,1990,Нукус,detained,2022-07-02,corroborated,",
			"vol,2,Ótepbergenova Aygul,f,1991,Nókis,detained,2022-07-02,corroborated,",
			"vol,3,Досжанов Азамат,m,1985,Nukus,detained,2022-07-02,corroborated,",
			"vol,4,Jamshid Ahmad o‘g‘li Yusupov,m,1980,Chimbay,detained,2022-07-02,corroborated,",
			"vol,5,Утепов Бердах,m,1970,Чимбай,detained,2022-07-02,corroborated,",
			"vol,6,Нурлан Досжан,m,1975,Chimbay,detained,2022-07-02,corroborated,",
		)
		giveBasis(t, s, "vol")
		refresh(t, s)
		find := func(q string) store.PeoplePage { return people(t, s, store.PeopleFilter{Query: q}) }
		for _, c := range []struct{ query, want string }{
			// a patronymic the record lacks, in surname-given-patronymic order
			{"Утепбергенов Даулет Бахтиярович", "Utepbergenov Daulet"},
			{"Daulet Baxtiyar ulı Utepbergenov", "Utepbergenov Daulet"},
			{"Юсупов Жамшид", "Jamshid Ahmad o‘g‘li Yusupov"},
			{"Yusupov Jamshid Ahmadovich", "Jamshid Ahmad o‘g‘li Yusupov"},
			// Karakalpak letters and Russian stand-ins, both ways, any case
			{"Утепбергенова", "Ótepbergenova Aygul"},
			{"OTEPBERGENOVA", "Ótepbergenova Aygul"},
			{"Ótepbergenov Dawlet", "Utepbergenov Daulet"},
			// a partial name
			{"Досжан", "Досжанов Азамат"},
			{"Azamat Dos", "Досжанов Азамат"},
		} {
			p := find(c.query)
			if !strings.Contains(namesOf(p), c.want) {
				t.Errorf("%q: %q, want %q", c.query, namesOf(p), c.want)
			}
			if p.Fuzzy || (p.Total == 0) {
				t.Errorf("%q: fuzzy %v total %d", c.query, p.Fuzzy, p.Total)
			}
			ids, err := s.SearchRecords(ctx, c.query, 10)
			if err != nil || len(ids) == 0 {
				t.Errorf("records %q: %v %v", c.query, ids, err)
			}
		}
		// One letter wrong, the searcher's or the list's: found, and said
		// to be alike rather than exact.
		for _, c := range []struct{ query, want string }{
			{"Досжнов Азамат", "Досжанов Азамат"},
			{"Utepbregenov Daulet", "Utepbergenov Daulet"},
		} {
			p := find(c.query)
			if !strings.Contains(namesOf(p), c.want) || !p.Fuzzy {
				t.Errorf("typo %q: %q fuzzy %v, want %q", c.query, namesOf(p), p.Fuzzy, c.want)
			}
		}
		// Ranked: exact, then prefix. "Dosjan" is Нурлан Досжан exactly
		// and the start of Досжанов.
		if p := find("Утепов"); namesOf(p) != "Утепов Бердах" {
			t.Errorf("exact: %q", namesOf(p))
		}
		if p := find("Dosjan"); namesOf(p) != "Нурлан Досжан|Досжанов Азамат" {
			t.Errorf("exact then prefix: %q", namesOf(p))
		}
		if p := find("Утеп"); p.Total != 3 {
			t.Errorf("prefix: %q", namesOf(p))
		}
		// Ótepbergenov and Утепбергенов find the same people.
		if a, b := namesOf(find("Ótepbergenov")), namesOf(find("Утепбергенов")); a != b || a == "" {
			t.Errorf("Ótepbergenov %q, Утепбергенов %q", a, b)
		}
		// Nothing, never both messages; bad input is a plain answer, fast.
		if p := find("Zzyxwvut Qqqq"); p.Total != 0 || p.Fuzzy || len(p.People) != 0 {
			t.Errorf("nobody: %+v", p)
		}
		for _, q := range []string{"a", "!!!", "محمد علي", "李小龙", strings.Repeat("Утепбергенов ", 80), strings.Repeat("ж", 1000)} {
			start := time.Now()
			p, err := s.PublicPeople(ctx, store.PeopleFilter{Query: q})
			if err != nil {
				t.Errorf("%.20q: %v", q, err)
			}
			if p.Fuzzy && p.Total == 0 {
				t.Errorf("%.20q: both messages", q)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%.20q took %v", q, d)
			}
			if _, err := s.SearchRecords(ctx, q, 10); err != nil {
				t.Errorf("records %.20q: %v", q, err)
			}
		}
		// One region per place of the gazetteer: Нукус, Nukus and Nókis.
		regions, err := s.PublicRegions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, r := range regions {
			keys = append(keys, r.Key)
		}
		if !slices.Equal(keys, []string{"chimbay", "nukus-city"}) || regions[1].People != 3 {
			t.Errorf("regions %+v", regions)
		}
		if p := people(t, s, store.PeopleFilter{Region: "Nókis"}); p.Total != 3 {
			t.Errorf("region Nókis: %d", p.Total)
		}
	})
}

// A name form people confirmed is used by search at once: before, the two
// forms find each other only as alike or not at all; after, exactly, on
// the public list and in the workspace's records.
func TestSearchUsesConfirmedNameForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withClock(s)
		ctx := context.Background()
		importCSV(t, s,
			"vol,1,Сапаров Кадырбай,m,1990,Нукус,detained,2022-07-02,corroborated,",
			"vol,2,Sapaev Qodirbek,m,1991,Chimbay,detained,2022-07-02,corroborated,",
		)
		giveBasis(t, s, "vol")
		refresh(t, s)
		if p := people(t, s, store.PeopleFilter{Query: "Qodirbek Saparov"}); !p.Fuzzy {
			t.Fatalf("found exactly before the form was confirmed: %q", namesOf(p))
		}
		if _, err := s.ProposeNameForms(ctx, []linkage.NameForm{{Kind: linkage.GivenForm, A: "kadirbai", B: "kodirbek", ShownA: "Кадырбай", ShownB: "Qodirbek", Support: 3}}); err != nil {
			t.Fatal(err)
		}
		forms, err := s.NameForms(ctx, store.FormProposed)
		if err != nil || len(forms) != 1 {
			t.Fatalf("forms %v %v", forms, err)
		}
		if err := s.DecideNameForm(ctx, forms[0].ID, store.FormAccepted, "editor1", "one name"); err != nil {
			t.Fatal(err)
		}
		p := people(t, s, store.PeopleFilter{Query: "Qodirbek Saparov"})
		if !strings.HasPrefix(namesOf(p), "Сапаров Кадырбай") || p.Fuzzy {
			t.Errorf("after the form: %q fuzzy %v", namesOf(p), p.Fuzzy)
		}
		recs, err := s.Records(ctx, store.RecordFilter{Query: "Кадырбай Сапаров", Limit: 10})
		if err != nil || len(recs) == 0 || recs[0].Name != "Сапаров Кадырбай" {
			t.Errorf("records after the form: %v %v", recs, err)
		}
	})
}

// Every part cut as people type, in any order, the patronymic too (issue
// 13): a cut patronymic is no longer recognisable as one, so of three
// words one may match nothing — the person is found whether or not the
// record has the patronymic, ranked after everyone who matches all the
// words. Two words must both match.
func TestSearchEveryPartCut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		withClock(s)
		ctx := context.Background()
		importCSV(t, s,
			"vol,1,Утепбергенов Даулет,m,1990,Нукус,detained,2022-07-02,corroborated,",
			"vol,2,Ótepbergenov Dáwlet Baxtiyarovich,m,1970,Nukus,detained,2022-07-02,corroborated,",
			"vol,3,Утепов Бахтияр,m,1985,Nukus,detained,2022-07-02,corroborated,",
			"vol,4,Daulet Bakhtiyarov,m,1975,Chimbay,detained,2022-07-02,corroborated,",
			"vol,5,Saparbayev Nurlan,m,1980,Chimbay,detained,2022-07-02,corroborated,",
			"vol,6,Утепбергенов Д.,m,1965,Chimbay,detained,2022-07-02,corroborated,",
		)
		giveBasis(t, s, "vol")
		refresh(t, s)
		for _, q := range []string{"Утеп Даул Бахт", "Бахт утеп ДАУЛ", "otep dawl baxt", "Ótep Dáwl Baxtiyaro"} {
			p := people(t, s, store.PeopleFilter{Query: q})
			got := strings.Split(namesOf(p), "|")
			// All three words first, then the persons with two of them,
			// last the initial (near, beside a prefix).
			if len(got) != 5 || got[0] != "Ótepbergenov Dáwlet Baxtiyarovich" || !slices.Contains(got, "Утепбергенов Даулет") ||
				got[4] != "Утепбергенов Д." {
				t.Errorf("%q: %q", q, namesOf(p))
			}
			if p.Fuzzy || p.Total != 5 {
				t.Errorf("%q: fuzzy %v total %d", q, p.Fuzzy, p.Total)
			}
			ids, err := s.SearchRecords(ctx, q, 10)
			if err != nil || len(ids) != 5 {
				t.Errorf("records %q: %v %v", q, ids, err)
			}
		}
		// Two words: both must match.
		if p := people(t, s, store.PeopleFilter{Query: "daul ótep"}); !strings.HasPrefix(namesOf(p), "Ótepbergenov Dáwlet Baxtiyarovich|Утепбергенов Даулет") &&
			!strings.HasPrefix(namesOf(p), "Утепбергенов Даулет|Ótepbergenov Dáwlet Baxtiyarovich") || strings.Contains(namesOf(p), "Daulet Bakhtiyarov") {
			t.Errorf("daul ótep: %q", namesOf(p))
		}
		if p := people(t, s, store.PeopleFilter{Query: "Утеп Нурл"}); p.Total != 0 || p.Fuzzy {
			t.Errorf("Утеп Нурл: %q fuzzy %v", namesOf(p), p.Fuzzy)
		}
		// Two words of three that match nothing: nobody.
		if p := people(t, s, store.PeopleFilter{Query: "Утеп Ззык Ққыр"}); p.Total != 0 || p.Fuzzy {
			t.Errorf("one word of three: %q fuzzy %v", namesOf(p), p.Fuzzy)
		}
		// Many short words, one letter, punctuation, other scripts: a
		// plain answer, fast.
		for _, q := range []string{"Ута Даул Бах Нур Кар Сап Иса", "У Д Б", "... ,, !!", "محمد علي حسن", strings.Repeat("Утеп ", 200)} {
			start := time.Now()
			p, err := s.PublicPeople(ctx, store.PeopleFilter{Query: q})
			if err != nil || (p.Fuzzy && p.Total == 0) {
				t.Errorf("%.20q: %v fuzzy %v total %d", q, err, p.Fuzzy, p.Total)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%.20q took %v", q, d)
			}
		}
	})
}
