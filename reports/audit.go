package reports

import (
	"fmt"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/shoko-audit/shoko/engine"
)

// AuditPDF is the audit report for the ISMS committee and auditors: every control with its
// claim, parameters, evidence, verdict and findings, the exceptions and attestations, the
// evidence manifest and how to verify the signature. results.json and the signed statement are
// embedded as file attachments, so the PDF alone carries the data it reports.
type AuditPDF struct{}

// Format implements Renderer.
func (AuditPDF) Format() string { return "pdf" }

// FileName implements Renderer.
func (AuditPDF) FileName(lang string) string { return "audit-report." + langOr(lang) + ".pdf" }

func langOr(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "ja"
}

// PassSampleShown is how many passing (or not applicable) findings of a control the audit
// report shows as a sample; the rest are counted, and all are in the attached results.json.
// Failing and waived findings are never cut: every one is listed.
const PassSampleShown = 3

// Attachment names inside the audit report PDF.
const (
	ResultsAttachment   = "results.json"
	ManifestAttachment  = "evidence-manifest.csv"
	StatementAttachment = "statement.intoto.json"
)

// VerifyRecipe is the shell recipe the audit report prints for checking the run's signature with
// OpenSSL alone (and jq, base64): it rebuilds the DSSE PAE bytes
// ("DSSEv1" SP len(type) SP type SP len(body) SP body) and the raw signature from the envelope.
// A test runs it against an envelope signed in Go, so the printed recipe is known to work.
const VerifyRecipe = `TYPE=$(jq -r .payloadType statement.intoto.json)
jq -r .payload statement.intoto.json | base64 -d > body.bin
printf 'DSSEv1 %d %s %d ' "$(printf %s "$TYPE" | wc -c)" "$TYPE" "$(wc -c < body.bin)" > pae.bin
cat body.bin >> pae.bin
jq -r '.signatures[0].sig' statement.intoto.json | base64 -d > sig.bin
openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in pae.bin -sigfile sig.bin`

// Render implements Renderer.
func (AuditPDF) Render(w io.Writer, in *Input) error {
	if err := in.Check(); err != nil {
		return err
	}
	t := tr(in.lang())
	res := in.Results
	title := t("統制証跡 監査報告書", "Control Evidence Audit Report")
	d, err := newDoc(in, title, joinNonEmpty(" — ", in.Run.Organization, title),
		fmt.Sprintf("%s %s", t("実行", "Run"), res.RunID))
	if err != nil {
		return err
	}
	resultsJSON, err := in.resultsBytes()
	if err != nil {
		return err
	}
	attachments := []fpdf.Attachment{{Content: resultsJSON, Filename: ResultsAttachment,
		Description: t("評価結果（全所見）", "Evaluation results (every finding)")},
		{Content: evidenceManifestCSV(res), Filename: ManifestAttachment,
			Description: t("証跡マニフェスト（全証跡のパス・種類・スコープ・収集日時・状態・ダイジェスト）",
				"Evidence manifest (every item's path, kind, scope, collection time, status and digest)")}}
	if in.Statement != nil {
		attachments = append(attachments, fpdf.Attachment{Content: in.Statement, Filename: StatementAttachment,
			Description: t("署名付きステートメント（DSSE）", "Signed statement (DSSE envelope)")})
	}
	d.pdf.SetAttachments(attachments)

	items := in.items()
	auditCover(d, in, title)
	auditSummary(d, in, items)
	auditControlTable(d, items)
	auditControls(d, in, items)
	auditExceptions(d, in, items)
	auditAppendix(d, in, attachments)
	if err := d.pdf.Error(); err != nil {
		return fmt.Errorf("render audit report: %w", err)
	}
	return d.output(w)
}

