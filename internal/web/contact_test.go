package web_test

import (
	"strings"
	"testing"

	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

const testOnion = "rollcallexampleonionaddressforthetestsuite234567abcdefgh.onion"

// The contact page speaks every language and shows the configured ways to
// reach the group as text, and the onion address; every public page's
// footer leads to it and, when one is configured, shows the onion address.
// Without configuration the page says there is no other way and shows no
// onion address.
func TestContactPageAndFooter(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, _ := workspaceSite(t, st)
	title := map[string]string{"en": "Contact the group", "ru": "Связаться с группой", "kaa": "Topar menen baylanısıw", "uz": "Guruh bilan bogʻlanish"}
	none := map[string]string{"en": "gives no other way", "ru": "не указывает других способов", "kaa": "basqa usılın kórsetpeydi", "uz": "boshqa usulini koʻrsatmaydi"}
	pages := []string{"/", "/people/", "/counts/", "/data/", "/data/verify/", "/report/", "/contact/", "/donate/", "/no-such-page/"}
	for _, lang := range languages {
		page := (*session)(nil).get(t, site, "/"+lang+"/contact/").Body.String()
		if !strings.Contains(page, "<h1>"+title[lang]+"</h1>") || !strings.Contains(page, none[lang]) || strings.Contains(page, ".onion") {
			t.Errorf("%s: the unconfigured contact page: %.300s", lang, page)
		}
	}
	if err := site.SetContact(web.Contact{Lines: []string{"Signal: +998 90 000 00 00", "", "E-mail: <b>team</b>@example.org"}, Onion: strings.ToUpper(testOnion)}); err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		page := (*session)(nil).get(t, site, "/"+lang+"/contact/").Body.String()
		for _, want := range []string{"<li>Signal: &#43;998 90 000 00 00</li>", "<li>E-mail: &lt;b&gt;team&lt;/b&gt;@example.org</li>",
			`<p class="onion"><code>http://` + testOnion + `/</code></p>`, `href="/` + lang + `/report/"`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the contact page lacks %q", lang, want)
			}
		}
		if strings.Contains(page, none[lang]) || strings.Contains(page, "<li></li>") {
			t.Errorf("%s: the configured page still says there is no way, or shows an empty line", lang)
		}
		for _, p := range pages {
			if p == "/no-such-page/" && lang != "en" {
				continue // the not-found page speaks the browser's language, here English
			}
			w := (*session)(nil).get(t, site, "/"+lang+p)
			b := w.Body.String()
			foot := b[max(strings.Index(b, `<footer class="site">`), 0):]
			if !strings.HasPrefix(foot, `<footer class="site">`) || !strings.Contains(foot, `href="/`+lang+`/contact/"`) || !strings.Contains(foot, `href="/`+lang+`/report/"`) ||
				!strings.Contains(foot, "<code>http://"+testOnion+"/</code>") {
				t.Errorf("/%s%s (%d): the footer lacks the contact link, the report link or the onion address", lang, p, w.Code)
			}
		}
	}
}

func TestContactRefusesWhatCannotBeShown(t *testing.T) {
	for name, c := range map[string]web.Contact{
		"two lines in one":    {Lines: []string{"Signal\nE-mail"}},
		"not UTF-8":           {Lines: []string{"\xff\xfe"}},
		"too long":            {Lines: []string{strings.Repeat("x", 301)}},
		"too many":            {Lines: strings.Split(strings.Repeat("x,", 21), ",")[:21]},
		"v2 onion":            {Onion: "expyuzz4wqqyqhjn.onion"},
		"not onion":           {Onion: "rollcall.example.org"},
		"onion with a path":   {Onion: "http://" + testOnion + "/admin"},
		"onion, bad alphabet": {Onion: strings.Replace(testOnion, "2", "1", 1)},
	} {
		if _, err := c.Checked(); err == nil {
			t.Errorf("%s: taken", name)
		}
	}
	for _, o := range []string{testOnion, "http://" + testOnion, "http://" + testOnion + "/", " " + strings.ToUpper(testOnion) + " "} {
		if got, err := web.ParseOnion(o); err != nil || got != "http://"+testOnion+"/" {
			t.Errorf("ParseOnion(%q) = %q, %v", o, got, err)
		}
	}
}
