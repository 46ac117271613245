package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/intake"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// referenceRE is a report's reference as the thank-you page shows it.
var referenceRE = regexp.MustCompile(`<strong>([2-9A-Z]{4}-[2-9A-Z]{4})</strong>`)

// aReport is a filled report form.
func aReport(name string) url.Values {
	return url.Values{"name": {name}, "name_alt": {"Azamat Qurbanov", ""}, "age": {"34"}, "region": {"Нукус"}, "status": {"detained"},
		"year": {"2022"}, "month": {"7"}, "day": {"2"}, "place": {"СИЗО"}, "text": {"taken at night"}, "relation": {"sibling"},
		"contact": {"signal +998 90 000 00 00"}, "website": {""}}
}

// postFrom sends a same-origin form anonymously from a client address.
func postFrom(t *testing.T, h http.Handler, path string, form url.Values, remote string) *httptest.ResponseRecorder {
	t.Helper()
	form = url.Values(maps.Clone(form))
	if form == nil {
		form = url.Values{}
	}
	addAnonymousFormToken(h, path, form)
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.RemoteAddr = remote
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// sentPage follows a sent report's redirect (303) to its confirmation.
func sentPage(t *testing.T, h http.Handler, w *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	t.Helper()
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !regexp.MustCompile(`^/[a-z]+/report/sent/[A-Za-z0-9_-]{20,}$`).MatchString(loc) {
		t.Fatalf("a sent report answered %d, Location %q, not a redirect to its confirmation", w.Code, loc)
	}
	return (*session)(nil).get(t, h, loc)
}

func openReports(t *testing.T, st *store.Store, state string) []store.Report {
	t.Helper()
	list, _, err := st.Reports(context.Background(), store.ReportFilter{State: state})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// The form speaks every public language, says what happens to the data,
// and takes a report without an account; the thank-you page gives a
// reference that is not the database's id.
func TestReportFormEveryLanguage(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, _ := workspaceSite(t, st)
	promise := map[string]string{"en": "editors see this report. It is not published.", "ru": "Это сообщение видят только редакторы группы",
		"kaa": "Bul xabardı tek toparımızdıń redaktorları kóredi", "uz": "Bu xabarni faqat guruh muharrirlari koʻradi"}
	thanks := map[string]string{"en": "Your report has arrived", "ru": "Ваше сообщение получено", "kaa": "Xabarıńız qabıl etildi", "uz": "Xabaringiz qabul qilindi"}
	for _, lang := range []string{"en", "ru", "kaa", "uz"} {
		w := (*session)(nil).get(t, site, "/"+lang+"/report/")
		body := w.Body.String()
		if w.Code != http.StatusOK || !strings.Contains(body, `<html lang="`+lang+`">`) {
			t.Fatalf("%s: GET %d", lang, w.Code)
		}
		if !strings.Contains(body, promise[lang]) || !strings.Contains(body, "Tor Browser") {
			t.Errorf("%s: the page does not say who sees the report, or how to stay safer", lang)
		}
		if !strings.Contains(body, `class="honey"`) || !strings.Contains(body, `name="website"`) || !strings.Contains(body, `name="csrf"`) {
			t.Errorf("%s: honeypot or the anonymous form's token missing", lang)
		}
		if !strings.Contains(body, `href="/`+lang+`/report/" aria-current="page"`) {
			t.Errorf("%s: the navigation does not lead here", lang)
		}
		w = sentPage(t, site, (*session)(nil).post(t, site, "/"+lang+"/report/", aReport("Person "+lang)))
		m := referenceRE.FindStringSubmatch(w.Body.String())
		if w.Code != http.StatusOK || m == nil || !strings.Contains(w.Body.String(), thanks[lang]) {
			t.Fatalf("%s: POST %d, no reference or thanks in %.300s", lang, w.Code, w.Body.String())
		}
		got, n, _ := st.Reports(context.Background(), store.ReportFilter{Reference: m[1]})
		if n != 1 || got[0].Name != "Person "+lang || got[0].Lang != lang || strings.Contains(w.Body.String(), got[0].ID) {
			t.Errorf("%s: stored %+v for reference %s (or the id is on the page)", lang, got, m[1])
		}
	}
	if w := (*session)(nil).get(t, site, "/xx/report/"); w.Code != http.StatusNotFound {
		t.Errorf("unknown language: %d", w.Code)
	}
}

// A signed-in account's form carries its form token, and a post without
// it is refused (the frame's check).
func TestReportSignedIn(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	sess := signIn(t, site, a, auth.Volunteer)
	if w := sess.get(t, site, "/en/report/"); !strings.Contains(w.Body.String(), `name="csrf" value="`+sess.CSRF+`"`) {
		t.Fatal("the form lacks the session's form token")
	}
	if w := sentPage(t, site, sess.post(t, site, "/en/report/", aReport("Signed In"))); w.Code != http.StatusOK || !referenceRE.MatchString(w.Body.String()) {
		t.Fatalf("signed-in report: %d", w.Code)
	}
	f := aReport("No Token")
	f.Set("csrf", "wrong")
	if w := sess.post(t, site, "/en/report/", f); w.Code != http.StatusForbidden {
		t.Errorf("wrong form token: %d", w.Code)
	}
	if n := len(openReports(t, st, "")); n != 1 {
		t.Errorf("%d reports stored, want 1", n)
	}
}

// A filled honeypot is thanked like a person and stores nothing.
func TestReportHoneypot(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, _ := workspaceSite(t, st)
	f := aReport("Bot Made")
	f.Set("website", "http://spam.example")
	w := sentPage(t, site, (*session)(nil).post(t, site, "/en/report/", f))
	if w.Code != http.StatusOK || !referenceRE.MatchString(w.Body.String()) {
		t.Fatalf("honeypot: %d, not the thank-you page", w.Code)
	}
	if n := len(openReports(t, st, "")); n != 0 {
		t.Errorf("a honeypot post stored %d reports", n)
	}
	es, _ := st.AuditEntries(context.Background(), 0, 100)
	if len(es) != 0 {
		t.Errorf("a honeypot post wrote audit entries: %+v", es)
	}
}

// After reportsFree reports one client must wait (429, Retry-After); other
// clients may go on; forms with mistakes do not use up the allowance.
func TestReportThrottle(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, _ := workspaceSite(t, st)
	for i := range 5 {
		if w := postFrom(t, site, "/ru/report/", aReport("Flood "+strconv.Itoa(i)), "198.51.100.7:4000"); w.Code != http.StatusSeeOther {
			t.Fatalf("report %d: %d", i+1, w.Code)
		}
	}
	w := postFrom(t, site, "/ru/report/", aReport("Flood 6"), "198.51.100.7:4001")
	retry, _ := strconv.Atoi(w.Header().Get("Retry-After"))
	if w.Code != http.StatusTooManyRequests || retry < 60 || retry > 3600 {
		t.Fatalf("sixth report: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	if !strings.Contains(w.Body.String(), "Слишком много сообщений") || !strings.Contains(w.Body.String(), "через 2 мин") {
		t.Errorf("the refusal does not say, in Russian, how long to wait: %.400s", w.Body.String())
	}
	bad := aReport("")
	for range 6 {
		if w := postFrom(t, site, "/ru/report/", bad, "203.0.113.9:5000"); w.Code != http.StatusUnprocessableEntity {
			t.Fatalf("a form without a name: %d", w.Code)
		}
	}
	if w := postFrom(t, site, "/ru/report/", aReport("Other Client"), "203.0.113.9:5000"); w.Code != http.StatusSeeOther {
		t.Errorf("another client, after mistakes only: %d", w.Code)
	}
	if n := len(openReports(t, st, "")); n != 6 {
		t.Errorf("%d reports stored, want 6", n)
	}
}

// Bad input gets a plain, specific answer and changes nothing; markup stays text.
func TestReportBadInput(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, _ := workspaceSite(t, st)
	send := func(body, contentType, fetchSite string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/en/report/", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Sec-Fetch-Site", fetchSite)
		w := httptest.NewRecorder()
		site.ServeHTTP(w, req)
		return w
	}
	good := aReport("Good Name").Encode()
	for _, c := range []struct {
		name, body, ct, site string
		want                 int
	}{
		{"oversized", good + "&text=" + strings.Repeat("x", 70<<10), "application/x-www-form-urlencoded", "same-origin", http.StatusRequestEntityTooLarge},
		{"JSON", `{"name":"x"}`, "application/json", "same-origin", http.StatusUnsupportedMediaType},
		{"plain text", good, "text/plain", "same-origin", http.StatusUnsupportedMediaType},
		{"another site", good, "application/x-www-form-urlencoded", "cross-site", http.StatusForbidden},
	} {
		if w := send(c.body, c.ct, c.site); w.Code != c.want {
			t.Errorf("%s: %d, want %d", c.name, w.Code, c.want)
		}
	}

	// Mistakes are named in the page's language and what was typed comes
	// back, escaped.
	f := aReport(`<script>alert(1)</script>`)
	f.Set("status", "")
	f.Set("month", "2")
	f.Set("day", "30")
	w := (*session)(nil).post(t, site, "/ru/report/", f)
	body := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "Выберите, что случилось.") || !strings.Contains(body, "Такого дня в этом месяце нет.") {
		t.Fatalf("mistakes: %d %.600s", w.Code, body)
	}
	if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the name typed came back unescaped, or not at all")
	}
	if !strings.Contains(body, "taken at night") || !strings.Contains(body, "signal &#43;998 90") {
		t.Error("the reporter's text and contact were not given back to correct")
	}
	if n := len(openReports(t, st, "")); n != 0 {
		t.Errorf("bad input stored %d reports", n)
	}

	// Markup in every field is stored as text and shown as text to editors.
	markup := `<img src=x onerror=alert(1)>`
	f = aReport(markup)
	for _, k := range []string{"name_alt", "region", "locality", "place", "text", "contact"} {
		f.Set(k, markup+k)
	}
	if w := (*session)(nil).post(t, site, "/en/report/", f); w.Code != http.StatusSeeOther {
		t.Fatalf("markup report: %d", w.Code)
	}
	rep := openReports(t, st, "")[0]
	if rep.Name != markup {
		t.Errorf("stored name %q", rep.Name)
	}
	ed := signIn(t, site, auth.New(st), auth.Editor)
	for _, p := range []string{"/admin/reports/", "/admin/reports/" + rep.ID, "/admin/reports/" + rep.ID + "/sealed"} {
		w := ed.get(t, site, p)
		if w.Code != http.StatusOK || strings.Contains(w.Body.String(), "<img") || !strings.Contains(w.Body.String(), "&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("%s: %d, markup not shown as text", p, w.Code)
		}
	}
}