func auditCover(d *doc, in *Input, title string) {
	t, res := d.t, in.Results
	d.pdf.AddPage()
	d.pdf.SetY(45)
	d.setSize(24)
	d.pdf.SetTextColor(20, 50, 100)
	d.text(title, 0)
	d.pdf.SetTextColor(0, 0, 0)
	d.setSize(13)
	if in.Run.Organization != "" {
		d.pdf.Ln(2)
		d.text(in.Run.Organization, 0)
	}
	d.pdf.Ln(10)
	d.setSize(bodyPt)
	scope := in.scope()
	none := t("（証跡に記載なし）", "(none in the evidence)")
	list := func(xs []string) string {
		if len(xs) == 0 {
			return none
		}
		// Every AWS region fits (about 35); an estate of hundreds of accounts is cut, and
		// run.json, signed with the run, lists them all.
		const maxShown = 40
		if len(xs) > maxShown {
			return strings.Join(xs[:maxShown], ", ") + fmt.Sprintf(t(" ほか %d 件（全件は run.json）", " and %d more (run.json lists all)"), len(xs)-maxShown)
		}
		return strings.Join(xs, ", ")
	}
	d.keyValues(48, [][2]string{
		{t("対象組織", "Organisation"), or(in.Run.Organization, "—")},
		{t("対象範囲: AWS アカウント", "Scope: AWS accounts"), list(scope.Accounts)},
		{t("対象範囲: リージョン", "Scope: regions"), list(scope.Regions)},
		{t("対象範囲: エンドポイント", "Scope: endpoints"), list(scope.Endpoints)},
		{t("対象範囲: データベース", "Scope: databases"), list(scope.Databases)},
		{t("対象範囲: 記録ファイル", "Scope: record files"), list(scope.RecordFiles)},
		{t("対象範囲: 統制", "Scope: controls"), controlScopeLine(res, d.lang)},
		{t("監査期間", "Audit period"), formatDate(res.Period.Start) + " – " + formatDate(res.Period.End.Add(-1))},
		{t("評価時点", "Evaluated as of"), formatTime(in.resultsNow())},
		{t("実行 ID", "Run id"), res.RunID},
		{t("カタログダイジェスト", "Catalog digest"), or(res.Catalog.Digest, "—")},
		{t("署名", "Signature"), signatureSentence(in)},
		{t("作成日時", "Generated at"), formatTime(in.GeneratedAt)},
		{t("作成ツール", "Generated by"), res.Tool},
	})
	d.pdf.Ln(8)
	statusCounts(d, res)
}

// signatureSentence says exactly what signs this report, so a reader holding only the PDF knows
// which file to check and how. A report written inside its run, before the run is signed, cannot
// carry the statement that signs it (the statement lists this report's digest, so it exists only
// after the report does): it names the statement's path in the run instead. A report written
// after signing (shoko report --run) has the statement attached and prints its digest.
func signatureSentence(in *Input) string {
	t, id := tr(in.lang()), in.Results.RunID
	stmt := "runs/" + id + "/statement.intoto.json"
	switch {
	case in.Run.StatementDigest != "":
		return fmt.Sprintf(t("実行 %s のステートメント %s（本 PDF に statement.intoto.json として添付）。検証: shoko verify runs/%s --pubkey 公開鍵、または付録 B の OpenSSL の手順。",
			"Run %s's statement %s (attached to this PDF as statement.intoto.json). Verify: shoko verify runs/%s --pubkey PUBLIC_KEY, or with OpenSSL as in Appendix B."),
			id, in.Run.StatementDigest, id)
	case in.Run.InRun:
		return fmt.Sprintf(t("本報告書は実行 %s のファイルの一つで、%s が本報告書を含む実行の全ファイルに署名しています（署名は本報告書の作成後に行うため、そのダイジェストは記載していません）。検証: shoko verify runs/%s --pubkey 公開鍵、または付録 B の OpenSSL の手順。",
			"This report is one of the files of run %s and is covered by %s, which signs every file of the run, this report included (the run is signed after this report is written, so its digest cannot be printed here). Verify: shoko verify runs/%s --pubkey PUBLIC_KEY, or with OpenSSL as in Appendix B."),
			id, stmt, id)
	}
	return t("署名なし（この報告書に署名付きステートメントは与えられていません）", "None (no signed statement was given for this report)")
}

