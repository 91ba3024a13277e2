package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/shoko-audit/shoko/calendar"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/history"
)

// PeriodFileName is the period report's file name in lang, e.g. "period-report.ja.pdf".
func PeriodFileName(lang string) string { return "period-report." + langOr(lang) + ".pdf" }

// WritePeriodPDF writes the period report for the ISMS committee and the certification auditor:
// per control, whether it operated throughout the audit period. Page 1 carries the period, the
// store, the key, the runs and what the committee must act on (open failing intervals, coverage
// gaps, runs that could not be trusted); then an overview of every control, then each control in
// detail (those with failing intervals or gaps first) with its timeline drawn as a strip, and the
// list of runs. lang is "ja" or "en".
func WritePeriodPDF(w io.Writer, rep *history.Report, lang string) error {
	if lang != "ja" && lang != "en" {
		return fmt.Errorf("period report: language %q: want ja or en", lang)
	}
	if err := CheckHistory(rep); err != nil {
		return err
	}
	t := tr(lang)
	title := t("統制運用 期間報告書", "Control Operation Period Report")
	d, err := newDocFor(docMeta{lang: lang, createdAt: createdAtOf(rep), creator: "shoko history"},
		title, title+" — "+periodText(rep.Period),
		fmt.Sprintf(t("期間 %s　ストア %s", "Period %s  Store %s"), periodText(rep.Period), rep.Store))
	if err != nil {
		return err
	}
	controls := issuesFirst(rep.Controls)
	periodCover(d, rep, title)
	periodOverview(d, rep, controls)
	d.pdf.AddPage()
	d.heading(t("2. 統制ごとの詳細", "2. Each control in detail"), 0)
	d.text(t("各統制の帯は監査期間を左から右へ表します。色の区画は実行 1 回の判定で、次の実行まで（頻度の許容間隔が上限）の期間を占めます。灰色は確認されていない期間です。",
		"Each control's strip is the audit period from left to right. A coloured cell is one run's verdict and spans until the next run (at most the interval the control's frequency allows). Grey is time nobody checked."), 0)
	d.pdf.Ln(1)
	d.stripLegend()
	for _, c := range controls {
		periodControl(d, rep, c)
	}
	periodRuns(d, rep)
	if err := d.pdf.Error(); err != nil {
		return fmt.Errorf("render period report: %w", err)
	}
	return d.output(w)
}

// issuesFirst orders the controls with a failing interval or a coverage gap first, each group in
// catalog order.
func issuesFirst(cs []history.Control) []history.Control {
	var first, rest []history.Control
	for _, c := range cs {
		if hasIssue(c) {
			first = append(first, c)
		} else {
			rest = append(rest, c)
		}
	}
	return append(first, rest...)
}

func controlTitle(c history.Control, lang string) string {
	if lang == "en" {
		return or(c.Title.EN, c.Title.JA)
	}
	return or(c.Title.JA, c.Title.EN)
}

func textLang(x history.Text, lang string) string {
	if lang == "en" {
		return or(x.EN, x.JA)
	}
	return or(x.JA, x.EN)
}