// Canary values sent through the form are not in the SQLite file, its
// WAL, the PostgreSQL rows, or the server's log.
func TestReportCanariesNotInClear(t *testing.T) {
	const contact, text = "canary-contact-8842@example.org", "canary words 8842 taken at night"
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			st, dir, dsn := storetest.OpenIn(t, d)
			site, a := workspaceSite(t, st)
			f := aReport("Canary Person")
			f.Set("contact", contact)
			f.Set("text", text)
			if w := postFrom(t, site, "/en/report/", f, "192.0.2.88:1234"); w.Code != http.StatusSeeOther {
				t.Fatalf("report: %d", w.Code)
			}
			// An editor opens it: the values are there, sealed.
			ed := signIn(t, site, a, auth.Editor)
			id := openReports(t, st, "")[0].ID
			if w := ed.get(t, site, "/admin/reports/"+id+"/sealed"); !strings.Contains(w.Body.String(), contact) {
				t.Fatalf("the editor cannot read the contact: %d", w.Code)
			}
			haystack := storetest.AtRest(t, dir, dsn)
			if !bytes.Contains(haystack, []byte(openReports(t, st, "")[0].Reference)) {
				t.Fatal("the report's reference (kept in clear) is not found either: the search is broken")
			}
			// The person's name too is sealed, with the rest of the
			// report's content, until an editor makes a record of it.
			for _, c := range []string{contact, text, "192.0.2.88", "Canary Person"} {
				if bytes.Contains(haystack, []byte(c)) {
					t.Errorf("%q is in the database in clear", c)
				}
				if strings.Contains(suiteLog.String(), c) {
					t.Errorf("%q is in the log", c)
				}
			}
		})
	}
}

