package engine

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/shoko-audit/shoko/internal/yamlx"
)

// Exception states reported in results.
const (
	ExceptionApplied        = "applied"
	ExceptionExpired        = "expired"
	ExceptionNotYetValid    = "not_yet_valid"
	ExceptionUnmatched      = "unmatched"
	ExceptionUnknownControl = "unknown_control"
	ExceptionInvalid        = "invalid"
	// ExceptionNotInScope: the exception names a control outside the run's scope, so there was
	// nothing to waive.
	ExceptionNotInScope = "not_in_scope"
)

// exceptionRecord is one row of an `exceptions` evidence item, as the records collector writes it.
type exceptionRecord struct {
	Control    string   `json:"control"`
	Resource   string   `json:"resource"`
	Reason     string   `json:"reason"`
	Approver   string   `json:"approver"`
	ApprovedAt string   `json:"approved_at"`
	ExpiresAt  string   `json:"expires_at"`
	Line       int      `json:"line"`
	Problems   []string `json:"problems"` // why the entry is invalid ("FILE:LINE: exception N: field F: …")
}

// problems are the record's own problems, or those the engine finds itself: the collector
// checks every entry, but evidence is input, and an entry that cannot be checked must not waive.
func (rec exceptionRecord) problems(file string) []string {
	if len(rec.Problems) > 0 {
		return rec.Problems
	}
	var out []string
	where := fmt.Sprintf("%s:%d: exception: field ", file, rec.Line)
	for _, t := range []struct{ field, value string }{{"approved_at", rec.ApprovedAt}, {"expires_at", rec.ExpiresAt}} {
		if _, err := time.Parse(time.RFC3339, t.value); err != nil {
			out = append(out, fmt.Sprintf("%s%s: %q is not an RFC 3339 time", where, t.field, t.value))
		}
	}
	if _, err := path.Match(rec.Resource, ""); err != nil || rec.Resource == "" {
		out = append(out, fmt.Sprintf("%sresource: %q is not a valid pattern", where, rec.Resource))
	}
	if rec.Approver == "" {
		out = append(out, where+"approver: required")
	}
	return out
}

// exceptionPlan is the exceptions of a run, judged before any control is evaluated, so that
// each control waives its own failing findings as it produces them (a spooled evaluation never
// holds them all) and settle reports what became of every exception afterwards.
//
// A failing finding is waived by the first approved, unexpired exception naming its control and
// matching its resource. This happens after the policy ran, so an exception can never turn an
// error into anything else nor hide what the policy found. A control all of whose failing
// findings are waived becomes `waived`. Every exception is reported with what became of it.
//
// Entries are judged one by one: an invalid entry waives nothing and makes the control it names
// `error` (what it meant to waive cannot be known, so the verdict cannot be trusted either way),
// while the valid entries beside it still apply. An invalid entry that names no control of the
// catalog, and an exceptions file that could not be read at all, are run-level problems
// (Results.ExceptionProblems).
type exceptionPlan struct {
	out     []ExceptionResult
	valid   []liveException
	invalid []int // indexes in out of invalid entries naming a control in scope
}

// liveException is a valid exception that may waive findings, and its index in the results.
type liveException struct {
	idx int
	rec exceptionRecord
}

