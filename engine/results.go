package engine

import (
	"bytes"
	"encoding/json"
	"time"
)

// Statuses of a control.
const (
	StatusPass          = "pass"
	StatusFail          = "fail"
	StatusError         = "error"
	StatusAttested      = "attested"
	StatusWaived        = "waived"
	StatusNotApplicable = "not_applicable"
)

// AllStatuses in report order.
var AllStatuses = []string{StatusPass, StatusFail, StatusError, StatusAttested, StatusWaived, StatusNotApplicable}

// ResultsSchema names the format of results.json.
const ResultsSchema = "shoko.results/v1"

// Results is what an evaluation found: written as results.json, read by reports and verify.
type Results struct {
	Schema  string `json:"schema"`
	RunID   string `json:"run_id"`
	Tool    string `json:"tool"`
	Now     string `json:"now"`
	Period  Period `json:"period"`
	Catalog struct {
		Digest   string `json:"digest"`
		Controls int    `json:"controls"`
	} `json:"catalog"`
	Calendar   CalendarInfo      `json:"calendar"`
	Summary    map[string]int    `json:"summary"`
	Controls   []ControlResult   `json:"controls"`
	Exceptions []ExceptionResult `json:"exceptions"`
	Evidence   []EvidenceRef     `json:"evidence"`
}

// Period is the audit period; policies that look at events (incidents, changes) read it.
type Period struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// CalendarInfo records the company closures the business-day builtin used, so a replay uses the same.
type CalendarInfo struct {
	Closures []string `json:"closures"`
}

// ControlResult is the verdict on one control.
type ControlResult struct {
	ID         string         `json:"id"`
	Title      Text           `json:"title"`
	Automation string         `json:"automation"`
	Severity   string         `json:"severity"`
	Status     string         `json:"status"`
	Reason     Text           `json:"reason"`
	Counts     map[string]int `json:"counts"`
	Findings   []Finding      `json:"findings"`
	Evidence   []EvidenceRef  `json:"evidence"`
}

// Finding is one judgement of a policy about one resource, pointing at the record it rests on.
type Finding struct {
	Status   string         `json:"status"`
	Code     string         `json:"code"`
	Resource string         `json:"resource"`
	Params   map[string]any `json:"params"`
	Message  Text           `json:"message"`
	Evidence *FindingRef    `json:"evidence,omitempty"`
	// Exception is the index (in Results.Exceptions) of the exception that waived this finding.
	Exception *int `json:"exception,omitempty"`
}

// FindingRef points at the record a finding is about: the evidence item (by digest and path) and
// the JSON pointer of the record inside the stored item.
type FindingRef struct {
	Kind    string            `json:"kind"`
	Digest  string            `json:"digest"`
	Path    string            `json:"path"`
	Scope   map[string]string `json:"scope"`
	Pointer string            `json:"pointer"`
}

// EvidenceRef names an evidence item a control read.
type EvidenceRef struct {
	Kind        string            `json:"kind"`
	Path        string            `json:"path"`
	Digest      string            `json:"digest"`
	Scope       map[string]string `json:"scope"`
	CollectedAt time.Time         `json:"collected_at"`
	Status      string            `json:"status"`
}

// ExceptionResult reports what became of one exception: applied, expired, not_yet_valid or unmatched.
type ExceptionResult struct {
	Control    string   `json:"control"`
	Resource   string   `json:"resource"`
	Reason     string   `json:"reason"`
	Approver   string   `json:"approver"`
	ApprovedAt string   `json:"approved_at"`
	ExpiresAt  string   `json:"expires_at"`
	Source     string   `json:"source"`
	State      string   `json:"state"`
	Waived     []string `json:"waived"`
}

// Marshal encodes results as the canonical results.json bytes: the same results give the same bytes.
func (r *Results) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
