package calendar

import (
	"os"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// oraclePath is the holiday-jp data set (MIT, see holidays_jp.LICENSE):
// a YAML map "YYYY-MM-DD: 名前" of every holiday from 1970 to 2050.
const oraclePath = "testdata/holidays_jp.yml"

// loadOracle reads the oracle as date -> name.
func loadOracle(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(oraclePath)
	if err != nil {
		t.Fatalf("read oracle: %v", err)
	}
	// Decode into a yaml.Node so that keys keep their literal text: YAML
	// would otherwise be free to resolve "1970-01-01" as a timestamp.
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("parse oracle: %v", err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatalf("oracle: want one YAML map of date: name")
	}
	m := doc.Content[0]
	oracle := map[string]string{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		date, name := m.Content[i].Value, m.Content[i+1].Value
		if _, dup := oracle[date]; dup {
			t.Fatalf("oracle: duplicate date %s", date)
		}
		oracle[date] = name
	}
	if len(oracle) < 1000 {
		t.Fatalf("oracle: only %d holidays; is %s truncated?", len(oracle), oraclePath)
	}
	return oracle
}

func TestHolidaysMatchOracle(t *testing.T) {
	oracle := loadOracle(t)

	first := time.Date(1970, time.January, 1, 0, 0, 0, 0, JST)
	last := time.Date(2050, time.December, 31, 0, 0, 0, 0, JST)
	seen := 0
	for day := first; !day.After(last); day = day.AddDate(0, 0, 1) {
		key := day.Format(time.DateOnly)
		want, wantOK := oracle[key]
		got, gotOK := HolidayName(day)
		if wantOK {
			seen++
		}
		switch {
		case wantOK && !gotOK:
			t.Errorf("%s (%s): want %q, got no holiday", key, day.Weekday(), want)
		case !wantOK && gotOK:
			t.Errorf("%s (%s): want no holiday, got %q", key, day.Weekday(), got)
		case want != got:
			t.Errorf("%s (%s): want %q, got %q", key, day.Weekday(), want, got)
		}
	}
	// Every oracle entry must lie in the range walked above, or it was
	// never compared.
	if seen != len(oracle) {
		for key := range oracle {
			if d, err := time.ParseInLocation(time.DateOnly, key, JST); err != nil || d.Before(first) || d.After(last) {
				t.Errorf("oracle entry %q is not a date in 1970–2050", key)
			}
		}
	}
}

// date returns midnight JST of the given day.
func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, JST)
}

func TestHolidayNameReadsTheDateInJST(t *testing.T) {
	tests := []struct {
		name     string
		at       time.Time
		wantName string
		wantOK   bool
	}{
		{"JST midnight on a holiday", date(2026, time.April, 29), "昭和の日", true},
		{"UTC evening that is the holiday in Japan", time.Date(2026, time.April, 28, 15, 0, 0, 0, time.UTC), "昭和の日", true},
		{"UTC morning whose Japan date is the day after", time.Date(2026, time.April, 29, 15, 0, 0, 0, time.UTC), "", false},
		{"ordinary weekday", date(2026, time.April, 28), "", false},
		{"before 1970 is not modelled", date(1969, time.January, 1), "", false},
		{"after 2050 follows today's law", date(2051, time.January, 1), "元日", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := HolidayName(tt.at)
			if got != tt.wantName || ok != tt.wantOK {
				t.Errorf("HolidayName(%s) = %q, %v; want %q, %v", tt.at, got, ok, tt.wantName, tt.wantOK)
			}
		})
	}
}

