package intake

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"rollcall/internal/names"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// The public report form's fields (internal/web/templates/report.html).
const (
	ReportName     = "name"
	ReportNameAlt  = "name_alt"
	ReportAge      = "age" // an age in years or a birth year
	ReportRegion   = "region"
	ReportLocality = "locality"
	ReportStatus   = "status"
	ReportYear     = "year"
	ReportMonth    = "month"
	ReportDay      = "day"
	ReportPlace    = "place"
	ReportText     = "text"
	ReportRelation = "relation"
	ReportContact  = "contact"
	// ReportPerson is hidden: the public person id of the page whose "I
	// have news about this person" link opened the form.
	ReportPerson = "person"
	// ReportHoneypot is hidden from people by the stylesheet: a form that
	// fills it was filled by a program.
	ReportHoneypot = "website"
)

// ReportStatuses are the states the form offers, in its order: every
// state of the status table.
var ReportStatuses = registry.States

// ReportRelations are the relationships to the person the form offers.
var ReportRelations = []string{"parent", "child", "sibling", "spouse", "relative", "friend", "witness", "lawyer", "self", "other"}

// Limits of the form's fields: lengths in characters, the count of other
// spellings, the oldest year of an event and the highest age. The phones'
// XForm (internal/web/openrosa_forms.go) is made from the same values.
const (
	MaxReportShort = 200
	MaxReportText  = 5000
	MaxReportAlt   = 5
	MinReportYear  = 1990
	MaxReportAge   = 120
)

// ReportProblem is what is wrong with one field: Message is a message id
// of the site's catalogues (report.error.*), so the form can say it in the
// reporter's language.
type ReportProblem struct {
	Field, Message string
}

// ParseReport checks a filled report form at time now (for a date not in
// the future and an age turned into a birth year). It returns every
// problem (the form shows the first of each field); the report is good
// only when there are none.
func ParseReport(form url.Values, lang string, now time.Time) (store.NewReport, []ReportProblem) {
	var problems []ReportProblem
	bad := func(field, msg string) { problems = append(problems, ReportProblem{field, msg}) }
	text := func(field string, limit int) string { return checkText(form.Get(field), field, limit, bad) }
	r := store.NewReport{Lang: lang}
	if r.Name = names.Exact(text(ReportName, MaxReportShort)); r.Name == "" && !slices.ContainsFunc(problems, func(p ReportProblem) bool { return p.Field == ReportName }) {
		bad(ReportName, "report.error.name")
	}
	// Other spellings: the form has a few inputs; each may also hold
	// several spellings separated by ";" (a comma belongs to names:
	// "Qurbanov, Azamat").
	for i, v := range form[ReportNameAlt] {
		if i == MaxReportAlt {
			break
		}
		for _, alt := range strings.Split(checkText(v, ReportNameAlt, MaxReportShort, bad), ";") {
			if alt = names.Exact(alt); alt != "" && alt != r.Name && !slices.Contains(r.NameAlt, alt) && len(r.NameAlt) < MaxReportAlt {
				r.NameAlt = append(r.NameAlt, alt)
			}
		}
	}
	if v := text(ReportAge, 10); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			bad(ReportAge, "report.error.age")
		case n >= registry.MinBirthYear && n <= now.Year():
			r.BirthYear = n
		case n >= 0 && n <= MaxReportAge:
			r.Age, r.BirthYear = n, now.Year()-n
		default:
			bad(ReportAge, "report.error.age")
		}
	}
	r.Region = names.Exact(text(ReportRegion, MaxReportShort))
	r.Locality = names.Exact(text(ReportLocality, MaxReportShort))
	if s := text(ReportStatus, 30); s == "" {
		bad(ReportStatus, "report.error.status")
	} else if st, err := registry.ParseStatus(s); err != nil || !st.IsState() {
		bad(ReportStatus, "report.error.status")
	} else {
		r.Status = st
	}
	r.Date = reportDate(text(ReportYear, 4), text(ReportMonth, 2), text(ReportDay, 2), now, bad)
	r.Place = names.Exact(text(ReportPlace, MaxReportShort))
	r.Text = text(ReportText, MaxReportText)
	if rel := text(ReportRelation, 30); rel != "" {
		if !slices.Contains(ReportRelations, rel) {
			bad(ReportRelation, "report.error.relation")
		}
		r.Relation = rel
	}
	r.Contact = text(ReportContact, MaxReportShort)
	r.PersonID = ReportPersonID(form.Get(ReportPerson))
	return r, problems
}

