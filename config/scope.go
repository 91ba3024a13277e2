package config

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shoko-audit/shoko/calendar"
	"github.com/shoko-audit/shoko/internal/yamlx"
)

// checkScope refuses an id listed twice, or listed in both include and exclude: either is a
// slip whose intended meaning cannot be guessed. Ids are checked against the catalog later
// (CheckControlIDs), as the config does not know the catalog.
func (c *Config) checkScope(name string, root *yaml.Node) error {
	included := map[string]bool{}
	for _, l := range []struct {
		key string
		ids []string
	}{{"include", c.Controls.Include}, {"exclude", c.Controls.Exclude}} {
		seen := map[string]bool{}
		for i, id := range l.ids {
			path := fmt.Sprintf("controls.%s[%d]", l.key, i)
			switch {
			case strings.TrimSpace(id) == "":
				return fmt.Errorf("%s:%d: %s: empty control id", name, lineAt(root, path), path)
			case seen[id]:
				return fmt.Errorf("%s:%d: %s: %s is listed twice; keep one", name, lineAt(root, path), path, id)
			case l.key == "exclude" && included[id]:
				return fmt.Errorf("%s:%d: %s: %s is also in controls.include; list it in one of them", name, lineAt(root, path), path, id)
			}
			seen[id] = true
			if l.key == "include" {
				included[id] = true
			}
		}
	}
	if c.Controls.Include != nil && len(c.Controls.Include) == 0 {
		// include: [] would audit nothing and exit 0: an empty audit is never what is meant.
		return fmt.Errorf("%s:%d: controls.include: empty; list the controls to audit, or leave the key out to audit all", name, lineAt(root, "controls.include"))
	}
	return nil
}

// CheckControlIDs checks the ids of controls.include and controls.exclude against the ids of
// the catalog, naming the file, line and key of an unknown one with the nearest known id.
func (c *Config) CheckControlIDs(known []string) error {
	set := map[string]bool{}
	for _, id := range known {
		set[id] = true
	}
	root := c.root
	if root == nil {
		root = &yaml.Node{}
	}
	for _, l := range []struct {
		key string
		ids []string
	}{{"include", c.Controls.Include}, {"exclude", c.Controls.Exclude}} {
		for i, id := range l.ids {
			if set[id] {
				continue
			}
			path := fmt.Sprintf("controls.%s[%d]", l.key, i)
			msg := fmt.Sprintf("%s:%d: %s: %q is not a control of the catalog", c.File, lineAt(root, path), path, id)
			if s := yamlx.Suggest(id, known); s != "" {
				msg += " (did you mean " + s + "?)"
			}
			return fmt.Errorf("%s", msg)
		}
	}
	return nil
}

// InScope says whether the config's scope includes the control id.
func (c *Config) InScope(id string) bool {
	if c == nil {
		return true
	}
	in := len(c.Controls.Include) == 0
	for _, x := range c.Controls.Include {
		in = in || x == id
	}
	for _, x := range c.Controls.Exclude {
		in = in && x != id
	}
	return in
}

// checkPeriod checks the period section: a fiscal_year_start "MM-DD", or start and end dates
// (YYYY-MM-DD, end not before start), not both.
func (c *Config) checkPeriod(name string, root *yaml.Node) error {
	p := c.Period
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s:%d: period.%s: %s", name, lineAt(root, "period."+key), key, fmt.Sprintf(format, args...))
	}
	if p.FiscalYearStart != "" {
		if p.Start != "" || p.End != "" {
			return bad("fiscal_year_start", "give fiscal_year_start, or start and end, not both")
		}
		if _, _, err := parseMonthDay(p.FiscalYearStart); err != nil {
			return bad("fiscal_year_start", "%v", err)
		}
		return nil
	}
	if p.Start == "" && p.End == "" {
		return nil
	}
	if p.Start == "" {
		return bad("start", "required with period.end (a date such as 2026-04-01)")
	}
	if p.End == "" {
		return bad("end", "required with period.start (a date such as 2027-03-31)")
	}
	start, err := time.ParseInLocation("2006-01-02", p.Start, calendar.JST)
	if err != nil {
		return bad("start", "%q is not a date YYYY-MM-DD such as 2026-04-01", p.Start)
	}
	end, err := time.ParseInLocation("2006-01-02", p.End, calendar.JST)
	if err != nil {
		return bad("end", "%q is not a date YYYY-MM-DD such as 2027-03-31", p.End)
	}
	if end.Before(start) {
		return bad("end", "%s is before period.start %s", p.End, p.Start)
	}
	return nil
}

// parseMonthDay reads "MM-DD". February 29 is refused: a fiscal year must start every year.
func parseMonthDay(s string) (time.Month, int, error) {
	// Parsed in a non-leap year, so that 02-29 and 04-31 are refused alike.
	d, err := time.Parse("2006-01-02", "2001-"+s)
	if err != nil || len(s) != 5 {
		return 0, 0, fmt.Errorf("%q is not a month and day MM-DD such as 04-01", s)
	}
	return d.Month(), d.Day(), nil
}

// AuditPeriod is the audit period the config gives for an evaluation at now, as [start, end):
// from 00:00 JST of the first day to 00:00 JST after the last. ok is false when the config
// gives none (the caller's default applies).
//
// With fiscal_year_start it is the fiscal year containing now (in JST): an ISMS committee
// monitors the current fiscal year (年度) through the year, and the white paper's stamps speak
// of it. The year-end review of a closed year names that year explicitly (--period, or
// period.start and period.end).
func (c *Config) AuditPeriod(now time.Time) (start, end time.Time, ok bool) {
	if c == nil {
		return time.Time{}, time.Time{}, false
	}
	p := c.Period
	if p.FiscalYearStart != "" {
		m, d, err := parseMonthDay(p.FiscalYearStart)
		if err != nil {
			return time.Time{}, time.Time{}, false // checked in Parse
		}
		local := now.In(calendar.JST)
		start = time.Date(local.Year(), m, d, 0, 0, 0, 0, calendar.JST)
		if local.Before(start) {
			start = start.AddDate(-1, 0, 0)
		}
		return start.UTC(), start.AddDate(1, 0, 0).UTC(), true
	}
	if p.Start == "" {
		return time.Time{}, time.Time{}, false
	}
	s, err1 := time.ParseInLocation("2006-01-02", p.Start, calendar.JST)
	e, err2 := time.ParseInLocation("2006-01-02", p.End, calendar.JST)
	if err1 != nil || err2 != nil {
		return time.Time{}, time.Time{}, false // checked in Parse
	}
	return s.UTC(), e.AddDate(0, 0, 1).UTC(), true
}