// planExceptions reads every exceptions item of the evidence. ids are the catalog's controls in
// order; inScope says whether a control is judged in this run.
func planExceptions(set *evidenceSet, ids []string, inScope func(id string) bool, now time.Time) *exceptionPlan {
	p := &exceptionPlan{out: []ExceptionResult{}}
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	for _, it := range set.byKind["exceptions"] {
		src := it.ref.Path
		if it.ref.Status != "ok" {
			// Reason keeps the cause too, where reports print an exception's reason.
			p.out = append(p.out, ExceptionResult{Source: src, State: ExceptionInvalid, Reason: it.err, Problem: it.err, Waived: []string{}})
			continue
		}
		var recs []exceptionRecord
		if err := json.Unmarshal(it.raw, &recs); err != nil {
			msg := fmt.Sprintf("unreadable exceptions: %v", err)
			p.out = append(p.out, ExceptionResult{Source: src, State: ExceptionInvalid, Reason: msg, Problem: msg, Waived: []string{}})
			continue
		}
		for _, rec := range recs {
			er := ExceptionResult{Control: rec.Control, Resource: rec.Resource, Reason: rec.Reason, Approver: rec.Approver,
				ApprovedAt: rec.ApprovedAt, ExpiresAt: rec.ExpiresAt, Source: fmt.Sprintf("%s#line=%d", src, rec.Line), Waived: []string{}}
			approved, _ := time.Parse(time.RFC3339, rec.ApprovedAt)
			expires, _ := time.Parse(time.RFC3339, rec.ExpiresAt)
			isKnown := known[rec.Control]
			// A control outside the scope was not judged: no exception applies to it, and an
			// invalid one is reported without turning the unjudged control into an error.
			judged := isKnown && inScope(rec.Control)
			switch problems := rec.problems(it.ref.Scope["file"]); {
			case len(problems) > 0:
				er.State, er.Problem = ExceptionInvalid, strings.Join(problems, "; ")
				if judged {
					p.invalid = append(p.invalid, len(p.out))
				} else if !isKnown {
					er.Problem += "; " + notAControl(rec.Control, ids)
				}
			case !isKnown:
				er.State, er.Problem = ExceptionUnknownControl, notAControl(rec.Control, ids)
			case !judged:
				er.State = ExceptionNotInScope
			case !now.Before(expires):
				er.State = ExceptionExpired
			case now.Before(approved):
				er.State = ExceptionNotYetValid
			default:
				er.State = ExceptionUnmatched
				p.valid = append(p.valid, liveException{idx: len(p.out), rec: rec})
			}
			p.out = append(p.out, er)
		}
	}
	return p
}

// waiver is the index of the exception that waives a failing finding about resource in control.
func (p *exceptionPlan) waiver(control, resource string) (int, bool) {
	if p == nil {
		return 0, false
	}
	for _, l := range p.valid {
		if ok, _ := path.Match(l.rec.Resource, resource); ok && l.rec.Control == control {
			return l.idx, true
		}
	}
	return 0, false
}

// settle reports the waivers of every control (in control order, each control's in its
// findings' order) and makes the controls an invalid exception names `error`; it returns what
// became of every exception.
func (p *exceptionPlan) settle(controls []ControlResult) []ExceptionResult {
	out := p.out
	byID := map[string]int{}
	for i, c := range controls {
		byID[c.ID] = i
	}
	for ci := range controls {
		for _, w := range controls[ci].waived {
			out[w.exception].State = ExceptionApplied
			out[w.exception].Waived = append(out[w.exception].Waived, w.resource)
		}
	}
	// Last, so that no verdict set above outlives an invalid entry. The findings stay as the
	// policy gave them (with the valid waivers), and the reason says what the verdict would be
	// without the invalid entries.
	without := map[int]Text{}
	for _, idx := range p.invalid {
		ci := byID[out[idx].Control]
		c := &controls[ci]
		if _, seen := without[ci]; !seen {
			without[ci] = c.Reason
			c.Reason = Text{JA: "この統制の例外に不備があり、判定を確定できません。例外を修正するか削除してください: " + out[idx].Problem,
				EN: "an exception for this control is invalid, so its verdict cannot be settled; fix or remove it: " + out[idx].Problem}
		} else {
			c.Reason.JA += "; " + out[idx].Problem
			c.Reason.EN += "; " + out[idx].Problem
		}
		c.Status = StatusError
	}
	for ci, r := range without {
		controls[ci].Reason.JA += "。例外を除いた判定: " + r.JA
		controls[ci].Reason.EN += ". Verdict without it: " + r.EN
	}
	return out
}

// notAControl says that id is not a control of the catalog, with the nearest id when one is close.
func notAControl(id string, ids []string) string {
	if strings.TrimSpace(id) == "" {
		return "it names no control"
	}
	msg := fmt.Sprintf("%q is not a control of the catalog", id)
	if s := yamlx.Suggest(id, ids); s != "" {
		msg += " (did you mean " + s + "?)"
	}
	return msg
}

// ExceptionProblems are the invalid exceptions no control answers for: an exceptions file that
// could not be read, and invalid entries naming no control of the results. No control is `error`
// for them, yet the run cannot be trusted to have applied what the organisation approved, so the
// command line treats them as a control in error (exit 2). Each names the file and line.
func (r *Results) ExceptionProblems() []string {
	ids := map[string]bool{}
	for _, c := range r.Controls {
		ids[c.ID] = true
	}
	var out []string
	for _, e := range r.Exceptions {
		if e.State == ExceptionInvalid && !ids[e.Control] {
			out = append(out, e.Problem)
		}
	}
	return out
}
