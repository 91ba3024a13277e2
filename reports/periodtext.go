package reports

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/history"
)

// The period report (PDF) and the dashboard (HTML) render a history.Report: per control, whether
// it operated throughout the audit period. This file holds what both need: the check of the
// input, the wording of durations and shares, and the grouping by chapter and ISO clause.

// CheckHistory validates a history report before rendering, so a bad history.json fails with the
// field that is wrong instead of a half-written report or a silent blank.
func CheckHistory(rep *history.Report) error {
	if rep == nil {
		return errors.New("period report: no history report")
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if rep.Schema != history.Schema {
		add("schema %q: want %q (write it with shoko history)", rep.Schema, history.Schema)
	}
	if rep.Period.Start.IsZero() || rep.Period.End.IsZero() {
		add("period: start and end must both be set")
	} else if !rep.Period.End.After(rep.Period.Start) {
		add("period: end %s is not after start %s", rep.Period.End.Format(time.RFC3339), rep.Period.Start.Format(time.RFC3339))
	}
	if rep.Verified != history.VerifiedRead && rep.Verified != history.VerifiedAll {
		add("verified %q: want %q or %q", rep.Verified, history.VerifiedRead, history.VerifiedAll)
	}
	runIDs := map[string]bool{}
	for i, r := range rep.Runs {
		if r.ID == "" {
			add("runs[%d]: no id", i)
		}
		if runIDs[r.ID] {
			add("runs[%d]: run %s is listed twice", i, r.ID)
		}
		runIDs[r.ID] = true
	}
	seen := map[string]bool{}
	for i, c := range rep.Controls {
		where := fmt.Sprintf("controls[%d] (%s)", i, c.ID)
		if c.ID == "" {
			add("controls[%d]: no id", i)
		}
		if seen[c.ID] {
			add("%s: control listed twice", where)
		}
		seen[c.ID] = true
		for j, p := range c.Timeline {
			if !knownStatus(p.Status) {
				add("%s.timeline[%d]: unknown status %q", where, j, p.Status)
			}
			if p.At.IsZero() {
				add("%s.timeline[%d]: no time", where, j)
			}
		}
		if len(c.Timeline) > 0 && !knownStatus(c.LastStatus) {
			add("%s.last_status: unknown status %q", where, c.LastStatus)
		}
		for j, iv := range c.Intervals {
			if !isFailing(iv.Status) && iv.Status != "mixed" {
				add("%s.intervals[%d]: status %q: want fail, error or mixed", where, j, iv.Status)
			}
			if iv.FirstFailing.IsZero() || iv.LastFailing.IsZero() {
				add("%s.intervals[%d]: first_failing and last_failing must be set", where, j)
			}
			if iv.FixedAt != nil && iv.FixedAt.Before(iv.FirstFailing) {
				add("%s.intervals[%d]: fixed_at is before first_failing", where, j)
			}
		}
		for j, g := range c.Gaps {
			if !g.To.After(g.From) {
				add("%s.gaps[%d]: to is not after from", where, j)
			}
		}
		if c.PassingShare < 0 || c.PassingShare > 1 || math.IsNaN(c.PassingShare) {
			add("%s.passing_share %v: want 0..1", where, c.PassingShare)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("period report: bad history report: %s", strings.Join(problems, "; "))
	}
	return nil
}

// durationText writes a duration in the two largest units that are not zero ("3 日 4 時間",
// "3 days 4 hours"), cut (never rounded up) below them: a stretch just short of a limit never
// reads as the limit itself. The exact value stays in history.json.
func durationText(d time.Duration, lang string) string {
	if d < 0 {
		return "−" + durationText(-d, lang)
	}
	type unit struct {
		size     time.Duration
		ja       string
		one, any string
	}
	units := []unit{
		{24 * time.Hour, "日", "day", "days"},
		{time.Hour, "時間", "hour", "hours"},
		{time.Minute, "分", "minute", "minutes"},
		{time.Second, "秒", "second", "seconds"},
	}
	word := func(n int64, u unit) string {
		if lang == "en" {
			return count(int(n), u.one, u.any)
		}
		return fmt.Sprintf("%d %s", n, u.ja)
	}
	for i, u := range units {
		if d < u.size {
			continue
		}
		parts := []string{word(int64(d/u.size), u)}
		if i+1 < len(units) {
			next := units[i+1]
			if n := int64(d % u.size / next.size); n > 0 {
				parts = append(parts, word(n, next))
			}
		}
		return strings.Join(parts, " ")
	}
	if d > 0 {
		return tr(lang)("1 秒未満", "under a second")
	}
	return tr(lang)("0 秒", "0 seconds")
}

// shareText writes a share (0..1) as a percentage to one decimal, cut rather than rounded: 99.96 %
// verified passing is "99.9 %", never "100.0 %"; only a share of exactly 1 reads 100 %.
func shareText(share float64) string {
	if share >= 1 {
		return "100%"
	}
	return fmt.Sprintf("%.1f%%", math.Floor(share*1000)/10)
}

// gapText is a gap's length against what the control's frequency allows, with how far over it is,
// so a gap one second past the limit does not read as "7 days (allowed 7 days)".
func gapText(g history.Gap, lang string) string {
	t := tr(lang)
	return fmt.Sprintf(t("%s（許容 %sを %s超過）", "%s (allowed %s; %s over)"),
		durationText(g.LengthNS, lang), durationText(g.AllowedNS, lang), durationText(g.LengthNS-g.AllowedNS, lang))
}

// isFailing reports whether a status is one a failing interval is made of.
func isFailing(status string) bool {
	return status == engine.StatusFail || status == engine.StatusError
}

// intervalStatusLabel is an interval's status in words (fail, error, or both).
func intervalStatusLabel(s, lang string) string {
	if s == "mixed" {
		return tr(lang)("不適合・判定不能", "Fail and error")
	}
	return statusLabel(s, lang)
}

// problemLabel is a kind of untrusted run in words.
func problemLabel(kind, lang string) string {
	t := tr(lang)
	switch kind {
	case history.ProblemUnsigned:
		return t("署名なし", "unsigned")
	case history.ProblemIncomplete:
		return t("未完了", "incomplete")
	case history.ProblemTampered:
		return t("改ざん・検証失敗", "tampered (does not verify)")
	case history.ProblemBrokenLink:
		return t("前の実行との連鎖が不一致", "broken link to the previous run")
	case history.ProblemMissingLink:
		return t("連鎖先の実行がない", "linked run missing")
	case history.ProblemUnreadable:
		return t("読み取り不能", "unreadable")
	case history.ProblemUnexpectedID:
		return t("別の実行のステートメント", "statement of another run")
	}
	return kind
}

// runStateLabel is a run's state in the store in words.
func runStateLabel(state, lang string) string {
	t := tr(lang)
	switch state {
	case "signed":
		return t("署名済み", "signed")
	case "complete":
		return t("完了（署名なし）", "complete (unsigned)")
	case "incomplete":
		return t("未完了", "incomplete")
	}
	return state
}

// periodText is the audit period as the reports print it: JST dates, the end inclusive.
func periodText(p history.Period) string {
	return formatDate(p.Start) + " – " + formatDate(p.End.Add(-time.Nanosecond))
}

// chapterOf is the white-paper chapter a control's section belongs to: its key (for sorting and
// filtering) and title; a section the paper lacks is its own group after the paper's chapters.
func chapterOf(section history.Text) (key string, title engine.Text) {
	if pos, ok := locate(section.JA); ok {
		return fmt.Sprintf("ch%02d", pos.Chapter+1), paperStructure[pos.Chapter].Title
	}
	return "other", txt("白書にない節", "Sections not in the paper")
}

// clauseOf is the ISO clause group of a mapping written "framework ref" (history.Control.Clauses,
// e.g. "ISO/IEC 27002:2013 9.2.1" or "ISO/IEC 27018:2019 A.11.8 Unique use of user IDs"): the
// same groups as the audit report's table by clause.
func clauseOf(mapping, lang string) (key, label string) {
	fields := strings.Fields(mapping)
	// The framework ends with its year ("27002:2013"); the ref is what follows.
	cut := -1
	for i, f := range fields {
		if strings.Contains(f, ":") {
			cut = i
			break
		}
	}
	if cut < 0 || cut == len(fields)-1 {
		return "fw-" + mapping, mapping
	}
	framework := strings.Join(fields[:cut+1], " ")
	ref := fields[cut+1]
	if strings.Contains(framework, "27018") {
		return "iso27018", tr(lang)("ISO/IEC 27018 附属書A", "ISO/IEC 27018 Annex A")
	}
	ref = strings.TrimPrefix(strings.TrimPrefix(ref, "CLD."), "A.")
	clause, _, _ := strings.Cut(ref, ".")
	name, ok := isoClauses[clause]
	if !ok {
		return "fw-" + framework, framework
	}
	return "iso" + clauseKey(clause), clause + " " + name.Lang(lang)
}

// clauseGroupsOf are a control's clause groups, each once, in the order of its mappings.
func clauseGroupsOf(c history.Control, lang string) (keys, labels []string) {
	seen := map[string]bool{}
	for _, m := range c.Clauses {
		k, l := clauseOf(m, lang)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
			labels = append(labels, l)
		}
	}
	if len(keys) == 0 {
		return []string{"unmapped"}, []string{tr(lang)("ISO 対応付けなし", "Not mapped to ISO")}
	}
	return keys, labels
}

// hasIssue reports whether a control had a failing interval or a coverage gap in the period:
// those come first in the report.
func hasIssue(c history.Control) bool { return len(c.Intervals) > 0 || len(c.Gaps) > 0 }

// openInterval is the control's failing interval still open at the period's last run, if any.
func openInterval(c history.Control) (history.Interval, bool) {
	for _, iv := range c.Intervals {
		if iv.FixedAt == nil {
			return iv, true
		}
	}
	return history.Interval{}, false
}

// longestGap is the control's longest coverage gap.
func longestGap(c history.Control) history.Gap {
	var g history.Gap
	for _, x := range c.Gaps {
		if x.LengthNS > g.LengthNS {
			g = x
		}
	}
	return g
}

// resourcesOf names the failing resources of an interval, each once, in order.
func resourcesOf(iv history.Interval) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range iv.Findings {
		if !seen[f.Resource] {
			seen[f.Resource] = true
			out = append(out, f.Resource)
		}
	}
	return out
}

