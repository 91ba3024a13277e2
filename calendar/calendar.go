// Package calendar knows Japanese business days, so that deadlines such as
// "purge the data on the 10th business day after the contract ends" can be
// computed and checked.
//
// A business day is a day that is not a Saturday or Sunday, not a holiday
// under the Act on National Holidays (国民の祝日に関する法律, including
// substitute and citizens' holidays and the days declared by special acts),
// and not inside one of the company's yearly closures (by default the
// year-end closure, Dec 29 – Jan 3).
//
// Holidays are computed from the rules of the Act, not looked up in a
// table, and are tested day by day against the holiday-jp data set
// (testdata/holidays_jp.yml) for 1970–2050.
//
// Every time.Time is read as a calendar date in Japan time (JST): 2026-04-28
// 20:00 UTC is 2026-04-29 in Japan, a holiday.
package calendar

import (
	"fmt"
	"slices"
	"time"
)

// JST is Japan time (fixed +09:00; Japan has had no DST since 1952). All
// dates are read in JST. It is a fixed zone so that the package does not
// depend on the system's time zone database.
var JST = time.FixedZone("JST", 9*3600)

// Calendar decides business days for one company: national holidays plus
// its own yearly closures. A Calendar is immutable and safe for concurrent
// use.
type Calendar struct {
	closures []Closure
}

// New returns a calendar with the given yearly closures (none if empty).
// Closures from ParseClosure are always valid; New panics on one that is
// not (see Closure.Validate), because a closure silently ignored would
// shift every deadline computed from it.
func New(closures []Closure) *Calendar {
	for _, c := range closures {
		if err := c.Validate(); err != nil {
			panic(fmt.Sprintf("calendar.New: %v", err))
		}
	}
	return &Calendar{closures: slices.Clone(closures)}
}

// Default returns a calendar with the default year-end closure.
func Default() *Calendar {
	return New(DefaultClosures())
}

// Closures returns a copy of the calendar's closures.
func (c *Calendar) Closures() []Closure {
	return slices.Clone(c.closures)
}

// IsBusinessDay reports whether d's date in Japan is a business day: not a
// Saturday or Sunday, not a national holiday, not in a closure.
func (c *Calendar) IsBusinessDay(d time.Time) bool {
	day := dateOf(d)
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	if _, holiday := HolidayName(day); holiday {
		return false
	}
	md := monthDayOf(day)
	for _, closure := range c.closures {
		if closure.contains(md) {
			return false
		}
	}
	return true
}

// BusinessDaysBetween counts business days d with date(a) < d <= date(b)
// (JST dates): a purge on the 10th business day after contract end gives
// 10. If b's date is before a's, the result is negative (-(count of
// business days with date(b) < d <= date(a))). Same date gives 0.
//
// Only dates matter: the times of day of a and b are ignored once they are
// read in JST.
func (c *Calendar) BusinessDaysBetween(a, b time.Time) int {
	from, to := dateOf(a), dateOf(b)
	if to.Before(from) {
		return -c.BusinessDaysBetween(b, a)
	}
	n := 0
	// One day at a time keeps this obviously right; even a century is only
	// ~36,500 cheap steps, and holidays are cached per year.
	for day := from.AddDate(0, 0, 1); !day.After(to); day = day.AddDate(0, 0, 1) {
		if c.IsBusinessDay(day) {
			n++
		}
	}
	return n
}

// dateOf returns midnight JST of t's date in Japan.
func dateOf(t time.Time) time.Time {
	y, m, d := t.In(JST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, JST)
}

// monthDayOf returns the month and day of t, which must already be in JST.
func monthDayOf(t time.Time) MonthDay {
	_, m, d := t.Date()
	return MonthDay{m, d}
}