func periodCover(d *doc, rep *history.Report, title string) {
	t, s := d.t, rep.Summary
	d.pdf.AddPage()
	d.pdf.SetY(26)
	d.setSize(20)
	d.pdf.SetTextColor(20, 50, 100)
	d.text(title, 0)
	d.pdf.SetTextColor(0, 0, 0)
	d.pdf.Ln(3)
	d.setSize(bodyPt)
	d.keyValues(40, [][2]string{
		{t("監査期間", "Audit period"), periodText(rep.Period) + t("（JST、終了日を含む）", " (JST, end date included)")},
		{t("ストア", "Store"), or(rep.Store, "—")},
		{t("署名鍵 ID", "Signing key id"), or(rep.KeyID, "—")},
		{t("検証範囲", "Verified"), verifiedText(rep.Verified, d.lang)},
		{t("実行", "Runs"), fmt.Sprintf(t("%d 件（信頼できる実行 %d 件、問題 %d 件）", "%d (trusted %d, problems %d)"), s.Runs, s.TrustedRuns, s.Problems)},
		{t("統制", "Controls"), fmt.Sprintf(t("%d 件（不適合区間あり %d 件、確認の空白あり %d 件）", "%d (with failing intervals %d, with coverage gaps %d)"),
			len(rep.Controls), s.ControlsWithFailures, s.ControlsWithGaps)},
		{t("報告書の日付", "Report dated"), formatTime(createdAtOf(rep)) + t("（期間内の最後の実行）", " (the period's last run)")},
	})
	d.pdf.Ln(3)
	d.heading(t("エグゼクティブサマリー", "Executive summary"), 1)
	for _, line := range summarySentences(rep, d.lang) {
		d.text(line, 0)
		d.pdf.Ln(1)
	}

	// What the committee must act on, in order: failures still open, holes in the checking,
	// runs whose verdicts could not be used.
	d.heading(t("期間内の最後の実行で未解消の不適合区間", "Failing intervals still open at the period's last run"), 2)
	var rows [][]cell
	for _, c := range rep.Controls {
		iv, ok := openInterval(c)
		if !ok {
			continue
		}
		rows = append(rows, []cell{{text: c.ID + "\n" + controlTitle(c, d.lang)}, ivCell(iv.Status, d.lang),
			{text: runTimeText(iv.FirstFailing, iv.FirstFailingIn)}, {text: durationText(iv.DurationNS, d.lang)},
			{text: listShort(resourcesOf(iv), 4, d.lang)}})
	}
	if len(rows) == 0 {
		d.text(t("期間内の最後の実行で未解消の不適合区間はありません。", "No failing interval is open at the period's last run."), 0)
	} else {
		d.table([]column{
			{title: t("統制", "Control"), width: 46},
			{title: t("判定", "Status"), width: 20},
			{title: t("不適合の開始（実行）", "Failing since (run)"), width: 42, size: 7},
			{title: t("継続", "Open for"), width: 22},
			{title: t("対象リソース", "Resources"), width: 48, size: 7.5},
		}, rows)
	}

	d.heading(t("確認の空白（頻度の許容間隔を超えて判定のない期間）", "Coverage gaps (longer than the control's frequency allows with no verdict)"), 2)
	rows = rows[:0]
	for _, c := range rep.Controls {
		if len(c.Gaps) == 0 {
			continue
		}
		g := longestGap(c)
		rows = append(rows, []cell{{text: c.ID + "\n" + controlTitle(c, d.lang)}, {text: fmt.Sprint(len(c.Gaps))},
			{text: formatTime(g.From) + " –\n" + formatTime(g.To)}, {text: joinNonEmpty("\n", gapText(g, d.lang), gapUntrusted(g, d.lang))}})
	}
	if len(rows) == 0 {
		d.text(t("確認の空白はありません。", "There are no coverage gaps."), 0)
	} else {
		d.table([]column{
			{title: t("統制", "Control"), width: 50},
			{title: t("件数", "Gaps"), width: 14},
			{title: t("最長の空白", "Longest gap"), width: 52},
			{title: t("長さ", "Length"), width: 62},
		}, rows)
	}

	d.heading(t("信頼できない実行（判定を使っていません）", "Runs that could not be trusted (their verdicts are not used)"), 2)
	if len(rep.Problems) == 0 {
		d.text(t("すべての実行の署名・ダイジェスト・連鎖を検証できました。", "Every run's signature, digests and chain link verified."), 0)
		return
	}
	rows = rows[:0]
	for _, p := range rep.Problems {
		rows = append(rows, []cell{{text: p.RunID + "\n" + formatTime(runStart(rep, p.RunID))}, {text: problemLabel(p.Kind, d.lang)}, {text: problemDetail(p, d.lang)}})
	}
	d.table([]column{
		{title: t("実行（開始）", "Run (start)"), width: 50},
		{title: t("問題", "Problem"), width: 36},
		{title: t("詳細", "Detail"), width: 92, size: 7.5},
	}, rows)
}