// statusCounts draws one badge per status with its count.
func statusCounts(d *doc, res *engine.Results) {
	d.need(12)
	x, y := marginX, d.pdf.GetY()
	statuses := shownStatuses(res)
	for _, s := range statuses {
		w := d.badge(x, y, contentW/float64(len(statuses))-9, s)
		d.setSize(11)
		d.pdf.SetXY(x+w+1, y-0.3)
		d.pdf.CellFormat(10, 6, fmt.Sprint(res.Summary[s]), "", 0, "L", false, 0, "")
		d.setSize(bodyPt)
		x += contentW / float64(len(statuses))
	}
	d.pdf.SetXY(marginX, y+10)
}

func auditSummary(d *doc, in *Input, items []item) {
	t, res := d.t, in.Results
	d.pdf.AddPage()
	d.heading(t("1. エグゼクティブサマリー", "1. Executive summary"), 0)
	var parts []string
	for _, s := range shownStatuses(res) {
		if s != engine.StatusNotInScope {
			parts = append(parts, fmt.Sprintf("%s %d", statusLabel(s, d.lang), res.Summary[s]))
		}
	}
	judged, outOfScope := inScope(items)
	d.text(fmt.Sprintf(t("%d 件の統制を %s 時点の証跡で評価しました（%s）。証跡が欠落・失効・取得失敗の統制は「判定不能」とし、適合とはみなしていません。",
		"%d controls were evaluated on the evidence as of %s (%s). A control whose evidence is missing, stale or could not be collected is \"Error\", never \"Pass\"."),
		len(judged), formatTime(in.resultsNow()), strings.Join(parts, t("、", ", "))), 0)
	if len(outOfScope) > 0 {
		d.text(fmt.Sprintf(t("この監査の対象外とした統制 %d 件（%s）は評価しておらず、適合とはみなしていません。",
			"%d controls were not in this audit's scope (%s): they were not evaluated and are not counted as passing."),
			len(outOfScope), strings.Join(outOfScope, ", ")), 0)
	}
	d.pdf.Ln(3)
	statusCounts(d, res)

	// What the committee must act on comes first, one line per control.
	d.heading(t("要対応の統制（不適合・判定不能）", "Controls that need action (fail, error)"), 1)
	var rows [][]cell
	for _, it := range actionItems(items) {
		rows = append(rows, []cell{{text: it.Result.ID}, {status: it.Result.Status},
			{text: titleOf(it, d.lang) + "\n" + failingResources(it, d.lang)}, {text: d.localTimes(oneLine(it, d.lang))}})
	}
	if len(rows) == 0 {
		d.text(t("不適合・判定不能の統制はありません。", "No control fails or errors."), 0)
	} else {
		d.table([]column{
			{title: "ID", width: 18},
			{title: t("判定", "Status"), width: 20},
			{title: t("統制 / 対象", "Control / resource"), width: 62},
			{title: t("内容（最初の不適合）", "What is wrong (first failing finding)"), width: 78},
		}, rows)
	}
	if n := expiredExceptions(res); n > 0 {
		d.text(t(fmt.Sprintf("期限切れ・不一致などで適用されなかった例外が %d 件あります（5. 例外と表明）。", n),
			count(n, "exception was", "exceptions were")+" not applied (expired, unmatched, …): see 5. Exceptions and attestations."), 0)
		d.pdf.Ln(2)
	}

	auditChanges(d, in, items)

	d.heading(t("ホワイトペーパーの章別の状況", "Status by white-paper chapter"), 1)
	var groups []countRow
	for _, ch := range byChapter(items) {
		groups = append(groups, countRow{label: ch.Title.Lang(d.lang), items: ch.Items})
	}
	d.countTable(t("章", "Chapter"), groups, shownStatuses(in.Results))

	d.heading(t("ISO 管理策（箇条）別の状況", "Status by ISO clause"), 1)
	groups = groups[:0]
	for _, g := range byClause(items, d.lang) {
		groups = append(groups, countRow{label: g.Label, items: g.Items})
	}
	d.countTable(t("箇条", "Clause"), groups, shownStatuses(in.Results))
}

func countStatuses(items []item) map[string]int {
	m := map[string]int{}
	for _, it := range items {
		m[it.Result.Status]++
	}
	return m
}

