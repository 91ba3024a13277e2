package config

import (
	"strings"
	"testing"
	"time"
)

func TestControlScopeIsCheckedAgainstTheCatalog(t *testing.T) {
	known := []string{"AUD-01", "CERT-01", "TRN-01", "VUL-01"}
	tests := []struct {
		name, yaml, wantErr string
		in, out             []string
	}{
		{"no scope audits every control", "organization: x\n", "", known, nil},
		{"include keeps only the listed controls", "controls:\n  include: [TRN-01, AUD-01]\n", "", []string{"TRN-01", "AUD-01"}, []string{"CERT-01", "VUL-01"}},
		{"exclude removes from every control", "controls:\n  exclude: [VUL-01]\n", "", []string{"AUD-01", "CERT-01", "TRN-01"}, []string{"VUL-01"}},
		{"an unknown id names the key, line and nearest id", "controls:\n  include: [TRN-01, AUD-1]\n", `shoko.yaml:2: controls.include[1]: "AUD-1" is not a control of the catalog (did you mean AUD-01?)`, nil, nil},
		{"an unknown excluded id too", "controls:\n  exclude:\n    - CERT-02\n", `shoko.yaml:3: controls.exclude[0]: "CERT-02" is not a control`, nil, nil},
		{"an id both included and excluded", "controls:\n  include: [TRN-01]\n  exclude: [TRN-01]\n", "shoko.yaml:3: controls.exclude[0]: TRN-01 is also in controls.include", nil, nil},
		{"an id listed twice", "controls:\n  include: [TRN-01, TRN-01]\n", "controls.include[1]: TRN-01 is listed twice", nil, nil},
		{"an empty include audits nothing", "controls:\n  include: []\n", "controls.include: empty", nil, nil},
		{"one id instead of a list", "controls:\n  include: TRN-01\n", "controls.include: want a list of texts", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("shoko.yaml", []byte(tc.yaml))
			if err == nil {
				err = c.CheckControlIDs(known)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range tc.in {
				if !c.InScope(id) {
					t.Errorf("%s is not in scope", id)
				}
			}
			for _, id := range tc.out {
				if c.InScope(id) {
					t.Errorf("%s is in scope", id)
				}
			}
		})
	}
}

func TestAuditPeriodFromTheConfig(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, jst).UTC() }
	tests := []struct {
		name, yaml string
		now        time.Time
		start, end time.Time
		wantErr    string
	}{
		{"the last day of a fiscal year is in it", "period: {fiscal_year_start: \"04-01\"}\n",
			time.Date(2027, 3, 31, 23, 59, 59, 0, jst), day(2026, 4, 1), day(2027, 4, 1), ""},
		{"its first day starts the next one", "period: {fiscal_year_start: \"04-01\"}\n",
			time.Date(2027, 4, 1, 0, 0, 0, 0, jst), day(2027, 4, 1), day(2028, 4, 1), ""},
		{"the day starts in JST, not UTC (15:00Z on Mar 31 is Apr 1 in Japan)", "period: {fiscal_year_start: \"04-01\"}\n",
			time.Date(2027, 3, 31, 15, 0, 0, 0, time.UTC), day(2027, 4, 1), day(2028, 4, 1), ""},
		{"one second before that is the old year", "period: {fiscal_year_start: \"04-01\"}\n",
			time.Date(2027, 3, 31, 14, 59, 59, 0, time.UTC), day(2026, 4, 1), day(2027, 4, 1), ""},
		{"a calendar fiscal year", "period: {fiscal_year_start: \"01-01\"}\n",
			time.Date(2026, 12, 31, 12, 0, 0, 0, jst), day(2026, 1, 1), day(2027, 1, 1), ""},
		{"an explicit period, both days included", "period:\n  start: 2026-04-01\n  end: 2027-03-31\n",
			time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), day(2026, 4, 1), day(2027, 4, 1), ""},
		{"a fiscal year start that is no date", "period:\n  fiscal_year_start: \"04-31\"\n", time.Time{}, time.Time{}, time.Time{},
			`shoko.yaml:2: period.fiscal_year_start: "04-31" is not a month and day MM-DD`},
		{"February 29 does not come every year", "period:\n  fiscal_year_start: \"02-29\"\n", time.Time{}, time.Time{}, time.Time{},
			"period.fiscal_year_start: \"02-29\""},
		{"a date without a year", "period:\n  start: 04-01\n  end: 2027-03-31\n", time.Time{}, time.Time{}, time.Time{},
			`shoko.yaml:2: period.start: "04-01" is not a date`},
		{"an end before the start", "period:\n  start: 2027-04-01\n  end: 2027-03-31\n", time.Time{}, time.Time{}, time.Time{},
			"shoko.yaml:3: period.end: 2027-03-31 is before period.start 2027-04-01"},
		{"a start without an end", "period:\n  start: 2026-04-01\n", time.Time{}, time.Time{}, time.Time{},
			"period.end: required with period.start"},
		{"both ways at once", "period:\n  fiscal_year_start: \"04-01\"\n  start: 2026-04-01\n  end: 2027-03-31\n", time.Time{}, time.Time{}, time.Time{},
			"period.fiscal_year_start: give fiscal_year_start, or start and end, not both"},
		{"an unknown key", "period:\n  fiscal_year: \"04-01\"\n", time.Time{}, time.Time{}, time.Time{},
			"shoko.yaml:2: period.fiscal_year: unknown key (did you mean fiscal_year_start?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("shoko.yaml", []byte(tc.yaml))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			start, end, ok := c.AuditPeriod(tc.now)
			if !ok || !start.Equal(tc.start) || !end.Equal(tc.end) {
				t.Fatalf("period = %v..%v (%v), want %v..%v", start, end, ok, tc.start, tc.end)
			}
		})
	}
	c, _ := Parse("shoko.yaml", []byte("organization: x\n"))
	if _, _, ok := c.AuditPeriod(time.Now()); ok {
		t.Fatal("a config without period gives none: the command's default applies")
	}
}