// summarySentences are the executive summary in words: what operated, what failed and is still
// open, where the checking had holes, which runs were not trusted.
func summarySentences(rep *history.Report, lang string) []string {
	t, s := tr(lang), rep.Summary
	var out []string
	out = append(out, fmt.Sprintf(t("監査期間 %s に %d 件の実行があり、署名・ダイジェスト・連鎖を検証できた %d 件の判定から %d 件の統制の運用状況をまとめました。",
		"%[2]d runs started in the audit period %[1]s; the verdicts of the %[3]d whose signature, digests and chain link verified give the operation of %[4]d controls below."),
		periodText(rep.Period), s.Runs, s.TrustedRuns, len(rep.Controls)))
	var open, closed []string
	for _, c := range rep.Controls {
		if iv, ok := openInterval(c); ok {
			open = append(open, fmt.Sprintf(t("%s（%s から %s）", "%s (since %s, %s)"), c.ID, formatTime(iv.FirstFailing), durationText(iv.DurationNS, lang)))
		} else if len(c.Intervals) > 0 {
			closed = append(closed, c.ID)
		}
	}
	switch {
	case len(open) > 0:
		out = append(out, fmt.Sprintf(t("期間内の最後の実行で不適合が未解消の統制が %[1]d 件あります: %[2]s。是正と再評価が必要です。",
			"%[3]s still failing at the period's last run: %[2]s. Remediate, then run an audit again."), len(open), strings.Join(open, t("、", "; ")),
			count(len(open), "control was", "controls were")))
	case s.ControlsWithFailures > 0:
		out = append(out, t("期間内の最後の実行で未解消の不適合はありません。", "No control was still failing at the period's last run."))
	default:
		out = append(out, t("期間中に不適合・判定不能となった統制はありません。", "No control failed or errored in the period."))
	}
	if len(closed) > 0 {
		out = append(out, fmt.Sprintf(t("期間中に不適合となり、期間内に是正された統制: %s。", "Controls that failed and were remediated within the period: %s."), strings.Join(closed, ", ")))
	}
	var gaps []string
	for _, c := range rep.Controls {
		if len(c.Gaps) > 0 {
			gaps = append(gaps, c.ID)
		}
	}
	if len(gaps) > 0 {
		out = append(out, fmt.Sprintf(t("%[1]d 件の統制で、頻度の許容間隔を超えて判定のない期間（確認の空白）がありました: %[2]s。この期間は運用を確認できていません。",
			"%[3]s longer than its frequency allows without a verdict (coverage gaps): %[2]s. Its operation in those stretches is not verified."), len(gaps), strings.Join(gaps, ", "),
			count(len(gaps), "control went", "controls went")))
	} else {
		out = append(out, t("すべての統制が頻度どおりに判定されています。", "Every control was judged as often as its frequency requires."))
	}
	if len(rep.Problems) > 0 {
		var ids []string
		for _, p := range rep.Problems {
			ids = append(ids, p.RunID+t("（", " (")+problemLabel(p.Kind, lang)+t("）", ")"))
		}
		out = append(out, fmt.Sprintf(t("信頼できない実行 %[1]d 件の判定は使っておらず、その期間は確認の空白に数えています: %[2]s。",
			"The verdicts of %[3]s are not used, and the time they would have covered counts toward the gaps: %[2]s."), len(rep.Problems), strings.Join(ids, ", "),
			count(len(rep.Problems), "untrusted run", "untrusted runs")))
	}
	return out
}

// listShort lists at most n names and counts the rest.
func listShort(xs []string, n int, lang string) string {
	if len(xs) <= n {
		return or(strings.Join(xs, "\n"), "—")
	}
	return strings.Join(xs[:n], "\n") + "\n" + fmt.Sprintf(tr(lang)("ほか %d 件", "and %d more"), len(xs)-n)
}

// runStart is the start of a run of the report (zero when the report does not list it).
func runStart(rep *history.Report, id string) time.Time {
	for _, r := range rep.Runs {
		if r.ID == id {
			return r.StartedAt
		}
	}
	return time.Time{}
}

