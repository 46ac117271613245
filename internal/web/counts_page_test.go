package web_test

import (
	"regexp"
	"strings"
	"testing"
)

// A journalist sees July–August 2022 spread over the chart with month labels, can ask for
// the whole span, and can pick a day without the API.
func TestCountsPageSpansTheChangesAndAnswersADate(t *testing.T) {
	site, _ := newSite(t)
	ticks := func(b string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<text class="xtick"[^>]*>([^<]+)</text>`).FindAllStringSubmatch(b, -1) {
			out = append(out, m[1])
		}
		return out
	}
	active := body(t, get(t, site, "/en/counts/"))
	got := ticks(active)
	if len(got) == 0 || got[0] != "Jul 2022" || strings.Contains(strings.Join(got, " "), "2026") {
		t.Errorf("the active span's labels are %q", got)
	}
	if !strings.Contains(active, `href="/en/counts/?span=all"`) {
		t.Error("no link to the whole span")
	}
	whole := ticks(body(t, get(t, site, "/en/counts/?span=all")))
	if !strings.Contains(strings.Join(whole, " "), "2026") {
		t.Errorf("the whole span's labels are %q", whole)
	}
	for _, tc := range []struct{ url, want string }{
		{"/en/counts/?as_of=2022-07-03", `<h2 id="asof-counts">As of 3 July 2022</h2>`},
		{"/en/counts/?as_of=2022-07-03", `<tr><th scope="row">detained at some point</th><td class="num">3</td></tr>`},
		{"/ru/counts/?as_of=2022-07-03", `На 3 июля 2022 г.`},
		{"/en/counts/?as_of=2099-01-01", `That day has not come yet`},
		{"/ru/counts/?as_of=someday", `Это не дата`},
	} {
		res := get(t, site, tc.url)
		if b := body(t, res); res.StatusCode != 200 || !strings.Contains(b, tc.want) {
			t.Errorf("%s: %d, lacks %q", tc.url, res.StatusCode, tc.want)
		}
	}
}