// checkText reads one field: valid UTF-8, no control characters, at most
// limit characters; a one-line field's runs of white space become one space.
func checkText(v, field string, limit int, bad func(field, msg string)) string {
	if !utf8.ValidString(v) {
		bad(field, "report.error.encoding")
		return ""
	}
	v = strings.TrimSpace(strings.Map(dropControl, v))
	if limit != MaxReportText {
		v = strings.Join(strings.Fields(v), " ")
	}
	if utf8.RuneCountInString(v) > limit {
		bad(field, "report.error.long")
		return ""
	}
	return v
}

// reportDate reads the event's date from year (required), month and day
// (optional: a relative may know only the month), as a period of the
// precision given; it may not lie after now.
func reportDate(year, month, day string, now time.Time, bad func(field, msg string)) registry.Period {
	if year == "" {
		bad(ReportYear, "report.error.year")
		return registry.Period{}
	}
	y, err := strconv.Atoi(year)
	if err != nil || y < MinReportYear || y > now.Year() {
		bad(ReportYear, "report.error.year")
		return registry.Period{}
	}
	s := fmt.Sprintf("%04d", y)
	if month != "" {
		m, err := strconv.Atoi(month)
		if err != nil || m < 1 || m > 12 {
			bad(ReportMonth, "report.error.month")
			return registry.Period{}
		}
		s += fmt.Sprintf("-%02d", m)
		if day != "" {
			d, err := strconv.Atoi(day)
			if err != nil || d < 1 || d > 31 {
				bad(ReportDay, "report.error.day")
				return registry.Period{}
			}
			s += fmt.Sprintf("-%02d", d)
		}
	} else if day != "" {
		bad(ReportMonth, "report.error.month")
		return registry.Period{}
	}
	p, err := registry.ParsePeriod(s)
	if err != nil {
		bad(ReportDay, "report.error.day")
		return registry.Period{}
	}
	if p.Start > registry.DayOf(now) {
		bad(ReportYear, "report.error.future")
		return registry.Period{}
	}
	return p
}

// dropControl removes control characters other than line breaks and tabs.
func dropControl(r rune) rune {
	if r == '\n' || r == '\t' {
		return r
	}
	if r == '\r' || unicode.IsControl(r) {
		return -1
	}
	return r
}

// referenceAlphabet has no 0/O, 1/I/L: a reference is read out and typed.
const referenceAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewReference makes a report's reference: eight random characters in
// two groups (XXXX-XXXX, about 40 bits), which tell nothing of the report.
func NewReference() string {
	b := make([]byte, 8)
	rand.Read(b)
	out := make([]byte, 0, 9)
	for i, c := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, referenceAlphabet[int(c)%len(referenceAlphabet)])
	}
	return string(out)
}

// RecordOfReport is the record and claim a report becomes: the source
// public-reports, the report's id as the source's record id, the name's
// spellings, birth year, region and locality, and the reported state,
// date and place at verification unverified. The reporter's words and
// contact stay with the report.
func RecordOfReport(r store.Report) (registry.Record, registry.Claim) {
	rec := registry.Record{SourceKey: store.PublicReportsSource, Key: r.ID, Name: r.Name, NameAlt: r.NameAlt,
		BirthYear: r.BirthYear, Region: r.Region, Locality: r.Locality}
	c := registry.Claim{Status: r.Status, Date: r.Date, Place: r.Place, Verification: registry.Unverified}
	return rec, c
}

// MakeRecord turns an open report into a record, through the import's
// path, and returns the record's id.
func MakeRecord(ctx context.Context, st *store.Store, actor string, r store.Report) (string, error) {
	rec, c := RecordOfReport(r)
	return st.RecordReport(ctx, actor, r.ID, rec, fieldsDigest(&rec), store.FieldHashes(hashPerson(&rec)), c)
}

// ReportPersonID is the form's person id when it has the shape of one
// (letters, digits and dashes, at most 64), else "". A malformed one is
// dropped without a word: the field is hidden, so only a forger sees it,
// and the report is filed all the same.
func ReportPersonID(v string) string {
	if v == "" || len(v) > 64 {
		return ""
	}
	for _, c := range v {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
			return ""
		}
	}
	return v
}