// ivCell is an interval's status in a table: a badge, or the words when both fail and error
// occurred (a badge would name only one).
func ivCell(status, lang string) cell {
	if status == "mixed" {
		return cell{text: intervalStatusLabel(status, lang)}
	}
	return cell{status: status}
}

// ivBadge is the status an interval's badge is drawn in ("mixed" is drawn as fail).
func ivBadge(s string) string {
	if s == "mixed" {
		return engine.StatusFail
	}
	return s
}

func periodOverview(d *doc, rep *history.Report, controls []history.Control) {
	t := d.t
	d.pdf.AddPage()
	d.heading(t("1. 統制ごとの運用状況", "1. Operation of each control"), 0)
	d.text(t("適合確認の割合は、期間のうち統制が適合（表明済み・例外承認・適用外を含む）と確認されていた割合です。各実行の判定は次の実行まで、ただし頻度の許容間隔までを確認済みとします。",
		"The verified-passing share is the part of the period the control was verified passing (attested, waived and not applicable included): each run's verdict holds until the next run, but no longer than the control's frequency allows."), 0)
	d.pdf.Ln(2)
	var rows [][]cell
	for _, c := range controls {
		last := cell{status: c.LastStatus}
		if c.LastStatus == "" {
			last = cell{text: "—"}
		}
		rem := "—"
		if c.LongestRemediationNS > 0 {
			rem = durationText(c.MedianRemediationNS, d.lang) + " /\n" + durationText(c.LongestRemediationNS, d.lang)
		}
		rows = append(rows, []cell{{text: c.ID}, {text: controlTitle(c, d.lang)}, last,
			{text: fmt.Sprintf("%s\n%s", shareText(c.PassingShare), fmt.Sprintf(t("判定 %d 回", "%d runs"), c.Runs))},
			{text: intervalsCell(c, d.lang)}, {text: gapsCell(c, d.lang)}, {text: rem}})
	}
	d.table([]column{
		{title: "ID", width: 17},
		{title: t("統制", "Control"), width: 50},
		{title: t("最終判定", "Last status"), width: 20},
		{title: t("適合確認の割合", "Verified passing"), width: 20},
		{title: t("不適合区間", "Failing intervals"), width: 24},
		{title: t("確認の空白", "Coverage gaps"), width: 22},
		{title: t("是正時間（中央値 / 最長）", "Remediation (median / longest)"), width: 25},
	}, rows)
}

func intervalsCell(c history.Control, lang string) string {
	if len(c.Intervals) == 0 {
		return "—"
	}
	s := fmt.Sprintf(tr(lang)("%d 件", "%d"), len(c.Intervals))
	if _, ok := openInterval(c); ok {
		s += tr(lang)("（未解消あり）", " (one open)")
	}
	return s
}

func gapsCell(c history.Control, lang string) string {
	if len(c.Gaps) == 0 {
		return "—"
	}
	return fmt.Sprintf(tr(lang)("%d 件\n最長 %s", "%d\nlongest %s"), len(c.Gaps), durationText(longestGap(c).LengthNS, lang))
}

