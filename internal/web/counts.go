package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// The two charts of the counts page: what accumulates, and what is.
var (
	cumulativeSeries = []string{"detained_ever", "missing_ever", "killed"}
	currentSeries    = []string{"detained_now", "missing_now", "released_now"}
)

// timeline is the counts on a series of dates, all as known at one time,
// and our counts on the dates of other parties' figures.
type timeline struct {
	KnownAt time.Time
	Dates   []registry.Day
	Counts  []registry.Counts
	OnDate  map[registry.Day]registry.Counts
}

// chartCache keeps the last timeline for a short while: computing it reads
// every claim, and the figures change only when new reports are checked.
type chartCache struct {
	mu    sync.Mutex
	key   string
	built time.Time
	tl    timeline
}

const chartCacheFor = 2 * time.Minute

// countsTimeline computes counts for many dates in one pass over the
// claims (store.EachClaimFacts), with the rules of registry.
func (s *Server) countsTimeline(ctx context.Context, extra []registry.Day) (timeline, error) {
	now := s.store.Now().UTC()
	key := fmt.Sprint(extra)
	s.chart.mu.Lock()
	defer s.chart.mu.Unlock()
	if s.chart.key == key && now.Sub(s.chart.built) < chartCacheFor && !s.chart.built.After(now) {
		return s.chart.tl, nil
	}
	byPerson := map[string][]registry.ClaimFacts{}
	var first registry.Day
	err := s.store.EachClaimFacts(ctx, func(person string, c registry.ClaimFacts) {
		byPerson[person] = append(byPerson[person], c)
		if c.Status.IsState() && c.Verification >= registry.DefaultMinVerification && (first == 0 || c.End < first) {
			first = c.End
		}
	})
	if err != nil {
		return timeline{}, err
	}
	tl := timeline{KnownAt: now, OnDate: map[registry.Day]registry.Counts{}}
	if first != 0 {
		tl.Dates = chartDates(first, registry.DayOf(now))
	}
	countOn := func(d registry.Day) registry.Counts {
		return registry.Count(registry.Query{AsOf: d, KnownAt: now, MinVerification: registry.DefaultMinVerification}, byPerson)
	}
	for _, d := range tl.Dates {
		tl.Counts = append(tl.Counts, countOn(d))
	}
	for _, d := range extra {
		tl.OnDate[d] = countOn(d)
	}
	s.chart.key, s.chart.built, s.chart.tl = key, now, tl
	return tl, nil
}

// chartDates are the days a chart shows: every day of the first two months
// (when most happened), then the first of each month, then today.
func chartDates(first, today registry.Day) []registry.Day {
	var out []registry.Day
	if today < first {
		return []registry.Day{first}
	}
	t, end := first.Time(), today.Time()
	for i := 0; i < 62 && !t.After(end); i++ {
		out = append(out, registry.DayOf(t))
		t = t.AddDate(0, 0, 1)
	}
	t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	for !t.After(end) {
		out = append(out, registry.DayOf(t))
		t = t.AddDate(0, 1, 0)
	}
	if out[len(out)-1] != today {
		out = append(out, today)
	}
	return out
}

// chart is a line chart drawn on the server as SVG: no script, no request.
type chart struct {
	ID, Title, Description string
	Width, Height          int
	Lines                  []chartLine
	YTicks, XTicks         []chartTick
	PlotLeft, PlotRight    int
	PlotTop, PlotBottom    int
}

type chartLine struct {
	Class, Label string
	Points       string
	Last         int
	LastX, LastY int
}

type chartTick struct {
	X, Y  int
	Label string
}

