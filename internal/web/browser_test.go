package web_test

// Browser tests: the public pages in a real Chromium (Debian's package,
// installed by scripts/chromium-up), driven by chromedp. One browser serves
// the whole package; pages load in parallel tabs.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"rollcall/internal/auth"
	"rollcall/internal/intake"
	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

// chromiumPath is Debian's chromium, or ROLLCALL_CHROMIUM.
func chromiumPath() string {
	if p := os.Getenv("ROLLCALL_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// shared holds the one browser and the one site of the package's browser
// tests, started by the first test that needs them.
var shared struct {
	once    sync.Once
	skip    string // why the browser tests cannot run
	err     error
	browser context.Context
	site    *httptest.Server
	store   *store.Store
	closers []func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	// The whole package has run, the browser suite included: nothing it
	// typed, no address and no token may be in any log line.
	if found := scanSuiteLog(); found != "" && code == 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the test sites logged what logs must never hold: %s\n", found)
		code = 1
	}
	for i := len(shared.closers) - 1; i >= 0; i-- {
		shared.closers[i]()
	}
	os.Exit(code)
}

// browserSite returns a browser context and the URL of a site over the
// synthetic demo set (400 people, several pages) plus siteCSV, whose
// markup-laden record must stay text. It skips the test, loudly, when
// Chromium is missing, unless ROLLCALL_REQUIRE_BROWSER=1 (CI) makes that a
// failure.
func browserSite(t *testing.T) (context.Context, string) {
	t.Helper()
	shared.once.Do(startShared)
	if shared.skip != "" {
		if os.Getenv("ROLLCALL_REQUIRE_BROWSER") == "1" {
			t.Fatalf("a browser is required (ROLLCALL_REQUIRE_BROWSER=1) but %s", shared.skip)
		}
		fmt.Fprintf(os.Stderr, "\n*** SKIPPING BROWSER TESTS: %s. Run scripts/chromium-up. ***\n\n", shared.skip)
		t.Skipf("SKIPPING: %s; run scripts/chromium-up", shared.skip)
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.browser, shared.site.URL
}

func startShared() {
	path := chromiumPath()
	if _, err := exec.LookPath(path); err != nil {
		shared.skip = fmt.Sprintf("no Chromium at %s", path)
		return
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "rollcall-browser-test-")
	if err != nil {
		shared.err = err
		return
	}
	shared.closers = append(shared.closers, func() { os.RemoveAll(dir) })
	// The site: a store with the demo set, then the markup record.
	st, err := store.Open(ctx, filepath.Join(dir, "data"), "")
	if err != nil {
		shared.err = err
		return
	}
	shared.closers = append(shared.closers, func() { st.Close() })
	if _, err := intake.LoadDemo(ctx, st, dir); err != nil {
		shared.err = err
		return
	}
	csv := filepath.Join(dir, "site.csv")
	if err := os.WriteFile(csv, []byte(siteCSV), 0o600); err != nil {
		shared.err = err
		return
	}
	if _, err := intake.ImportFile(ctx, st, csv, intake.Options{}); err != nil {
		shared.err = err
		return
	}
	// siteCSV's lists were published by their sources (the demo's have a
	// basis already).
	for _, key := range []string{"vol", "press"} {
		if err := st.SetSourceBasis(ctx, store.ActorCLI, key, "published this list itself", false); err != nil {
			shared.err = err
			return
		}
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		shared.err = err
		return
	}
	site, err := web.New(st, suiteLogger())
	if err != nil {
		shared.err = err
		return
	}
	// With the workspace, so that the report form is the real one.
	keys, err := seal.Open(filepath.Join(dir, "data"), nil)
	if err != nil {
		shared.err = err
		return
	}
	st.SetKeys(keys)
	site.EnableWorkspace(auth.New(st), filepath.Join(dir, "data"))
	shared.store = st
	shared.site = httptest.NewServer(site)
	shared.closers = append(shared.closers, shared.site.Close)
	// The browser: headless, and kept from reaching the network on its own
	// (updates, sync, QUIC probes), with a profile of its own.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	shared.closers = append(shared.closers, cancelAlloc, cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		shared.err = fmt.Errorf("starting Chromium: %w", err)
		return
	}
	shared.browser = browser
}

// artifactDir is where screenshots go: $ROLLCALL_ARTIFACTS, else the
// git-ignored testdata-artifacts/ at the top of the repository.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ROLLCALL_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "testdata-artifacts")
	}
	dir = filepath.Join(dir, "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tab is one browser tab and what it saw: console errors, uncaught
// exceptions, error log entries, and every URL it requested.
type tab struct {
	ctx      context.Context
	mu       sync.Mutex
	errors   []string
	requests []string
}

func (tb *tab) listen(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			tb.errors = append(tb.errors, fmt.Sprintf("console.%s", ev.Type))
		}
	case *runtime.EventExceptionThrown:
		tb.errors = append(tb.errors, "exception: "+ev.ExceptionDetails.Text)
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			tb.errors = append(tb.errors, fmt.Sprintf("%s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	case *network.EventRequestWillBeSent:
		tb.requests = append(tb.requests, ev.Request.URL)
	}
}

// openTab opens a tab with JavaScript on or off, the size of a phone.
func openTab(t *testing.T, browser context.Context, js bool) *tab {
	t.Helper()
	tb := &tab{}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithListener(tb.listen))
	t.Cleanup(cancel)
	tb.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if !js {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	return tb
}

func (tb *tab) navigate(t *testing.T, u string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}

// location is the tab's address, read from its history (it needs no
// script, so it works with JavaScript off).
func (tb *tab) location(t *testing.T) string {
	t.Helper()
	h, err := chromedp.Call(tb.ctx, page.GetNavigationHistory, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	return h.Entries[h.CurrentIndex].URL
}

func (tb *tab) html(t *testing.T) string {
	t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// click follows a link or submits a form and waits for the new page.
func (tb *tab) click(t *testing.T, sel string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// check reports the console errors and the requests to any other origin
// seen since the last check. The status of a page expected to be missing
// is not an error (Chromium logs it like one).
func (tb *tab) check(t *testing.T, origin string, missing string) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, e := range tb.errors {
		if missing != "" && strings.Contains(e, "status of 404") && strings.Contains(e, missing) {
			continue
		}
		t.Errorf("console error: %s", e)
	}
	for _, r := range tb.requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme+"://"+u.Host != origin && u.Scheme != "data" && u.Scheme != "about") {
			t.Errorf("a request left the origin: %s", r)
		}
	}
	tb.errors, tb.requests = nil, nil
}

func (tb *tab) screenshot(t *testing.T, name string) {
	t.Helper()
	// What the visitor first sees (PNG), and the whole page (JPEG, smaller).
	first, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	whole, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(75))
	if err != nil {
		t.Fatal(err)
	}
	dir := artifactDir(t)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), first, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".full.jpg"), whole, 0o644); err != nil {
		t.Fatal(err)
	}
}

