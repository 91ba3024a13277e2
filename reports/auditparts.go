package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/shoko-audit/shoko/engine"
)

// This file holds the parts of the audit report that summarise: the controls needing action, the
// change since the previous run, counts per chapter, evidence grouped per kind and the manifest.

// needsAction is true for the controls the committee must act on.
func needsAction(it item) bool {
	return it.Result.Status == engine.StatusFail || it.Result.Status == engine.StatusError
}

// actionItems are the failing controls, then the erroring ones, each in id order.
func actionItems(items []item) []item {
	var out []item
	for _, status := range []string{engine.StatusFail, engine.StatusError} {
		for _, it := range items {
			if it.Result.Status == status {
				out = append(out, it)
			}
		}
	}
	return out
}

// failingFindings are a control's failing findings, in results order.
func failingFindings(r engine.ControlResult) []engine.Finding {
	var out []engine.Finding
	for _, f := range r.Findings {
		if f.Status == engine.StatusFail {
			out = append(out, f)
		}
	}
	return out
}

// failingResources names the resources of a control's failing findings: up to three, then how
// many more. An erroring control has none; its reason says what is missing.
func failingResources(it item, lang string) string {
	t := tr(lang)
	seen := map[string]bool{}
	var names []string
	for _, f := range failingFindings(it.Result) {
		if !seen[f.Resource] {
			seen[f.Resource] = true
			names = append(names, f.Resource)
		}
	}
	if len(names) == 0 {
		return ""
	}
	const shown = 3
	s := strings.Join(names[:min(len(names), shown)], t("、", ", "))
	if len(names) > shown {
		s += fmt.Sprintf(t(" ほか %d 件", " and %d more"), len(names)-shown)
	}
	return s
}

// oneLine says in one sentence what is wrong: the first failing finding's message, or the
// control's reason when it has none (an error).
func oneLine(it item, lang string) string {
	if fs := failingFindings(it.Result); len(fs) > 0 {
		return fs[0].Message.Lang(lang)
	}
	return it.Result.Reason.Lang(lang)
}

// expiredExceptions counts the exceptions that did not apply.
func expiredExceptions(res *engine.Results) int {
	n := 0
	for _, e := range res.Exceptions {
		if e.State != engine.ExceptionApplied {
			n++
		}
	}
	return n
}

// auditChanges writes what changed since the previous run of the chain: each control whose
// status differs, and controls added or removed. Without the previous run's results it says so
// rather than implying nothing changed.
func auditChanges(d *doc, in *Input, items []item) {
	t := d.t
	d.heading(t("前回の実行からの変化", "Changes since the previous run"), 1)
	prev := in.Previous
	if prev == nil {
		if in.Run.PreviousRunID != "" {
			d.text(fmt.Sprintf(t("前回の実行 %s の結果が入力にないため、比較していません。",
				"The previous run %s's results were not given, so nothing is compared."), in.Run.PreviousRunID), 0)
		} else {
			d.text(t("前回の実行の結果が入力にないため、比較していません。",
				"No previous run's results were given, so nothing is compared."), 0)
		}
		d.pdf.Ln(2)
		return
	}
	before := map[string]string{}
	for _, c := range prev.Controls {
		before[c.ID] = c.Status
	}
	var rows [][]cell
	now := map[string]bool{}
	for _, it := range items {
		id := it.Result.ID
		now[id] = true
		was, ok := before[id]
		switch {
		case !ok:
			rows = append(rows, []cell{{text: id}, {text: titleOf(it, d.lang)}, {text: t("（新規）", "(new)")}, {status: it.Result.Status}})
		case was != it.Result.Status:
			rows = append(rows, []cell{{text: id}, {text: titleOf(it, d.lang)}, {status: was}, {status: it.Result.Status}})
		}
	}
	for _, c := range prev.Controls {
		if !now[c.ID] {
			rows = append(rows, []cell{{text: c.ID}, {text: c.Title.Lang(d.lang)}, {status: c.Status}, {text: t("（評価対象外）", "(not evaluated)")}})
		}
	}
	if len(rows) == 0 {
		d.text(fmt.Sprintf(t("前回の実行 %s から判定の変わった統制はありません。", "No control's status changed since the previous run %s."), prev.RunID), 0)
		d.pdf.Ln(2)
		return
	}
	d.text(fmt.Sprintf(t("前回の実行 %s から判定の変わった統制:", "Controls whose status changed since the previous run %s:"), prev.RunID), 0)
	d.pdf.Ln(1)
	d.table([]column{
		{title: "ID", width: 18},
		{title: t("統制", "Control"), width: 100},
		{title: t("前回", "Before"), width: 30},
		{title: t("今回", "Now"), width: 30},
	}, rows)
}

