// Package alerts tells people when a run regressed against the previous signed run of its
// chain: a control newly failing or in error, an applied exception about to expire, or a gap in
// the schedule. Detection (Detect) is a pure function of the two runs' results and the catalog's
// frequencies; delivery goes through Notifiers (a Slack-compatible webhook, SMTP with STARTTLS).
// A failed notification never changes a verdict or an exit code: it is logged and recorded in
// the run's alerts.json (Record), which is signed with the run.
package alerts

import (
	"fmt"
	"time"

	"github.com/shoko-audit/shoko/engine"
)

// Kinds of regression.
const (
	// KindNewFail: a control is `fail` now and was something else (or absent) in the previous run.
	KindNewFail = "new_fail"
	// KindNewError: a control is `error` now and was something else (or absent) in the previous run.
	KindNewError = "new_error"
	// KindExceptionExpiring: an applied exception expires within the warning window, and did not
	// already in the previous run (so it is told once, not every day until it expires).
	KindExceptionExpiring = "exception_expiring"
	// KindCoverageGap: the previous signed run ended longer ago than the most frequent control's
	// interval (plus the configured grace) allows: at least one scheduled run is missing.
	KindCoverageGap = "coverage_gap"
)

// Regression is one thing that got worse since the previous signed run.
type Regression struct {
	Kind    string `json:"kind"`
	Control string `json:"control,omitempty"`
	// Status and PreviousStatus of a control ("none" when the previous run did not have it, or
	// there is no previous run).
	Status         string `json:"status,omitempty"`
	PreviousStatus string `json:"previous_status,omitempty"`
	// Resource and ExpiresAt of an expiring exception.
	Resource  string `json:"resource,omitempty"`
	ExpiresAt string `json:"expires_at,omitempty"`
	// PreviousEndedAt, Frequency and Deadline of a coverage gap: the next run was due to start
	// by Deadline (the previous end + the interval of Frequency + grace), RFC 3339 UTC.
	PreviousEndedAt string `json:"previous_ended_at,omitempty"`
	Frequency       string `json:"frequency,omitempty"`
	Deadline        string `json:"deadline,omitempty"`
	// Message says it in one English line, MessageJA in one Japanese line (times in JST): the
	// ISMS committee reads Japanese, an overseas SRE English; every channel sends both.
	Message   string `json:"message"`
	MessageJA string `json:"message_ja"`
}

// jst is Japan's time zone (no daylight saving), for the Japanese lines.
var jst = time.FixedZone("JST", 9*60*60)

// statusJA and frequencyJA are the words of the Japanese lines.
var statusJA = map[string]string{
	engine.StatusPass: "適合", engine.StatusFail: "不適合", engine.StatusError: "判定不能",
	engine.StatusAttested: "表明済み", engine.StatusWaived: "例外承認", engine.StatusNotApplicable: "適用外",
	engine.StatusNotInScope: "対象外", statusNone: "なし",
}

var frequencyJA = map[string]string{"daily": "毎日", "weekly": "毎週", "monthly": "毎月", "quarterly": "四半期ごと", "yearly": "毎年"}

// inJA is the Japanese word of s from words, or s itself when it has none.
func inJA(words map[string]string, s string) string {
	if w, ok := words[s]; ok {
		return w
	}
	return s
}

// Input is what detection compares.
type Input struct {
	// Current is the run being completed; Now its evaluation time.
	Current *engine.Results
	Now     time.Time
	// Previous is the previous signed run of the chain (nil for the first run), and
	// PreviousEndedAt when it ended (its run.json ended_at).
	Previous        *engine.Results
	PreviousEndedAt time.Time
	// Frequencies maps a control id to its frequency (daily, weekly, …) in the run's catalog.
	Frequencies map[string]string
}

// Settings are the detection thresholds from the config.
type Settings struct {
	// ExpiryDays: an applied exception expiring at most this many 24-hour days after Now is
	// told (0: never).
	ExpiryDays int
	// GapGrace is added to the most frequent control's interval before a gap is told.
	GapGrace time.Duration
}

// statusNone is the previous status of a control the previous run did not have.
const statusNone = "none"

// Detect lists the regressions of in.Current against in.Previous, in a fixed order: controls
// by id, then exceptions in results order, then the coverage gap. A run whose verdicts,
// exceptions and timing are unchanged gives none: a control failing in both runs is told once,
// when it began to fail.
func Detect(in Input, s Settings) []Regression {
	var out []Regression
	out = append(out, statusRegressions(in)...)
	out = append(out, expiringExceptions(in, s.ExpiryDays)...)
	if g, ok := coverageGap(in, s.GapGrace); ok {
		out = append(out, g)
	}
	return out
}

func statusRegressions(in Input) []Regression {
	previous := map[string]string{}
	if in.Previous != nil {
		for _, c := range in.Previous.Controls {
			previous[c.ID] = c.Status
		}
	}
	var out []Regression
	for _, c := range in.Current.Controls {
		if c.Status != engine.StatusFail && c.Status != engine.StatusError {
			continue
		}
		was, ok := previous[c.ID]
		if !ok {
			was = statusNone
		}
		if was == c.Status {
			continue // told when it began
		}
		kind := KindNewFail
		if c.Status == engine.StatusError {
			kind = KindNewError
		}
		out = append(out, Regression{Kind: kind, Control: c.ID, Status: c.Status, PreviousStatus: was,
			Message:   fmt.Sprintf("%s is %s (was %s): %s", c.ID, c.Status, was, c.Reason.EN),
			MessageJA: fmt.Sprintf("%s が%sになりました（前回: %s）: %s", c.ID, inJA(statusJA, c.Status), inJA(statusJA, was), c.Reason.JA)})
	}
	return out
}

