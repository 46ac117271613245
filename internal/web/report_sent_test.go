package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// A sent report redirects (303) to its confirmation: reloading that page
// shows the reference again and files nothing; the address holds no
// reference; another token, or the same after an hour, shows the
// confirmation's words but no reference.
func TestReportSentRedirectsAndRefreshFilesNothing(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	clk := setClock(a)
	w := (*session)(nil).post(t, site, "/ru/report/", aReport("Refresh Person"))
	loc := w.Header().Get("Location")
	first := sentPage(t, site, w)
	m := referenceRE.FindStringSubmatch(first.Body.String())
	if first.Code != http.StatusOK || m == nil || !strings.Contains(first.Body.String(), "Ваше сообщение получено") {
		t.Fatalf("confirmation: %d %.400s", first.Code, first.Body.String())
	}
	if strings.Contains(loc, m[1]) || strings.Contains(loc, strings.ReplaceAll(m[1], "-", "")) {
		t.Errorf("the reference %s is in the address %s", m[1], loc)
	}
	if cc := first.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the confirmation may be cached: Cache-Control %q", cc)
	}
	for range 3 { // the refresh button
		again := (*session)(nil).get(t, site, loc)
		if again.Code != http.StatusOK || !strings.Contains(again.Body.String(), "<strong>"+m[1]+"</strong>") {
			t.Fatalf("refreshed confirmation: %d, reference gone", again.Code)
		}
	}
	if n := len(openReports(t, st, "")); n != 1 {
		t.Fatalf("%d reports stored after refreshing the confirmation, want 1", n)
	}
	// Someone guessing at addresses, and the same address after its hour.
	for _, path := range []string{"/ru/report/sent/AAAAAAAAAAAAAAAAAAAAAAAA", "/ru/report/sent/" + strings.Repeat("x", 300), loc} {
		if path == loc {
			clk.advance(time.Hour + time.Minute)
		}
		w := (*session)(nil).get(t, site, path)
		body := w.Body.String()
		if w.Code != http.StatusOK || referenceRE.MatchString(body) || !strings.Contains(body, "отправлять его снова не нужно") {
			t.Errorf("%s: %d, a reference shown or no explanation: %.300s", path, w.Code, body)
		}
	}
}

// A failed form puts its summary first in the page's main part, focused
// on load without script (autofocus on a focusable #errors), each problem
// named with its field and linked to it; nothing is filed.
func TestReportErrorSummaryFirst(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, _ := workspaceSite(t, st)
	f := aReport("")
	f.Set("day", "31")
	f.Set("month", "2")
	w := (*session)(nil).post(t, site, "/kaa/report/", f)
	body := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad report: %d", w.Code)
	}
	mainAt := strings.Index(body, `<main id="main">`)
	summary := regexp.MustCompile(`<main id="main">\s*<div class="error-summary" id="errors" role="alert" tabindex="-1" autofocus`).FindStringIndex(body)
	if mainAt < 0 || summary == nil || summary[0] != mainAt {
		t.Fatalf("the error summary is not the first thing in <main>: %.1500s", body[max(mainAt, 0):])
	}
	for _, want := range []string{`<a href="#report-name">Familiyası, atı hám ákesiniń atı, siz qalay jazsańız:`, `<a href="#report-day">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the summary lacks %q", want)
		}
	}
	if strings.Count(body, "autofocus") != 1 {
		t.Error("more than one element asks for focus")
	}
	if n := len(openReports(t, st, "")); n != 0 {
		t.Errorf("a failed form stored %d reports", n)
	}
}