// chapterGroup is a chapter of the white paper with the controls filed under its sections.
type chapterGroup struct {
	Title engine.Text
	Items []item
}

// byChapter groups items by the paper's chapters, in the paper's order; controls whose section
// the paper lacks come last as "other".
func byChapter(items []item) []chapterGroup {
	var out []chapterGroup
	index := map[string]int{}
	for _, g := range bySection(items, false) {
		title := g.Chapter
		if title.JA == "" {
			title = txt("白書にない節", "Sections not in the paper")
		}
		i, ok := index[title.JA]
		if !ok {
			i = len(out)
			index[title.JA] = i
			out = append(out, chapterGroup{Title: title})
		}
		out[i].Items = append(out[i].Items, g.Items...)
	}
	return out
}

// countRow is one row of a count table: a label and the controls it counts.
type countRow struct {
	label string
	items []item
}

// countTable writes, per row, the number of controls in each status and the ids of those that
// need action: a table a reader scans in seconds, instead of a chart of bars of one.
func (d *doc) countTable(first string, rows []countRow, statuses []string) {
	t := d.t
	// The first column gives way to a seventh status (not in scope), so "need action" keeps its width.
	firstW := 56 - 14*float64(len(statuses)-6)
	cols := []column{{title: first, width: firstW}, {title: t("統制数", "Controls"), width: 14}}
	for _, s := range statuses {
		cols = append(cols, column{title: statusLabel(s, d.lang), width: 14})
	}
	cols = append(cols, column{title: t("要対応", "Need action"), width: contentW - firstW - 14 - 14*float64(len(statuses))})
	var out [][]cell
	for _, r := range rows {
		counts := countStatuses(r.items)
		row := []cell{{text: r.label}, {text: fmt.Sprint(len(r.items))}}
		for _, s := range statuses {
			n := ""
			if counts[s] > 0 {
				n = fmt.Sprint(counts[s])
			}
			row = append(row, cell{text: n})
		}
		var ids []string
		for _, it := range r.items {
			if needsAction(it) {
				ids = append(ids, it.Result.ID)
			}
		}
		row = append(row, cell{text: strings.Join(ids, " ")})
		out = append(out, row)
	}
	d.table(cols, out)
}

// severityLabel, frequencyLabel and ageLabel write the catalog's words in the report's language.
func severityLabel(s, lang string) string {
	t := tr(lang)
	switch s {
	case "low":
		return t("低", "Low")
	case "medium":
		return t("中", "Medium")
	case "high":
		return t("高", "High")
	case "critical":
		return t("重大", "Critical")
	}
	return s
}

func frequencyLabel(s, lang string) string {
	t := tr(lang)
	switch s {
	case "daily":
		return t("毎日", "Daily")
	case "weekly":
		return t("毎週", "Weekly")
	case "monthly":
		return t("毎月", "Monthly")
	case "quarterly":
		return t("四半期ごと", "Quarterly")
	case "yearly":
		return t("毎年", "Yearly")
	}
	return s
}

func ageLabel(a engine.Age, lang string) string {
	t := tr(lang)
	switch {
	case a.Duration == 0:
		return "—"
	case a.Duration%(24*time.Hour) == 0:
		return fmt.Sprintf(t("%d 日", "%d days"), a.Duration/(24*time.Hour))
	default:
		return fmt.Sprintf(t("%d 時間", "%d hours"), a.Duration/time.Hour)
	}
}

// evidenceStatusLabel is an evidence item's collection status in words.
func evidenceStatusLabel(s, lang string) string {
	t := tr(lang)
	switch s {
	case "ok":
		return t("取得成功", "collected")
	case "error":
		return t("取得失敗", "collection failed")
	}
	return s
}

// evidenceGroup is the evidence of one kind: how many items, of which scopes, collected when.
type evidenceGroup struct {
	Kind           string
	Items          int
	Failed         int
	Accounts       map[string]bool
	Regions        map[string]bool
	Other          map[string]bool // scopes with neither account nor region (a file, an endpoint)
	Oldest, Newest time.Time
	Digest         string // the digest when the group has one item
}

