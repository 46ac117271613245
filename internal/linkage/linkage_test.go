package linkage

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"rollcall/internal/registry"
)

// claim is a claim of one day, with what the status table says of life.
func claim(status, date string) Claim {
	row, _ := registry.InfoOf(registry.Status(status))
	return Claim{Status: status, Start: date, End: date, SignOfLife: row.SignOfLife, Death: row.Death}
}

// together reports whether the records are in one cluster.
func together(res *Result, ids ...string) bool {
	for _, c := range res.Clusters {
		in := map[string]bool{}
		for _, id := range c {
			in[id] = true
		}
		if in[ids[0]] {
			for _, id := range ids[1:] {
				if !in[id] {
					return false
				}
			}
			return true
		}
	}
	return false
}

// background gives the model other people to learn from, as a real list
// would: varied surnames, some repeated given names, a few duplicates.
func background(n int) []Record {
	given := []string{"Azamat", "Bakhtiyar", "Gulnara", "Dilnoza", "Timur", "Aygul", "Ruslan", "Zamira", "Nurlan", "Malika", "Erkin", "Jasur", "Feruza"}
	female := map[string]bool{"Gulnara": true, "Dilnoza": true, "Aygul": true, "Zamira": true, "Malika": true, "Feruza": true}
	heads := []string{"Seyt", "Allam", "Utep", "Tleu", "Taji", "Oraz", "Yusup", "Sapar", "Ismayil", "Kurban", "Esen", "Bek", "Jol", "Nur", "Aman", "Bazar", "Kalli", "Pirni", "Uzak"}
	tails := []string{"murat", "bergen", "nazar", "bet", "niyaz", "khan", "kul", "jan", "mat", "bek", "ali"}
	var out []Record
	for i := 0; i < n; i++ {
		g := given[(i*7)%len(given)]
		s := heads[i%len(heads)] + tails[(i/len(heads))%len(tails)] + "ov"
		if female[g] {
			s += "a"
		}
		r := Record{ID: fmt.Sprintf("bg%d", i), Source: "bg", Names: []string{g + " " + s}, BirthYear: 1950 + (i*13)%50}
		out = append(out, r)
		if i%10 == 0 { // a duplicate in another spelling
			d := r
			d.ID += "d"
			d.Names = []string{strings.ToUpper(s) + " " + g}
			out = append(out, d)
		}
	}
	return out
}

func checkClusters(t *testing.T, res *Result, records []Record) {
	t.Helper()
	seen := map[string]int{}
	for _, c := range res.Clusters {
		for _, id := range c {
			seen[id]++
		}
	}
	for _, r := range records {
		if seen[r.ID] != 1 {
			t.Fatalf("record %s appears %d times in clusters", r.ID, seen[r.ID])
		}
	}
}