func auditControlTable(d *doc, items []item) {
	t := d.t
	d.pdf.AddPage()
	d.heading(t("2. 統制一覧", "2. Controls"), 0)
	cols := []column{
		{title: "ID", width: 18},
		{title: t("統制", "Control"), width: 66},
		{title: t("ホワイトペーパーの章", "White-paper section"), width: 46},
		{title: t("判定", "Status"), width: 22},
		{title: t("不適合／所見", "Fail / findings"), width: 26},
	}
	var rows [][]cell
	for _, it := range items {
		r := it.Result
		rows = append(rows, []cell{{text: r.ID}, {text: titleOf(it, d.lang)}, {text: it.Control.Section.Lang(d.lang)},
			{status: r.Status}, {text: fmt.Sprintf("%d / %d", r.Counts[engine.StatusFail], FindingsTotal(r))}})
	}
	d.table(cols, rows)
}

// auditControls writes every control's detail: first those that need action (fail, error) with
// every failing finding, then the others, whose passing findings are counted with a sample.
func auditControls(d *doc, in *Input, items []item) {
	t := d.t
	action := actionItems(items)
	d.pdf.AddPage()
	d.heading(t("3. 要対応の統制の詳細", "3. Controls that need action, in detail"), 0)
	if len(action) == 0 {
		d.text(t("不適合・判定不能の統制はありません。", "No control fails or errors."), 0)
	}
	for _, it := range action {
		auditControl(d, in, it)
	}
	d.heading(t("4. その他の統制の詳細", "4. The other controls, in detail"), 0)
	judged, outOfScope := inScope(items)
	for _, it := range judged {
		if !needsAction(it) {
			auditControl(d, in, it)
		}
	}
	if len(outOfScope) > 0 {
		// Named, not detailed: nothing was evaluated, and a page each would read as a verdict.
		d.heading(t("監査対象外の統制", "Controls not in scope"), 1)
		d.text(t("次の統制はこの監査の対象外（設定ファイルの controls）で、評価していません: ",
			"These controls were not in this audit's scope (controls in the config) and were not evaluated: ")+strings.Join(outOfScope, ", "), 0)
	}
}

func auditControl(d *doc, in *Input, it item) {
	t, r, c := d.t, it.Result, it.Control
	d.heading(r.ID+" "+titleOf(it, d.lang), 1)
	d.need(8)
	w := d.badge(marginX, d.pdf.GetY(), 40, r.Status)
	d.pdf.SetXY(marginX+w+3, d.pdf.GetY())
	d.text(d.localTimes(r.Reason.Lang(d.lang)), w+3)
	d.pdf.Ln(1)

	var maps []string
	for _, m := range c.Mappings {
		maps = append(maps, m.Framework+" "+m.Ref)
	}
	d.keyValues(40, [][2]string{
		{t("ホワイトペーパーの章", "White-paper section"), c.Section.Lang(d.lang)},
		{t("ISO 対応", "ISO mapping"), or(strings.Join(maps, ", "), "—")},
		{t("評価方法", "Evidenced by"), automationLabel(c.Automation, d.lang)},
		{t("重要度 / 頻度", "Severity / frequency"), severityLabel(c.Severity, d.lang) + " / " + frequencyLabel(c.Frequency, d.lang)},
		{t("証跡の有効期間", "Max evidence age"), ageLabel(c.MaxEvidenceAge, d.lang)},
		{t("パラメータ", "Parameters"), parameterLines(c, d.lang)},
	})
	d.pdf.Ln(1)
	d.setSize(8.5)
	d.pdf.SetTextColor(90, 90, 90)
	d.text(t("主張（パラメータ反映済み）", "Claim (parameters filled in)"), 0)
	d.pdf.SetTextColor(0, 0, 0)
	d.setSize(bodyPt)
	d.text(fillClaim(c, d.lang), 4)
	d.pdf.Ln(2)

	if len(r.Evidence) > 0 {
		d.evidenceTable(groupEvidence(r.Evidence))
	}
	if FindingsTotal(r) > 0 {
		auditFindings(d, r)
	}
	d.pdf.Ln(3)
}

