package web_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"rollcall/internal/store"
)

// A relative on a 360-px phone, JavaScript off and on: searches the list
// in Russian, opens the person, follows "I have news about this person",
// sends news (the form names the person and carries their id), lands on
// the confirmation by redirect and reloads it: one report is filed, about
// that person.
func TestBrowserRelativeSendsNewsAboutAPerson(t *testing.T) {
	browser, base := browserSite(t)
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			tb := openTab(t, browser, js)
			ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
			defer cancel()
			tb.navigate(t, base+"/ru/people/")
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), "Даулет Сапаров")); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `form.filters button[type="submit"]`)
			if html := tb.html(t); !strings.Contains(html, `class="not-listed"`) {
				t.Error("the search offers no way to report someone not on the list")
			}
			tb.click(t, `table.people a`)
			person := strings.TrimPrefix(tb.location(t), base+"/ru/people/")
			if html := tb.html(t); !strings.Contains(html, "Даулет Сапаров") {
				t.Fatalf("the person page: %.300s", html)
			}
			tb.click(t, `p.person-news a`)
			html := tb.html(t)
			if !strings.Contains(html, `<input type="hidden" name="person" value="`+person+`">`) || !strings.Contains(html, `id="report-about"`) ||
				!strings.Contains(html, `value="Даулет Сапаров"`) {
				t.Fatalf("the report form is not about %s: %.800s", person, html)
			}
			text := fmt.Sprintf("Видели в СИЗО %v", js)
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("report-year"), "2022"), chromedp.SendKeys(chromedp.ID("report-text"), text),
				chromedp.SetValue(chromedp.ID("report-status"), "detained")); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `form.report button[type="submit"]`)
			m := referenceRE.FindStringSubmatch(tb.html(t))
			if m == nil || !strings.Contains(tb.location(t), "/ru/report/sent/") {
				t.Fatalf("no confirmation at %s", tb.location(t))
			}
			if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(tb.html(t), "<strong>"+m[1]+"</strong>") {
				t.Error("the reloaded confirmation lost its reference")
			}
			reps, n, err := shared.store.Reports(ctx, store.ReportFilter{Reference: m[1]})
			if err != nil || n != 1 || reps[0].PersonID != person || reps[0].Name != "Даулет Сапаров" {
				t.Fatalf("filed %+v (%d, %v), want one report about %s", reps, n, err, person)
			}
			if js {
				type widths struct{ Scroll, View int }
				wide, err := chromedp.Run(ctx, chromedp.Evaluate[widths](`({Scroll: document.documentElement.scrollWidth, View: window.innerWidth})`))
				if err != nil || wide.Scroll > wide.View {
					t.Errorf("the confirmation is %d px wide on a %d px screen (%v)", wide.Scroll, wide.View, err)
				}
			} else {
				tb.screenshot(t, "relative_news_sent")
			}
			tb.check(t, base, "")
		})
	}
}

// A journalist picks a day with the counts page's GET form (no script
// needed) and downloads the spreadsheet CSV from the data page, JavaScript
// off and on: the address holds the day, the counts say it, the file
// arrives with a byte-order mark and the header.
func TestBrowserJournalistPicksADayAndDownloadsTheCSV(t *testing.T) {
	browser, base := browserSite(t)
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			tb := openTab(t, browser, js)
			ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
			defer cancel()
			tb.navigate(t, base+"/en/counts/")
			// A date input takes the day as typed in the browser's locale;
			// setting its value is what picking it in the calendar does.
			if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("as_of"), "2022-08-03")); err != nil {
				t.Fatal(err)
			}
			tb.click(t, `form.asof button[type="submit"]`)
			if loc := tb.location(t); loc != base+"/en/counts/?as_of=2022-08-03" {
				t.Fatalf("the form led to %s", loc)
			}
			if html := tb.html(t); !strings.Contains(html, "3 August 2022") || !strings.Contains(html, `id="asof-counts"`) {
				t.Fatal("the counts do not say the day picked")
			}
			tb.click(t, `nav.sections a[href="/en/data/"]`)
			dir := t.TempDir()
			if _, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href="/data/rollcall-people-spreadsheet.csv"]`))); err != nil {
				t.Fatal(err)
			}
			var got []byte
			for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				if b, err := os.ReadFile(filepath.Join(dir, "rollcall-people-spreadsheet.csv")); err == nil && len(b) > 0 {
					got = b
					break
				}
			}
			if !bytes.HasPrefix(got, []byte("\ufeffperson,")) || !bytes.Contains(got, []byte("Даулет Сапаров")) {
				t.Fatalf("the downloaded CSV starts %.40q", got)
			}
			tb.check(t, base, "")
		})
	}
}

// Printed (Chromium, print media emulated), a person page has no
// navigation, and shows its address, the day it was printed and the day
// the list stands as of; the people list's print view has every person
// the filter keeps on one page, without paging.
func TestBrowserPrintPersonAndList(t *testing.T) {
	browser, base := browserSite(t)
	tb := openTab(t, browser, true) // script only to read the layout; the pages have none
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	defer cancel()
	person := aPerson(t, base, "ru")
	tb.navigate(t, base+person)
	type look struct {
		Nav, Langs, Footer, Meta, News string
		MetaText                       string
	}
	read := func() look {
		t.Helper()
		l, err := chromedp.Run(ctx, chromedp.Evaluate[look](`(() => { const d = s => { const e = document.querySelector(s); return e ? getComputedStyle(e).display : "absent"; };
			const m = document.querySelector(".print-meta");
			return {Nav: d("nav.sections"), Langs: d("nav.langs"), Footer: d("footer.site"), Meta: d(".print-meta"), News: d(".person-news"), MetaText: m ? m.innerText : ""}; })()`))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	screen := read()
	if screen.Meta != "none" || screen.Nav == "none" || screen.News == "none" {
		t.Errorf("on screen: %+v; want the print block hidden, the menu and the news link shown", screen)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	paper := read()
	today := time.Now().UTC()
	if paper.Nav != "none" || paper.Langs != "none" || paper.Footer != "none" || paper.News != "none" || paper.Meta != "block" {
		t.Errorf("printed: %+v; want no navigation, no footer, the print block shown", paper)
	}
	for _, want := range []string{"Адрес: " + person, fmt.Sprintf("Распечатано с сайта %d ", today.Day()), "Публичный список по состоянию на"} {
		if !strings.Contains(paper.MetaText, want) {
			t.Errorf("the printed page lacks %q: %q", want, paper.MetaText)
		}
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}

	// The list: more than a page of persons, printed whole.
	tb.navigate(t, base+"/en/people/")
	tb.click(t, `p.print-link a`)
	if loc := tb.location(t); loc != base+"/en/people/print/" {
		t.Fatalf("the print link led to %s", loc)
	}
	list, err := shared.store.PublicPeople(ctx, store.PeopleFilter{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.print-all tbody tr").length`))
	if err != nil || rows != list.Total || list.Total <= store.DefaultPerPage {
		t.Errorf("the print view has %d rows (%v); the list has %d (more than a page of %d expected)", rows, err, list.Total, store.DefaultPerPage)
	}
	if html := tb.html(t); strings.Contains(html, `class="pages"`) {
		t.Error("the print view pages")
	}
	tb.check(t, base, "")
}