// expiringExceptions are the applied exceptions that expire within days of in.Now and did not
// already within days of the previous run's evaluation time.
func expiringExceptions(in Input, days int) []Regression {
	if days <= 0 {
		return nil
	}
	window := time.Duration(days) * 24 * time.Hour
	// The exceptions the previous run already warned about, by what identifies an approval.
	warned := map[[3]string]bool{}
	if p := in.Previous; p != nil {
		if prevNow, err := time.Parse(time.RFC3339Nano, p.Now); err == nil {
			for _, e := range p.Exceptions {
				if exp, err := time.Parse(time.RFC3339Nano, e.ExpiresAt); err == nil && e.State == engine.ExceptionApplied && within(exp, prevNow, window) {
					warned[[3]string{e.Control, e.Resource, e.ExpiresAt}] = true
				}
			}
		}
	}
	var out []Regression
	for _, e := range in.Current.Exceptions {
		if e.State != engine.ExceptionApplied {
			continue // only an applied exception keeps a verdict that its expiry will change
		}
		exp, err := time.Parse(time.RFC3339Nano, e.ExpiresAt)
		if err != nil {
			// The engine applies only exceptions whose expiry it read; one it could not read
			// here is told rather than dropped.
			out = append(out, Regression{Kind: KindExceptionExpiring, Control: e.Control, Resource: e.Resource, ExpiresAt: e.ExpiresAt,
				Message:   fmt.Sprintf("exception for %s %s: expires_at %q cannot be read", e.Control, e.Resource, e.ExpiresAt),
				MessageJA: fmt.Sprintf("%s %s の例外の有効期限 %q を読めません", e.Control, e.Resource, e.ExpiresAt)})
			continue
		}
		if !within(exp, in.Now, window) || warned[[3]string{e.Control, e.Resource, e.ExpiresAt}] {
			continue
		}
		left := exp.Sub(in.Now)
		out = append(out, Regression{Kind: KindExceptionExpiring, Control: e.Control, Resource: e.Resource, ExpiresAt: e.ExpiresAt,
			Message: fmt.Sprintf("exception for %s %s (approved by %s) expires %s, in %.1f days", e.Control, e.Resource, e.Approver,
				exp.UTC().Format(time.RFC3339), left.Hours()/24),
			MessageJA: fmt.Sprintf("%s %s の例外（承認者 %s）は %s に期限が切れます（あと %.1f 日）", e.Control, e.Resource, e.Approver,
				exp.In(jst).Format("2006-01-02 15:04 MST"), left.Hours()/24)})
	}
	return out
}

// within: exp is after now and at most window after it (the limit included).
func within(exp, now time.Time, window time.Duration) bool {
	return exp.After(now) && !exp.After(now.Add(window))
}

// coverageGap reports a gap when in.Now is after the earliest deadline any in-scope control's
// frequency sets from the previous run's end (plus grace). No previous run: no gap.
func coverageGap(in Input, grace time.Duration) (Regression, bool) {
	if in.Previous == nil || in.PreviousEndedAt.IsZero() {
		return Regression{}, false
	}
	ended := in.PreviousEndedAt.UTC()
	var deadline time.Time
	var freq string
	for _, c := range in.Current.Controls {
		if c.Status == engine.StatusNotInScope || c.Status == engine.StatusNotApplicable {
			continue
		}
		f := in.Frequencies[c.ID]
		next, ok := NextDue(ended, f)
		if !ok {
			continue
		}
		if deadline.IsZero() || next.Before(deadline) {
			deadline, freq = next, f
		}
	}
	if deadline.IsZero() {
		return Regression{}, false
	}
	deadline = deadline.Add(grace)
	if !in.Now.After(deadline) {
		return Regression{}, false
	}
	return Regression{Kind: KindCoverageGap, PreviousEndedAt: ended.Format(time.RFC3339Nano), Frequency: freq,
		Deadline: deadline.Format(time.RFC3339Nano),
		Message: fmt.Sprintf("coverage gap: the previous signed run ended %s, %.1f hours before this one; %s controls need a run by %s",
			ended.Format(time.RFC3339), in.Now.Sub(ended).Hours(), freq, deadline.Format(time.RFC3339)),
		MessageJA: fmt.Sprintf("確認の空白: 前回の署名済み実行は %s に終了し、今回まで %.1f 時間空いています（%sの統制は %s までに実行が必要）",
			ended.In(jst).Format("2006-01-02 15:04 MST"), in.Now.Sub(ended).Hours(), inJA(frequencyJA, freq), deadline.In(jst).Format("2006-01-02 15:04 MST"))}, true
}

// NextDue is when the next run is due after one that ended at t, for a control of frequency
// f: daily 24 hours later, weekly 7×24 hours, monthly, quarterly and yearly the same instant
// one, three and twelve calendar months later (in UTC). An unknown frequency is not ok.
func NextDue(t time.Time, f string) (time.Time, bool) {
	t = t.UTC()
	switch f {
	case "daily":
		return t.Add(24 * time.Hour), true
	case "weekly":
		return t.Add(7 * 24 * time.Hour), true
	case "monthly":
		return t.AddDate(0, 1, 0), true
	case "quarterly":
		return t.AddDate(0, 3, 0), true
	case "yearly":
		return t.AddDate(1, 0, 0), true
	}
	return time.Time{}, false
}
