// Package history reads the signed runs of a store over an audit period and says, per control,
// whether it operated throughout: the statuses over time, each failing interval and how long it
// took to fix, the holes in the checking compared with the control's frequency, and the share of
// the period it was verified passing. It is the room between the evidence store and the period
// reports: it reads only what runs wrote (run.json, results.json, the statement) and writes
// history.json, which the period report (PDF) and the dashboard (HTML) render.
//
// A run that cannot be trusted — unsigned, incomplete, its signature or digests failing, its link
// to the previous run broken — is never silently skipped: it is named in Problems, its verdicts
// are not used, and the time it would have covered counts toward the coverage gaps.
package history

import "time"

// Schema names the format of history.json (docs/history.md describes it field by field).
const Schema = "shoko.history/v1"

// Report is history.json: everything `shoko history` found in the store for the period.
// The same store, period and key give byte-identical JSON (no wall-clock time inside).
type Report struct {
	Schema string `json:"schema"`
	// Store names the store read (a directory or s3:// URL), as given.
	Store  string `json:"store"`
	Period Period `json:"period"`
	// KeyID is the ed25519 key id (evidence.KeyID) the runs' signatures were checked with.
	KeyID string `json:"key_id"`
	// Verified says which files of each run were checked against its signed statement:
	// "read" (the files history reads: run.json, results.json, the catalog copies of the
	// controls) or "all" (every file of the run, none missing or extra: `--all-files`).
	Verified string `json:"verified"`
	// Runs are every run of the store that started inside the period, oldest first, trusted or not.
	Runs []Run `json:"runs"`
	// Problems are the runs (or links between runs) that could not be trusted, oldest first.
	Problems []Problem `json:"problems"`
	// Summary counts over the whole period.
	Summary Summary `json:"summary"`
	// Controls are one entry per control seen in any trusted run, in catalog (id) order.
	Controls []Control `json:"controls"`
}

// Period is the audit period the history covers: runs that started in [Start, End).
type Period struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Run is one run of the period as history saw it.
type Run struct {
	ID        string    `json:"id"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	// State is the store's state of the run: incomplete, complete (unsigned) or signed.
	State string `json:"state"`
	// Trusted: signed, signature and every digest verified, and its chain link verified. Only
	// trusted runs' verdicts are used.
	Trusted bool `json:"trusted"`
	// StatementDigest is the sha256 (hex) of the run's statement.intoto.json; empty when unsigned.
	StatementDigest string `json:"statement_digest,omitempty"`
	// Previous is the run id the statement links to (empty for the first run of the chain).
	Previous string `json:"previous,omitempty"`
	// Summary is results.json's count of controls per status (trusted runs only).
	Summary map[string]int `json:"summary,omitempty"`
}

// Problem kinds.
const (
	ProblemUnsigned     = "unsigned"      // complete but without a statement
	ProblemIncomplete   = "incomplete"    // never completed (INCOMPLETE marker or no run.json)
	ProblemTampered     = "tampered"      // signature or a file's digest does not verify
	ProblemBrokenLink   = "broken_link"   // the statement's previous-run link does not match that run's statement
	ProblemMissingLink  = "missing_link"  // the statement names a previous run that is not in the store
	ProblemUnreadable   = "unreadable"    // a file of the run could not be read or parsed
	ProblemUnexpectedID = "unexpected_id" // the statement is for another run id
)

// Problem is a run, or the link between two runs, that could not be trusted.
type Problem struct {
	RunID  string `json:"run_id"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
	// CauseRun names the run whose own problem this one follows from: a run whose link to the
	// previous run breaks because that run's statement was altered names that run here.
	CauseRun string `json:"cause_run,omitempty"`
}

// Summary is the whole period at a glance.
type Summary struct {
	Runs        int `json:"runs"`
	TrustedRuns int `json:"trusted_runs"`
	Problems    int `json:"problems"`
	// ControlsWithFailures counts controls with at least one failing interval.
	ControlsWithFailures int `json:"controls_with_failures"`
	// ControlsWithGaps counts controls with at least one coverage gap.
	ControlsWithGaps int `json:"controls_with_gaps"`
	// OpenIntervals counts failing intervals still open at the end of the period.
	OpenIntervals int `json:"open_intervals"`
}