// groupEvidence groups evidence references by kind, in kind order.
func groupEvidence(refs []engine.EvidenceRef) []*evidenceGroup {
	byKind := map[string]*evidenceGroup{}
	for _, e := range refs {
		g := byKind[e.Kind]
		if g == nil {
			g = &evidenceGroup{Kind: e.Kind, Accounts: map[string]bool{}, Regions: map[string]bool{}, Other: map[string]bool{}}
			byKind[e.Kind] = g
		}
		g.Items++
		g.Digest = e.Digest
		if e.Status != "ok" {
			g.Failed++
		}
		acc, reg := e.Scope["account"], e.Scope["region"]
		if acc != "" {
			g.Accounts[acc] = true
		}
		if reg != "" {
			g.Regions[reg] = true
		}
		if acc == "" && reg == "" {
			g.Other[scopeString(e.Scope)] = true
		}
		if g.Oldest.IsZero() || e.CollectedAt.Before(g.Oldest) {
			g.Oldest = e.CollectedAt
		}
		if e.CollectedAt.After(g.Newest) {
			g.Newest = e.CollectedAt
		}
	}
	out := make([]*evidenceGroup, 0, len(byKind))
	for _, k := range sortedKeys(byKind) {
		out = append(out, byKind[k])
	}
	return out
}

// evidenceTable writes one row per evidence kind: items and their status, the scopes as counts
// of accounts and regions (or the scope itself when there is one), when they were collected, and
// the digest of a single item (many items' digests are in the attached manifest).
func (d *doc) evidenceTable(groups []*evidenceGroup) {
	t := d.t
	var rows [][]cell
	for _, g := range groups {
		status := t(fmt.Sprintf("%d 件", g.Items), count(g.Items, "item", "items"))
		if g.Failed > 0 {
			status += fmt.Sprintf(t("（うち%s %d 件）", " (%s: %d)"), evidenceStatusLabel("error", d.lang), g.Failed)
		}
		var scope []string
		if len(g.Accounts) > 0 {
			scope = append(scope, t(fmt.Sprintf("アカウント %d", len(g.Accounts)), count(len(g.Accounts), "account", "accounts")))
		}
		if len(g.Regions) > 0 {
			scope = append(scope, t(fmt.Sprintf("リージョン %d", len(g.Regions)), count(len(g.Regions), "region", "regions")))
		}
		if len(g.Accounts)+len(g.Regions) > 0 && len(g.Accounts)*len(g.Regions) <= 1 {
			scope = scope[:0]
			for _, k := range sortedKeys(g.Accounts) {
				scope = append(scope, k)
			}
			for _, k := range sortedKeys(g.Regions) {
				scope = append(scope, k)
			}
		}
		others := sortedKeys(g.Other)
		if len(others) == 1 {
			scope = append(scope, others[0])
		} else if len(others) > 1 {
			scope = append(scope, fmt.Sprintf(t("その他のスコープ %d", "%d other scopes"), len(others)))
		}
		when := formatTime(g.Oldest)
		// Items collected in the same minute print one time.
		if formatTime(g.Newest) != when {
			when += t(" 〜\n", " –\n") + formatTime(g.Newest)
		}
		digest := g.Digest
		if g.Items > 1 {
			digest = t("各件は添付の ", "each in the attached ") + ManifestAttachment
		}
		row := []cell{{text: g.Kind}, {text: status}, {text: strings.Join(scope, t("、", ", "))}, {text: when}, {text: digest}}
		rows = append(rows, row)
	}
	d.table([]column{
		{title: t("証跡の種類", "Evidence kind"), width: 50, size: 7},
		{title: t("件数", "Items"), width: 14, size: 7},
		{title: t("スコープ", "Scope"), width: 38, size: 7},
		{title: t("収集日時", "Collected at"), width: 31, size: 7},
		{title: t("ダイジェスト（SHA-256）", "Digest (SHA-256)"), width: 45, size: 5.5},
	}, rows)
}

// evidenceManifestCSV is the full evidence manifest, attached to the audit report: one line per
// evidence item with its path, kind, scope, collection time (RFC 3339, UTC, as in results.json),
// status and digest, in results order.
func evidenceManifestCSV(res *engine.Results) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"path", "kind", "scope", "collected_at", "status", "digest"})
	for _, e := range res.Evidence {
		_ = w.Write([]string{e.Path, e.Kind, scopeString(e.Scope), e.CollectedAt.UTC().Format(time.RFC3339), e.Status, e.Digest})
	}
	w.Flush()
	return b.Bytes()
}

// rfc3339RE finds times as policies write them into messages ("2026-04-27T09:00:00Z").
var rfc3339RE = regexp.MustCompile(`\b[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})`)

// localTimes rewrites the RFC 3339 times in a message as the report prints times: JST, to the
// minute, marked "JST". A reader of the Japanese report should not convert UTC in their head.
func (d *doc) localTimes(s string) string { return LocalTimes(s) }

// LocalTimes is localTimes for any reader of a message (the terminal summary too).
func LocalTimes(s string) string {
	return rfc3339RE.ReplaceAllStringFunc(s, func(m string) string {
		tm, err := time.Parse(time.RFC3339, m)
		if err != nil {
			return m
		}
		return formatTime(tm)
	})
}

// count writes an English count with the noun in the singular or plural: "1 item", "24 items".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
