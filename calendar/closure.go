package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MonthDay is a day of the year without a year, such as December 29.
type MonthDay struct {
	Month time.Month
	Day   int
}

// String formats md as "MM-DD", e.g. "12-29".
func (md MonthDay) String() string {
	return fmt.Sprintf("%02d-%02d", int(md.Month), md.Day)
}

// Valid reports whether md names a real day. February 29 is valid: a
// closure on it simply applies in leap years only.
func (md MonthDay) Valid() bool {
	if md.Month < time.January || md.Month > time.December || md.Day < 1 {
		return false
	}
	// 2000 is a leap year, so this is the longest each month ever gets.
	return md.Day <= daysIn(2000, md.Month)
}

// before reports whether md comes strictly before other within a year.
func (md MonthDay) before(other MonthDay) bool {
	if md.Month != other.Month {
		return md.Month < other.Month
	}
	return md.Day < other.Day
}

// Closure is a yearly company closure, inclusive, that may wrap the year
// end (Dec 29 .. Jan 3).
type Closure struct {
	From, To MonthDay
}

// closureSeparator splits the two ends of a closure in its text form.
const closureSeparator = ".."

// ParseClosure parses a closure written "MM-DD..MM-DD", e.g. "12-29..01-03"
// (two digits each; surrounding spaces are ignored). A From later in the
// year than To means the closure wraps the year end. Bad input gives an
// error naming the input and the problem; it never panics.
func ParseClosure(s string) (Closure, error) {
	fail := func(format string, args ...any) (Closure, error) {
		return Closure{}, fmt.Errorf("calendar: closure %q: "+format+` (want "MM-DD..MM-DD", e.g. "12-29..01-03")`,
			append([]any{s}, args...)...)
	}
	from, to, ok := strings.Cut(strings.TrimSpace(s), closureSeparator)
	if !ok {
		return fail("missing %q between the first and last day", closureSeparator)
	}
	var c Closure
	var err error
	if c.From, err = parseMonthDay(from); err != nil {
		return fail("first day: %v", err)
	}
	if c.To, err = parseMonthDay(to); err != nil {
		return fail("last day: %v", err)
	}
	return c, nil
}

// parseMonthDay parses "MM-DD" and checks that the day exists.
func parseMonthDay(s string) (MonthDay, error) {
	mm, dd, ok := strings.Cut(s, "-")
	if !ok || !isTwoDigits(mm) || !isTwoDigits(dd) {
		return MonthDay{}, fmt.Errorf("%q is not MM-DD", s)
	}
	// Both are two ASCII digits, so Atoi cannot fail.
	m, _ := strconv.Atoi(mm)
	d, _ := strconv.Atoi(dd)
	if m < 1 || m > 12 {
		return MonthDay{}, fmt.Errorf("month %d out of range 01-12", m)
	}
	md := MonthDay{time.Month(m), d}
	if !md.Valid() {
		return MonthDay{}, fmt.Errorf("day %d out of range 01-%02d for month %02d", d, daysIn(2000, md.Month), m)
	}
	return md, nil
}

func isTwoDigits(s string) bool {
	return len(s) == 2 && '0' <= s[0] && s[0] <= '9' && '0' <= s[1] && s[1] <= '9'
}

// String formats c as ParseClosure reads it, e.g. "12-29..01-03".
func (c Closure) String() string {
	return c.From.String() + closureSeparator + c.To.String()
}

// Validate reports whether both ends of c are real days.
func (c Closure) Validate() error {
	if !c.From.Valid() || !c.To.Valid() {
		return fmt.Errorf("calendar: closure %s: not a valid day of the year", c)
	}
	return nil
}

// contains reports whether the day md falls in the closure.
func (c Closure) contains(md MonthDay) bool {
	if c.To.before(c.From) {
		// Wraps the year end: from From to Dec 31, then Jan 1 to To.
		return !md.before(c.From) || !c.To.before(md)
	}
	return !md.before(c.From) && !c.To.before(md)
}

// DefaultClosures returns the usual Japanese year-end closure, Dec 29 to
// Jan 3 (年末年始休業), which most companies and government offices observe.
func DefaultClosures() []Closure {
	return []Closure{{From: MonthDay{time.December, 29}, To: MonthDay{time.January, 3}}}
}

// daysIn returns the number of days in month of year.
func daysIn(year int, month time.Month) int {
	// Day 0 of the next month is the last day of this one.
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