func periodControl(d *doc, rep *history.Report, c history.Control) {
	t := d.t
	// The heading, the facts, the strip and the first rows of its tables stay on one page.
	if hasIssue(c) {
		d.need(115)
	} else {
		d.need(62)
	}
	d.heading(c.ID+" "+controlTitle(c, d.lang), 1)
	counts := []string{}
	for _, s := range engine.AllStatuses {
		if n := c.Counts[s]; n > 0 {
			counts = append(counts, fmt.Sprintf("%s %d", statusLabel(s, d.lang), n))
		}
	}
	rem := t("是正済みの不適合区間なし", "no interval was closed")
	if c.LongestRemediationNS > 0 {
		rem = fmt.Sprintf(t("中央値 %s、最長 %s", "median %s, longest %s"), durationText(c.MedianRemediationNS, d.lang), durationText(c.LongestRemediationNS, d.lang))
	}
	d.keyValues(40, [][2]string{
		{t("ホワイトペーパーの章", "White-paper section"), or(textLang(c.Section, d.lang), "—")},
		{t("ISO 対応", "ISO mapping"), or(strings.Join(c.Clauses, ", "), "—")},
		{t("重要度 / 頻度", "Severity / frequency"), fmt.Sprintf(t("%s / %s（許容間隔 %s）", "%s / %s (allowed interval %s)"),
			severityLabel(c.Severity, d.lang), frequencyLabel(c.Frequency, d.lang), durationText(c.MaxIntervalNS, d.lang))},
		{t("判定", "Verdicts"), fmt.Sprintf(t("%d 回（%s）", "%d runs (%s)"), c.Runs, or(strings.Join(counts, t("、", ", ")), "—"))},
		{t("適合確認の割合", "Verified passing"), fmt.Sprintf(t("%s（判定のない最長期間 %s）", "%s (longest stretch without a verdict %s)"),
			shareText(c.PassingShare), durationText(c.LongestWithoutRunNS, d.lang))},
		{t("是正時間", "Time to remediate"), rem},
	})
	d.pdf.Ln(1)
	d.strip(rep, c)
	if len(c.Intervals) > 0 {
		periodIntervals(d, c)
	}
	if len(c.Gaps) > 0 {
		var rows [][]cell
		for i, g := range c.Gaps {
			from, to := runTimeText(g.From, g.FromRun), runTimeText(g.To, g.ToRun)
			if g.FromRun == "" {
				from = formatTime(g.From) + "\n" + t("（期間の開始）", "(period start)")
			}
			if g.ToRun == "" {
				to = formatTime(g.To) + "\n" + t("（期間の終了）", "(period end)")
			}
			rows = append(rows, []cell{{text: fmt.Sprint(i + 1)}, {text: from}, {text: to}, {text: joinNonEmpty("\n", gapText(g, d.lang), gapUntrusted(g, d.lang))}})
		}
		d.table([]column{
			{title: t("空白", "Gap"), width: 12},
			{title: t("開始（直前の判定）", "From (last verdict)"), width: 50},
			{title: t("終了（次の判定）", "To (next verdict)"), width: 50},
			{title: t("長さ", "Length"), width: 66},
		}, rows)
	}
	d.pdf.Ln(2)
}

func periodIntervals(d *doc, c history.Control) {
	t := d.t
	var rows [][]cell
	for i, iv := range c.Intervals {
		fixed := t("未解消", "still open")
		if iv.FixedAt != nil {
			fixed = runTimeText(*iv.FixedAt, iv.FixedIn) + "\n" + fmt.Sprintf(t("是正まで %s", "fixed after %s"), durationText(iv.TimeToRemediateNS, d.lang))
		}
		rows = append(rows, []cell{{text: fmt.Sprint(i + 1)}, ivCell(iv.Status, d.lang),
			{text: runTimeText(iv.FirstFailing, iv.FirstFailingIn)}, {text: runTimeText(iv.LastFailing, iv.LastFailingIn)},
			{text: fixed}, {text: durationText(iv.DurationNS, d.lang) + "\n" + fmt.Sprintf(t("%d 回", "%d runs"), iv.Runs)}})
	}
	d.table([]column{
		{title: "#", width: 8},
		{title: t("判定", "Status"), width: 20},
		{title: t("最初の不適合（実行）", "First failing (run)"), width: 40, size: 6.5},
		{title: t("最後の不適合（実行）", "Last failing (run)"), width: 40, size: 6.5},
		{title: t("是正（適合に戻った実行）", "Fixed at (run)"), width: 44, size: 6.5},
		{title: t("期間", "Duration"), width: 26},
	}, rows)
	rows = rows[:0]
	for i, iv := range c.Intervals {
		for _, f := range iv.Findings {
			ev := "—"
			if f.EvidenceDigest != "" {
				ev = joinNonEmpty("\n", f.EvidenceDigest, f.EvidencePath, f.EvidencePointer)
			}
			runs := f.FirstRun
			if f.LastRun != f.FirstRun {
				runs += " –\n" + f.LastRun
			}
			rows = append(rows, []cell{{text: fmt.Sprint(i + 1)}, {text: joinNonEmpty("\n", f.Resource, f.Code)},
				{text: LocalTimes(textLang(f.Message, d.lang))}, {text: runs}, {text: ev}})
		}
	}
	if len(rows) == 0 {
		return
	}
	d.table([]column{
		{title: "#", width: 8},
		{title: t("対象 / コード", "Resource / code"), width: 40},
		{title: t("内容", "Message"), width: 54},
		{title: t("実行（初出 – 最後）", "Runs (first – last)"), width: 34, size: 7},
		{title: t("証跡（初出の実行）", "Evidence (first run)"), width: 42, size: 6.5},
	}, rows)
}

