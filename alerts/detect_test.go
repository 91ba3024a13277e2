package alerts

import (
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/engine"
)

// t0 is the current run's evaluation time in the tests (with nanoseconds, so a limit one
// nanosecond away is a real instant).
var t0 = time.Date(2026, 12, 6, 2, 0, 0, 500, time.UTC)

// results builds results at now with controls given as id=status pairs.
func results(now time.Time, statuses ...string) *engine.Results {
	r := &engine.Results{RunID: "run-" + now.Format("20060102"), Now: now.Format(time.RFC3339Nano), Exceptions: []engine.ExceptionResult{}}
	for _, s := range statuses {
		id, status, _ := strings.Cut(s, "=")
		r.Controls = append(r.Controls, engine.ControlResult{ID: id, Status: status})
	}
	return r
}

func withException(r *engine.Results, state string, expires time.Time) *engine.Results {
	r.Exceptions = append(r.Exceptions, engine.ExceptionResult{Control: "BAK-01", Resource: "db-legacy", Approver: "ciso",
		State: state, ExpiresAt: expires.Format(time.RFC3339Nano)})
	return r
}

var freqs = map[string]string{"BAK-01": "daily", "ACC-01": "weekly", "AUD-01": "monthly"}

// kinds lists each regression as kind:control, for comparison.
func kinds(rs []Regression) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Kind+":"+r.Control+r.Resource)
	}
	return strings.Join(out, ",")
}

