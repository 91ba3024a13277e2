package main

import (
	"testing"

	"github.com/shoko-audit/shoko/engine"
)

func TestDiffRuns(t *testing.T) {
	res := func(controls ...engine.ControlResult) *engine.Results { return &engine.Results{Controls: controls} }
	ctl := func(id, status string, findings ...engine.Finding) engine.ControlResult {
		return engine.ControlResult{ID: id, Status: status, Findings: findings}
	}
	fail := func(code, resource string) engine.Finding {
		return engine.Finding{Status: engine.StatusFail, Code: code, Resource: resource}
	}
	pass := func(resource string) engine.Finding {
		return engine.Finding{Status: engine.StatusPass, Code: "ok", Resource: resource}
	}
	tests := []struct {
		name                     string
		a, b                     *engine.Results
		changed, added, resolved int
	}{
		{"same results: nothing changed", res(ctl("A-01", "fail", fail("late", "x"))), res(ctl("A-01", "fail", fail("late", "x"))), 0, 0, 0},
		{"a fix: status changed, finding resolved", res(ctl("A-01", "fail", fail("late", "x"))), res(ctl("A-01", "pass", pass("x"))), 1, 0, 1},
		{"a regression: status changed, finding new", res(ctl("A-01", "pass", pass("x"))), res(ctl("A-01", "fail", fail("late", "x"))), 1, 1, 0},
		{"same status, another resource failing", res(ctl("A-01", "fail", fail("late", "x"))), res(ctl("A-01", "fail", fail("late", "y"))), 0, 1, 1},
		{"a control added", res(), res(ctl("A-01", "pass")), 1, 0, 0},
		{"passing findings are not listed", res(ctl("A-01", "pass", pass("x"))), res(ctl("A-01", "pass", pass("y"))), 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := diffRuns("a", "b", tt.a, tt.b)
			if len(d.Changed) != tt.changed || len(d.New) != tt.added || len(d.Resolved) != tt.resolved {
				t.Fatalf("changed %v new %v resolved %v", d.Changed, d.New, d.Resolved)
			}
		})
	}
}