func TestIsBusinessDay(t *testing.T) {
	tests := []struct {
		name string
		cal  *Calendar
		at   time.Time
		want bool
	}{
		{"ordinary Tuesday", Default(), date(2026, time.April, 28), true},
		{"Saturday", Default(), date(2026, time.May, 2), false},
		{"Sunday", Default(), date(2026, time.May, 3), false},
		{"national holiday on a weekday", Default(), date(2026, time.April, 29), false},
		{"substitute holiday", Default(), date(2026, time.May, 6), false},
		{"citizens' holiday", Default(), date(2026, time.September, 22), false},
		{"default closure before the year end", Default(), date(2026, time.December, 29), false},
		{"default closure after the year end", Default(), date(2027, time.January, 1), false},
		{"last day of the default closure", Default(), date(2026, time.January, 2), false},
		{"first day after the default closure", Default(), date(2026, time.January, 5), true},
		{"Dec 29 without closures", New(nil), date(2026, time.December, 29), true},
		{"custom closure", New([]Closure{mustParse(t, "08-13..08-14")}), date(2026, time.August, 13), false},
		{"UTC time that is a holiday in Japan", Default(), time.Date(2026, time.April, 28, 16, 0, 0, 0, time.UTC), false},
		{"UTC time that is still a business day in Japan", Default(), time.Date(2026, time.April, 28, 14, 59, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.IsBusinessDay(tt.at); got != tt.want {
				t.Errorf("IsBusinessDay(%s) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestBusinessDaysBetween(t *testing.T) {
	// The contract ends on Tuesday 2026-04-28, just before Golden Week:
	// Apr 29 (昭和の日), May 2–3 (weekend), May 4–6 (みどりの日, こどもの日,
	// 憲法記念日's substitute) are not business days. The business days after
	// it are Apr 30, May 1, 7, 8, 11, 12, 13, 14, 15, 18: the 10th is May 18.
	contractEnd := date(2026, time.April, 28)
	obon := New([]Closure{mustParse(t, "08-13..08-16")})

	tests := []struct {
		name string
		cal  *Calendar
		a, b time.Time
		want int
	}{
		{"purge on the 10th business day across Golden Week", Default(), contractEnd, date(2026, time.May, 18), 10},
		{"one day later is the 11th", Default(), contractEnd, date(2026, time.May, 19), 11},
		{"same date", Default(), contractEnd, contractEnd, 0},
		{"same JST date at different times", Default(), contractEnd, contractEnd.Add(23*time.Hour + 59*time.Minute), 0},
		{"reversed range is negative", Default(), date(2026, time.May, 18), contractEnd, -10},
		{"the start day itself is not counted", Default(), date(2026, time.April, 27), contractEnd, 1},
		{"Friday to Monday counts only Monday", Default(), date(2026, time.June, 5), date(2026, time.June, 8), 1},
		{"Friday to Sunday counts nothing", Default(), date(2026, time.June, 5), date(2026, time.June, 7), 0},
		{"a full week counts five", Default(), date(2026, time.June, 1), date(2026, time.June, 8), 5},
		{"year-end closure Dec 29 to Jan 3 is skipped", Default(), date(2026, time.December, 28), date(2027, time.January, 4), 1},
		{"without closures only Jan 1 and the weekend are skipped", New(nil), date(2026, time.December, 28), date(2027, time.January, 4), 4},
		{"custom Obon closure is skipped", obon, date(2026, time.August, 12), date(2026, time.August, 17), 1},
		{"custom calendar has no year-end closure", obon, date(2026, time.December, 28), date(2027, time.January, 4), 4},
		{"end late at night UTC is the next day in JST", Default(), contractEnd, time.Date(2026, time.May, 17, 15, 30, 0, 0, time.UTC), 10},
		{"end just before JST midnight is still the day before", Default(), contractEnd, time.Date(2026, time.May, 17, 14, 59, 0, 0, time.UTC), 9},
		{"start late at night UTC is the next day in JST", Default(), time.Date(2026, time.April, 27, 20, 0, 0, 0, time.UTC), date(2026, time.May, 18), 10},
		// 2026: 261 weekdays - 17 holidays on weekdays - Jan 2 and Dec 29–31.
		{"a full year of business days", Default(), date(2025, time.December, 31), date(2026, time.December, 31), 240},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.BusinessDaysBetween(tt.a, tt.b); got != tt.want {
				t.Errorf("BusinessDaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func mustParse(t *testing.T, s string) Closure {
	t.Helper()
	c, err := ParseClosure(s)
	if err != nil {
		t.Fatalf("ParseClosure(%q): %v", s, err)
	}
	return c
}

func TestParseClosureAcceptsValidInput(t *testing.T) {
	tests := []struct {
		in   string
		want Closure
	}{
		{"12-29..01-03", Closure{MonthDay{time.December, 29}, MonthDay{time.January, 3}}},
		{"08-13..08-16", Closure{MonthDay{time.August, 13}, MonthDay{time.August, 16}}},
		{"01-01..12-31", Closure{MonthDay{time.January, 1}, MonthDay{time.December, 31}}},
		{"05-01..05-01", Closure{MonthDay{time.May, 1}, MonthDay{time.May, 1}}},
		{"02-29..03-01", Closure{MonthDay{time.February, 29}, MonthDay{time.March, 1}}},
		{"  12-29..01-03\n", Closure{MonthDay{time.December, 29}, MonthDay{time.January, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseClosure(tt.in)
			if err != nil {
				t.Fatalf("ParseClosure(%q): unexpected error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseClosure(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if again := mustParse(t, got.String()); again != got {
				t.Errorf("String() %q does not round-trip: got %v", got.String(), again)
			}
		})
	}
}

func TestParseClosureRejectsInvalidInputClearly(t *testing.T) {
	tests := []struct {
		in      string
		wantMsg string // part of the error that says what is wrong
	}{
		{"13-01..01-03", "month 13 out of range"},
		{"00-10..01-03", "month 0 out of range"},
		{"12-32..01-01", "day 32 out of range 01-31 for month 12"},
		{"02-30..03-01", "day 30 out of range 01-29 for month 02"},
		{"04-31..05-01", "day 31 out of range 01-30 for month 04"},
		{"12-00..01-01", "day 0 out of range"},
		{"1229-0103", `missing ".."`},
		{"", `missing ".."`},
		{"12-29..", `last day: "" is not MM-DD`},
		{"..01-03", `first day: "" is not MM-DD`},
		{"12-29..1-3", `last day: "1-3" is not MM-DD`},
		{"12-29...01-03", `last day: ".01-03" is not MM-DD`},
		{"12-29..01-03..01-05", `last day: "01-03..01-05" is not MM-DD`},
		{"+1-29..01-03", `first day: "+1-29" is not MM-DD`},
		{"１２-29..01-03", "is not MM-DD"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := ParseClosure(tt.in)
			if err == nil {
				t.Fatalf("ParseClosure(%q) = %v, want an error", tt.in, c)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("ParseClosure(%q) error %q does not say %q", tt.in, msg, tt.wantMsg)
			}
			// Every message quotes the input and shows the expected form.
			if !strings.Contains(msg, `"12-29..01-03"`) {
				t.Errorf("ParseClosure(%q) error %q does not show an example", tt.in, msg)
			}
		})
	}
}

func TestClosureStringFormatsTwoDigitFields(t *testing.T) {
	c := Closure{MonthDay{time.December, 29}, MonthDay{time.January, 3}}
	if got, want := c.String(), "12-29..01-03"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestDefaultCalendarHasTheYearEndClosure(t *testing.T) {
	got := Default().Closures()
	if len(got) != 1 || got[0].String() != "12-29..01-03" {
		t.Errorf("Default().Closures() = %v, want [12-29..01-03]", got)
	}
}

func TestCalendarDoesNotShareClosureSlices(t *testing.T) {
	in := []Closure{mustParse(t, "08-13..08-16")}
	cal := New(in)
	in[0] = mustParse(t, "01-01..12-31") // caller reuses its slice
	out := cal.Closures()
	out[0] = mustParse(t, "01-01..12-31") // caller edits the result
	if !cal.IsBusinessDay(date(2026, time.August, 12)) {
		t.Errorf("calendar changed when the caller modified a closure slice")
	}
}

func TestNewPanicsOnAnInvalidClosure(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("New accepted closure 13-01..01-03")
		}
	}()
	New([]Closure{{MonthDay{13, 1}, MonthDay{time.January, 3}}})
}

func FuzzParseClosure(f *testing.F) {
	for _, seed := range []string{
		"12-29..01-03", "08-13..08-16", "02-29..02-29", "13-01..01-03",
		"12-32..01-01", "1229-0103", "", "..", "12-29...01-03", "-1--1..-1--1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClosure(s)
		if err != nil {
			return
		}
		// Whatever parses must be a valid closure that prints back to a
		// string parsing to the same value.
		if err := c.Validate(); err != nil {
			t.Fatalf("ParseClosure(%q) = %v, which is invalid: %v", s, c, err)
		}
		if again, err := ParseClosure(c.String()); err != nil || again != c {
			t.Fatalf("ParseClosure(%q) = %v, but its String %q parses to %v, %v", s, c, c.String(), again, err)
		}
	})
}
