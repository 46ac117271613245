package web

import (
	"testing"
	"time"

	"rollcall/internal/registry"
)

// The table under the charts has a row in every month from the first report to today.
func TestChartDatesSkipNoMonth(t *testing.T) {
	for _, first := range []registry.Day{20220701, 20220702, 20220715, 20221231} {
		dates := chartDates(first, 20261203)
		months := map[string]bool{}
		for _, d := range dates {
			months[d.Time().Format("2006-01")] = true
		}
		for m := first.Time(); !m.After(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); m = time.Date(m.Year(), m.Month()+1, 1, 0, 0, 0, 0, time.UTC) {
			if !months[m.Format("2006-01")] {
				t.Errorf("from %s: no date in %s", first, m.Format("2006-01"))
			}
		}
		if dates[len(dates)-1] != 20261203 {
			t.Errorf("from %s: the last date is %s, not today", first, dates[len(dates)-1])
		}
	}
}

// The y-axis ends on a round number just above the highest value.
func TestAxisStepsRoundAboveTheMaximum(t *testing.T) {
	for _, tc := range []struct{ highest, step, top int }{
		{0, 1, 1}, {1, 1, 1}, {3, 1, 3}, {7, 2, 8}, {10, 2, 10}, {23, 5, 25}, {259, 100, 300}, {500, 100, 500}, {501, 200, 600}, {4321, 1000, 5000},
	} {
		step, top := axisSteps(tc.highest)
		if step != tc.step || top != tc.top {
			t.Errorf("highest %d: step %d top %d, want %d %d", tc.highest, step, top, tc.step, tc.top)
		}
		if top < tc.highest || top/step > 5 {
			t.Errorf("highest %d: axis to %d by %d", tc.highest, top, step)
		}
	}
}