// An editor turns a report into a record in one click; it is then in the
// registry like an imported record (its spellings searchable, its person
// counted once the threshold allows an unverified claim), and every step
// is in the audit log.
func TestReportTriage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		site, a := workspaceSite(t, st)
		ed := signIn(t, site, a, auth.Editor)
		f := aReport("Азамат Курбанов")
		f.Set("contact", "<b>contact</b> 5531")
		f.Set("status", "missing")
		if w := (*session)(nil).post(t, site, "/ru/report/", f); w.Code != http.StatusSeeOther {
			t.Fatalf("report: %d", w.Code)
		}
		(*session)(nil).post(t, site, "/en/report/", aReport("Spam Spammer"))
		// Filed in the same hour: the queue keeps no order between them
		// (a filing time is kept to the hour).
		reports := openReports(t, st, "")
		rep, spam := reports[0], reports[1]
		if rep.Name == "Spam Spammer" {
			rep, spam = spam, rep
		}

		// A record of the same person from another list is shown as a possible match.
		list := filepath.Join(t.TempDir(), "list.csv")
		os.WriteFile(list, []byte("source,record,name,birth_year,region,status,date\nv,1,Qurbanov Azamat,1992,Nukus,detained,2022-07-02\n"), 0o600)
		if _, err := intake.ImportFile(ctx, st, list, intake.Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RefreshPublic(ctx); err != nil { // as serve and dedupe do: it builds the search keys
			t.Fatal(err)
		}
		w := ed.get(t, site, "/admin/reports/")
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), rep.Reference) || !strings.Contains(w.Body.String(), "Азамат Курбанов") {
			t.Fatalf("queue: %d %.300s", w.Code, w.Body.String())
		}
		w = ed.get(t, site, "/admin/reports/"+rep.ID)
		if w.Code != http.StatusOK || strings.Contains(w.Body.String(), "5531") || !strings.Contains(w.Body.String(), "/admin/reports/"+rep.ID+"/sealed") {
			t.Fatalf("the report page shows the sealed contact unasked, or no way to open it: %d", w.Code)
		}
		if !strings.Contains(w.Body.String(), ">Qurbanov Azamat</a>") {
			t.Error("the record of the same name in another list is not offered as a possible match")
		}
		w = ed.get(t, site, "/admin/reports/"+rep.ID+"/sealed")
		if !strings.Contains(w.Body.String(), "&lt;b&gt;contact&lt;/b&gt; 5531") || !strings.Contains(w.Body.String(), "taken at night") {
			t.Fatalf("opened report: %d %.400s", w.Code, w.Body.String())
		}

		w = ed.post(t, site, "/admin/reports/"+rep.ID+"/record", nil)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/reports/"+rep.ID+"?done=recorded" {
			t.Fatalf("make a record: %d %s", w.Code, w.Header().Get("Location"))
		}
		got, _ := st.Report(ctx, rep.ID)
		if got.State != store.ReportRecorded || got.RecordID == "" || got.ClosedBy != ed.User.ID {
			t.Fatalf("report after: %+v", got)
		}
		if w := ed.get(t, site, "/admin/reports/"+rep.ID+"?done=recorded"); !strings.Contains(w.Body.String(), "/admin/records/"+got.RecordID) ||
			strings.Contains(w.Body.String(), "/record\"") {
			t.Error("the report page does not lead to its record, or still offers to make one")
		}
		if w := ed.post(t, site, "/admin/reports/"+rep.ID+"/record", nil); w.Code != http.StatusConflict {
			t.Errorf("a second record of one report: %d", w.Code)
		}
		// and back: the record says it was made from the report, by whom
		if w := ed.get(t, site, "/admin/records/"+got.RecordID); !strings.Contains(w.Body.String(), `<a href="/admin/reports/`+rep.ID+`" id="record-report">`) ||
			!strings.Contains(w.Body.String(), "Made from a public report by you") {
			t.Errorf("the record does not lead back to its report: %d %s", w.Code, w.Body)
		}
		var rows []store.ClaimRow
		st.EachClaim(ctx, func(c store.ClaimRow) error {
			if c.Record.SourceKey == "public-reports" {
				rows = append(rows, c)
			}
			return nil
		})
		if len(rows) != 1 || rows[0].Record.ID != got.RecordID || rows[0].Record.SourceKey != "public-reports" || rows[0].SourceKind != registry.KindRelative ||
			rows[0].Claim.Status != registry.Missing || rows[0].Claim.Verification != registry.Unverified || rows[0].Record.BirthYear == 0 {
			t.Fatalf("the registry holds %+v", rows)
		}
		if ids, _ := st.SearchRecords(ctx, "Qurbanov Azamat", 10); len(ids) != 2 || (ids[0] != got.RecordID && ids[1] != got.RecordID) {
			t.Errorf("the record is not found by another spelling: %v", ids)
		}
		now := time.Now().Add(time.Hour)
		if c, _ := st.Counts(ctx, registry.Query{AsOf: registry.DayOf(now), KnownAt: now, MinVerification: registry.Unverified}); c.MissingNow != 1 || c.DetainedNow != 1 {
			t.Errorf("counted at unverified: %+v", c)
		}
		if c, _ := st.Counts(ctx, registry.Query{AsOf: registry.DayOf(now), KnownAt: now, MinVerification: registry.Corroborated}); c.MissingNow != 0 {
			t.Errorf("an unverified report counted by default: %+v", c)
		}

		// Dismissal needs a reason.
		if w := ed.post(t, site, "/admin/reports/"+spam.ID+"/dismiss", url.Values{"reason": {"  "}}); w.Code != http.StatusUnprocessableEntity ||
			!strings.Contains(w.Body.String(), "Give a reason") {
			t.Errorf("dismiss without a reason: %d", w.Code)
		}
		if got, _ := st.Report(ctx, spam.ID); got.State != store.ReportOpen {
			t.Fatal("a refused dismissal changed the report")
		}
		if w := ed.post(t, site, "/admin/reports/"+spam.ID+"/dismiss", url.Values{"reason": {"spam"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("dismiss: %d", w.Code)
		}
		if got, _ := st.Report(ctx, spam.ID); got.State != store.ReportDismissed || got.DismissReason != "spam" {
			t.Errorf("dismissed report %+v", got)
		}
		if w := ed.get(t, site, "/admin/reports/no-such-report"); w.Code != http.StatusNotFound {
			t.Errorf("unknown report: %d", w.Code)
		}
		if w := ed.post(t, site, "/admin/reports/no-such-report/record", nil); w.Code != http.StatusNotFound {
			t.Errorf("record of an unknown report: %d", w.Code)
		}

		es, _ := st.AuditEntries(ctx, 0, 1000)
		want := map[string]string{"report.unseal": rep.ID, "report.record": rep.ID, "report.dismiss": spam.ID}
		for _, e := range es {
			if obj, ok := want[e.Action]; ok && obj == e.Object && e.Actor == ed.User.ID {
				delete(want, e.Action)
			}
		}
		if len(want) > 0 {
			t.Errorf("no audit entry by the editor for %v", want)
		}
	})
}