func periodRuns(d *doc, rep *history.Report) {
	t := d.t
	d.pdf.AddPage()
	d.heading(t("3. 実行一覧", "3. Runs"), 0)
	d.text(fmt.Sprintf(t("期間中に開始した実行 %d 件（古い順）。信頼できない実行の判定は使っていません。", "The %d runs that started in the period, oldest first. The verdicts of untrusted runs are not used."), len(rep.Runs)), 0)
	d.pdf.Ln(1)
	problems := map[string][]string{}
	for _, p := range rep.Problems {
		problems[p.RunID] = append(problems[p.RunID], problemLabel(p.Kind, d.lang))
	}
	var rows [][]cell
	for _, r := range rep.Runs {
		trusted := t("はい", "yes")
		if !r.Trusted {
			trusted = t("いいえ", "no") + "\n" + strings.Join(problems[r.ID], "\n")
		}
		var parts []string
		for _, s := range engine.AllStatuses {
			if n := r.Summary[s]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", statusLabel(s, d.lang), n))
			}
		}
		rows = append(rows, []cell{{text: r.ID}, {text: formatTime(r.StartedAt)}, {text: runStateLabel(r.State, d.lang)},
			{text: trusted}, {text: or(strings.Join(parts, t("、", ", ")), "—")}})
	}
	d.table([]column{
		{title: t("実行 ID", "Run id"), width: 46, size: 7},
		{title: t("開始", "Started"), width: 34, size: 7.5},
		{title: t("状態", "State"), width: 24},
		{title: t("信頼", "Trusted"), width: 20},
		{title: t("判定の内訳", "Verdicts"), width: 54, size: 7.5},
	}, rows)
}

// Strip geometry (millimetres): a label column, then the period from left to right.
const (
	stripLabelW = 24.0
	stripRowH   = 6.0
	stripMarkH  = 2.6
)