// runTimeText is a run's start in JST with its id, the way the reports name a run.
func runTimeText(at time.Time, runID string) string {
	if runID == "" {
		return formatTime(at)
	}
	return formatTime(at) + "\n" + runID
}

// createdAtOf is the time a period report is dated with: the newest time the history holds (the
// last run's end, else its start, else the period's start). The history has no generation time
// and a renderer never reads the clock, so the same history gives the same bytes.
func createdAtOf(rep *history.Report) time.Time {
	at := rep.Period.Start
	for _, r := range rep.Runs {
		if r.StartedAt.After(at) {
			at = r.StartedAt
		}
		if r.EndedAt.After(at) {
			at = r.EndedAt
		}
	}
	return at
}

// verifiedText says which files of each run were checked against its signed statement.
func verifiedText(v, lang string) string {
	t := tr(lang)
	if v == history.VerifiedAll {
		return t("各実行の全ファイル（欠落・追加なし）を署名付きステートメントと照合", "every file of every run (none missing, none extra) against its signed statement")
	}
	return t("history が読むファイル（run.json、results.json、統制のカタログの写し）を各実行の署名付きステートメントと照合",
		"the files history reads (run.json, results.json, the controls' catalog copies) against each run's signed statement")
}

// problemDetail is a problem's detail with the run it follows from, when there is one.
func problemDetail(p history.Problem, lang string) string {
	if p.CauseRun == "" {
		return p.Detail
	}
	return p.Detail + tr(lang)("（原因: 実行 ", " (caused by run ") + p.CauseRun + tr(lang)("）", ")")
}

// gapUntrusted names the untrusted runs that started inside a gap: what it would have held.
func gapUntrusted(g history.Gap, lang string) string {
	if len(g.UntrustedRuns) == 0 {
		return ""
	}
	return tr(lang)("この間の信頼できない実行: ", "untrusted runs inside: ") + strings.Join(g.UntrustedRuns, ", ")
}