// parameterLines writes a control's parameters one per line, "name = value", for the key-value
// block (a table of its own cost a third of a page per control).
func parameterLines(c *engine.Control, lang string) string {
	var lines []string
	for _, k := range sortedKeys(c.Parameters) {
		line := k + " = " + formatValue(c.Parameters[k], lang)
		if was, ok := c.CatalogValue(k); ok {
			line += "（shoko.yaml で変更、カタログの値 " + formatValue(was, lang) + "）"
			if lang == "en" {
				line = k + " = " + formatValue(c.Parameters[k], lang) + " (set in shoko.yaml; the catalog's value: " + formatValue(was, lang) + ")"
			}
		}
		lines = append(lines, line)
	}
	return or(strings.Join(lines, "\n"), "—")
}

// auditFindings lists every failing and waived finding of a control, complete, then a sample of
// the passing ones with their count: a reader sees each failure however many resources passed.
func auditFindings(d *doc, r engine.ControlResult) {
	t := d.t
	var listed, others []engine.Finding
	for _, f := range r.Findings {
		if f.Status == engine.StatusFail || f.Status == engine.StatusWaived {
			listed = append(listed, f)
		} else {
			others = append(others, f)
		}
	}
	// Counted from the counts: results read with KeepFindings hold the sample, not every
	// passing finding.
	othersTotal := r.Counts[engine.StatusPass] + r.Counts[engine.StatusNotApplicable]
	sample := others[:min(len(others), PassSampleShown)]
	d.need(24) // the note, the table header and a first row stay together
	d.setSize(8.5)
	note := fmt.Sprintf(t("所見 %d 件（適合 %d、不適合 %d、例外承認 %d、適用外 %d）。", "%d findings (pass %d, fail %d, waived %d, not applicable %d)."),
		FindingsTotal(r), r.Counts[engine.StatusPass], r.Counts[engine.StatusFail], r.Counts[engine.StatusWaived], r.Counts[engine.StatusNotApplicable])
	if len(listed) > 0 {
		note += t("不適合・例外承認の所見はすべて示します。", " Every failing and waived finding is listed.")
	}
	if len(sample) < othersTotal {
		note += fmt.Sprintf(t("適合・適用外 %d 件のうち %d 件を例示します。全件は添付の results.json にあります。",
			" %d of the %d passing or not applicable findings are shown as a sample; all are in the attached results.json."),
			pick(d.lang, othersTotal, len(sample)), pick(d.lang, len(sample), othersTotal))
	}
	d.text(note, 0)
	d.setSize(bodyPt)
	var rows [][]cell
	for i, f := range append(listed, sample...) {
		where := f.Resource
		if f.Evidence != nil {
			where += "\n" + shortDigest(f.Evidence.Digest) + " " + f.Evidence.Pointer
		}
		rows = append(rows, []cell{{text: fmt.Sprint(i + 1)}, {status: f.Status}, {text: where}, {text: d.localTimes(f.Message.Lang(d.lang))}})
	}
	d.table([]column{
		{title: "#", width: 9},
		{title: t("判定", "Status"), width: 21},
		{title: t("対象 / 証跡", "Resource / evidence"), width: 52},
		{title: t("内容", "Message"), width: 96},
	}, rows)
}

// pick returns a in Japanese and b in English: the two sentences above name the counts in
// opposite orders.
func pick(lang string, a, b int) int {
	if lang == "en" {
		return b
	}
	return a
}

func automationLabel(a, lang string) string {
	t := tr(lang)
	switch a {
	case engine.AutomationAutomated:
		return t("自動（システムの証跡）", "Automated (system evidence)")
	case engine.AutomationRecords:
		return t("記録（台帳・記録ファイル）", "Records (registers and record files)")
	case engine.AutomationAttestation:
		return t("表明（承認済みの文書）", "Attestation (approved document)")
	case engine.AutomationNotApplicable:
		return t("適用外", "Not applicable")
	}
	return a
}