// Only roles that triage see the queue; the rest are refused, and nothing changes.
func TestReportTriageRefusals(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	(*session)(nil).post(t, site, "/en/report/", aReport("Someone"))
	rep := openReports(t, st, "")[0]
	for _, role := range []auth.Role{auth.Volunteer, auth.Treasurer, auth.Viewer} {
		sess := signIn(t, site, a, role)
		for _, p := range []string{"/admin/reports/", "/admin/reports/" + rep.ID, "/admin/reports/" + rep.ID + "/sealed"} {
			if w := sess.get(t, site, p); w.Code != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", role, p, w.Code)
			}
		}
		for _, p := range []string{"/admin/reports/" + rep.ID + "/record", "/admin/reports/" + rep.ID + "/dismiss"} {
			if w := sess.post(t, site, p, url.Values{"reason": {"x"}}); w.Code != http.StatusForbidden {
				t.Errorf("%s POST %s: %d", role, p, w.Code)
			}
		}
	}
	if w := (*session)(nil).get(t, site, "/admin/reports/"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/admin/signin") {
		t.Errorf("anonymous GET: %d %s", w.Code, w.Header().Get("Location"))
	}
	if w := (*session)(nil).post(t, site, "/admin/reports/"+rep.ID+"/record", nil); w.Code != http.StatusForbidden {
		t.Errorf("anonymous POST: %d", w.Code)
	}
	if got, _ := st.Report(context.Background(), rep.ID); got.State != store.ReportOpen {
		t.Error("a refused request changed the report")
	}
}

