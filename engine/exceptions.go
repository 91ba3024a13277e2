package engine

import (
	"encoding/json"
	"fmt"
	"path"
	"time"
)

// Exception states reported in results.
const (
	ExceptionApplied        = "applied"
	ExceptionExpired        = "expired"
	ExceptionNotYetValid    = "not_yet_valid"
	ExceptionUnmatched      = "unmatched"
	ExceptionUnknownControl = "unknown_control"
	ExceptionInvalid        = "invalid"
)

// exceptionRecord is one row of an `exceptions` evidence item, as the records collector writes it.
type exceptionRecord struct {
	Control    string `json:"control"`
	Resource   string `json:"resource"`
	Reason     string `json:"reason"`
	Approver   string `json:"approver"`
	ApprovedAt string `json:"approved_at"`
	ExpiresAt  string `json:"expires_at"`
	Line       int    `json:"line"`
}

// applyExceptions waives failing findings covered by an approved, unexpired exception naming the
// control and matching the finding's resource, after evaluation, so an exception can never turn
// an error into anything else nor hide what the policy found. A control all of whose failing
// findings are waived becomes `waived`. Every exception is reported with what became of it.
func applyExceptions(set *evidenceSet, cat *Catalog, controls []ControlResult, now time.Time) []ExceptionResult {
	out := []ExceptionResult{}
	byID := map[string]int{}
	for i, c := range controls {
		byID[c.ID] = i
	}
	type live struct {
		idx int
		rec exceptionRecord
	}
	var valid []live
	for _, it := range set.byKind["exceptions"] {
		src := it.ref.Path
		if it.ref.Status != "ok" {
			out = append(out, ExceptionResult{Source: src, State: ExceptionInvalid, Reason: it.err, Waived: []string{}})
			continue
		}
		var recs []exceptionRecord
		if err := json.Unmarshal(it.raw, &recs); err != nil {
			out = append(out, ExceptionResult{Source: src, State: ExceptionInvalid, Reason: fmt.Sprintf("unreadable exceptions: %v", err), Waived: []string{}})
			continue
		}
		for _, rec := range recs {
			er := ExceptionResult{Control: rec.Control, Resource: rec.Resource, Reason: rec.Reason, Approver: rec.Approver,
				ApprovedAt: rec.ApprovedAt, ExpiresAt: rec.ExpiresAt, Source: fmt.Sprintf("%s#line=%d", src, rec.Line), Waived: []string{}}
			approved, aerr := time.Parse(time.RFC3339, rec.ApprovedAt)
			expires, xerr := time.Parse(time.RFC3339, rec.ExpiresAt)
			_, perr := path.Match(rec.Resource, "")
			_, known := byID[rec.Control]
			switch {
			case aerr != nil || xerr != nil || perr != nil || rec.Approver == "":
				er.State = ExceptionInvalid
			case !known:
				er.State = ExceptionUnknownControl
			case !now.Before(expires):
				er.State = ExceptionExpired
			case now.Before(approved):
				er.State = ExceptionNotYetValid
			default:
				er.State = ExceptionUnmatched
				valid = append(valid, live{idx: len(out), rec: rec})
			}
			out = append(out, er)
		}
	}
	for ci := range controls {
		c := &controls[ci]
		if c.Status != StatusFail {
			continue
		}
		for fi := range c.Findings {
			f := &c.Findings[fi]
			if f.Status != StatusFail {
				continue
			}
			for _, l := range valid {
				if ok, _ := path.Match(l.rec.Resource, f.Resource); !ok || l.rec.Control != c.ID {
					continue
				}
				idx := l.idx
				f.Status, f.Exception = StatusWaived, &idx
				out[idx].State = ExceptionApplied
				out[idx].Waived = append(out[idx].Waived, f.Resource)
				break
			}
		}
		ctrl, _ := cat.Control(c.ID)
		finish(ctrl, c)
	}
	return out
}