// aPerson is the address of one person's page, taken from the list.
func aPerson(t *testing.T, base, lang string) string {
	t.Helper()
	res, err := http.Get(base + "/" + lang + "/people/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`href="(/` + lang + `/people/[0-9a-f-]{36})"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no person link on /%s/people/", lang)
	}
	return string(m[1])
}

// Every public page in every language, with JavaScript off and on, loads
// without a console error and without a request to any other host.
func TestBrowserEveryPage(t *testing.T) {
	browser, base := browserSite(t)
	pages := []string{"/", "/counts/", "/data/", "/people/", "/people/?q=Saparov", "/people/?state=killed&page=1",
		"/embed/counter", "/report/", "/contact/", "/donate/", "/donate/legal-aid/", "/transparency/", "/no-such-page/"}
	for _, lang := range languages {
		person := aPerson(t, base, lang)
		for _, js := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/js=%v", lang, js), func(t *testing.T) {
				t.Parallel()
				tb := openTab(t, browser, js)
				for _, p := range append(pages, strings.TrimPrefix(person, "/"+lang)) {
					shot := strings.NewReplacer("/", "_", "?", "_", "&", "_", "=", "-").Replace(p)
					if p == strings.TrimPrefix(person, "/"+lang) {
						shot = "_person"
					}
					u := base + "/" + lang + p
					tb.navigate(t, u)
					html := tb.html(t)
					if !strings.Contains(html, `<html lang="`+lang+`"`) && p != "/no-such-page/" {
						t.Errorf("%s: no <html lang=%q>", u, lang)
					}
					if strings.Contains(html, "<script") {
						t.Errorf("%s: markup from the data became a script element", u)
					}
					tb.check(t, base, "/no-such-page/")
					if js {
						// A phone of 360 px must never scroll sideways.
						type widths struct{ Scroll, View int }
						wide, err := chromedp.Run(tb.ctx, chromedp.Evaluate[widths](`({Scroll: document.documentElement.scrollWidth, View: window.innerWidth})`))
						if err != nil {
							t.Fatal(err)
						}
						if wide.Scroll > wide.View {
							t.Errorf("%s: %d px wide on a %d px screen", u, wide.Scroll, wide.View)
						}
					}
					if !js {
						tb.screenshot(t, strings.TrimSuffix(lang+shot, "_"))
					}
				}
			})
		}
	}
}

