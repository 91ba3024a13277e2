package engine

import (
	"strings"
	"testing"

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
