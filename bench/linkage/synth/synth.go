// Package synth generates synthetic lists of people affected by the July
// 2022 events in Karakalpakstan, as several sources would write them:
// Cyrillic and Latin, Russian, Uzbek and Karakalpak forms, different word
// orders, initials, typos, missing fields, duplicates inside one list,
// siblings and namesakes. Every record carries its true person, so that a
// linkage can be scored. All names are invented combinations.
package synth

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"

	"rollcall/internal/linkage"
	"rollcall/internal/registry"
	"rollcall/internal/safecsv"
)

// Config describes a generated data set. Zero fields take defaults.
type Config struct {
	Persons       int     // true persons (default 1000)
	Sources       int     // lists (default 5)
	Seed          uint64  // same seed, same data
	Coverage      float64 // chance that a source lists a given person (default 0.45)
	DuplicateRate float64 // chance that a listed person is listed twice in one source (default 0.06)
	TypoRate      float64 // chance of a typo per name word (default 0.06)
	SiblingRate   float64 // chance that a person is a sibling of an earlier one (default 0.08)
	NamesakeRate  float64 // chance that a person has the name of an earlier one (default 0.03)
}

func (c *Config) defaults() {
	if c.Persons == 0 {
		c.Persons = 1000
	}
	if c.Sources == 0 {
		c.Sources = 5
	}
	if c.Coverage == 0 {
		c.Coverage = 0.45
	}
	if c.DuplicateRate == 0 {
		c.DuplicateRate = 0.06
	}
	if c.TypoRate == 0 {
		c.TypoRate = 0.06
	}
	if c.SiblingRate == 0 {
		c.SiblingRate = 0.08
	}
	if c.NamesakeRate == 0 {
		c.NamesakeRate = 0.03
	}
}

// Person is one true person.
type Person struct {
	ID          string
	Sex         string
	Given       string // notation of render.go
	Surname     string
	Father      string
	Birth       time.Time
	District    int
	Events      []Event
	SiblingOf   string // person id, or ""
	NamesakeOf  string
	Description string
}

// Event is a true dated state or act.
type Event struct {
	Status string
	Date   time.Time
}

// Entry is one generated record with what the interchange CSV needs.
type Entry struct {
	linkage.Record
	Person       string   // true person id
	Local        string   // the source's own record id
	Dates        []string // claim dates as written (YYYY-MM-DD or YYYY-MM), parallel to Record.Claims
	Verification string
}

// Dataset is a generated data set with its truth.
type Dataset struct {
	Persons []Person
	Entries []Entry
}

// Records returns the records, ready for linkage.Link.
func (d *Dataset) Records() []linkage.Record {
	out := make([]linkage.Record, len(d.Entries))
	for i := range d.Entries {
		out[i] = d.Entries[i].Record
	}
	return out
}

// Truth maps record id to true person id.
func (d *Dataset) Truth() map[string]string {
	t := make(map[string]string, len(d.Entries))
	for _, e := range d.Entries {
		t[e.ID] = e.Person
	}
	return t
}

type sourceProfile struct {
	id        string
	schemes   []scheme
	weights   []float64
	pBirth    float64 // has a birth year
	pDate     float64 // has a full birth date
	pPatr     float64 // writes the patronymic
	pAlt      float64 // gives a second spelling
	pSex      float64
	pLocality float64
	pKeyboard float64 // a name typed the way this source's keyboards and habits allow (see keyboard)
}

var profiles = []sourceProfile{
	{"volunteers", []scheme{karakalpakLatin, karakalpakCyrillic, russianCyrillic}, []float64{5, 3, 2}, 0.6, 0.1, 0.2, 0.1, 0.5, 0.8, 0.4},
	{"relatives", []scheme{russianCyrillic, karakalpakCyrillic}, []float64{5, 5}, 0.7, 0.5, 0.5, 0.05, 0.7, 0.9, 0.3},
	{"media-ru", []scheme{russianCyrillic, uzbekCyrillic}, []float64{8, 2}, 0.4, 0.05, 0.4, 0.05, 0.4, 0.7, 0.1},
	{"media-en", []scheme{russianICAO, russianPress}, []float64{4, 6}, 0.5, 0.1, 0.1, 0.2, 0.5, 0.6, 0.2},
	{"rights-uz", []scheme{uzbekLatin, uzbekCyrillic}, []float64{7, 3}, 0.6, 0.3, 0.3, 0.15, 0.6, 0.8, 0.3},
}

