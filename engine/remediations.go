package engine

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shoko-audit/shoko/calendar"
)

// Remediation states reported in results.
const (
	// RemediationOpen: the control is not met (fail, waived or error) and the target date has not passed.
	RemediationOpen = "open"
	// RemediationOverdue: the control is still not met after the target date.
	RemediationOverdue = "overdue"
	// RemediationClosed: the control is met (pass, attested or not applicable); the plan is done or moot.
	RemediationClosed = "closed"
	// RemediationUnknownControl: the plan names a control the catalog does not have.
	RemediationUnknownControl = "unknown_control"
	// RemediationInvalid: the remediations file could not be read; Reason says why (file:line).
	RemediationInvalid = "invalid"
	// RemediationNotInScope: the plan is about a control outside the run's scope, which was not
	// judged; the white paper, which leaves that claim out, does not print it.
	RemediationNotInScope = "not_in_scope"
)

// RemediationResult is one of the vendor's recorded plans for an unmet claim, with what became
// of it in this run. Plans change no verdict: they are carried to the reports, which print them
// beside the claim they are about.
type RemediationResult struct {
	Control    string `json:"control"`
	Summary    Text   `json:"summary"`
	Since      string `json:"since,omitempty"`
	TargetDate string `json:"target_date"`
	Approver   string `json:"approver"`
	ApprovedOn string `json:"approved_on"`
	Source     string `json:"source"`
	State      string `json:"state"`
	Reason     string `json:"reason,omitempty"`
}

// remediationRecord is one row of a `remediations` evidence item, as the records collector writes it.
type remediationRecord struct {
	Control    string `json:"control"`
	SummaryJA  string `json:"summary_ja"`
	SummaryEN  string `json:"summary_en"`
	Since      string `json:"since"`
	TargetDate string `json:"target_date"`
	Approver   string `json:"approver"`
	ApprovedOn string `json:"approved_on"`
	Line       int    `json:"line"`
}

// remediations reports every recorded plan with its state, in evidence then file order: none is
// dropped, and an unreadable file is reported as one invalid entry naming why.
func remediations(set *evidenceSet, controls []ControlResult, now time.Time) []RemediationResult {
	var out []RemediationResult
	status := map[string]string{}
	for _, c := range controls {
		status[c.ID] = c.Status
	}
	for _, it := range set.byKind["remediations"] {
		src := it.ref.Path
		if it.ref.Status != "ok" {
			out = append(out, RemediationResult{Source: src, State: RemediationInvalid, Reason: it.err})
			continue
		}
		var recs []remediationRecord
		if err := json.Unmarshal(it.raw, &recs); err != nil {
			out = append(out, RemediationResult{Source: src, State: RemediationInvalid, Reason: fmt.Sprintf("unreadable remediations: %v", err)})
			continue
		}
		for _, rec := range recs {
			r := RemediationResult{Control: rec.Control, Summary: Text{JA: rec.SummaryJA, EN: rec.SummaryEN}, Since: rec.Since,
				TargetDate: rec.TargetDate, Approver: rec.Approver, ApprovedOn: rec.ApprovedOn,
				Source: fmt.Sprintf("%s#line=%d", src, rec.Line)}
			st, known := status[rec.Control]
			target, terr := time.ParseInLocation("2006-01-02", rec.TargetDate, calendar.JST)
			switch {
			case terr != nil:
				r.State, r.Reason = RemediationInvalid, fmt.Sprintf("target_date %q is not a date", rec.TargetDate)
			case !known:
				r.State = RemediationUnknownControl
			case st == StatusNotInScope:
				r.State = RemediationNotInScope
			case st == StatusPass || st == StatusAttested || st == StatusNotApplicable:
				r.State = RemediationClosed
			case !now.Before(target.AddDate(0, 0, 1)):
				// The target date is a whole day in Japan: overdue once that day has ended.
				r.State = RemediationOverdue
			default:
				r.State = RemediationOpen
			}
			out = append(out, r)
		}
	}
	return out
}