func TestDetectTellsEachRegressionOnce(t *testing.T) {
	const day = 24 * time.Hour
	yesterday := t0.Add(-day)
	window := 14 * day
	cases := []struct {
		name  string
		in    Input
		grace time.Duration
		want  string
	}{
		{name: "newly fail", want: "new_fail:BAK-01",
			in: Input{Previous: results(yesterday, "BAK-01=pass"), Current: results(t0, "BAK-01=fail")}},
		{name: "newly error", want: "new_error:BAK-01",
			in: Input{Previous: results(yesterday, "BAK-01=waived"), Current: results(t0, "BAK-01=error")}},
		{name: "fail turned error is newly error", want: "new_error:BAK-01",
			in: Input{Previous: results(yesterday, "BAK-01=fail"), Current: results(t0, "BAK-01=error")}},
		{name: "unchanged fail is not told again", want: "",
			in: Input{Previous: results(yesterday, "BAK-01=fail", "ACC-01=error"), Current: results(t0, "BAK-01=fail", "ACC-01=error")}},
		{name: "fixed is not a regression", want: "",
			in: Input{Previous: results(yesterday, "BAK-01=fail"), Current: results(t0, "BAK-01=pass")}},
		{name: "a control new to the catalog, failing, is told", want: "new_fail:ACC-01",
			in: Input{Previous: results(yesterday, "BAK-01=pass"), Current: results(t0, "BAK-01=pass", "ACC-01=fail")}},
		{name: "first run: every fail and error is told", want: "new_fail:BAK-01,new_error:ACC-01",
			in: Input{Current: results(t0, "BAK-01=fail", "ACC-01=error", "AUD-01=pass")}},

		{name: "exception expiring exactly N days after now is told", want: "exception_expiring:BAK-01db-legacy",
			in: Input{Current: withException(results(t0, "BAK-01=waived"), engine.ExceptionApplied, t0.Add(window))}},
		{name: "exception expiring N days + 1ns after now is not yet told", want: "",
			in: Input{Current: withException(results(t0, "BAK-01=waived"), engine.ExceptionApplied, t0.Add(window+1))}},
		{name: "exception already told by the previous run is not told again", want: "",
			in: Input{Previous: withException(results(yesterday, "BAK-01=waived"), engine.ExceptionApplied, t0.Add(window-day)),
				Current: withException(results(t0, "BAK-01=waived"), engine.ExceptionApplied, t0.Add(window-day)), PreviousEndedAt: yesterday.Add(time.Minute), Frequencies: freqs}},
		{name: "exception that entered the window since the previous run is told", want: "exception_expiring:BAK-01db-legacy",
			in: Input{Previous: withException(results(yesterday, "BAK-01=waived"), engine.ExceptionApplied, t0.Add(window-time.Hour)),
				Current: withException(results(t0, "BAK-01=waived"), engine.ExceptionApplied, t0.Add(window-time.Hour)), PreviousEndedAt: yesterday.Add(time.Minute), Frequencies: freqs}},
		{name: "an unmatched exception waives nothing: not told", want: "",
			in: Input{Current: withException(results(t0, "BAK-01=pass"), engine.ExceptionUnmatched, t0.Add(day))}},

		{name: "previous run ended exactly one daily interval ago: no gap", want: "",
			in: Input{Previous: results(yesterday, "BAK-01=pass"), PreviousEndedAt: t0.Add(-day), Current: results(t0, "BAK-01=pass", "ACC-01=pass"), Frequencies: freqs}},
		{name: "previous run ended one daily interval and 1ns ago: gap", want: "coverage_gap:",
			in: Input{Previous: results(yesterday, "BAK-01=pass"), PreviousEndedAt: t0.Add(-day - 1), Current: results(t0, "BAK-01=pass", "ACC-01=pass"), Frequencies: freqs}},
		{name: "grace moves the limit: at it, no gap", want: "", grace: time.Hour,
			in: Input{Previous: results(yesterday, "BAK-01=pass"), PreviousEndedAt: t0.Add(-day - time.Hour), Current: results(t0, "BAK-01=pass"), Frequencies: freqs}},
		{name: "grace moves the limit: one past it, gap", want: "coverage_gap:", grace: time.Hour,
			in: Input{Previous: results(yesterday, "BAK-01=pass"), PreviousEndedAt: t0.Add(-day - time.Hour - 1), Current: results(t0, "BAK-01=pass"), Frequencies: freqs}},
		{name: "out-of-scope daily control does not set the interval", want: "",
			in: Input{Previous: results(yesterday, "BAK-01=pass"), PreviousEndedAt: t0.Add(-3 * day), Current: results(t0, "BAK-01=not_in_scope", "ACC-01=pass"), Frequencies: freqs}},
		{name: "weekly controls only: one past a week is a gap", want: "coverage_gap:",
			in: Input{Previous: results(yesterday, "ACC-01=pass"), PreviousEndedAt: t0.Add(-7*day - 1), Current: results(t0, "ACC-01=pass"), Frequencies: freqs}},
		{name: "first run: no gap", want: "",
			in: Input{Current: results(t0, "BAK-01=pass"), Frequencies: freqs}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Now = t0
			got := Detect(tc.in, Settings{ExpiryDays: 14, GapGrace: tc.grace})
			if kinds(got) != tc.want {
				t.Fatalf("got %q, want %q\n%+v", kinds(got), tc.want, got)
			}
			// The same input gives the same regressions: a rerun tells nothing different.
			if again := Detect(tc.in, Settings{ExpiryDays: 14, GapGrace: tc.grace}); kinds(again) != kinds(got) {
				t.Fatalf("not deterministic: %q then %q", kinds(got), kinds(again))
			}
		})
	}
}

// An unchanged run after a regression is silent: the day after a control began to fail, the
// comparison of the two failing runs tells nothing.
func TestDetectIsSilentOnAnUnchangedRun(t *testing.T) {
	day1 := results(t0.Add(-48*time.Hour), "BAK-01=pass", "ACC-01=pass")
	day2 := results(t0.Add(-24*time.Hour), "BAK-01=fail", "ACC-01=pass")
	day3 := results(t0, "BAK-01=fail", "ACC-01=pass")
	if got := Detect(Input{Previous: day1, Current: day2, Now: t0.Add(-24 * time.Hour), PreviousEndedAt: t0.Add(-48 * time.Hour), Frequencies: freqs}, Settings{ExpiryDays: 14}); kinds(got) != "new_fail:BAK-01" {
		t.Fatalf("day 2: %q, want the new fail", kinds(got))
	}
	if got := Detect(Input{Previous: day2, Current: day3, Now: t0, PreviousEndedAt: t0.Add(-24 * time.Hour), Frequencies: freqs}, Settings{ExpiryDays: 14}); len(got) != 0 {
		t.Fatalf("day 3 (unchanged): %q, want nothing", kinds(got))
	}
}