// The static mirror renders the site without the workspace: the form's
// page is there (the navigation links to it) but says it takes no reports.
func TestReportPageWithoutWorkspace(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, err := web.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	w := (*session)(nil).get(t, site, "/uz/report/")
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), "<form") || !strings.Contains(w.Body.String(), "Bu saytning nusxasi") {
		t.Errorf("without the workspace: %d %.300s", w.Code, w.Body.String())
	}
	if w := (*session)(nil).post(t, site, "/uz/report/", aReport("X")); w.Code != http.StatusNotFound {
		t.Errorf("POST without the workspace: %d", w.Code)
	}
}

// Triage's "already in the registry?" is the search's matching: a report
// written surname, given name, patronymic, or with a letter wrong, or in
// Karakalpak letters, shows the record another list holds; a stranger's
// name shows none.
func TestReportTriageMatchesAsSearchDoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		site, a := workspaceSite(t, st)
		ed := signIn(t, site, a, auth.Editor)
		list := filepath.Join(t.TempDir(), "list.csv")
		os.WriteFile(list, []byte("source,record,name,birth_year,region,status,date\nv,1,Qurbanov Azamat,1992,Nukus,detained,2022-07-02\nv,2,Утепбергенов Даулет,1990,Нукус,detained,2022-07-02\n"), 0o600)
		if _, err := intake.ImportFile(ctx, st, list, intake.Options{}); err != nil {
			t.Fatal(err)
		}
		names := map[string]string{
			"Курбанов Азамат Бахтиярович": ">Qurbanov Azamat</a>",
			"Kurbnaov Azamat":                  ">Qurbanov Azamat</a>",
			"Ótepbergenov Dáwlet Baxtiyar ulı": ">Утепбергенов Даулет</a>",
			"Zzyxwvut Qqqq":                    "",
		}
		for name := range names {
			f := aReport(name)
			f.Set("name_alt", "")
			if w := (*session)(nil).post(t, site, "/en/report/", f); w.Code != http.StatusSeeOther {
				t.Fatalf("report %q: %d", name, w.Code)
			}
		}
		if _, err := st.RefreshPublic(ctx); err != nil { // builds the search keys, as serve and dedupe do
			t.Fatal(err)
		}
		for _, rep := range openReports(t, st, "") {
			want, ok := names[rep.Name]
			if !ok {
				t.Fatalf("report %q", rep.Name)
			}
			body := ed.get(t, site, "/admin/reports/"+rep.ID).Body.String()
			if want != "" && !strings.Contains(body, want) {
				t.Errorf("report %q: match %q not shown", rep.Name, want)
			}
			if want == "" && (strings.Contains(body, "Qurbanov Azamat</a>") || strings.Contains(body, "Даулет</a>")) {
				t.Errorf("report %q: a record shown as a match", rep.Name)
			}
		}
	})
}
