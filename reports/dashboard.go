package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/history"
)

// DashboardFileName is the dashboard's page inside the directory WriteDashboard writes.
const DashboardFileName = "index.html"

//go:embed dashboard.html.tmpl
var dashboardTemplate string

// WriteDashboard writes the static HTML dashboard of a history report into dir (created if
// missing) as index.html: one self-contained page (inline CSS, inline SVG, a few lines of plain
// JavaScript for the filters) that works opened from disk, with no server and no network.
//
// Links: every finding names its run and links to that run's row in the page's own list of runs
// (#run-<id>), and prints the evidence digest, path and JSON pointer as text. The page does not
// link into the store's runs/ directory: where the dashboard is written relative to the store is
// the caller's choice, so such a link could point nowhere.
func WriteDashboard(dir string, rep *history.Report) error {
	var b bytes.Buffer
	if err := RenderDashboard(&b, rep); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	path := filepath.Join(dir, DashboardFileName)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("dashboard: write %s: %w", path, err)
	}
	return nil
}

// RenderDashboard writes the dashboard page of a history report to w.
func RenderDashboard(w io.Writer, rep *history.Report) error {
	if err := CheckHistory(rep); err != nil {
		return err
	}
	tmpl, err := template.New("dashboard").Funcs(template.FuncMap{"bi": biT}).Parse(dashboardTemplate)
	if err != nil {
		return fmt.Errorf("dashboard: parse the template: %w", err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, dashboardView(rep)); err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// bi is a text in both languages; the page shows one, chosen by its language switch.
type bi struct{ JA, EN string }

func biOf(f func(lang string) string) bi { return bi{JA: f("ja"), EN: f("en")} }

func biT(ja, en string) bi { return bi{JA: ja, EN: en} }

// Text for an option or an SVG tooltip, where markup cannot choose a language: both, once if equal.
func (b bi) Both() string {
	if b.JA == b.EN {
		return b.JA
	}
	return b.JA + " / " + b.EN
}

type dashView struct {
	Title       bi
	Period      string
	Store       string
	KeyID       string
	Verified    bi
	Summary     history.Summary
	Controls    []dashControl
	Runs        []dashRun
	Problems    []dashProblem
	Statuses    []dashStatus // every status, for the legends
	Filters     []dashOption // status filter options
	Chapters    []dashOption
	Clauses     []dashOption
	Trend       dashTrend
	Legend      dashLegend
	ViewW       int
	Summaries   []bi
	GeneratedAt string
}

type dashStatus struct {
	Key   string
	Label bi
	Color string
}

type dashOption struct {
	Key   string
	Label bi
}

type dashRun struct {
	ID, Start, End string
	State          bi
	Trusted        bool
	Problems       []bi
	Verdicts       bi
	Digest         string
	DigestShort    string
}

type dashProblem struct {
	RunID  string
	Kind   bi
	Detail bi
}

type dashRect struct {
	X, W  string
	Color string
	Title string
	// Sep draws a white line at the cell's start, when cells are wide enough for one to help
	// (a year of daily runs would turn grey with them).
	Sep bool
}

type dashTick struct {
	Left  string // percent
	Label string
	Align string
}

type dashStrip struct {
	Cells     []dashRect
	Intervals []dashRect
	Gaps      []dashRect
	Untrusted []dashRect
	Ticks     []dashTick
}

type dashControl struct {
	ID           string
	Title        bi
	Section      bi
	Chapter      string
	ClauseKeys   string
	Clauses      []string
	Tokens       string
	LastStatus   string
	LastLabel    bi
	LastColor    string
	Share        string
	Runs         int
	Frequency    bi
	Severity     bi
	Counts       bi
	Remediation  bi
	LongestNoRun bi
	Strip        dashStrip
	Intervals    []dashInterval
	Gaps         []dashGap
	IntervalsN   int
	GapsN        int
	Open         bool
}

type dashInterval struct {
	N                     int
	Status                bi
	Color                 string
	First, FirstRun       string
	Last, LastRun         string
	Fixed, FixedRun       string
	Open                  bool
	Duration, ToRemediate bi
	Runs                  int
	Findings              []dashFinding
}

type dashFinding struct {
	Resource, Code    string
	Message           bi
	FirstRun, LastRun string
	Digest, Path      string
	Pointer           string
}

type dashGap struct {
	N             int
	From, FromRun string
	To, ToRun     string
	Length        bi
}

type dashTrend struct {
	Columns []dashColumn
	Max     int
	Ticks   []dashTick
}

type dashColumn struct {
	X, W      string
	Segs      []dashSeg
	Untrusted bool
	Title     string
}

type dashSeg struct {
	Y, H  string
	Color string
}

type dashLegend struct {
	NotVerified, Interval, Gap, Untrusted bi
}

// viewW is the width of the SVG coordinate system; the SVGs stretch to the page's width.
const viewW = 1000.0

func num(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

func cssColor(status string) string {
	c := statusColor(status)
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2])
}

func dashboardView(rep *history.Report) dashView {
	start, end := rep.Period.Start, rep.Period.End
	xOf := func(at time.Time) float64 {
		if at.Before(start) {
			at = start
		}
		if at.After(end) {
			at = end
		}
		return viewW * float64(at.Sub(start)) / float64(end.Sub(start))
	}
	v := dashView{
		Title:    biT("統制運用 期間ダッシュボード", "Control Operation Period Dashboard"),
		Period:   periodText(rep.Period),
		Store:    rep.Store,
		KeyID:    rep.KeyID,
		Verified: biOf(func(l string) string { return verifiedText(rep.Verified, l) }),
		Summary:  rep.Summary,
		ViewW:    int(viewW),
		Legend: dashLegend{NotVerified: biT("未確認", "Not verified"), Interval: biT("不適合区間", "Failing interval"),
			Gap: biT("確認の空白", "Coverage gap"), Untrusted: biT("信頼できない実行", "Untrusted run")},
		GeneratedAt: formatTime(createdAtOf(rep)),
	}
	v.Summaries = zipBi(summarySentences(rep, "ja"), summarySentences(rep, "en"))

	// Untrusted runs are marked on every control's strip.
	var untrusted []dashRect
	problems := map[string][]bi{}
	for _, p := range rep.Problems {
		problems[p.RunID] = append(problems[p.RunID], biOf(func(l string) string { return problemLabel(p.Kind, l) }))
		v.Problems = append(v.Problems, dashProblem{RunID: p.RunID, Kind: biOf(func(l string) string { return problemLabel(p.Kind, l) }),
			Detail: biOf(func(l string) string { return problemDetail(p, l) })})
	}
	for _, r := range rep.Runs {
		if !r.Trusted {
			untrusted = append(untrusted, dashRect{X: num(xOf(r.StartedAt)), Title: r.ID + " " + formatTime(r.StartedAt)})
		}
		end := ""
		if !r.EndedAt.IsZero() {
			end = formatTime(r.EndedAt)
		}
		v.Runs = append(v.Runs, dashRun{ID: r.ID, Start: formatTime(r.StartedAt), End: end, Trusted: r.Trusted,
			State: biOf(func(l string) string { return runStateLabel(r.State, l) }), Problems: problems[r.ID],
			Verdicts: biOf(func(l string) string { return verdictCounts(r.Summary, l) }),
			Digest:   r.StatementDigest, DigestShort: shortDigest(r.StatementDigest)})
	}
	ticks := dashTicks(start, end, xOf)
	seenStatus := map[string]bool{}
	chapters := map[string]bool{}
	clauses := map[string]bool{}
	var anyInterval, anyOpen, anyGap bool
	for _, c := range issuesFirst(rep.Controls) {
		dc := dashControl{ID: c.ID, Title: biOf(func(l string) string { return controlTitle(c, l) }),
			Section: biOf(func(l string) string { return textLang(c.Section, l) }), LastStatus: c.LastStatus,
			LastLabel: biOf(func(l string) string { return statusLabel(c.LastStatus, l) }), LastColor: cssColor(c.LastStatus),
			Share: shareText(c.PassingShare), Runs: c.Runs, Clauses: c.Clauses,
			Frequency: biOf(func(l string) string {
				return fmt.Sprintf(tr(l)("%s（許容間隔 %s）", "%s (allowed interval %s)"), frequencyLabel(c.Frequency, l), durationText(c.MaxIntervalNS, l))
			}),
			Severity: biOf(func(l string) string { return severityLabel(c.Severity, l) }),
			Counts: biOf(func(l string) string {
				return fmt.Sprintf(tr(l)("%d 回（%s）", "%d (%s)"), c.Runs, verdictCounts(c.Counts, l))
			}),
			LongestNoRun: biOf(func(l string) string { return durationText(c.LongestWithoutRunNS, l) }),
			Remediation: biOf(func(l string) string {
				if c.LongestRemediationNS == 0 {
					return "—"
				}
				return fmt.Sprintf(tr(l)("中央値 %s、最長 %s", "median %s, longest %s"), durationText(c.MedianRemediationNS, l), durationText(c.LongestRemediationNS, l))
			}),
			IntervalsN: len(c.Intervals), GapsN: len(c.Gaps)}
		if c.LastStatus == "" {
			dc.LastLabel, dc.LastColor = biT("判定なし", "No verdict"), "#757575"
		}
		key, _ := chapterOf(c.Section)
		dc.Chapter = key
		chapters[key] = true
		keys, _ := clauseGroupsOf(c, "ja")
		dc.ClauseKeys = strings.Join(keys, " ")
		for _, k := range keys {
			clauses[k] = true
		}
		var tokens []string
		for _, s := range engine.AllStatuses {
			if c.Counts[s] > 0 {
				tokens = append(tokens, s)
				seenStatus[s] = true
			}
		}
		if len(c.Intervals) > 0 {
			tokens, anyInterval = append(tokens, "interval"), true
		}
		if _, ok := openInterval(c); ok {
			tokens, anyOpen, dc.Open = append(tokens, "open"), true, true
		}
		if len(c.Gaps) > 0 {
			tokens, anyGap = append(tokens, "gap"), true
		}
		dc.Tokens = strings.Join(tokens, " ")

		// The strip: one cell per trusted run, until the next run or the allowed interval.
		for i, p := range c.Timeline {
			until := end
			if i+1 < len(c.Timeline) {
				until = c.Timeline[i+1].At
			}
			if c.MaxIntervalNS > 0 && p.At.Add(c.MaxIntervalNS).Before(until) {
				until = p.At.Add(c.MaxIntervalNS)
			}
			xa, xb := xOf(p.At), xOf(until)
			dc.Strip.Cells = append(dc.Strip.Cells, dashRect{X: num(xa), W: num(max(xb-xa, 1)), Color: cssColor(p.Status), Sep: xb-xa >= 5,
				Title: fmt.Sprintf("%s %s: %s", p.RunID, formatTime(p.At), biOf(func(l string) string { return statusLabel(p.Status, l) }).Both())})
		}
		for i, iv := range c.Intervals {
			// An open interval is drawn as long as the history saw it (DurationNS), not to the
			// period's end, which may lie in the future.
			until := iv.FirstFailing.Add(iv.DurationNS)
			if iv.FixedAt != nil {
				until = *iv.FixedAt
			}
			xa, xb := xOf(iv.FirstFailing), xOf(until)
			dur := biOf(func(l string) string { return durationText(iv.DurationNS, l) })
			dc.Strip.Intervals = append(dc.Strip.Intervals, dashRect{X: num(xa), W: num(max(xb-xa, 2)),
				Title: fmt.Sprintf("#%d %s – %s (%s)", i+1, formatTime(iv.FirstFailing), fixedText(iv), dur.Both())})
			di := dashInterval{N: i + 1, Status: biOf(func(l string) string { return intervalStatusLabel(iv.Status, l) }), Color: cssColor(ivBadge(iv.Status)),
				First: formatTime(iv.FirstFailing), FirstRun: iv.FirstFailingIn, Last: formatTime(iv.LastFailing), LastRun: iv.LastFailingIn,
				Open: iv.FixedAt == nil, Duration: dur, Runs: iv.Runs,
				ToRemediate: biOf(func(l string) string { return durationText(iv.TimeToRemediateNS, l) })}
			if iv.FixedAt != nil {
				di.Fixed, di.FixedRun = formatTime(*iv.FixedAt), iv.FixedIn
			}
			for _, f := range iv.Findings {
				di.Findings = append(di.Findings, dashFinding{Resource: f.Resource, Code: f.Code,
					Message:  bi{JA: LocalTimes(textLang(f.Message, "ja")), EN: LocalTimes(textLang(f.Message, "en"))},
					FirstRun: f.FirstRun, LastRun: f.LastRun, Digest: f.EvidenceDigest, Path: f.EvidencePath, Pointer: f.EvidencePointer})
			}
			dc.Intervals = append(dc.Intervals, di)
		}
		for i, g := range c.Gaps {
			xa, xb := xOf(g.From), xOf(g.To)
			length := biOf(func(l string) string { return joinNonEmpty("; ", gapText(g, l), gapUntrusted(g, l)) })
			dc.Strip.Gaps = append(dc.Strip.Gaps, dashRect{X: num(xa), W: num(max(xb-xa, 2)),
				Title: fmt.Sprintf("%s – %s: %s", formatTime(g.From), formatTime(g.To), length.Both())})
			dc.Gaps = append(dc.Gaps, dashGap{N: i + 1, From: formatTime(g.From), FromRun: g.FromRun, To: formatTime(g.To), ToRun: g.ToRun, Length: length})
		}
		dc.Strip.Untrusted = untrusted
		dc.Strip.Ticks = ticks
		v.Controls = append(v.Controls, dc)
	}

	for _, r := range rep.Runs {
		for s, n := range r.Summary {
			if n > 0 {
				seenStatus[s] = true
			}
		}
	}
	// The legends and the filters show only the statuses that occur, so no choice shows an empty
	// page and not applicable and not in scope (both grey) are not side by side for nothing.
	for _, s := range engine.AllStatuses {
		if seenStatus[s] {
			v.Statuses = append(v.Statuses, dashStatus{Key: s, Label: biOf(func(l string) string { return statusLabel(s, l) }), Color: cssColor(s)})
		}
	}
	for _, s := range engine.AllStatuses {
		if seenStatus[s] {
			v.Filters = append(v.Filters, dashOption{Key: s, Label: biOf(func(l string) string {
				return fmt.Sprintf(tr(l)("期間中に「%s」", "%s in some run"), statusLabel(s, l))
			})})
		}
	}
	if anyInterval {
		v.Filters = append(v.Filters, dashOption{Key: "interval", Label: biT("不適合区間あり", "With a failing interval")})
	}
	if anyOpen {
		v.Filters = append(v.Filters, dashOption{Key: "open", Label: biT("未解消の不適合区間あり", "With an open failing interval")})
	}
	if anyGap {
		v.Filters = append(v.Filters, dashOption{Key: "gap", Label: biT("確認の空白あり", "With a coverage gap")})
	}
	for i, ch := range paperStructure {
		if key := fmt.Sprintf("ch%02d", i+1); chapters[key] {
			v.Chapters = append(v.Chapters, dashOption{Key: key, Label: bi{JA: ch.Title.JA, EN: ch.Title.EN}})
		}
	}
	if chapters["other"] {
		v.Chapters = append(v.Chapters, dashOption{Key: "other", Label: biT("白書にない節", "Sections not in the paper")})
	}
	v.Clauses = clauseOptions(rep.Controls, clauses)
	v.Trend = dashTrendOf(rep, xOf)
	return v
}

// clauseOptions lists the clause groups that occur, in clause order.
func clauseOptions(cs []history.Control, present map[string]bool) []dashOption {
	labels := map[string]bi{}
	for _, c := range cs {
		kj, lj := clauseGroupsOf(c, "ja")
		_, le := clauseGroupsOf(c, "en")
		for i, k := range kj {
			labels[k] = bi{JA: lj[i], EN: le[i]}
		}
	}
	var out []dashOption
	for _, k := range sortedKeys(present) {
		out = append(out, dashOption{Key: k, Label: labels[k]})
	}
	return out
}

func zipBi(ja, en []string) []bi {
	out := make([]bi, len(ja))
	for i := range ja {
		out[i] = bi{JA: ja[i], EN: en[i]}
	}
	return out
}

// verdictCounts writes counts per status in report order ("適合 24、不適合 4").
func verdictCounts(counts map[string]int, lang string) string {
	var parts []string
	for _, s := range engine.AllStatuses {
		if n := counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", statusLabel(s, lang), n))
		}
	}
	return or(strings.Join(parts, tr(lang)("、", ", ")), "—")
}

