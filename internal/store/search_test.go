package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

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