func TestExpiryDaysZeroTurnsTheWarningOff(t *testing.T) {
	in := Input{Current: withException(results(t0, "BAK-01=waived"), engine.ExceptionApplied, t0.Add(time.Hour)), Now: t0}
	if got := Detect(in, Settings{ExpiryDays: 0}); len(got) != 0 {
		t.Fatalf("got %q with expiry days 0", kinds(got))
	}
	if got := Detect(in, Settings{ExpiryDays: 1}); kinds(got) != "exception_expiring:BAK-01db-legacy" {
		t.Fatalf("got %q with expiry days 1", kinds(got))
	}
}

func TestNextDueUsesCalendarMonths(t *testing.T) {
	end := time.Date(2026, 1, 31, 3, 0, 0, 0, time.UTC)
	cases := []struct {
		freq string
		want time.Time
		ok   bool
	}{
		{"daily", end.Add(24 * time.Hour), true},
		{"weekly", end.Add(7 * 24 * time.Hour), true},
		{"monthly", time.Date(2026, 3, 3, 3, 0, 0, 0, time.UTC), true}, // Jan 31 + 1 month normalises as Go's AddDate does
		{"quarterly", time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC), true},
		{"yearly", time.Date(2027, 1, 31, 3, 0, 0, 0, time.UTC), true},
		{"hourly", time.Time{}, false},
	}
	for _, tc := range cases {
		got, ok := NextDue(end, tc.freq)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("%s: got %v %v, want %v %v", tc.freq, got, ok, tc.want, tc.ok)
		}
	}
}

// The committee reads Japanese and an SRE may read English: every kind of regression is told in
// both, the Japanese line with its times in JST.
func TestEveryRegressionIsToldInJapaneseAndEnglish(t *testing.T) {
	const day = 24 * time.Hour
	prev := withException(results(t0.Add(-3*day), "BAK-01=pass", "ACC-01=pass"), engine.ExceptionApplied, t0.Add(30*day))
	cur := withException(results(t0, "BAK-01=fail", "ACC-01=error"), engine.ExceptionApplied, t0.Add(2*day))
	got := Detect(Input{Previous: prev, PreviousEndedAt: t0.Add(-3 * day), Current: cur, Now: t0, Frequencies: freqs},
		Settings{ExpiryDays: 14})
	cases := []struct{ kind, ja, en string }{
		{KindNewFail, "BAK-01 が不適合になりました（前回: 適合）", "BAK-01 is fail (was pass)"},
		{KindNewError, "ACC-01 が判定不能になりました（前回: 適合）", "ACC-01 is error (was pass)"},
		{KindExceptionExpiring, "2026-12-08 11:00 JST に期限が切れます", "expires 2026-12-08T02:00:00Z"},
		{KindCoverageGap, "確認の空白: 前回の署名済み実行は 2026-12-03 11:00 JST に終了", "coverage gap: the previous signed run ended 2026-12-03T02:00:00Z"},
	}
	for _, c := range cases {
		found := false
		for _, r := range got {
			if r.Kind == c.kind {
				found = true
				if !strings.Contains(r.MessageJA, c.ja) || !strings.Contains(r.Message, c.en) {
					t.Errorf("%s: ja %q, en %q; want them to contain %q and %q", c.kind, r.MessageJA, r.Message, c.ja, c.en)
				}
			}
		}
		if !found {
			t.Errorf("no %s regression in %s", c.kind, kinds(got))
		}
	}
	if text := (Message{RunID: "r", Regressions: got}).Text(); !strings.Contains(text, "不適合になりました") || !strings.Contains(text, "is fail (was pass)") {
		t.Errorf("the text sent lacks a language:\n%s", text)
	}
}
