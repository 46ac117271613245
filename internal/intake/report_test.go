package intake

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"rollcall/internal/registry"
)

var reportNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func goodReport() url.Values {
	return url.Values{
		ReportName: {"  Азамат   Курбанов "}, ReportNameAlt: {"Azamat Qurbanov", "Azamat Kurbanov; Азамат Қурбанов"},
		ReportAge: {"34"}, ReportRegion: {"Нукус"}, ReportLocality: {"Шымбай"}, ReportStatus: {"detained"},
		ReportYear: {"2022"}, ReportMonth: {"7"}, ReportDay: {"2"}, ReportPlace: {"СИЗО Нукус"},
		ReportText: {"Taken from home\r\nat night.\x00"}, ReportRelation: {"sibling"}, ReportContact: {"Signal +998 90 000 00 00"},
	}
}

func TestParseReportGood(t *testing.T) {
	r, problems := ParseReport(goodReport(), "ru", reportNow)
	if len(problems) > 0 {
		t.Fatalf("problems in a good report: %+v", problems)
	}
	if r.Name != "Азамат Курбанов" {
		t.Errorf("name %q: white space not tidied", r.Name)
	}
	if strings.Join(r.NameAlt, "|") != "Azamat Qurbanov|Azamat Kurbanov|Азамат Қурбанов" {
		t.Errorf("other spellings %q", r.NameAlt)
	}
	if r.Age != 34 || r.BirthYear != 1992 {
		t.Errorf("age 34 in 2026: age %d, birth year %d", r.Age, r.BirthYear)
	}
	if r.Status != registry.Detained || r.Date.String() != "2022-07-02" || r.Date.Precision != registry.PrecisionDay {
		t.Errorf("claim %s %s", r.Status, r.Date)
	}
	if r.Text != "Taken from home\nat night." || r.Relation != "sibling" || r.Contact != "Signal +998 90 000 00 00" || r.Lang != "ru" {
		t.Errorf("text %q relation %q contact %q", r.Text, r.Relation, r.Contact)
	}
}

func TestParseReportPartialDatesAndBirthYear(t *testing.T) {
	for _, c := range []struct{ year, month, day, want string }{{"2022", "", "", "2022"}, {"2022", "07", "", "2022-07"}, {"2022", "7", "31", "2022-07-31"}} {
		f := goodReport()
		f.Set(ReportYear, c.year)
		f.Set(ReportMonth, c.month)
		f.Set(ReportDay, c.day)
		f.Set(ReportAge, "1987")
		r, problems := ParseReport(f, "en", reportNow)
		if len(problems) > 0 || r.Date.String() != c.want {
			t.Errorf("%s-%s-%s: %s %+v", c.year, c.month, c.day, r.Date, problems)
		}
		if r.BirthYear != 1987 || r.Age != 0 {
			t.Errorf("birth year 1987 read as age %d, year %d", r.Age, r.BirthYear)
		}
	}
}

// Every bad field is named, with the message that says why.
func TestParseReportProblems(t *testing.T) {
	for _, c := range []struct {
		field, value, want string
	}{
		{ReportName, "   ", "name:report.error.name"},
		{ReportName, strings.Repeat("я", 201), "name:report.error.long"},
		{ReportName, "\xff\xfe", "name:report.error.encoding"},
		{ReportAge, "thirty", "age:report.error.age"},
		{ReportAge, "500", "age:report.error.age"},
		{ReportStatus, "", "status:report.error.status"},
		{ReportStatus, "tortured", "status:report.error.status"}, // an act, not a state
		{ReportStatus, "<script>", "status:report.error.status"},
		{ReportYear, "", "year:report.error.year"},
		{ReportYear, "1850", "year:report.error.year"},
		{ReportYear, "2027", "year:report.error.year"},
		{ReportMonth, "13", "month:report.error.month"},
		{ReportDay, "31", "day:report.error.day"}, // with month 2 below: 31 February
		{ReportRelation, "boss", "relation:report.error.relation"},
		{ReportText, strings.Repeat("x", 5001), "text:report.error.long"},
	} {
		f := goodReport()
		f.Set(c.field, c.value)
		if c.field == ReportDay {
			f.Set(ReportMonth, "2") // 31 February
		}
		_, problems := ParseReport(f, "en", reportNow)
		var got []string
		for _, p := range problems {
			got = append(got, p.Field+":"+p.Message)
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("%s=%.20q: problems %v, want %s", c.field, c.value, got, c.want)
		}
	}
	// A day without a month, and a date after today.
	f := goodReport()
	f.Del(ReportMonth)
	if _, p := ParseReport(f, "en", reportNow); len(p) != 1 || p[0].Field != ReportMonth {
		t.Errorf("a day without a month: %+v", p)
	}
	f = goodReport()
	f.Set(ReportYear, "2026")
	f.Set(ReportMonth, "12")
	if _, p := ParseReport(f, "en", reportNow); len(p) != 1 || p[0].Message != "report.error.future" {
		t.Errorf("a date after today: %+v", p)
	}
	// Optional fields may be empty.
	f = url.Values{ReportName: {"A B"}, ReportStatus: {"missing"}, ReportYear: {"2022"}}
	if r, p := ParseReport(f, "en", reportNow); len(p) != 0 || r.BirthYear != 0 || r.Contact != "" || r.Date.String() != "2022" {
		t.Errorf("a minimal report: %+v %+v", r, p)
	}
}

func TestNewReference(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		ref := NewReference()
		if len(ref) != 9 || ref[4] != '-' || strings.ContainsAny(ref, "01ILO") {
			t.Fatalf("reference %q", ref)
		}
		if seen[ref] {
			t.Fatalf("reference %q made twice in 1000", ref)
		}
		seen[ref] = true
	}
}

// FuzzParseReport feeds arbitrary form bodies to the report parser: it
// must never panic, and a report it accepts must hold only what the form
// allows.
func FuzzParseReport(f *testing.F) {
	f.Add(goodReport().Encode())
	f.Add("name=A&status=missing&year=2022")
	f.Add("name=%FF&status=killed&year=2022&month=2&day=30&age=-1")
	f.Add("name=%3Cb%3Ex%3C%2Fb%3E&status=found&year=2026&month=03&day=01&name_alt=a;a;b;c;d;e;f;g")
	f.Add("name=x&status=detained&year=0099&age=1900&relation=self&text=%00%0D%0A")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		r, problems := ParseReport(form, "en", reportNow)
		for _, p := range problems {
			if p.Field == "" || !strings.HasPrefix(p.Message, "report.error.") {
				t.Fatalf("problem %+v", p)
			}
		}
		if len(problems) > 0 {
			return
		}
		if r.Name == "" || utf8.RuneCountInString(r.Name) > MaxReportShort || !utf8.ValidString(r.Name+r.Text+r.Contact) {
			t.Fatalf("accepted name %q", r.Name)
		}
		if !r.Status.IsState() || r.Date.Start == 0 || r.Date.Start > registry.DayOf(reportNow) {
			t.Fatalf("accepted claim %s %+v", r.Status, r.Date)
		}
		if len(r.NameAlt) > MaxReportAlt || (r.Relation != "" && !slices.Contains(ReportRelations, r.Relation)) {
			t.Fatalf("accepted %q %q", r.NameAlt, r.Relation)
		}
		if strings.ContainsAny(r.Name+r.Contact, "\x00\r\n") {
			t.Fatalf("control characters kept in %q", r.Name+r.Contact)
		}
	})
}