// Generate makes a data set.
func Generate(cfg Config) *Dataset {
	cfg.defaults()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x4b4b))
	d := &Dataset{}
	base := time.Date(2022, 7, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < cfg.Persons; i++ {
		p := Person{ID: "p" + strconv.Itoa(i)}
		switch r := rng.Float64(); {
		case i > 10 && r < cfg.SiblingRate:
			o := d.Persons[rng.IntN(len(d.Persons))]
			p.SiblingOf = o.ID
			p.Sex = pick(rng, []string{"m", "f"})
			p.Surname, p.Father, p.District = o.Surname, o.Father, o.District
			for p.Given = givenFor(rng, p.Sex); p.Given == o.Given; p.Given = givenFor(rng, p.Sex) {
			}
			p.Birth = o.Birth.AddDate(pick(rng, []int{-7, -5, -4, -3, -2, 2, 3, 4, 6, 8}), rng.IntN(12)-6, rng.IntN(28))
		case i > 10 && r < cfg.SiblingRate+cfg.NamesakeRate:
			o := d.Persons[rng.IntN(len(d.Persons))]
			p.NamesakeOf = o.ID
			p.Sex, p.Given, p.Surname = o.Sex, o.Given, o.Surname
			p.Father = pick(rng, fathers)
			for p.District = weighted(rng, districtWeights); p.District == o.District; p.District = weighted(rng, districtWeights) {
			}
			p.Birth = o.Birth.AddDate(pick(rng, []int{-20, -12, -9, -6, -4, 4, 6, 9, 13, 18}), rng.IntN(12), rng.IntN(28))
		default:
			p.Sex = pick(rng, []string{"m", "m", "m", "f"})
			p.Given = givenFor(rng, p.Sex)
			p.Surname = surnameRoot(rng)
			p.Father = pickSkewed(rng, fathers)
			p.District = weighted(rng, districtWeights)
			p.Birth = time.Date(1950+rng.IntN(55), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		}
		p.Events = fate(rng, base)
		d.Persons = append(d.Persons, p)
	}
	for s := 0; s < cfg.Sources; s++ {
		prof := profiles[s%len(profiles)]
		src := prof.id
		if s >= len(profiles) {
			src += "-" + strconv.Itoa(s/len(profiles)+1)
		}
		n := 0
		for pi := range d.Persons {
			if rng.Float64() >= cfg.Coverage {
				continue
			}
			copies := 1
			if rng.Float64() < cfg.DuplicateRate {
				copies = 2
			}
			for c := 0; c < copies; c++ {
				n++
				e := makeEntry(rng, &d.Persons[pi], prof, cfg)
				e.Local = fmt.Sprintf("%s-%05d", src, n)
				e.Source = src
				e.ID = src + "/" + e.Local
				d.Entries = append(d.Entries, e)
			}
		}
	}
	// Lists are not sorted by person: shuffle, reproducibly.
	rng.Shuffle(len(d.Entries), func(i, j int) { d.Entries[i], d.Entries[j] = d.Entries[j], d.Entries[i] })
	return d
}

func givenFor(rng *rand.Rand, sex string) string {
	if sex == "f" {
		return pickSkewed(rng, femaleGiven)
	}
	return pickSkewed(rng, maleGiven)
}

// surnameRoot draws a surname root: two parts (most of the region's
// surnames are a forefather's name + -ov), or a forefather's given name
// alone. About 8,000 two-part roots and 250 one-part ones, drawn with a
// skew, as real names are: enough distinct people for a million records
// with namesakes as common as in real lists.
func surnameRoot(rng *rand.Rand) string {
	if rng.Float64() < 0.25 {
		return pickSkewed(rng, fathers)
	}
	return pickSkewed(rng, surnameHeads) + pickSkewed(rng, surnameTails)
}

// pickSkewed picks early elements more often: names are not uniform. The
// first of 150 given names comes about 2% of the time, as the commonest
// names of the region do.
func pickSkewed[T any](rng *rand.Rand, xs []T) T {
	u := math.Pow(rng.Float64(), 1.3)
	return xs[min(len(xs)-1, int(float64(len(xs))*u))]
}

// fate draws what happened to a person in July–August 2022.
func fate(rng *rand.Rand, base time.Time) []Event {
	day := func(from, to int) time.Time { return base.AddDate(0, 0, from+rng.IntN(to-from+1)) }
	var ev []Event
	switch r := rng.Float64(); {
	case r < 0.08:
		ev = append(ev, Event{"killed", day(0, 1)})
	case r < 0.12:
		d := day(0, 2)
		ev = append(ev, Event{"detained", d}, Event{"died_in_custody", d.AddDate(0, 0, 2+rng.IntN(15))})
	case r < 0.30:
		d := day(0, 3)
		ev = append(ev, Event{"missing", d})
		switch q := rng.Float64(); {
		case q < 0.5:
			ev = append(ev, Event{"found", d.AddDate(0, 0, 3+rng.IntN(40))})
		case q < 0.8:
			ev = append(ev, Event{"detained", d.AddDate(0, 0, 1+rng.IntN(10))})
		}
	default:
		d := day(0, 3)
		if rng.Float64() < 0.2 {
			ev = append(ev, Event{"injured", d})
		}
		ev = append(ev, Event{"detained", d})
		switch q := rng.Float64(); {
		case q < 0.55:
			ev = append(ev, Event{"released", d.AddDate(0, 0, 2+rng.IntN(45))})
		case q < 0.65:
			ev = append(ev, Event{"sentenced", d.AddDate(0, 0, 30+rng.IntN(30))})
		}
	}
	return ev
}

func makeEntry(rng *rand.Rand, p *Person, prof sourceProfile, cfg Config) Entry {
	var e Entry
	sc := prof.schemes[weighted(rng, prof.weights)]
	withPatr := rng.Float64() < prof.pPatr
	e.Names = []string{writeName(rng, p, sc, withPatr, cfg.TypoRate, true)}
	if rng.Float64() < prof.pKeyboard {
		e.Names[0] = keyboard(rng, e.Names[0])
	}
	if rng.Float64() < prof.pAlt {
		alt := scheme(rng.IntN(int(numSchemes)))
		e.Names = append(e.Names, writeName(rng, p, alt, withPatr, cfg.TypoRate/2, false))
	}
	if rng.Float64() < prof.pSex {
		e.Sex = p.Sex
	}
	if rng.Float64() < prof.pDate {
		e.BirthDate = p.Birth.Format("2006-01-02")
		e.BirthYear = p.Birth.Year()
		if rng.Float64() < cfg.TypoRate { // a mistyped digit
			b := []byte(e.BirthDate)
			pos := pick(rng, []int{3, 6, 8, 9})
			b[pos] = byte('0' + rng.IntN(10))
			if _, err := time.Parse("2006-01-02", string(b)); err == nil {
				e.BirthDate = string(b)
				e.BirthYear, _ = strconv.Atoi(string(b[:4]))
			}
		}
	} else if rng.Float64() < prof.pBirth {
		e.BirthYear = p.Birth.Year()
		if rng.Float64() < 0.08 { // year computed from an age
			e.BirthYear += pick(rng, []int{-1, 1})
		}
	}
	if rng.Float64() < prof.pLocality {
		sp := districts[p.District].spellings
		if isCyrillicScheme(sc) {
			e.Locality = pickScript(rng, sp, true)
		} else {
			e.Locality = pickScript(rng, sp, false)
		}
	}
	e.Region = pick(rng, regionSpellings)
	e.Verification = "corroborated"
	if rng.Float64() < 0.2 {
		e.Verification = "unverified"
	}
	for i, ev := range p.Events {
		if i > 0 && rng.Float64() < 0.35 {
			continue // this source did not hear of it
		}
		start, end := ev.Date.Format("2006-01-02"), ev.Date.Format("2006-01-02")
		written := start
		if rng.Float64() < 0.08 { // month precision
			written = ev.Date.Format("2006-01")
			start = ev.Date.Format("2006-01") + "-01"
			end = time.Date(ev.Date.Year(), ev.Date.Month()+1, 0, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		}
		row, _ := registry.InfoOf(registry.Status(ev.Status))
		e.Claims = append(e.Claims, linkage.Claim{Status: ev.Status, Start: start, End: end, SignOfLife: row.SignOfLife, Death: row.Death})
		e.Dates = append(e.Dates, written)
	}
	e.Person = p.ID
	return e
}

// pickScript picks a spelling in Cyrillic or Latin when one exists.
func pickScript(rng *rand.Rand, spellings []string, cyrillic bool) string {
	var match []string
	for _, s := range spellings {
		isCyr := false
		for _, r := range s {
			if r >= 0x400 && r < 0x500 {
				isCyr = true
				break
			}
		}
		if isCyr == cyrillic {
			match = append(match, s)
		}
	}
	if len(match) == 0 {
		match = spellings
	}
	return pick(rng, match)
}

// writeName renders a person's name in one scheme and one of the word
// orders lists use.
func writeName(rng *rand.Rand, p *Person, sc scheme, withPatr bool, typo float64, mayAbbreviate bool) string {
	given := typoWord(rng, render(p.Given, sc), typo)
	surname := typoWord(rng, render(surnameNotation(p.Surname, p.Sex), sc), typo)
	patr := ""
	if withPatr {
		patr = patronymic(p.Father, p.Sex, sc)
	}
	join := func(ws ...string) string {
		var out []string
		for _, w := range ws {
			if w != "" {
				out = append(out, w)
			}
		}
		return strings.Join(out, " ")
	}
	r := rng.Float64()
	switch {
	case mayAbbreviate && r < 0.04:
		ini := string([]rune(given)[0]) + "."
		if patr != "" {
			ini += " " + string([]rune(patr)[0]) + "."
		}
		return join(surname, ini)
	case r < 0.40:
		return join(surname, given, patr)
	case r < 0.72:
		return join(given, patr, surname)
	case r < 0.88:
		return join(strings.ToUpper(surname), given, patr)
	default:
		return join(given, surname)
	}
}

func surnameNotation(root, sex string) string {
	var s string
	switch {
	case strings.HasSuffix(root, "ev"):
		s = root
	case strings.HasSuffix(root, "y"):
		s = root + "ev"
	case strings.ContainsAny(root[len(root)-1:], "aeiouAIOU"):
		s = root + "yev"
	default:
		s = root + "ov"
	}
	if sex == "f" {
		s += "a"
	}
	return s
}

func patronymic(father, sex string, sc scheme) string {
	switch sc {
	case karakalpakLatin, karakalpakCyrillic:
		if sex == "f" {
			return render(father, sc) + " " + strings.ToLower(render("QIzI", sc))
		}
		return render(father, sc) + " " + strings.ToLower(render("ulI", sc))
	case uzbekLatin, uzbekCyrillic:
		if sex == "f" {
			return render(father, sc) + " " + strings.ToLower(render("Qizi", sc))
		}
		return render(father, sc) + " " + strings.ToLower(render("UGli", sc))
	}
	end := "oviC"
	if sex == "f" {
		end = "ovna"
	}
	if strings.HasSuffix(father, "y") {
		end = "e" + end[1:]
	}
	return render(father+end, sc)
}

// typoWord makes one keyboard or hearing mistake, sometimes.
func typoWord(rng *rand.Rand, w string, rate float64) string {
	rs := []rune(w)
	if len(rs) < 4 || rng.Float64() >= rate {
		return w
	}
	i := 1 + rng.IntN(len(rs)-2)
	switch rng.IntN(4) {
	case 0: // dropped letter
		rs = append(rs[:i], rs[i+1:]...)
	case 1: // doubled letter
		rs = append(rs[:i+1], rs[i:]...)
	case 2: // swapped neighbours
		rs[i], rs[i+1] = rs[i+1], rs[i]
	default: // a letter from elsewhere in the word
		rs[i] = rs[rng.IntN(len(rs)-1)+1]
	}
	return string(rs)
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func weighted(rng *rand.Rand, w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	r := rng.Float64() * total
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}

// Columns of the interchange CSV (docs/interchange.md).
var Columns = []string{"source", "record", "name", "name_alt", "sex", "birth_year", "birth_date", "region", "locality", "roles", "status", "date", "verification", "place", "note"}

// WriteCSV writes the data set in the interchange format: one row per claim.
func (d *Dataset) WriteCSV(w io.Writer) error {
	cw := safecsv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for _, e := range d.Entries {
		year := ""
		if e.BirthYear != 0 {
			year = strconv.Itoa(e.BirthYear)
		}
		alt := ""
		if len(e.Names) > 1 {
			alt = strings.Join(e.Names[1:], ";")
		}
		for i, c := range e.Claims {
			row := []string{e.Source, e.Local, e.Names[0], alt, e.Sex, year, e.BirthDate, e.Region, e.Locality, "protester", c.Status, e.Dates[i], e.Verification, "", ""}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTruth writes source,record,person: the true person of every record.
func (d *Dataset) WriteTruth(w io.Writer) error {
	cw := safecsv.NewWriter(w)
	if err := cw.Write([]string{"source", "record", "person"}); err != nil {
		return err
	}
	for _, e := range d.Entries {
		if err := cw.Write([]string{e.Source, e.Local, e.Person}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SchemeNames lists the writing schemes used, for reports.
func SchemeNames() []string { return schemeNames[:] }

// Karakalpak and Uzbek letters that a Russian or plain Latin keyboard
// lacks, and what people type instead.
var (
	cyrillicFallback = map[rune][]string{
		'қ': {"к"}, 'ғ': {"г"}, 'ң': {"н", "нг"}, 'ў': {"у"}, 'ө': {"о", "у"}, 'ү': {"у"}, 'ә': {"а"}, 'ҳ': {"х"}, 'ı': {"ы"},
	}
	latinFallback = map[rune][]string{
		'ı': {"i", "y"}, 'á': {"a"}, 'ó': {"o"}, 'ú': {"u"}, 'ń': {"n", "ng"}, 'ǵ': {"g", "gh"}, 'x': {"kh", "h"}, 'w': {"u", "v"},
	}
	apostrophes = []string{"’", "‘", "ʻ", "`", ""}
	// Latin letters that look like Cyrillic ones and slip into Cyrillic text
	homoglyphs = map[rune]string{'а': "a", 'о': "o", 'е': "e", 'с': "c", 'р': "p", 'х': "x"}
)

// keyboard rewrites a name as some sources type it: letters their
// keyboard lacks replaced, apostrophes of every kind or none, a doubled
// consonant written once, a Latin look-alike inside a Cyrillic word.
func keyboard(rng *rand.Rand, name string) string {
	rs := []rune(name)
	var b strings.Builder
	cyr := false
	for _, r := range rs {
		if r >= 0x400 && r < 0x530 {
			cyr = true
		}
	}
	homoglyph := cyr && rng.Float64() < 0.15
	fallback := rng.Float64() < 0.7
	apo := pick(rng, apostrophes)
	for i, r := range rs {
		lr := unicode.ToLower(r)
		upper := lr != r
		out := string(r)
		switch {
		case r == '\'' || r == '’' || r == 'ʻ':
			out = apo
		case fallback && cyr && cyrillicFallback[lr] != nil:
			out = pick(rng, cyrillicFallback[lr])
		case fallback && !cyr && latinFallback[lr] != nil:
			out = pick(rng, latinFallback[lr])
		case homoglyph && homoglyphs[lr] != "" && i > 0:
			out = homoglyphs[lr]
			homoglyph = false
		case i > 0 && rs[i-1] == r && rng.Float64() < 0.5:
			out = "" // Kallykhanov → Kalykhanov
		}
		if upper {
			out = strings.ToUpper(out)
			if len([]rune(out)) > 1 && i+1 < len(rs) && !unicode.IsUpper(rs[i+1]) {
				out = capitalise(strings.ToLower(out))
			}
		}
		b.WriteString(out)
	}
	return b.String()
}