// drawChart lays out the named counts of tl over its dates, time to scale.
func drawChart(p page, id, title, desc string, tl timeline, names []string) chart {
	c := chart{ID: id, Title: title, Description: desc, Width: 480, Height: 300, PlotLeft: 46, PlotRight: 470, PlotTop: 14, PlotBottom: 266}
	if len(tl.Dates) == 0 {
		return c
	}
	max := 1
	for _, counts := range tl.Counts {
		for _, n := range names {
			v, _ := counts.Get(n)
			max = maxInt(max, v)
		}
	}
	max = niceCeiling(max)
	t0, t1 := tl.Dates[0].Time(), tl.Dates[len(tl.Dates)-1].Time()
	span := t1.Sub(t0).Hours()
	x := func(d registry.Day) int {
		if span == 0 {
			return c.PlotLeft
		}
		return c.PlotLeft + int(float64(c.PlotRight-c.PlotLeft)*d.Time().Sub(t0).Hours()/span+0.5)
	}
	y := func(v int) int {
		return c.PlotBottom - int(float64(c.PlotBottom-c.PlotTop)*float64(v)/float64(max)+0.5)
	}
	for i, n := range names {
		var pts strings.Builder
		var v int
		for j, d := range tl.Dates {
			v, _ = tl.Counts[j].Get(n)
			fmt.Fprintf(&pts, "%d,%d ", x(d), y(v))
		}
		c.Lines = append(c.Lines, chartLine{Class: fmt.Sprintf("s%d", i+1), Label: p.T("count." + n), Points: strings.TrimSpace(pts.String()),
			Last: v, LastX: x(tl.Dates[len(tl.Dates)-1]), LastY: y(v)})
	}
	for v := 0; v <= max; v += tickStep(max) {
		c.YTicks = append(c.YTicks, chartTick{X: c.PlotLeft - 6, Y: y(v), Label: fmt.Sprint(v)})
	}
	// A tick at the start, and at each new year after it.
	c.XTicks = append(c.XTicks, chartTick{X: x(tl.Dates[0]), Y: c.PlotBottom + 24, Label: p.Date(tl.Dates[0])})
	for yr := t0.Year() + 1; yr <= t1.Year(); yr++ {
		d := registry.DayOf(time.Date(yr, 1, 1, 0, 0, 0, 0, time.UTC))
		if x(d)-c.XTicks[len(c.XTicks)-1].X > 150 && x(d) < c.PlotRight-40 {
			c.XTicks = append(c.XTicks, chartTick{X: x(d), Y: c.PlotBottom + 24, Label: fmt.Sprint(yr)})
		}
	}
	return c
}

// tickStep divides a nice ceiling into 2 to 5 round steps.
func tickStep(max int) int {
	switch {
	case max >= 5 && max%5 == 0:
		return max / 5
	case max >= 4 && max%4 == 0:
		return max / 4
	case max%2 == 0:
		return max / 2
	}
	return max
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// niceCeiling rounds up to 1, 2 or 5 times a power of ten, so the axis
// reads in round numbers.
func niceCeiling(n int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

type figureLine struct {
	store.Figure
	Ours    int
	HasOurs bool
}

type countsPageData struct {
	page
	Charts  []chart
	Names   []string // the counts in the table of figures, in chart order
	Rows    []countsRow
	Figures []figureLine
	KnownAt string
}

type countsRow struct {
	Date   registry.Day
	Values []int
}

func (s *Server) countsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	p.Title = p.T("counts.title")
	figures, err := s.store.Figures(r.Context())
	if err != nil {
		s.serverError(w, "figures", err)
		return
	}
	var dates []registry.Day
	for _, f := range figures {
		if f.Count != "" && !slices.Contains(dates, f.AsOf) {
			dates = append(dates, f.AsOf)
		}
	}
	tl, err := s.countsTimeline(r.Context(), dates)
	if err != nil {
		s.serverError(w, "counts over time", err)
		return
	}
	data := countsPageData{page: p, Names: append(append([]string{}, cumulativeSeries...), currentSeries...)}
	data.Charts = []chart{
		drawChart(p, "cumulative", p.T("counts.cumulative"), p.T("counts.cumulative.desc"), tl, cumulativeSeries),
		drawChart(p, "current", p.T("counts.current"), p.T("counts.current.desc"), tl, currentSeries),
	}
	for i, d := range tl.Dates {
		row := countsRow{Date: d}
		for _, n := range data.Names {
			v, _ := tl.Counts[i].Get(n)
			row.Values = append(row.Values, v)
		}
		data.Rows = append(data.Rows, row)
	}
	for _, f := range figures {
		line := figureLine{Figure: f}
		if f.Count != "" {
			line.Ours, _ = tl.OnDate[f.AsOf].Get(f.Count)
			line.HasOurs = true
		}
		data.Figures = append(data.Figures, line)
	}
	s.render(w, "counts.html", data)
}