func auditExceptions(d *doc, in *Input, items []item) {
	t := d.t
	d.pdf.AddPage()
	d.heading(t("5. 例外と表明", "5. Exceptions and attestations"), 0)
	d.heading(t("例外（承認済みの逸脱）", "Exceptions (approved deviations)"), 1)
	if len(in.Results.Exceptions) == 0 {
		d.text(t("例外はありません。", "There are no exceptions."), 0)
	} else {
		var rows [][]cell
		for _, e := range in.Results.Exceptions {
			rows = append(rows, []cell{{text: e.Control + "\n" + e.Resource}, {text: e.Approver + "\n" + timeText(e.ApprovedAt)},
				{text: timeText(e.ExpiresAt)}, {text: exceptionState(e.State, d.lang)}, {text: e.Reason}})
		}
		d.table([]column{
			{title: t("統制 / 対象", "Control / resource"), width: 36},
			{title: t("承認者 / 承認日", "Approver / approved"), width: 38},
			{title: t("有効期限", "Expires"), width: 24},
			{title: t("状態", "State"), width: 22},
			{title: t("理由", "Reason"), width: 58},
		}, rows)
	}
	d.heading(t("表明", "Attestations"), 1)
	var rows [][]cell
	for _, it := range items {
		if it.Control.Automation != engine.AutomationAttestation {
			continue
		}
		for _, f := range it.Result.Findings {
			p := f.Params
			// A finding about the attestations as a whole (none found, one expired) names no file:
			// its resource and message say what it is about, so no row is blank.
			what := joinNonEmpty("\n", param(p, "file", d.lang), param(p, "document", d.lang))
			if what == "" {
				what = joinNonEmpty("\n", f.Resource, d.localTimes(f.Message.Lang(d.lang)))
			}
			rows = append(rows, []cell{{text: it.Result.ID}, {status: f.Status},
				{text: what},
				{text: joinNonEmpty("\n", param(p, "approver", d.lang), timeText(param(p, "approved_at", d.lang)))},
				{text: timeText(param(p, "expires_at", d.lang))}})
		}
	}
	if len(rows) == 0 {
		d.text(t("表明で評価する統制はありません。", "No control is evidenced by an attestation."), 0)
		return
	}
	d.table([]column{
		{title: t("統制", "Control"), width: 18},
		{title: t("判定", "Status"), width: 22},
		{title: t("表明 / 文書", "Attestation / document"), width: 64},
		{title: t("承認者 / 承認日時", "Approver / approved at"), width: 44},
		{title: t("有効期限", "Expires"), width: 30},
	}, rows)
}

func param(p map[string]any, key, lang string) string {
	v, ok := p[key]
	if !ok {
		return ""
	}
	return formatValue(v, lang)
}

// timeText rewrites an RFC 3339 time or a date as the reports print times (JST); anything else is
// printed as it is.
func timeText(s string) string {
	if tm, ok := parseTime(s); ok {
		if len(s) == len("2006-01-02") {
			return s
		}
		return formatTime(tm)
	}
	return s
}

func exceptionState(s, lang string) string {
	t := tr(lang)
	switch s {
	case engine.ExceptionApplied:
		return t("適用", "applied")
	case engine.ExceptionExpired:
		return t("期限切れ", "expired")
	case engine.ExceptionNotYetValid:
		return t("未発効", "not yet valid")
	case engine.ExceptionUnmatched:
		return t("該当なし", "unmatched")
	case engine.ExceptionUnknownControl:
		return t("統制が不明", "unknown control")
	case engine.ExceptionInvalid:
		return t("不備あり", "invalid")
	case engine.ExceptionNotInScope:
		return t("統制が監査対象外", "control not in scope")
	}
	return s
}