// strip draws a control's timeline: the verdict row (one cell per trusted run, coloured by
// status, spanning until the next run or the allowed interval, grey where nothing was verified,
// a grey triangle above each untrusted run), a row of failing intervals as bars and a row of
// coverage gaps as hatched boxes, over a date axis.
func (d *doc) strip(rep *history.Report, c history.Control) {
	t := d.t
	start, end := rep.Period.Start, rep.Period.End
	x0, w := marginX+stripLabelW, contentW-stripLabelW
	xOf := func(at time.Time) float64 {
		if at.Before(start) {
			at = start
		}
		if at.After(end) {
			at = end
		}
		return x0 + w*float64(at.Sub(start))/float64(end.Sub(start))
	}
	total := 3 + stripRowH + 1 + 2*(stripMarkH+1) + 5
	d.need(total)
	y := d.pdf.GetY() + 3
	size := d.size
	d.setSize(7)
	label := func(y, h float64, s string) {
		d.pdf.SetTextColor(90, 90, 90)
		d.pdf.SetXY(marginX, y)
		d.pdf.CellFormat(stripLabelW-1.5, h, d.clip(s, stripLabelW-1.5), "", 0, "R", false, 0, "")
		d.pdf.SetTextColor(0, 0, 0)
	}

	// Untrusted runs: a triangle above the strip at each one's start.
	d.pdf.SetFillColor(80, 80, 80)
	for _, r := range rep.Runs {
		if r.Trusted {
			continue
		}
		x := xOf(r.StartedAt)
		d.pdf.Polygon(fpdfPoints{{x - 1, y - 2.2}, {x + 1, y - 2.2}, {x, y - 0.4}}.pts(), "F")
	}

	label(y, stripRowH, t("判定", "Verdict"))
	d.pdf.SetFillColor(225, 225, 225)
	d.pdf.Rect(x0, y, w, stripRowH, "F")
	for i, p := range c.Timeline {
		until := end
		if i+1 < len(c.Timeline) {
			until = c.Timeline[i+1].At
		}
		if c.MaxIntervalNS > 0 && p.At.Add(c.MaxIntervalNS).Before(until) {
			until = p.At.Add(c.MaxIntervalNS)
		}
		col := statusColor(p.Status)
		d.pdf.SetFillColor(col[0], col[1], col[2])
		xa, xb := xOf(p.At), xOf(until)
		d.pdf.Rect(xa, y, max(xb-xa, 0.35), stripRowH, "F")
		// A thin white line at each run's start keeps one cell per run visible.
		if i > 0 && xb-xa > 1 {
			d.pdf.SetDrawColor(255, 255, 255)
			d.pdf.SetLineWidth(0.15)
			d.pdf.Line(xa, y, xa, y+stripRowH)
		}
	}
	d.pdf.SetLineWidth(0.2)
	d.pdf.SetDrawColor(150, 150, 150)
	d.pdf.Rect(x0, y, w, stripRowH, "D")

	yi := y + stripRowH + 1
	label(yi-0.6, stripMarkH+1, t("不適合区間", "Failing"))
	for _, iv := range c.Intervals {
		// An open interval is drawn as long as the history saw it (DurationNS), not to the
		// period's end, which may lie in the future.
		until := iv.FirstFailing.Add(iv.DurationNS)
		if iv.FixedAt != nil {
			until = *iv.FixedAt
		}
		col := statusColor(engine.StatusFail)
		d.pdf.SetFillColor(col[0]*3/4, col[1]*3/4, col[2]*3/4)
		xa, xb := xOf(iv.FirstFailing), xOf(until)
		d.pdf.Rect(xa, yi, max(xb-xa, 0.6), stripMarkH, "F")
	}
	yg := yi + stripMarkH + 1
	label(yg-0.6, stripMarkH+1, t("確認の空白", "Gap"))
	for _, g := range c.Gaps {
		d.hatch(xOf(g.From), yg, xOf(g.To)-xOf(g.From), stripMarkH)
	}
	d.pdf.SetDrawColor(200, 200, 200)
	d.pdf.Line(x0, yi+stripMarkH+0.5, x0+w, yi+stripMarkH+0.5)
	d.pdf.Line(x0, yg+stripMarkH+0.5, x0+w, yg+stripMarkH+0.5)

	// The axis: the period's first and last day, and the first of each month between.
	ya := yg + stripMarkH + 1
	d.setSize(6.5)
	d.pdf.SetTextColor(90, 90, 90)
	type tick struct {
		x, lx, w float64
		s        string
	}
	var shown []tick
	ticks := axisTicks(start, end)
	for i, tk := range ticks {
		s := formatDate(tk)
		if i == len(ticks)-1 {
			s = formatDate(end.Add(-time.Nanosecond)) // the period's last day, not the next one
		}
		x := xOf(tk)
		sw := d.pdf.GetStringWidth(s)
		tc := tick{x: x, lx: min(max(x-sw/2, x0), x0+w-sw), w: sw, s: s}
		// A label that would touch the one before is left out; the last day always shows, so the
		// label before it gives way.
		for len(shown) > 1 && i == len(ticks)-1 && shown[len(shown)-1].lx+shown[len(shown)-1].w+2 > tc.lx {
			shown = shown[:len(shown)-1]
		}
		if len(shown) > 0 && shown[len(shown)-1].lx+shown[len(shown)-1].w+2 > tc.lx {
			continue
		}
		shown = append(shown, tc)
	}
	d.pdf.SetDrawColor(150, 150, 150)
	for _, tc := range shown {
		d.pdf.Line(tc.x, ya-0.8, tc.x, ya)
		d.pdf.SetXY(tc.lx, ya)
		d.pdf.CellFormat(tc.w, 3, tc.s, "", 0, "L", false, 0, "")
	}
	d.pdf.SetTextColor(0, 0, 0)
	d.setSize(size)
	d.pdf.SetXY(marginX, ya+5)
}

