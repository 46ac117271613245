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
// (when most happened), then the first of each month, then today. No month
// is skipped: the monthly part starts on the first first-of-month after the
// daily part.
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
	if t.Day() != 1 {
		t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	}
	for !t.After(end) {
		out = append(out, registry.DayOf(t))
		t = t.AddDate(0, 1, 0)
	}
	if out[len(out)-1] != today {
		out = append(out, today)
	}
	return out
}

// activeEnd is the index of the date a chart of names ends on when it spans
// only the period where the counts change: one date after the last change, so
// that the level the counts settle at shows. Years in which nothing changes
// would squash the weeks when everything did into a few pixels.
func activeEnd(tl timeline, names []string) int {
	last := 0
	for i := 1; i < len(tl.Counts); i++ {
		for _, n := range names {
			a, _ := tl.Counts[i-1].Get(n)
			b, _ := tl.Counts[i].Get(n)
			if a != b {
				last = i
			}
		}
	}
	return min(last+1, len(tl.Dates)-1)
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

// drawChart lays out the named counts of tl over its dates, time to scale:
// over the period where they change, or over every date when whole is set.
func drawChart(p page, id, title, desc string, tl timeline, names []string, whole bool) chart {
	c := chart{ID: id, Title: title, Description: desc, Width: 480, Height: 300, PlotLeft: 46, PlotRight: 470, PlotTop: 14, PlotBottom: 266}
	if len(tl.Dates) == 0 {
		return c
	}
	end := len(tl.Dates) - 1
	if !whole {
		end = activeEnd(tl, names)
	}
	dates, counts := tl.Dates[:end+1], tl.Counts[:end+1]
	highest := 0
	for _, cs := range counts {
		for _, n := range names {
			v, _ := cs.Get(n)
			highest = max(highest, v)
		}
	}
	step, top := axisSteps(highest)
	t0, t1 := dates[0].Time(), dates[len(dates)-1].Time()
	span := t1.Sub(t0).Hours()
	x := func(d registry.Day) int {
		if span == 0 {
			return c.PlotLeft
		}
		return c.PlotLeft + int(float64(c.PlotRight-c.PlotLeft)*d.Time().Sub(t0).Hours()/span+0.5)
	}
	y := func(v int) int {
		return c.PlotBottom - int(float64(c.PlotBottom-c.PlotTop)*float64(v)/float64(top)+0.5)
	}
	for i, n := range names {
		var pts strings.Builder
		var v int
		for j, d := range dates {
			v, _ = counts[j].Get(n)
			fmt.Fprintf(&pts, "%d,%d ", x(d), y(v))
		}
		c.Lines = append(c.Lines, chartLine{Class: fmt.Sprintf("s%d", i+1), Label: p.T("count." + n), Points: strings.TrimSpace(pts.String()),
			Last: v, LastX: x(dates[len(dates)-1]), LastY: y(v)})
	}
	for v := 0; v <= top; v += step {
		c.YTicks = append(c.YTicks, chartTick{X: c.PlotLeft - 6, Y: y(v), Label: fmt.Sprint(v)})
	}
	c.XTicks = monthTicks(p, t0, t1, x, c.PlotBottom+24)
	return c
}

// monthTicks labels the time axis at the first of months: every month when
// they are far enough apart to read, else every quarter, else every January.
// The first label and every January carry the year.
func monthTicks(p page, t0, t1 time.Time, x func(registry.Day) int, y int) []chartTick {
	const minGap = 34 // pixels between labels: "сен" and "2022" must not touch
	var ticks []chartTick
	for _, every := range []int{1, 3, 6, 12} {
		ticks = ticks[:0]
		m := time.Date(t0.Year(), t0.Month(), 1, 0, 0, 0, 0, time.UTC)
		if m.Before(t0) {
			m = m.AddDate(0, 1, 0)
		}
		crowded := false
		for ; !m.After(t1); m = m.AddDate(0, 1, 0) {
			if len(ticks) > 0 && (int(m.Month())-1)%every != 0 {
				continue
			}
			label := p.T(fmt.Sprintf("date.mon.%d", m.Month()))
			if len(ticks) == 0 || m.Month() == time.January {
				label += " " + fmt.Sprint(m.Year())
			}
			tx := x(registry.DayOf(m))
			if len(ticks) > 0 && tx-ticks[len(ticks)-1].X < minGap*(1+strings.Count(label, " ")) {
				if every < 12 {
					crowded = true
					break
				}
				continue // yearly labels: leave out one that would touch the first
			}
			ticks = append(ticks, chartTick{X: tx, Y: y, Label: label})
		}
		if !crowded {
			break
		}
	}
	if len(ticks) == 0 { // a span inside one month: label its start
		ticks = append(ticks, chartTick{X: x(registry.DayOf(t0)), Y: y, Label: p.Date(registry.DayOf(t0))})
	}
	return ticks
}

// axisSteps picks a round step (1, 2 or 5 times a power of ten) that cuts the
// axis into at most five parts, and the first multiple of it at or above the
// highest value: 259 reads 0 to 300 by 100, not 0 to 500.
func axisSteps(highest int) (step, top int) {
	step = 1
	for p := 1; step*5 < highest; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if step = m * p; step*5 >= highest {
				break
			}
		}
	}
	top = max(step, (highest+step-1)/step*step)
	return step, top
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
	// Whole is set when the charts span every date, not only the period where counts change.
	Whole bool
	// The date form: the day asked for, its counts, or why it cannot be counted.
	AsOfText    string
	AsOf        registry.Day
	AsOfCounts  []countValue
	AsOfProblem string
}

type countValue struct {
	Name  string
	Value int
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
	data := countsPageData{page: p, Names: append(append([]string{}, cumulativeSeries...), currentSeries...), Whole: r.URL.Query().Get("span") == "all"}
	data.Charts = []chart{
		drawChart(p, "cumulative", p.T("counts.cumulative"), p.T("counts.cumulative.desc"), tl, cumulativeSeries, data.Whole),
		drawChart(p, "current", p.T("counts.current"), p.T("counts.current.desc"), tl, currentSeries, data.Whole),
	}
	if err := s.countsAsOf(r, &data); err != nil {
		s.serverError(w, "counts as of", err)
		return
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

// countsAsOf answers the page's date form (GET, so it works without
// JavaScript and the answer has an address to cite): the counts as of the day
// asked for, as known now. A date that is not one, or that lies ahead, is
// said so in the page's language.
func (s *Server) countsAsOf(r *http.Request, data *countsPageData) error {
	v := strings.TrimSpace(r.URL.Query().Get("as_of"))
	if v == "" {
		return nil
	}
	data.AsOfText = v
	d, err := registry.ParseDay(v)
	if err != nil {
		data.AsOfProblem = data.T("counts.asof.bad")
		return nil
	}
	now := s.store.Now().UTC()
	if d > registry.DayOf(now) {
		data.AsOfProblem = data.Tf("counts.asof.future", "today", data.Date(registry.DayOf(now)))
		return nil
	}
	counts, err := s.store.Counts(r.Context(), registry.Query{AsOf: d, KnownAt: now, MinVerification: registry.DefaultMinVerification})
	if err != nil {
		return err
	}
	data.AsOf = d
	for _, n := range data.Names {
		v, _ := counts.Get(n)
		data.AsOfCounts = append(data.AsOfCounts, countValue{n, v})
	}
	return nil
}