func auditAppendix(d *doc, in *Input, attachments []fpdf.Attachment) {
	t := d.t
	d.pdf.AddPage()
	d.heading(t("付録 A. 証跡マニフェスト", "Appendix A. Evidence manifest"), 0)
	d.text(fmt.Sprintf(t("この実行で評価した証跡 %d 件を種類ごとにまとめます。1 件ごとのパス・スコープ・収集日時・状態・ダイジェストは、この PDF に添付した %s にあります（pdfdetach -saveall で取り出せます）。ダイジェストは保存された証跡ファイルのバイト列の SHA-256 です（sha256sum で照合できます）。",
		"The %d evidence items this run evaluated, by kind. Each item's path, scope, collection time, status and digest are in %s, attached to this PDF (extract it with pdfdetach -saveall). A digest is the SHA-256 of the stored evidence file's bytes (check it with sha256sum)."),
		len(in.Results.Evidence), ManifestAttachment), 0)
	d.pdf.Ln(2)
	if len(in.Results.Evidence) == 0 {
		d.text(t("証跡はありません。", "There is no evidence."), 0)
	} else {
		d.evidenceTable(groupEvidence(in.Results.Evidence))
	}

	d.heading(t("付録 B. 署名の検証手順（OpenSSL）", "Appendix B. Verifying the signature with OpenSSL"), 0)
	d.text(t("実行のステートメント（in-toto Statement）は DSSE エンベロープに入り、ed25519 で署名されています。署名は DSSE の PAE（Pre-Authentication Encoding）のバイト列に対するもので、OpenSSL だけで検証できます。PAE は次の形です（SP は空白 1 文字、長さは 10 進のバイト数）。",
		"The run's in-toto Statement is carried in a DSSE envelope signed with ed25519. The signature is over the DSSE PAE (pre-authentication encoding) bytes, so OpenSSL alone can check it. The PAE is (SP is one space; lengths are decimal byte counts):"), 0)
	d.pdf.Ln(1)
	d.code(`"DSSEv1" SP len(type) SP type SP len(body) SP body`)
	d.text(t("エンベロープ（statement.intoto.json）から pae.bin と sig.bin を作り、公開鍵 pub.pem で検証します:",
		"Rebuild pae.bin and sig.bin from the envelope (statement.intoto.json) and verify with the public key pub.pem:"), 0)
	d.pdf.Ln(1)
	d.code(VerifyRecipe)
	d.text(t("「Signature Verified Successfully」と表示されれば、ステートメントは署名後に変更されていません。続いて、ステートメントの subject に並ぶ各ファイルの SHA-256 を sha256sum で照合します。",
		"\"Signature Verified Successfully\" means the statement is unchanged since it was signed. Then check each file the statement lists as a subject with sha256sum."), 0)
	if in.Run.StatementDigest != "" {
		d.pdf.Ln(1)
		d.keyValues(48, [][2]string{{t("ステートメントダイジェスト", "Statement digest"), in.Run.StatementDigest}})
	}

	d.heading(t("付録 C. 添付ファイル", "Appendix C. Attached files"), 0)
	d.text(t("この PDF には次のファイルが添付されています。pdfdetach -saveall で取り出せます。",
		"These files are attached to this PDF; extract them with pdfdetach -saveall."), 0)
	d.pdf.Ln(1)
	var rows [][]cell
	for _, a := range attachments {
		rows = append(rows, []cell{{text: a.Filename}, {text: fmt.Sprintf(t("%d バイト", "%d bytes"), len(a.Content))}, {text: digestOf(a.Content)}})
	}
	d.table([]column{
		{title: t("ファイル", "File"), width: 50},
		{title: t("サイズ", "Size"), width: 30},
		{title: "SHA-256", width: 98, size: 7},
	}, rows)
}

// code writes a block of commands on a grey background, one source line per line (wrapped when
// longer than the page).
func (d *doc) code(s string) {
	d.setSize(8)
	lh := d.lineH()
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		lines = append(lines, d.wrap(l, contentW-6)...)
	}
	d.need(float64(len(lines))*lh + 4)
	y := d.pdf.GetY()
	d.pdf.SetFillColor(242, 242, 242)
	d.pdf.Rect(marginX, y, contentW, float64(len(lines))*lh+3, "F")
	d.pdf.SetY(y + 1.5)
	for _, l := range lines {
		d.pdf.SetX(marginX + 3)
		d.pdf.CellFormat(contentW-6, lh, l, "", 1, "L", false, 0, "")
	}
	d.pdf.Ln(3)
	d.setSize(bodyPt)
}

func or(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
