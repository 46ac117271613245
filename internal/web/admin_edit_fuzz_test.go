package web

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"rollcall/internal/auth"
	"rollcall/internal/registry"
)

// FuzzRecordForm feeds the record form's reader anything a browser (or
// not a browser) could send: it never panics, and what it accepts without
// a problem is a record the store may write as it is.
func FuzzRecordForm(f *testing.F) {
	f.Add("Azamat Qurbanov", "Азамат Курбанов\nQurbanov Azamat", "1990", "", "detained", "2022-07-02", "Nukus jail", "protester")
	f.Add("<script>alert(1)</script>", ";;;", "90", "1990-02-30", "vanished", "2022-13", "a\x00b", "spy")
	f.Add(" ", "\xff\xfe", "19900", "1991-01-01", "killed", "2022", strings.Repeat("x", 501), "")
	f.Add("Ерлан", "Yerlan\r\nErlan", "", "2001-07-04", "released", "2022-08", "", "relative")
	f.Fuzz(func(t *testing.T, name, alt, birthYear, birthDate, status, date, place, role string) {
		form := url.Values{"source": {"src"}, "name": {name}, "name_alt": {alt}, "birth_year": {birthYear}, "birth_date": {birthDate},
			"status": {status}, "date": {date}, "place": {place}, "roles": {role}, "verification": {"verified"}}
		fr := &formReader{form: form}
		fr.record()
		fr.claim(&account{Role: auth.Volunteer})
		if fr.problems == nil {
			t.Fatal("a volunteer setting a verification level was not refused")
		}
		fr = &formReader{form: form}
		rec := fr.record()
		c := fr.claim(&account{Role: auth.Editor})
		if fr.problems != nil {
			return
		}
		for _, s := range append([]string{rec.Name, rec.Region, rec.Locality, c.Place, c.Details, c.Note}, rec.NameAlt...) {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || utf8.RuneCountInString(s) > maxNoteField {
				t.Fatalf("accepted a field that cannot be stored: %q", s)
			}
		}
		if rec.Name == "" || utf8.RuneCountInString(rec.Name) > maxShortField {
			t.Fatalf("accepted the name %q", rec.Name)
		}
		for _, a := range rec.NameAlt {
			if a == "" || a == rec.Name || utf8.RuneCountInString(a) > maxShortField {
				t.Fatalf("accepted the spelling %q", a)
			}
		}
		if rec.BirthYear != 0 && !registry.ValidBirthYear(rec.BirthYear) {
			t.Fatalf("accepted the birth year %d", rec.BirthYear)
		}
		if rec.BirthDate != "" {
			d, err := registry.ParseDay(rec.BirthDate)
			if err != nil || int(d)/10000 != rec.BirthYear {
				t.Fatalf("accepted the birth date %q with year %d", rec.BirthDate, rec.BirthYear)
			}
		}
		if _, err := registry.ParseStatus(string(c.Status)); err != nil || c.Date.Start == 0 || c.Date.End < c.Date.Start {
			t.Fatalf("accepted the claim %+v", c)
		}
	})
}