// The language switcher keeps the visitor on the same page, without script.
func TestBrowserLanguageSwitcher(t *testing.T) {
	browser, base := browserSite(t)
	tb := openTab(t, browser, false)
	tb.navigate(t, base+"/en/counts/")
	for _, step := range []struct{ lang, want string }{{"ru", "/ru/counts/"}, {"kaa", "/kaa/counts/"}, {"uz", "/uz/counts/"}, {"en", "/en/counts/"}} {
		tb.click(t, `nav.langs a[hreflang="`+step.lang+`"]`)
		if got := tb.location(t); got != base+step.want {
			t.Fatalf("switching to %s led to %s, want %s", step.lang, got, base+step.want)
		}
		if html := tb.html(t); !strings.Contains(html, `<html lang="`+step.lang+`">`) {
			t.Fatalf("after switching to %s the page is not in it", step.lang)
		}
	}
	tb.check(t, base, "")
}

// Search, filters and pagination of the people page work with JavaScript
// off: plain forms and links.
func TestBrowserPeopleSearchFiltersPages(t *testing.T) {
	browser, base := browserSite(t)
	tb := openTab(t, browser, false)

	// A Latin query finds the Cyrillic record, typed into the form.
	tb.navigate(t, base+"/en/people/")
	if err := chromedp.Do(tb.ctx, chromedp.SendKeys(chromedp.ID("q"), "Daulet Saparov")); err != nil {
		t.Fatal(err)
	}
	tb.click(t, `form.filters button[type="submit"]`)
	if loc := tb.location(t); !strings.Contains(loc, "q=Daulet+Saparov") {
		t.Fatalf("search went to %s", loc)
	}
	if html := tb.html(t); !strings.Contains(html, "Даулет Сапаров") {
		t.Fatal("a Latin query did not find the Cyrillic record")
	}

	// A filter by state: every row shown is in that state.
	tb.navigate(t, base+"/en/people/")
	if err := chromedp.Do(tb.ctx, chromedp.SetValue(chromedp.ID("state"), "killed")); err != nil {
		t.Fatal(err)
	}
	tb.click(t, `form.filters button[type="submit"]`)
	html := tb.html(t)
	rows := regexp.MustCompile(`(?s)<tbody>(.*)</tbody>`).FindStringSubmatch(html)
	if rows == nil || !strings.Contains(tb.location(t), "state=killed") {
		t.Fatalf("the state filter gave no list (at %s)", tb.location(t))
	}
	killedLabel := regexp.MustCompile(`<option value="killed" selected="">([^<]+)</option>`).FindStringSubmatch(html)
	if killedLabel == nil {
		t.Fatal("the chosen state is not shown as chosen")
	}
	for _, row := range strings.Split(rows[1], "</tr>") {
		if strings.Contains(row, "<td") && !strings.Contains(row, killedLabel[1]) {
			t.Errorf("a row in the killed filter is in another state: %.200s", row)
		}
	}

	// Pagination: "next" leads to page 2, and its people differ.
	tb.navigate(t, base+"/en/people/")
	first := tb.html(t)
	tb.click(t, `nav.pages a[rel="next"]`)
	if loc := tb.location(t); !strings.Contains(loc, "page=2") {
		t.Fatalf("next went to %s", loc)
	}
	second := tb.html(t)
	if !strings.Contains(second, `aria-current="page">2<`) {
		t.Error("page 2 is not marked as the current page")
	}
	personLinks := regexp.MustCompile(`/en/people/[0-9a-f-]{36}`)
	if a, b := personLinks.FindString(first), personLinks.FindString(second); a == "" || a == b {
		t.Errorf("page 2 starts with the same person as page 1 (%q)", a)
	}
	tb.check(t, base, "")
}

// A look at the home page on a desktop width as well, for the artefacts.
func TestBrowserDesktopScreenshot(t *testing.T) {
	browser, base := browserSite(t)
	tb := openTab(t, browser, false)
	if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/ru/", "/kaa/counts/"} {
		tb.navigate(t, base+p)
		tb.screenshot(t, "desktop"+strings.ReplaceAll(strings.TrimSuffix(p, "/"), "/", "_"))
	}
	tb.check(t, base, "")
}
