package registry

import (
	"fmt"
	"time"
)

// Day is a calendar day written as the integer yyyymmdd (20220703), so that
// days compare as integers and read plainly in the database.
type Day int32

// DayOf returns the calendar day of t in UTC.
func DayOf(t time.Time) Day {
	y, m, d := t.UTC().Date()
	return Day(y*10000 + int(m)*100 + d)
}

// Time returns midnight UTC at the start of the day.
func (d Day) Time() time.Time {
	return time.Date(int(d)/10000, time.Month(int(d)/100%100), int(d)%100, 0, 0, 0, 0, time.UTC)
}

func (d Day) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", int(d)/10000, int(d)/100%100, int(d)%100)
}

// ParseDay reads a YYYY-MM-DD date.
func ParseDay(s string) (Day, error) {
	p, err := ParsePeriod(s)
	if err != nil {
		return 0, err
	}
	if p.Precision != PrecisionDay {
		return 0, fmt.Errorf("date %q: want a whole date YYYY-MM-DD", s)
	}
	return p.Start, nil
}

// Precision says how exactly a date is known.
type Precision string

// Precisions a claim's date can have.
const (
	PrecisionDay   Precision = "day"
	PrecisionMonth Precision = "month"
	PrecisionYear  Precision = "year"
)

// Period is a date known to a day, a month or a year: the whole days from
// Start to End inclusive.
type Period struct {
	Start, End Day
	Precision  Precision
}

// ParsePeriod reads YYYY-MM-DD, YYYY-MM or YYYY.
func ParsePeriod(s string) (Period, error) {
	var layout string
	var p Precision
	switch len(s) {
	case 10:
		layout, p = "2006-01-02", PrecisionDay
	case 7:
		layout, p = "2006-01", PrecisionMonth
	case 4:
		layout, p = "2006", PrecisionYear
	default:
		return Period{}, fmt.Errorf("date %q: want YYYY-MM-DD, YYYY-MM or YYYY", s)
	}
	t, err := time.Parse(layout, s)
	if err != nil || t.Year() < 1900 {
		return Period{}, fmt.Errorf("date %q: not a valid date of the form YYYY-MM-DD, YYYY-MM or YYYY", s)
	}
	var end time.Time
	switch p {
	case PrecisionDay:
		end = t
	case PrecisionMonth:
		end = t.AddDate(0, 1, -1)
	case PrecisionYear:
		end = t.AddDate(1, 0, -1)
	}
	return Period{Start: DayOf(t), End: DayOf(end), Precision: p}, nil
}

// String writes the period back in the form it was given.
func (p Period) String() string {
	s := p.Start.String()
	switch p.Precision {
	case PrecisionMonth:
		return s[:7]
	case PrecisionYear:
		return s[:4]
	}
	return s
}

// PeriodFrom rebuilds a period from its stored start and precision.
func PeriodFrom(start Day, precision Precision) Period {
	p, err := ParsePeriod(Period{Start: start, Precision: precision}.String())
	if err != nil {
		return Period{Start: start, End: start, Precision: PrecisionDay}
	}
	return p
}
