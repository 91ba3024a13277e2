package engine

import (
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/shoko-audit/shoko/calendar"
	"github.com/shoko-audit/shoko/evidence"
)

// The business-day builtin reaches policies with the configured calendar; a bad argument is a
// policy error (control `error`), not a silent zero.
func TestBusinessDaysBuiltinInPolicy(t *testing.T) {
	policy := `package shoko.controls.bd_01
import data.shoko.lib
findings contains lib.pass("row_ok", {"name": sprintf("%d", [n])}, row.name, lib.ref(item, sprintf("/data/%d", [i]))) if {
	some item in input.evidence["test.rows"]
	some i, row in item.data
	n := shoko.business_days_between(row.from, row.to)
}
`
	cat := testCatalog(t, map[string]string{"BD-01.yaml": control("BD-01", "automated", rowsControlTail)}, map[string]string{"bd_01.rego": policy})
	type span struct {
		Name string `json:"name"`
		From string `json:"from"`
		To   string `json:"to"`
	}
	cases := []struct {
		name, from, to, want string
		closures             []calendar.Closure
	}{
		{"golden week 2026, tenth business day", "2026-04-28", "2026-05-18", "10", nil},
		{"rfc3339 late UTC evening is the next JST day", "2026-04-27T15:30:00Z", "2026-05-18T00:00:00+09:00", "10", nil},
		{"year end closure skipped by default", "2026-12-25", "2027-01-05", "3", nil},
		{"no closures configured counts Dec 29-31", "2026-12-25", "2027-01-05", "6", []calendar.Closure{}},
		{"unreadable date errors", "2026/04/28", "2026-05-18", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := []Option{}
			if tc.closures != nil {
				opts = append(opts, WithCalendar(calendar.New(tc.closures)))
			}
			e, err := New(t.Context(), cat, opts...)
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.Evaluate(t.Context(), []evidence.Stored{item(t, "test.rows", "r.csv", now, []span{{"x", tc.from, tc.to}})}, run())
			if err != nil {
				t.Fatal(err)
			}
			c := result(t, res, "BD-01")
			if tc.want == "" {
				if c.Status != StatusError || !strings.Contains(c.Reason.EN, "is not a YYYY-MM-DD date") {
					t.Fatalf("status %s (%s), want error naming the bad date", c.Status, c.Reason.EN)
				}
				return
			}
			if c.Status != StatusPass || c.Findings[0].Params["name"] != tc.want {
				t.Fatalf("status %s, params %v (%s), want %s business days", c.Status, c.Findings, c.Reason.EN, tc.want)
			}
		})
	}
}

// shoko.date_day counts days from 1970-01-01 and refuses anything that is not a real date
// (an error: the control is `error`); shoko.is_date tells the two apart without an error.
func TestDateBuiltins(t *testing.T) {
	cases := []struct {
		name string
		in   ast.Value
		day  int
		ok   bool
	}{
		{"epoch", ast.String("1970-01-01"), 0, true},
		{"leap day", ast.String("2024-02-29"), 19782, true},
		{"day before the demo", ast.String("2026-11-26"), 20783, true},
		{"no 30th of February", ast.String("2026-02-30"), 0, false},
		{"not a leap year", ast.String("2026-02-29"), 0, false},
		{"slashes", ast.String("2026/04/28"), 0, false},
		{"unpadded", ast.String("2026-4-28"), 0, false},
		{"a time is not a date", ast.String("2026-04-28T00:00:00Z"), 0, false},
		{"empty", ast.String(""), 0, false},
		{"null", ast.Null{}, 0, false},
		{"number", ast.Number("20260428"), 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			day, err := dateDay(tc.in)
			if (err == nil) != tc.ok || day != tc.day {
				t.Fatalf("dateDay(%v) = %d, %v; want %d, ok %v", tc.in, day, err, tc.day, tc.ok)
			}
		})
	}
}

// shoko.add_months moves a date by whole calendar months and clamps a day the target month does
// not have to its last day (not Go's AddDate, which rolls Feb 29 + 1 year over to Mar 1); a bad
// date or a fractional month count is an error, never a guess.
func TestAddMonthsBuiltin(t *testing.T) {
	cases := []struct {
		name   string
		date   ast.Value
		months ast.Value
		want   string // "" means an error
	}{
		{"a year across a leap day", ast.String("2027-03-01"), ast.Number("12"), "2028-03-01"},
		{"leap day plus a year is Feb 28", ast.String("2028-02-29"), ast.Number("12"), "2029-02-28"},
		{"Feb 28 before a leap year stays the 28th", ast.String("2027-02-28"), ast.Number("12"), "2028-02-28"},
		{"leap day plus four years is a leap day", ast.String("2028-02-29"), ast.Number("48"), "2032-02-29"},
		{"Jan 31 plus a month is Feb 28", ast.String("2026-01-31"), ast.Number("1"), "2026-02-28"},
		{"Jan 31 plus a month in a leap year is Feb 29", ast.String("2028-01-31"), ast.Number("1"), "2028-02-29"},
		{"Mar 31 plus a month is Apr 30", ast.String("2026-03-31"), ast.Number("1"), "2026-04-30"},
		{"Dec 15 plus a month crosses the year", ast.String("2026-12-15"), ast.Number("1"), "2027-01-15"},
		{"Dec 31 plus 12 months", ast.String("2026-12-31"), ast.Number("12"), "2027-12-31"},
		{"zero months is the date", ast.String("2026-11-27"), ast.Number("0"), "2026-11-27"},
		{"minus a month clamps too", ast.String("2026-03-31"), ast.Number("-1"), "2026-02-28"},
		{"minus 13 months crosses two years", ast.String("2026-01-15"), ast.Number("-13"), "2024-12-15"},
		{"no 30th of February", ast.String("2026-02-30"), ast.Number("12"), ""},
		{"not a leap year", ast.String("2027-02-29"), ast.Number("12"), ""},
		{"slashes", ast.String("2026/04/28"), ast.Number("12"), ""},
		{"null date", ast.Null{}, ast.Number("12"), ""},
		{"fractional months", ast.String("2026-04-28"), ast.Number("1.5"), ""},
		{"months as a string", ast.String("2026-04-28"), ast.String("12"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := addMonths(tc.date, tc.months)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("addMonths(%v, %v) = %q, want an error", tc.date, tc.months, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("addMonths(%v, %v) = %q, %v; want %q", tc.date, tc.months, got, err, tc.want)
			}
		})
	}
}