// fpdfPoint is a point for Polygon, kept local so the strip reads as coordinates.
type fpdfPoint [2]float64

type fpdfPoints []fpdfPoint

func (ps fpdfPoints) pts() []fpdf.PointType {
	out := make([]fpdf.PointType, len(ps))
	for i, p := range ps {
		out[i] = fpdf.PointType{X: p[0], Y: p[1]}
	}
	return out
}

// hatch draws a box with red diagonal hatching: a coverage gap.
func (d *doc) hatch(x, y, w, h float64) {
	if w < 0.6 {
		w = 0.6
	}
	d.pdf.SetFillColor(255, 236, 230)
	d.pdf.Rect(x, y, w, h, "F")
	d.pdf.ClipRect(x, y, w, h, false)
	d.pdf.SetDrawColor(198, 40, 40)
	d.pdf.SetLineWidth(0.2)
	for xx := x - h; xx < x+w; xx += 1.2 {
		d.pdf.Line(xx, y+h, xx+h, y)
	}
	d.pdf.ClipEnd()
	d.pdf.Rect(x, y, w, h, "D")
}

// axisTicks are the period's start, the first day (JST) of each month inside it, and its end.
func axisTicks(start, end time.Time) []time.Time {
	out := []time.Time{start}
	s := start.In(calendar.JST)
	m := time.Date(s.Year(), s.Month()+1, 1, 0, 0, 0, 0, calendar.JST)
	// A period of a few weeks gets weekly ticks instead, so the axis is not empty.
	step := func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	if end.Sub(start) <= 62*24*time.Hour {
		m = time.Date(s.Year(), s.Month(), s.Day()+7, 0, 0, 0, 0, calendar.JST)
		step = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	}
	for ; m.Before(end); m = step(m) {
		if end.Sub(m) > 24*time.Hour {
			out = append(out, m)
		}
	}
	return append(out, end)
}

// stripLegend explains the strip's marks once, before the controls.
func (d *doc) stripLegend() {
	d.need(10)
	d.setSize(7.5)
	x, y := marginX, d.pdf.GetY()
	swatch := func(label string, draw func(x, y float64)) {
		draw(x, y+1)
		w := d.pdf.GetStringWidth(label) + 2
		d.pdf.SetXY(x+5, y)
		d.pdf.CellFormat(w, 5, label, "", 0, "L", false, 0, "")
		x += w + 8
		if x > pageW-marginX-30 {
			x, y = marginX, y+5
		}
	}
	for _, s := range []string{engine.StatusPass, engine.StatusFail, engine.StatusError, engine.StatusAttested, engine.StatusWaived, engine.StatusNotApplicable} {
		col := statusColor(s)
		swatch(statusLabel(s, d.lang), func(x, y float64) {
			d.pdf.SetFillColor(col[0], col[1], col[2])
			d.pdf.Rect(x, y, 4, 3, "F")
		})
	}
	swatch(d.t("未確認", "Not verified"), func(x, y float64) {
		d.pdf.SetFillColor(225, 225, 225)
		d.pdf.Rect(x, y, 4, 3, "F")
	})
	swatch(d.t("不適合区間", "Failing interval"), func(x, y float64) {
		d.pdf.SetFillColor(148, 30, 30)
		d.pdf.Rect(x, y+0.5, 4, 2, "F")
	})
	swatch(d.t("確認の空白", "Coverage gap"), func(x, y float64) { d.hatch(x, y, 4, 3) })
	swatch(d.t("信頼できない実行", "Untrusted run"), func(x, y float64) {
		d.pdf.SetFillColor(80, 80, 80)
		d.pdf.Polygon(fpdfPoints{{x + 1, y}, {x + 3, y}, {x + 2, y + 2.5}}.pts(), "F")
	})
	d.setSize(bodyPt)
	d.pdf.SetXY(marginX, y+8)
}