func TestFourSpellingsOfOnePersonJoin(t *testing.T) {
	recs := append(background(120),
		Record{ID: "a", Source: "relatives", Names: []string{"Лалагул Каллыханова"}, BirthYear: 1988, Locality: "Нукус"},
		Record{ID: "b", Source: "rights-uz", Names: []string{"Lolagul Kallykhanova"}, BirthYear: 1988, Locality: "Nukus"},
		Record{ID: "c", Source: "volunteers", Names: []string{"Lalagul Kallıxanova"}, Locality: "Nókis"},
		Record{ID: "d", Source: "media-en", Names: []string{"KALLYKHANOVA Lalagul"}, Sex: "f"},
	)
	res, err := Link(recs, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkClusters(t, res, recs)
	if !together(res, "a", "b", "c", "d") {
		for _, id := range []string{"b", "c", "d"} {
			t.Logf("a-%s: %+v", id, Explain(recs[len(recs)-4], recs[len(recs)-4+int(id[0]-'a')], res.Model))
		}
		t.Fatalf("the four spellings are not one person: %v", res.Clusters[len(res.Clusters)-4:])
	}
}

func TestSiblingsStayApart(t *testing.T) {
	recs := append(background(120),
		Record{ID: "s1", Names: []string{"Орынбаев Азамат Бахтиярович"}, Sex: "m", BirthYear: 1990, Locality: "Ходжейли"},
		Record{ID: "s1b", Names: []string{"Azamat Baxtiyar ulı Orınbaev"}, BirthYear: 1990, Locality: "Xojeli"},
		Record{ID: "s2", Names: []string{"Орынбаев Тимур Бахтиярович"}, Sex: "m", BirthYear: 1993, Locality: "Ходжейли"},
		Record{ID: "s3", Names: []string{"Орынбаева Гульнара Бахтияровна"}, Sex: "f", BirthYear: 1995, Locality: "Ходжейли"},
	)
	res, err := Link(recs, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !together(res, "s1", "s1b") {
		t.Errorf("the two spellings of Azamat were not joined")
	}
	if together(res, "s1", "s2") || together(res, "s1", "s3") || together(res, "s2", "s3") {
		t.Errorf("siblings joined: %v", res.Clusters)
	}
}

func TestNamesakesStayApart(t *testing.T) {
	recs := append(background(120),
		Record{ID: "n1", Names: []string{"Сейтмуратов Максет"}, BirthYear: 1962, Locality: "Кунград"},
		Record{ID: "n1b", Names: []string{"Maqset Seytmuratov"}, BirthYear: 1962, Locality: "Qońırat"},
		Record{ID: "n2", Names: []string{"Сейтмуратов Максет"}, BirthYear: 1985, Locality: "Турткуль"},
		Record{ID: "n2b", Names: []string{"SEYTMURATOV Makset"}, BirthYear: 1985, Locality: "Tórtkúl"},
		Record{ID: "n0", Names: []string{"Seitmuratov Makset"}}, // could be either: must not chain them
	)
	res, err := Link(recs, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if together(res, "n1", "n2") {
		t.Errorf("namesakes born 1962 in Kungrad and 1985 in Turtkul joined: %v", res.Clusters)
	}
	if !together(res, "n1", "n1b") || !together(res, "n2", "n2b") {
		t.Errorf("spellings of one namesake not joined")
	}
}

func TestDecisions(t *testing.T) {
	recs := append(background(60),
		Record{ID: "x1", Names: []string{"Reymov Azamat"}, BirthYear: 1980, Locality: "Nukus"},
		Record{ID: "x2", Names: []string{"Реймов Азамат"}, BirthYear: 1980, Locality: "Нукус"},
		Record{ID: "y1", Names: []string{"Kamalov Nurlan"}, BirthYear: 1970},
		Record{ID: "y2", Names: []string{"Turdiev Jasur"}, BirthYear: 1999},
	)
	res, err := Link(recs, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !together(res, "x1", "x2") {
		t.Fatalf("precondition: x1 and x2 should link on their own")
	}
	res, err = Link(recs, []Decision{{A: "x1", B: "x2", Verdict: Different}, {A: "y1", B: "y2", Verdict: Same}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if together(res, "x1", "x2") {
		t.Errorf("a \"different\" decision was overridden")
	}
	if !together(res, "y1", "y2") {
		t.Errorf("a \"same\" decision did not join")
	}
	for _, p := range res.Review {
		if (p.A == "x1" && p.B == "x2") || (p.A == "x2" && p.B == "x1") {
			t.Errorf("a decided pair is back in review")
		}
	}
	// Contradictory decisions are refused, not guessed.
	_, err = Link(recs, []Decision{{A: "x1", B: "x2", Verdict: Different}, {A: "x1", B: "y1", Verdict: Same}, {A: "y1", B: "x2", Verdict: Same}}, Options{})
	var conflict *DecisionConflictError
	if !errors.As(err, &conflict) {
		t.Errorf("contradictory decisions: got %v, want DecisionConflictError", err)
	}
}

func TestUnsureKeepsPairOutOfReview(t *testing.T) {
	recs := append(background(60),
		Record{ID: "u1", Names: []string{"Allambergenov Timur"}},
		Record{ID: "u2", Names: []string{"Allambergenov Timur"}, BirthYear: 1975, Locality: "Chimbay"},
	)
	res, err := Link(recs, []Decision{{A: "u1", B: "u2", Verdict: Unsure}}, Options{Upper: 40, Lower: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Review {
		if p.A == "u1" && p.B == "u2" || p.A == "u2" && p.B == "u1" {
			t.Errorf("an \"unsure\" pair is back in review")
		}
	}
}

func TestKilledThenReleasedNotLinked(t *testing.T) {
	recs := append(background(60),
		Record{ID: "k", Names: []string{"Tajimuratov Bakhtiyar"}, BirthYear: 1985, Locality: "Nukus", Claims: []Claim{claim("killed", "2022-07-01")}},
		Record{ID: "r", Names: []string{"Тажимуратов Бахтияр"}, BirthYear: 1985, Locality: "Нукус", Claims: []Claim{claim("detained", "2022-07-02"), claim("released", "2022-07-20")}},
	)
	res, err := Link(recs, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if together(res, "k", "r") {
		t.Errorf("a person killed on 1 July was linked to one released on 20 July")
	}
	p := Explain(recs[len(recs)-2], recs[len(recs)-1], res.Model)
	found := false
	for _, e := range p.Evidence {
		found = found || e.Field == "claims"
	}
	if !found {
		t.Errorf("Explain does not show the claims conflict: %+v", p.Evidence)
	}
}

func TestUndecidableListed(t *testing.T) {
	recs := append(background(30),
		Record{ID: "empty", Names: nil},
		Record{ID: "one", Names: []string{"Azamat"}},
		Record{ID: "initials", Names: []string{"A. B."}},
		Record{ID: "sur-initials", Names: []string{"Reymov A. B."}},
		Record{ID: "arabic", Names: []string{"عزمت ريموف"}},
		Record{ID: "ok", Names: []string{"Reymov Azamat"}},
	)
	res, err := Link(recs, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkClusters(t, res, recs)
	got := map[string]bool{}
	for _, id := range res.Undecidable {
		got[id] = true
	}
	for _, id := range []string{"empty", "one", "initials", "arabic"} {
		if !got[id] {
			t.Errorf("%s not listed as undecidable: %v", id, res.Undecidable)
		}
	}
	if got["ok"] || got["sur-initials"] {
		t.Errorf("a full name or a surname with initials was listed as undecidable: %v", res.Undecidable)
	}
	for _, p := range res.Linked {
		if got[p.A] || got[p.B] {
			t.Errorf("undecidable record linked automatically: %+v", p)
		}
	}
}

func TestBadInput(t *testing.T) {
	if _, err := Link([]Record{{ID: "a"}, {ID: "a"}}, nil, Options{}); err == nil {
		t.Errorf("duplicate ids accepted")
	}
	if _, err := Link([]Record{{ID: "a"}}, []Decision{{A: "a", B: "b", Verdict: "maybe"}}, Options{}); err == nil {
		t.Errorf("unknown verdict accepted")
	}
	if _, err := Link([]Record{{ID: "a"}}, nil, Options{Upper: 1, Lower: 5}); err == nil {
		t.Errorf("lower above upper accepted")
	}
	res, err := Link(nil, nil, Options{})
	if err != nil || len(res.Clusters) != 0 {
		t.Errorf("empty input: %v %v", res, err)
	}
}

func TestGazetteer(t *testing.T) {
	g := defaultGazetteer()
	for want, spellings := range map[string][]string{
		"nukus-city":     {"Nukus", "Нукус", "Nókis", "Nokis", "г. Нукус"},
		"nukus-district": {"Nukus district", "Нукусский район", "Nókis rayonı"},
		"khodjeyli":      {"Khojeyli", "Xojeli", "Ходжейли", "Хожели"},
		"kungrad":        {"Kungrad", "Qońırat", "Кунград", "Қоңырат"},
		"muynak":         {"Muynak", "Moynaq", "Мойнак"},
		"chimbay":        {"Chimbay", "Shımbay", "Чимбай"},
		"turtkul":        {"Turtkul", "Tórtkúl"},
		"ellikkala":      {"Ellikkala", "Ellikqal'a"},
		"amudarya":       {"Amudarya", "Ámiwdárya"},
		"karauzyak":      {"Karauzyak", "Qaraózek"},
		"kanlikul":       {"Kanlikul", "Qanlıkól"},
		"takhtakupyr":    {"Takhtakupyr", "Taxtakópir"},
		"takhiatash":     {"Takhiatash", "Taqıyatas"},
		"beruni":         {"Beruni"}, "kegeyli": {"Kegeyli"}, "shumanay": {"Shumanay"}, "bozatau": {"Bozatau"},
	} {
		for _, s := range spellings {
			if got := g.lookup(s); got != want {
				t.Errorf("%q resolved to %q, want %q", s, got, want)
			}
		}
	}
}

func TestJaroWinklerAndTypos(t *testing.T) {
	if s := jaroWinkler("martha", "marhta"); s < 0.96 || s > 0.962 {
		t.Errorf("jw(martha, marhta) = %.4f, want 0.961", s)
	}
	if d := typoDistance("amanbaev", "amanbekov", 2); d <= 2 {
		t.Errorf("amanbaev/amanbekov distance %d, want > 2", d)
	}
	if d := typoDistance("rustam", "rutsam", 2); d != 1 {
		t.Errorf("swap distance %d, want 1", d)
	}
}

// A surname with initials is a name: with the full birth date and the
// place agreeing it links by itself (the "Bad input" policy).
func TestSurnameWithInitialsLinksOnStrongEvidence(t *testing.T) {
	recs := append(background(200),
		Record{ID: "full", Source: "relatives", Names: []string{"Реймов Азамат Бердиевич"}, BirthDate: "1987-03-14", BirthYear: 1987, Locality: "Нукус"},
		Record{ID: "ini", Source: "media-ru", Names: []string{"Реймов А. Б."}, BirthDate: "1987-03-14", BirthYear: 1987, Locality: "г. Нукус"},
		Record{ID: "ini-lat", Source: "media-en", Names: []string{"A. Reymov"}, BirthDate: "1987-03-14", BirthYear: 1987, Locality: "Nukus"},
		// his brother: same surname and initial letter, other birth date
		Record{ID: "brother", Source: "relatives", Names: []string{"Реймов Алишер Бердиевич"}, BirthDate: "1991-08-02", BirthYear: 1991, Locality: "Нукус"},
		// initials and a weak rest: only for review
		Record{ID: "ini-weak", Source: "volunteers", Names: []string{"Reymov A."}},
	)
	res, err := Link(recs, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkClusters(t, res, recs)
	c := clusterOf(res)
	if c["full"] != c["ini"] || c["full"] != c["ini-lat"] {
		t.Errorf("surname with initials not linked on full birth date and place: %v", res.Clusters)
	}
	if c["full"] == c["brother"] {
		t.Errorf("brother merged")
	}
	if c["ini-weak"] == c["full"] || c["ini-weak"] == c["brother"] {
		t.Errorf("surname with one initial and nothing else linked automatically")
	}
	for _, id := range res.Undecidable {
		if id == "ini" || id == "ini-lat" {
			t.Errorf("%s listed as undecidable", id)
		}
	}
}

// One word is never linked automatically, however much else agrees.
func TestOneWordNeverAutoLinks(t *testing.T) {
	recs := append(background(100),
		Record{ID: "full", Names: []string{"Азамат Реймов"}, BirthDate: "1987-03-14", BirthYear: 1987, Sex: "m", Locality: "Нукус"},
		Record{ID: "one", Names: []string{"Азамат"}, BirthDate: "1987-03-14", BirthYear: 1987, Sex: "m", Locality: "Нукус"},
		Record{ID: "one-sur", Names: []string{"Reymov"}, BirthDate: "1987-03-14", BirthYear: 1987, Sex: "m", Locality: "Nukus"},
		Record{ID: "initials", Names: []string{"A. R."}, BirthDate: "1987-03-14", BirthYear: 1987, Sex: "m", Locality: "Nukus"},
	)
	res, err := Link(recs, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := clusterOf(res)
	for _, id := range []string{"one", "one-sur", "initials"} {
		if c[id] == c["full"] {
			t.Errorf("%s linked automatically", id)
		}
	}
}

// clusterOf maps record id to the index of its cluster.
func clusterOf(res *Result) map[string]int {
	m := map[string]int{}
	for i, c := range res.Clusters {
		for _, id := range c {
			m[id] = i
		}
	}
	return m
}

// With default options the automatic threshold is the weight at which the
// posterior reaches DefaultMinPosterior: it rises with the number of
// records, because the prior odds of a pair fall.
func TestPosteriorThresholdRisesWithSize(t *testing.T) {
	small, err := Link(background(100), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	big, err := Link(background(3000), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !(big.Model.Upper > small.Model.Upper) || small.Model.Upper < DefaultLower {
		t.Errorf("thresholds: %d records %.1f, %d records %.1f", 110, small.Model.Upper, 3300, big.Model.Upper)
	}
	if p := small.Model.PairPrior; p <= 0 || p >= 0.5 {
		t.Errorf("prior %v", p)
	}
	fixed, err := Link(background(100), nil, Options{Upper: 30, Lower: 4})
	if err != nil {
		t.Fatal(err)
	}
	if fixed.Model.Upper != 30 || len(fixed.Linked) != 0 {
		t.Errorf("explicit threshold not kept: %.1f, %d linked", fixed.Model.Upper, len(fixed.Linked))
	}
	if _, err := Link(background(10), nil, Options{MinPosterior: 1.5}); err == nil {
		t.Errorf("posterior 1.5 accepted")
	}
}

// Uzbek Latin writes oʻ and gʻ with U+02BB, a modifier letter: such names
// are Latin, not "another script".
func TestUzbekModifierApostropheIsLatin(t *testing.T) {
	recs := append(background(20),
		Record{ID: "a", Names: []string{"Zokir Boʻrimuradov"}, BirthYear: 1980},
		Record{ID: "b", Names: []string{"Зокир Бўримурадов"}, BirthYear: 1980},
	)
	res, err := Link(recs, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range res.Undecidable {
		if id == "a" || id == "b" {
			t.Errorf("%s listed as undecidable", id)
		}
	}
}

// Namesakes with other fathers and birth years far apart are not joined
// through a record that has only the name.
func TestNamesakesWithOtherFathersStayApart(t *testing.T) {
	recs := append(background(100),
		Record{ID: "a", Names: []string{"Оразбаев Мансур Канат улы"}, BirthYear: 1981, Locality: "Чимбай"},
		Record{ID: "a2", Names: []string{"Orazbaev Mansur Kanatovich"}, BirthYear: 1981, Locality: "Chimbay"},
		Record{ID: "b", Names: []string{"Оразбаев Мансур Шерзад улы"}, BirthYear: 1967, Locality: "Шымбай"},
		Record{ID: "b2", Names: []string{"Mansur Sherzadovich Orazbaev"}, BirthYear: 1967, Locality: "Chimbay"},
		Record{ID: "c", Names: []string{"Мансур Оразбаев"}, Locality: "Чимбай"},
	)
	res, err := Link(recs, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := clusterOf(res)
	if c["a"] == c["b"] {
		t.Errorf("namesakes with other fathers merged: %v", res.Clusters[c["a"]])
	}
}

// A given name written as two words meets the one-word spelling.
func TestSplitGivenNameJoins(t *testing.T) {
	recs := append(background(100),
		Record{ID: "a", Names: []string{"Исмаилов, Абдурахман"}, BirthDate: "1979-04-02", Locality: "Нукус"},
		Record{ID: "b", Names: []string{"Ismailov, Abdu Rakhman"}, BirthDate: "1979-04-02", Locality: "Nukus"},
	)
	res, err := Link(recs, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := Explain(recs[len(recs)-2], recs[len(recs)-1], res.Model)
	if c := clusterOf(res); c["a"] != c["b"] {
		t.Errorf("split given name not joined: %+v", p)
	}
	for _, e := range p.Evidence {
		if e.Field == "given" && e.Level != 1 {
			t.Errorf("given names compared at level %d (%s), want agreement", e.Level, e.Comparison)
		}
	}
}

func TestEqualGivenNameKeepsWordOrder(t *testing.T) {
	// Two unrelated surnames must not make the comparison read the names
	// swapped, where "oliver" would be lost against "zomer".
	recs := prepareAll([]Record{{ID: "a", Names: []string{"Salt, Oliver"}}, {ID: "b", Names: []string{"Zomer, Oliver"}}}, defaultNameTable)
	m := compareNames(&recs[0], &recs[1])
	if m.swapped || !m.givExact {
		t.Errorf("Salt, Oliver / Zomer, Oliver: swapped %v, given exact %v; want the given names compared with each other", m.swapped, m.givExact)
	}
	// a true swap is still found
	recs = prepareAll([]Record{{ID: "a", Names: []string{"Bloomfield, Jaiden"}}, {ID: "b", Names: []string{"Jaiden, Bloomfield"}}}, defaultNameTable)
	if m := compareNames(&recs[0], &recs[1]); !m.swapped || !m.surExact || !m.givExact {
		t.Errorf("Bloomfield, Jaiden / Jaiden, Bloomfield: %+v; want swapped and exact", m)
	}
}

func TestEMKeepsEveryDisagreementPossible(t *testing.T) {
	// thousands of matches that all agree on the region must not teach EM
	// that a match never disagrees on it: one mistyped region would then
	// outweigh an exact name and birth date
	var agree, disagree gamma
	for f, l := range [numFields]int{1, 1, 0, 1, 1, 1} {
		agree.set(f, l)
	}
	for f, l := range [numFields]int{4, 4, 0, 6, 2, 4} {
		disagree.set(f, l)
	}
	var u [numFields][]float64
	for f := range u {
		u[f] = priorU[f]
	}
	u[fieldPlace] = []float64{0, 0.002, 0.0005, 0.25, 0.7475} // a few regions, as in most lists
	m, _, _, _ := runEM(map[gamma]int{agree: 6000, disagree: 60000}, u)
	if got := m[fieldPlace][4]; got < minM*0.9 {
		t.Errorf("m(other region) = %.5f after 6000 agreeing matches; want at least %.3f", got, minM)
	}
	var model Model
	model.finish(m, u, 0)
	if w := model.weights[fieldPlace][4]; w < maxContradiction {
		t.Errorf("a mistyped region alone weighs %.1f, a cannot-link (%.1f)", w, maxContradiction)
	}
}

func TestSiblingsNeverAutoLinkAtAnyThreshold(t *testing.T) {
	// However much EM forgives a different given name or birth year alone,
	// both together are brothers and sisters: only a person joins them.
	recs := append(background(120),
		Record{ID: "s1", Names: []string{"Орынбаев Азамат Бахтиярович"}, BirthYear: 1990, Locality: "Ходжейли"},
		Record{ID: "s2", Names: []string{"Орынбаев Айбек Бахтиярович"}, BirthYear: 1993, Locality: "Ходжейли"},
	)
	res, err := Link(recs, nil, Options{Upper: 4, Lower: 4})
	if err != nil {
		t.Fatal(err)
	}
	if together(res, "s1", "s2") {
		t.Fatalf("siblings joined at a low threshold: %v", res.Clusters)
	}
	queued := false
	for _, p := range res.Review {
		queued = queued || (p.A == "s1" && p.B == "s2") || (p.A == "s2" && p.B == "s1")
	}
	if !queued {
		t.Errorf("siblings not queued for review")
	}
}

func TestSplitGivenNameFoldsAsOneWord(t *testing.T) {
	// "Ssha un" joined is "sshaun", one letter from Shaun: a typo, not two
	// words of which the first is merely similar
	recs := prepareAll([]Record{{ID: "a", Names: []string{"Campbell, Ssha un"}}, {ID: "b", Names: []string{"Campbell, Shaun"}}}, defaultNameTable)
	if m := compareNames(&recs[0], &recs[1]); !m.givExact && m.givenTypos > 1 {
		t.Errorf("Ssha un / Shaun: %+v; want at most one typo", m)
	}
}

func TestRecordWithNameOnlyDoesNotChainNamesakes(t *testing.T) {
	// Even at a threshold where the name alone links, a record with only a
	// name must not join two namesakes whose own pair (six years and two
	// districts apart) would not even be worth a review.
	recs := append(background(120),
		Record{ID: "a", Names: []string{"Reymov Azamat"}, BirthYear: 1990, Locality: "Nukus"},
		Record{ID: "b", Names: []string{"Reymov Azamat"}},
		Record{ID: "c", Names: []string{"Reymov Azamat"}, BirthYear: 1996, Locality: "Chimbay"},
	)
	res, err := Link(recs, nil, Options{Upper: 10, Lower: 4})
	if err != nil {
		t.Fatal(err)
	}
	n := len(recs)
	if w := Explain(recs[n-3], recs[n-1], res.Model).Weight; w >= res.Model.Lower {
		t.Fatalf("test premise: a/c weigh %.1f, want below the review threshold %.1f", w, res.Model.Lower)
	}
	if together(res, "a", "c") {
		t.Errorf("namesakes born 1990 in Nukus and 1996 in Chimbay joined through a record with only the name")
	}
	if !together(res, "a", "b") && !together(res, "b", "c") {
		t.Errorf("the name-only record joined neither")
	}
}