func fixedText(iv history.Interval) string {
	if iv.FixedAt == nil {
		return "open / 未解消"
	}
	return formatTime(*iv.FixedAt)
}

// dashTicks are the axis labels of a strip, in percent of its width; a label that would crowd
// the one before is left out, the period's last day always shows.
func dashTicks(start, end time.Time, xOf func(time.Time) float64) []dashTick {
	ticks := axisTicks(start, end)
	const minGap = 90.0 // of viewW, about a date's width on a narrow screen
	var out []dashTick
	var xs []float64
	for i, tk := range ticks {
		label, align := formatDate(tk), "mid"
		switch i {
		case 0:
			align = "start"
		case len(ticks) - 1:
			label, align = formatDate(end.Add(-time.Nanosecond)), "end"
		}
		x := xOf(tk)
		if i == len(ticks)-1 {
			for len(out) > 1 && x-xs[len(xs)-1] < minGap {
				out, xs = out[:len(out)-1], xs[:len(xs)-1]
			}
		} else if len(xs) > 0 && x-xs[len(xs)-1] < minGap {
			continue
		}
		out = append(out, dashTick{Left: num(x / viewW * 100), Label: label, Align: align})
		xs = append(xs, x)
	}
	return out
}

// dashTrendOf is the trend chart: per run, a stacked column of the controls in each status
// (from the run's results.json summary); an untrusted run is a hatched grey column.
func dashTrendOf(rep *history.Report, xOf func(time.Time) float64) dashTrend {
	const height = 140.0
	trend := dashTrend{Max: 1}
	for _, r := range rep.Runs {
		n := 0
		for _, s := range engine.AllStatuses {
			n += r.Summary[s]
		}
		trend.Max = max(trend.Max, n)
	}
	colW := viewW / float64(max(len(rep.Runs), 1)) * 0.7
	colW = min(colW, 40)
	for _, r := range rep.Runs {
		x := min(max(xOf(r.StartedAt)-colW/2, 0), viewW-colW)
		col := dashColumn{X: num(x), W: num(colW), Untrusted: !r.Trusted}
		if !r.Trusted {
			col.Title = r.ID + " " + formatTime(r.StartedAt) + ": " + biT("信頼できない実行", "untrusted run").Both()
			trend.Columns = append(trend.Columns, col)
			continue
		}
		y := height
		for _, s := range engine.AllStatuses {
			n := r.Summary[s]
			if n == 0 {
				continue
			}
			h := height * float64(n) / float64(trend.Max)
			y -= h
			col.Segs = append(col.Segs, dashSeg{Y: num(y), H: num(h), Color: cssColor(s)})
		}
		col.Title = r.ID + " " + formatTime(r.StartedAt) + ": " + biOf(func(l string) string { return verdictCounts(r.Summary, l) }).Both()
		trend.Columns = append(trend.Columns, col)
	}
	trend.Ticks = dashTicks(rep.Period.Start, rep.Period.End, xOf)
	return trend
}
