package web_test

import (
	"context"
	"strings"
	"testing"

	"rollcall/internal/publish"
	"rollcall/internal/registry"
)

// A correction published for an earlier date does not take the headline
// back in time: the home page, the counter and the feed keep the newest
// as-of date, the change is measured against the as-of date before it,
// and the data page lists the correction under its own date, saying what
// it corrects.
func TestHeadlineIsTheNewestAsOfDate(t *testing.T) {
	site, s := newSite(t)
	ctx := context.Background()
	dir := t.TempDir()
	today := registry.DayOf(s.Now().UTC())
	for _, asOf := range []registry.Day{20220801, today, 20220803} {
		if _, err := publish.Publish(ctx, s, dir, publish.PublishOptions{AsOf: asOf}); err != nil {
			t.Fatal(err)
		}
	}
	todayText := dateEN(today)
	home := body(t, get(t, site, "/en/"))
	// As of today Гульнара Юсупова was released (2022-08-10); as of 3
	// August 2022 she was still detained.
	for _, want := range []string{"Counts as of " + todayText, "Change since 3 August 2022",
		`<th scope="row">left custody alive</th><td class="num">1</td><td class="num change">&#43;1</td>`} {
		if !strings.Contains(home, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if strings.Contains(home, "Counts as of 3 August 2022") {
		t.Error("the home page leads with the correction's date")
	}
	counter := body(t, get(t, site, "/en/embed/counter"))
	if !strings.Contains(counter, "Counts as of "+todayText) {
		t.Errorf("the counter does not show today's figures:\n%s", counter)
	}
	if badge := body(t, get(t, site, "/en/embed/counter.svg")); !strings.Contains(badge, "("+today.String()+")") {
		t.Errorf("the badge is not as of today:\n%s", badge)
	}
	feed := body(t, get(t, site, "/en/feed.atom"))
	for _, want := range []string{"<subtitle>Latest figures, as of " + today.String() + ":",
		"<title>Correction published: counts as of 2022-08-03</title>",
		"<title>Snapshot published: counts as of " + today.String() + "</title>"} {
		if !strings.Contains(feed, want) {
			t.Errorf("feed lacks %q", want)
		}
	}
	data := body(t, get(t, site, "/en/data/"))
	iToday, i3, i1 := strings.Index(data, "As of "+todayText), strings.Index(data, "As of 3 August 2022"), strings.Index(data, "As of 1 August 2022")
	if iToday < 0 || i3 < 0 || i1 < 0 || !(iToday < i3 && i3 < i1) {
		t.Errorf("the data page does not list snapshots by as-of date (today %d, 3 Aug %d, 1 Aug %d)", iToday, i3, i1)
	}
	if want := "A correction of the figures as of 3 August 2022, published after the snapshot as of " + todayText; !strings.Contains(data, want) {
		t.Errorf("the data page does not say what the correction corrects (%q)", want)
	}

	// A second snapshot for today replaces the first in the headline and
	// says so on the data page.
	if _, err := publish.Publish(ctx, s, dir, publish.PublishOptions{AsOf: today}); err != nil {
		t.Fatal(err)
	}
	data = body(t, get(t, site, "/en/data/"))
	if want := "Corrects the snapshot as of " + todayText + " published " + todayText; !strings.Contains(data, want) {
		t.Errorf("the data page lacks %q", want)
	}
	if home := body(t, get(t, site, "/ru/")); !strings.Contains(home, "Изменение с 3 августа 2022") {
		t.Errorf("the Russian home does not compare with 3 August 2022")
	}
}

func dateEN(d registry.Day) string {
	t := d.Time()
	return strings.TrimSpace(t.Format("2 January 2006"))
}
