package engine

import (
	"fmt"

	"github.com/shoko-audit/shoko/evidence"
)

// CheckScope refuses a scope naming a control the catalog does not have: a mistyped id would
// otherwise quietly audit less (include) or more (exclude) than asked. The command line checks
// the config first, with its file and line; this guards run.json and callers of the engine.
func (c *Catalog) CheckScope(s *evidence.ControlScope) error {
	if s == nil {
		return nil
	}
	ids := make([]string, len(c.Controls))
	for i, ctl := range c.Controls {
		ids[i] = ctl.ID
	}
	for _, l := range []struct {
		key string
		ids []string
	}{{"include", s.Include}, {"exclude", s.Exclude}} {
		for _, id := range l.ids {
			if _, ok := c.Control(id); !ok {
				return fmt.Errorf("scope: controls.%s: %s", l.key, notAControl(id, ids))
			}
		}
	}
	if len(s.Include) > 0 {
		in := 0
		for _, id := range ids {
			if s.InScope(id) {
				in++
			}
		}
		if in == 0 {
			// Nothing judged would exit 0 on an empty audit.
			return fmt.Errorf("scope: controls.exclude removes every control of controls.include: nothing would be audited")
		}
	}
	return nil
}

// notInScope is the result of a control outside the run's scope: not evaluated, no findings and
// no evidence read, with a reason that says why.
func notInScope(c *Control) ControlResult {
	return ControlResult{ID: c.ID, Title: c.FilledTitle(), Automation: c.Automation, Severity: c.Severity,
		Status: StatusNotInScope,
		Reason: Text{JA: "この監査の対象外です（設定ファイルの controls）。評価していません。",
			EN: "not in this audit's scope (controls in the config); not evaluated"},
		Counts:   map[string]int{StatusPass: 0, StatusFail: 0, StatusNotApplicable: 0, StatusWaived: 0},
		Findings: []Finding{}, Evidence: []EvidenceRef{}}
}