// Control is the history of one control over the period.
type Control struct {
	ID       string `json:"id"`
	Title    Text   `json:"title"`
	Section  Text   `json:"section"`
	Severity string `json:"severity"`
	// Clauses are the control's mappings as "framework ref" (e.g. "ISO/IEC 27017:2015 12.3.1").
	Clauses []string `json:"clauses"`
	// Frequency is the control's declared frequency (daily, weekly, monthly, yearly) and
	// MaxInterval the longest time allowed between two runs that judged it.
	Frequency     string        `json:"frequency"`
	MaxIntervalNS time.Duration `json:"max_interval_ns"`
	// Runs counts the trusted runs that judged the control; Counts their statuses.
	Runs   int            `json:"runs"`
	Counts map[string]int `json:"counts"`
	// Timeline is the control's status in each trusted run, oldest first.
	Timeline []Point `json:"timeline"`
	// LastStatus is the status in the newest trusted run.
	LastStatus string `json:"last_status"`
	// Intervals are the failing intervals (status fail or error, consecutive runs), oldest first.
	Intervals []Interval `json:"intervals"`
	// Gaps are the stretches longer than MaxInterval with no trusted run judging the control,
	// including from the period's start to the first run and from the last run to the period's end.
	Gaps []Gap `json:"gaps"`
	// LongestWithoutRunNS is the longest stretch of the period with no trusted run judging it.
	LongestWithoutRunNS time.Duration `json:"longest_without_run_ns"`
	// PassingShare is the share of the period (0..1) the control was verified passing: from each
	// trusted run where it passed (or was attested, waived, not applicable) to the next trusted
	// run, capped at MaxInterval after the run (beyond that it was not verified).
	PassingShare float64 `json:"passing_share"`
	// RemediationNS are the times to remediate of the closed intervals, oldest first; the median
	// and the longest are in MedianRemediationNS and LongestRemediationNS (0 when none closed).
	RemediationNS        []time.Duration `json:"remediation_ns"`
	MedianRemediationNS  time.Duration   `json:"median_remediation_ns"`
	LongestRemediationNS time.Duration   `json:"longest_remediation_ns"`
}

// Text is a string in both languages.
type Text struct {
	JA string `json:"ja"`
	EN string `json:"en"`
}

// Point is a control's status in one trusted run.
type Point struct {
	RunID  string    `json:"run_id"`
	At     time.Time `json:"at"` // the run's start
	Status string    `json:"status"`
}

// Interval is one stretch of consecutive trusted runs where the control was failing (fail or
// error), from the first run seen failing to the first run seen passing again (nil: still open at
// the end of the period).
type Interval struct {
	Status         string    `json:"status"` // fail, error, or mixed when both occurred
	FirstFailing   time.Time `json:"first_failing"`
	FirstFailingIn string    `json:"first_failing_run"`
	LastFailing    time.Time `json:"last_failing"`
	LastFailingIn  string    `json:"last_failing_run"`
	// FixedAt is the start of the first run seen passing again; FixedIn its id.
	FixedAt *time.Time `json:"fixed_at"`
	FixedIn string     `json:"fixed_run,omitempty"`
	// TimeToRemediateNS is FixedAt − FirstFailing (0 while open); DurationNS the time the
	// interval spans: to FixedAt, or while open to the end of what the history saw — the
	// period's end, or the newest run's end when the period ends later.
	TimeToRemediateNS time.Duration `json:"time_to_remediate_ns"`
	DurationNS        time.Duration `json:"duration_ns"`
	Runs              int           `json:"runs"`
	// Findings are the failing findings of the interval's runs, one per resource and code, each
	// pointing at the run and the evidence it first appeared in.
	Findings []IntervalFinding `json:"findings"`
}

// IntervalFinding is one failing resource of an interval and where it was seen.
type IntervalFinding struct {
	Resource string `json:"resource"`
	Code     string `json:"code"`
	Message  Text   `json:"message"`
	// FirstRun / LastRun are the runs it was first and last seen failing in.
	FirstRun string `json:"first_run"`
	LastRun  string `json:"last_run"`
	// Evidence points at the record in FirstRun: the item's digest and the record's JSON pointer.
	EvidenceDigest  string `json:"evidence_digest,omitempty"`
	EvidencePath    string `json:"evidence_path,omitempty"`
	EvidencePointer string `json:"evidence_pointer,omitempty"`
}

// Gap is a stretch with no trusted run judging the control that is longer than allowed.
type Gap struct {
	From      time.Time     `json:"from"`
	FromRun   string        `json:"from_run,omitempty"` // empty: the period's start
	To        time.Time     `json:"to"`
	ToRun     string        `json:"to_run,omitempty"` // empty: the period's end
	LengthNS  time.Duration `json:"length_ns"`
	AllowedNS time.Duration `json:"allowed_ns"`
	// UntrustedRuns are the runs of the period that started inside the gap but could not be
	// trusted (each is in Problems): what the gap would have held.
	UntrustedRuns []string `json:"untrusted_runs,omitempty"`
}
