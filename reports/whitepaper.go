package reports

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/shoko-audit/shoko/engine"
)

// WhitePaperPDF is the customer white paper: the published paper's sections in its order, each
// claim restated plainly for a customer's security officer (the control's customer wording,
// parameters filled in) with a live stamp saying whether the latest evidence bears it out, when it
// was checked, on what kind of evidence, and a verification code an auditor can find in the run's
// signed bundle. A claim not met says what is not met and the vendor's recorded remediation plan.
//
// It is for prospective customers, so it discloses nothing about the estate: it never prints a
// finding's resource, parameters or message, an evidence scope or path, or a control's reason
// (which can name a file or a resource). What it prints comes from the catalog, from dates, from
// evidence digests, from an attestation's approver and expiry, and from the vendor's remediation
// records (written to be published). As a second line of defence every string it draws passes
// through a redactor that blanks anything found in the results' resources, parameters and
// scopes, and anything shaped like an ARN, an IP address or an AWS account id.
type WhitePaperPDF struct{}

// ErrNoIssuer is returned when the white paper would not say who issues it: a customer must know
// whose claims these are, so the paper is not written without the organisation's name.
var ErrNoIssuer = errors.New("the customer white paper needs the issuer's name: set `organization` in the config file (shoko.yaml) or pass --organization")

// Format implements Renderer.
func (WhitePaperPDF) Format() string { return "whitepaper" }

// FileName implements Renderer.
func (WhitePaperPDF) FileName(lang string) string { return "whitepaper." + langOr(lang) + ".pdf" }

// Render implements Renderer.
func (WhitePaperPDF) Render(w io.Writer, in *Input) error {
	if err := in.Check(); err != nil {
		return err
	}
	org := strings.TrimSpace(in.Run.Organization)
	if org == "" {
		return fmt.Errorf("reports: %w", ErrNoIssuer)
	}
	t := tr(in.lang())
	// A claim outside the run's scope was not checked: it is not printed (a stamp would read as
	// a verdict), and the appendix names it as not covered by this verification.
	all := in.items()
	items, _ := inScope(all)
	title := t("セキュリティ ホワイトペーパー", "Security White Paper")
	d, err := newDoc(in, title, org+" — "+title+t("（証跡による検証付き）", " (verified against evidence)"),
		fmt.Sprintf(t("検証の実行 ID %s ・ %s 時点の証跡で検証", "Verification run %s · verified against the evidence as of %s"),
			in.Results.RunID, formatDate(in.resultsNow())))
	if err != nil {
		return err
	}
	d.filter = newRedactor(in, all).redact

	whitePaperCover(d, in, org, title, items)
	chapter := ""
	// Sections without a claim are left out (a heading over nothing reads as a gap); they are
	// named once, with why, after the claims.
	for _, g := range bySection(items, false) {
		if g.Chapter.JA == "" && chapter != "~other" {
			chapter = "~other"
			d.heading(t("その他の検証項目", "Other verified claims"), 0)
		} else if g.Chapter.JA != "" && g.Chapter.JA != chapter {
			chapter = g.Chapter.JA
			d.heading(g.Chapter.Lang(d.lang), 0)
		}
		if !g.chapterLevel {
			d.heading(g.Title.Lang(d.lang), 1)
		}
		for _, it := range g.Items {
			whitePaperClaim(d, in, it)
		}
	}
	// The appendix is its own chapter, so it does not read as part of the paper's last one.
	d.heading(d.t("付録", "Appendix"), 0)
	howToVerify(d, in)
	omittedSections(d, all)
	notInScopeClaims(d, all)
	if err := d.pdf.Error(); err != nil {
		return fmt.Errorf("render white paper: %w", err)
	}
	return d.output(w)
}

func whitePaperCover(d *doc, in *Input, org, title string, items []item) {
	t := d.t
	d.pdf.AddPage()
	d.pdf.SetY(40)
	d.setSize(13)
	d.text(org, 0)
	d.pdf.Ln(2)
	d.setSize(24)
	d.pdf.SetTextColor(20, 50, 100)
	d.text(title, 0)
	d.pdf.SetTextColor(0, 0, 0)
	d.setSize(12)
	d.text(t("証跡による検証付き", "Verified against evidence"), 0)
	d.pdf.Ln(8)
	d.setSize(bodyPt)
	d.keyValues(40, [][2]string{
		{t("発行者", "Issued by"), org},
		{t("検証日時", "Verified at"), formatTime(in.resultsNow())},
		{t("対象期間", "Period covered"), formatDate(in.Results.Period.Start) + " – " + formatDate(in.Results.Period.End.Add(-1))},
		{t("作成日時", "Generated at"), formatTime(in.GeneratedAt)},
		{t("検証の実行 ID", "Verification run"), in.Results.RunID},
		{t("署名", "Signature"), statementLine(in, d.lang)},
	})
	d.pdf.Ln(4)
	d.heading(t("本書について", "About this paper"), 1)
	d.text(t("本書は、当社が公開しているセキュリティ ホワイトペーパーの各記述について、実際の設定や記録と照合した結果を示すものです。記述ごとに、確認した日付、確認に用いた根拠の種類（AWS の設定、サービスの記録、組織の記録、責任者の表明）と検証コードを記載しています。根拠が欠けている、古い、または取得できなかった記述は「未検証」とし、検証済みとはみなしません。",
		"This paper shows, for each statement of our published security white paper, the result of checking it against the actual settings and records. Each statement carries the date it was checked, the kind of evidence used (AWS configuration, service records, organisation records or an attestation) and a verification code. A statement whose evidence is missing, stale or could not be collected is shown as not verified, never as verified."), 0)
	d.pdf.Ln(1)
	d.text(t("検証の記録は電子署名されており、監査人は検証コードを署名済みの記録と突き合わせて確かめることができます（付録「検証コードの確かめ方」）。本書には、当社環境のアカウント、サーバー名、IP アドレス、お客様の識別子は記載していません。",
		"The record of the verification is digitally signed, and an auditor can check each verification code against it (see \"How to check a verification code\" in the appendix). This paper names no account, server, IP address or customer identifier of our environment."), 0)
	d.pdf.Ln(3)
	d.heading(t("表示の見方", "Reading the stamps"), 1)
	for _, s := range []string{engine.StatusPass, engine.StatusFail, engine.StatusAttested, engine.StatusNotApplicable, engine.StatusError} {
		d.stampLine(s, stampLegend(s, d.lang))
	}
	d.pdf.Ln(3)
	counts := map[string]int{}
	var unmet []item
	for _, it := range items {
		k := stampKind(it.Result.Status)
		counts[k]++
		if k == engine.StatusFail {
			unmet = append(unmet, it)
		}
	}
	d.text(fmt.Sprintf(t("記述 %d 件：検証済み %d 件、表明済み %d 件、現在未達 %d 件、未検証 %d 件、適用外 %d 件", "%d statements: %d verified, %d attested, %d not currently met, %d not verified, %d not applicable."),
		len(items), counts[engine.StatusPass], counts[engine.StatusAttested], counts[engine.StatusFail], counts[engine.StatusError], counts[engine.StatusNotApplicable]), 0)
	if n := in.Results.Summary[engine.StatusNotInScope]; n > 0 {
		d.text(fmt.Sprintf(t("このほか %d 件の記述は今回の検証の対象外としたため掲載していません（付録「今回の検証の対象外とした記述」）。",
			"%d more statements were outside the scope of this verification and are not shown (see \"Statements not covered by this verification\" in the appendix)."), n), 0)
	}
	if len(unmet) > 0 {
		d.pdf.Ln(1)
		d.text(t("現在未達の記述（内容と是正計画は各記述の下に記載しています）：", "Statements not currently met (what is not met and the remediation plan are under each):"), 0)
		for _, it := range unmet {
			line := it.Control.Section.Lang(d.lang) + t("（", " (") + it.Control.ID + t("）", ")")
			if plans := remediationsOf(in, it.Control.ID); len(plans) > 0 {
				line += fmt.Sprintf(t("　是正の目標期日 %s", " · remediation due %s"), plans[len(plans)-1].TargetDate)
			} else {
				line += t("　是正計画の登録なし", " · no remediation plan recorded")
			}
			d.text("・"+line, 3)
		}
	}
}

// statementLine says what signs this paper: the signed statement's digest when the report was
// written from a signed run, or, written inside the run before signing, that the run's statement
// covers the paper itself.
func statementLine(in *Input, lang string) string {
	t := tr(lang)
	switch {
	case in.Run.StatementDigest != "":
		return fmt.Sprintf(t("署名済みステートメント %s", "signed statement %s"), in.Run.StatementDigest)
	case in.Run.InRun:
		return t("本書はこの実行の署名済みステートメント（監査バンドルの statement.intoto.json）の対象に含まれます", "this paper is covered by the run's signed statement (statement.intoto.json in the audit bundle)")
	}
	return t("この実行の署名済みステートメントは本書の作成に用いていません（実行 ID で監査バンドルを特定できます）", "written without the run's signed statement (the run id identifies the audit bundle)")
}

// stampKind is the stamp a status gets: a waived control is, for a customer, a claim not
// currently met (with the exception noted).
func stampKind(status string) string {
	if status == engine.StatusWaived {
		return engine.StatusFail
	}
	return status
}

func stampLegend(status, lang string) string {
	t := tr(lang)
	switch status {
	case engine.StatusPass:
		return t("検証済み：記載の日付に、記載の根拠（AWS の設定、サービスの記録、組織の記録）を確認し、記述どおりであることを確かめました。",
			"Verified: on the date shown, the evidence shown (AWS configuration, service records, organisation records) was checked and bears the statement out.")
	case engine.StatusFail:
		return t("現在未達：直近の確認で、記述どおりでない点が見つかりました。その内容と、登録されている是正計画・目標期日を記載しています。",
			"Not currently met: the latest check found the statement not met. What is not met, and any recorded remediation plan with its target date, are shown.")
	case engine.StatusAttested:
		return t("表明済み：自動では確認できない組織の取り組みについて、責任者が承認した文書で確認しました。承認者と有効期限を記載しています。",
			"Attested: an organisational practice that cannot be checked automatically, confirmed by a document approved by the person responsible. Approver and expiry are shown.")
	case engine.StatusNotApplicable:
		return t("適用外：サービスの性質上、当てはまりません。理由を記載しています。", "Not applicable: the statement does not apply to the service; the reason is shown.")
	case engine.StatusError:
		return t("未検証：根拠となる記録が欠けている、古い、または取得できなかったため、確認できていません。検証済みとはみなしていません。",
			"Not verified: the evidence is missing, stale or could not be collected, so the statement could not be checked. It is not counted as verified.")
	}
	return status
}

func whitePaperClaim(d *doc, in *Input, it item) {
	d.setSize(bodyPt)
	d.text(customerClaim(it.Control, d.lang), 0)
	d.pdf.Ln(1)
	d.stampBox(stampKind(it.Result.Status), stampText(in, it, d.lang))
	d.pdf.Ln(2)
}

// customerClaim is the claim as a customer reads it: the control's customer wording when it has
// one, its claim otherwise, parameters filled in.
func customerClaim(c *engine.Control, lang string) string {
	if c.Customer != nil {
		return c.Fill(c.Customer.Claim, lang)
	}
	return fillClaim(c, lang)
}

// customerUnmet is the one sentence saying what is not met.
func customerUnmet(c *engine.Control, lang string) string {
	if c.Customer != nil && c.Customer.Unmet != nil {
		return c.Fill(*c.Customer.Unmet, lang)
	}
	return tr(lang)("直近の確認で、記述どおりでない点が見つかりました。", "The latest check found the statement not met.")
}

// evidenceClasses names, for a customer, the kinds of evidence a control rests on, in a fixed
// order: AWS configuration, service records, organisation records, attestation.
func evidenceClasses(c *engine.Control, lang string) string {
	t := tr(lang)
	classes := []struct {
		prefixes []string
		name     string
	}{
		{[]string{"aws."}, t("AWS の設定", "AWS configuration")},
		{[]string{"service.", "probe.", "sql."}, t("サービスの記録", "service records")},
		{[]string{"records."}, t("組織の記録", "organisation records")},
		{[]string{"attestations"}, t("責任者の表明", "attestation")},
	}
	var names []string
	for _, cl := range classes {
		found := false
		for _, k := range c.Evidence {
			for _, p := range cl.prefixes {
				found = found || strings.HasPrefix(k, p)
			}
		}
		if found {
			names = append(names, cl.name)
		}
	}
	return strings.Join(names, t("・", ", "))
}

// verificationCode is what a customer quotes and an auditor looks up: the control id and the
// first 8 hex digits of the digest of the evidence the verdict rests on (the control id alone
// when it read none). With the run id in every footer it names one evidence item of one run.
func verificationCode(r engine.ControlResult) string {
	if d := evidenceDigest(r); d != "" {
		h := strings.TrimPrefix(d, "sha256:")
		return r.ID + "-" + h[:min(8, len(h))]
	}
	return r.ID
}

// remediationsOf is the vendor's plans for a control that still stand (open or overdue), in
// file order.
func remediationsOf(in *Input, id string) []engine.RemediationResult {
	var out []engine.RemediationResult
	for _, r := range in.Results.Remediations {
		if r.Control == id && (r.State == engine.RemediationOpen || r.State == engine.RemediationOverdue) {
			out = append(out, r)
		}
	}
	return out
}

// remediationsUnreadable reports whether a remediations file could not be read: then "no plan
// recorded" might be untrue, and the paper says the plans could not be confirmed instead.
func remediationsUnreadable(in *Input) bool {
	for _, r := range in.Results.Remediations {
		if r.State == engine.RemediationInvalid {
			return true
		}
	}
	return false
}

// stampText is the live stamp of one claim, one paragraph per entry: the verdict with its date,
// basis and verification code, then (for an unmet claim) what is not met and the plan.
func stampText(in *Input, it item, lang string) []string {
	t := tr(lang)
	r := it.Result
	checked := fmt.Sprintf(t("確認日 %s（日本時間）", "checked %s (JST)"), formatDate(in.resultsNow()))
	basis := ""
	if b := evidenceClasses(it.Control, lang); b != "" {
		basis = t("根拠：", "evidence: ") + b
	}
	code := t("検証コード：", "verification code: ") + verificationCode(r)
	sep := t("　", " · ")
	switch r.Status {
	case engine.StatusPass:
		return []string{joinNonEmpty(sep, t("検証済み", "Verified"), checked, basis, code)}
	case engine.StatusFail, engine.StatusWaived:
		out := []string{joinNonEmpty(sep, t("現在未達", "Not currently met"), checked, basis, code)}
		plans := remediationsOf(in, r.ID)
		unmet := t("未達の内容：", "Not met: ") + customerUnmet(it.Control, lang)
		if since := earliestSince(plans); since != "" {
			// The date goes inside the sentence, before its full stop.
			unmet = strings.TrimRight(unmet, "。.") + fmt.Sprintf(t("（%s から）。", " (since %s)."), since)
		}
		out = append(out, unmet)
		if r.Status == engine.StatusWaived {
			s := t("当社の承認済みの例外として一時的に許容しています", "Temporarily accepted under an approved exception")
			if until := exceptionUntil(in, r.ID); until != "" {
				s += fmt.Sprintf(t("（%s まで）", " (until %s)"), until)
			}
			out = append(out, s+t("。", "."))
		}
		for _, p := range plans {
			s := t("是正計画：", "Remediation: ") + p.Summary.Lang(lang) + t("　", " ") +
				fmt.Sprintf(t("目標期日：%s", "Target date: %s"), p.TargetDate)
			if p.State == engine.RemediationOverdue {
				s += t("（期日を過ぎています）", " (past due)")
			}
			s += fmt.Sprintf(t("（承認：%[2]s、%[1]s）", " (approved by %[2]s on %[1]s)."), p.ApprovedOn, p.Approver)
			out = append(out, s)
		}
		if len(plans) == 0 {
			if remediationsUnreadable(in) {
				out = append(out, t("是正計画：計画の記録を確認できませんでした。", "Remediation: the plans could not be confirmed."))
			} else {
				out = append(out, t("是正計画：登録された計画はありません。", "Remediation: no plan has been recorded."))
			}
		}
		return out
	case engine.StatusError:
		return []string{joinNonEmpty(sep, t("未検証", "Not verified"), checked, basis, code),
			t("根拠となる記録を確認できなかったため、この記述は検証できていません。", "The evidence could not be checked, so this statement is not verified.")}
	case engine.StatusAttested:
		approver, until := attestation(r)
		return []string{joinNonEmpty(sep, t("表明済み", "Attested"), checked, basis, code),
			fmt.Sprintf(t("承認者：%s　有効期限：%s", "approved by %s · valid until %s"), or(approver, "—"), or(until, "—"))}
	case engine.StatusNotApplicable:
		reason := ""
		if it.Control.NotApplicableReason != nil {
			reason = it.Control.Fill(*it.Control.NotApplicableReason, lang)
		}
		return []string{joinNonEmpty(sep, t("適用外", "Not applicable"), reason)}
	}
	return []string{r.Status}
}

// earliestSince is the earliest "since" date the plans record ("" when none does).
func earliestSince(plans []engine.RemediationResult) string {
	since := ""
	for _, p := range plans {
		if p.Since != "" && (since == "" || p.Since < since) {
			since = p.Since
		}
	}
	return since
}

// omittedSections names the published paper's sections that make no claim checked against
// evidence, so a reader comparing with the published paper knows why they are not here.
func omittedSections(d *doc, items []item) {
	names := omittedSectionTitles(items, d.lang)
	if len(names) == 0 {
		return
	}
	t := d.t
	d.heading(t("本書で省略した項目", "Sections left out"), 1)
	d.text(t("次の項目は公開しているホワイトペーパーにありますが、証跡で確認できる記述を含まないため、本書では省略しています：",
		"These sections of the published white paper make no statement that can be checked against evidence, so they are left out here: ")+
		strings.Join(names, t("、", "; "))+t("。", "."), 0)
}

// notInScopeClaims names the claims this verification did not cover (outside the run's scope):
// they are left out of the paper, and saying so keeps their absence from reading as an oversight.
func notInScopeClaims(d *doc, all []item) {
	var names []string
	seen := map[string]bool{}
	for _, it := range all {
		if it.Result.Status != engine.StatusNotInScope {
			continue
		}
		if s := it.Control.Section.Lang(d.lang); !seen[s] {
			seen[s] = true
			names = append(names, s)
		}
	}
	if len(names) == 0 {
		return
	}
	t := d.t
	d.heading(t("今回の検証の対象外とした記述", "Statements not covered by this verification"), 1)
	d.text(t("次の項目の記述は今回の検証の対象外としたため、本書には掲載していません。検証済みとはみなしていません：",
		"The statements of these sections were outside the scope of this verification, so they are not shown here and are not claimed as verified: ")+
		strings.Join(names, t("、", "; "))+t("。", "."), 0)
}

// omittedSectionTitles are the sections without a claim, except those of a chapter whose own
// claim covers them (the certification chapter's claim names each standard).
func omittedSectionTitles(items []item, lang string) []string {
	covered := map[string]bool{}
	for _, g := range bySection(items, false) {
		if g.chapterLevel {
			covered[g.Chapter.JA] = true
		}
	}
	var names []string
	for _, g := range bySection(items, true) {
		if len(g.Items) == 0 && !g.chapterLevel && !covered[g.Chapter.JA] {
			names = append(names, g.Title.Lang(lang))
		}
	}
	return names
}

// howToVerify tells a customer, and the auditor they ask, how a verification code is checked.
func howToVerify(d *doc, in *Input) {
	t := d.t
	d.heading(t("検証コードの確かめ方", "How to check a verification code"), 1)
	d.text(fmt.Sprintf(t("各記述の検証コード（例：TLS-02-1a2b3c4d）は、統制 ID と、判定の根拠とした証跡の SHA-256 ダイジェストの先頭 8 桁です。本書の検証は実行 ID %s の記録として、当社が電子署名した監査バンドルにまとめられています。監査人は次の手順で確かめられます。",
		"Each statement's verification code (e.g. TLS-02-1a2b3c4d) is the control id and the first 8 hex digits of the SHA-256 digest of the evidence its verdict rests on. This paper's verification is run %s, kept in the audit bundle of that run, which we sign. An auditor checks it as follows."),
		in.Results.RunID), 0)
	d.pdf.Ln(1)
	for i, step := range []string{
		t("監査バンドルの署名と全ファイルのダイジェストを確認します（shoko verify <バンドル> --pubkey <当社の公開鍵>。OpenSSL のみで確認する場合は shoko 付属の docs/verify-with-openssl.sh の手順）。",
			"Check the bundle's signature and the digest of every file in it (shoko verify <bundle> --pubkey <our public key>; with OpenSSL alone, the steps of docs/verify-with-openssl.sh that comes with shoko)."),
		t("バンドル内の results.json で、その統制 ID の判定（status）と、根拠の証跡（evidence）にこの 8 桁で始まるダイジェストがあることを確認します。同じダイジェストの証跡ファイルが evidence/ 以下にあり、署名済みステートメント（statement.intoto.json）の対象ファイル一覧にも記載されています。",
			"In the bundle's results.json, find the control id: its verdict (status), and among its evidence a digest starting with these 8 digits. The evidence file with that digest is under evidence/, and the signed statement (statement.intoto.json) lists it among the files it signs."),
		t("署名：", "Signature: ") + statementLine(in, d.lang) + t("。", "."),
	} {
		d.text(fmt.Sprintf("%d. %s", i+1, step), 3)
	}
	d.pdf.Ln(1)
	d.text(t("監査バンドルと公開鍵の提供については、当社の窓口にお問い合わせください。", "For the audit bundle and our public key, please contact us."), 0)
}

// evidenceDigest is the digest of the first evidence item the control read successfully.
func evidenceDigest(r engine.ControlResult) string {
	for _, e := range r.Evidence {
		if e.Status == "ok" {
			return e.Digest
		}
	}
	return ""
}

// attestation is the approver and expiry date of a control's valid attestation. Only these two
// values are taken from a finding's parameters, and only from the attestation_valid finding.
func attestation(r engine.ControlResult) (approver, until string) {
	for _, f := range r.Findings {
		if f.Code != "attestation_valid" {
			continue
		}
		if v, ok := f.Params["approver"].(string); ok {
			approver = v
		}
		if v, ok := f.Params["expires_at"].(string); ok {
			if tm, ok := parseTime(v); ok {
				until = formatDate(tm)
			}
		}
		return approver, until
	}
	return "", ""
}

// exceptionUntil is the latest expiry date of the applied exceptions of a control.
func exceptionUntil(in *Input, id string) string {
	var dates []string
	for _, e := range in.Results.Exceptions {
		if e.Control == id && e.State == engine.ExceptionApplied {
			if tm, ok := parseTime(e.ExpiresAt); ok {
				dates = append(dates, formatDate(tm))
			}
		}
	}
	if len(dates) == 0 {
		return ""
	}
	sort.Strings(dates)
	return dates[len(dates)-1]
}

// stampLine draws a one-paragraph stamp (the legend's).
func (d *doc) stampLine(status, text string) { d.stampBox(status, []string{text}) }

// stampBox draws a stamp: a coloured mark (a drawn circle, so it needs no ✔ glyph) and the
// wrapped paragraphs in a tinted box. The first paragraph (the verdict) is in the status colour;
// the others (what is not met, the plan) in dark grey, so they read as explanation.
func (d *doc) stampBox(status string, paras []string) {
	d.setSize(8.5)
	lh := d.lineH()
	var lines []string
	firstLines := 0
	for i, p := range paras {
		w := d.wrap(p, contentW-14)
		if i == 0 {
			firstLines = len(w)
		}
		lines = append(lines, w...)
	}
	h := float64(len(lines))*lh + 2.4
	d.need(h + 1)
	x, y := marginX+2, d.pdf.GetY()
	c := statusColor(status)
	d.pdf.SetFillColor(255-(255-c[0])/8, 255-(255-c[1])/8, 255-(255-c[2])/8)
	d.pdf.SetDrawColor(c[0], c[1], c[2])
	d.pdf.Rect(x, y, contentW-2, h, "FD")
	d.pdf.SetFillColor(c[0], c[1], c[2])
	d.pdf.Circle(x+4, y+1.2+lh/2, 1.8, "F")
	for i, l := range lines {
		if i < firstLines {
			d.pdf.SetTextColor(c[0]/2, c[1]/2, c[2]/2)
		} else {
			d.pdf.SetTextColor(50, 50, 50)
		}
		d.pdf.SetXY(x+8, y+1.2+float64(i)*lh)
		d.pdf.CellFormat(contentW-14, lh, l, "", 0, "L", false, 0, "")
	}
	d.pdf.SetTextColor(0, 0, 0)
	d.pdf.SetXY(marginX, y+h+1)
	d.setSize(bodyPt)
}

// redactor blanks identifiers out of text meant for customers.
type redactor struct {
	// secrets are strings from the results that identify something: resources, scope values,
	// evidence paths, finding parameters. Longest first, so a longer one is blanked whole.
	secrets []string
	mask    string
}

// Identifier shapes blanked even when the results did not list them.
var identifierREs = []*regexp.Regexp{
	regexp.MustCompile(`arn:aws[a-zA-Z-]*:[^\s,;)、。，）」]*`),
	regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`),
	regexp.MustCompile(`\b[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{0,4}){2,7}\b`),
	regexp.MustCompile(`\b\d{12}\b`),
	regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`),
}

func newRedactor(in *Input, items []item) *redactor {
	// Text that comes from the catalog is public (it is the white paper itself), so a result
	// value that also appears there (a standard's name, a region the claim names) is not secret.
	var public strings.Builder
	for _, it := range items {
		for _, lang := range []string{"ja", "en"} {
			public.WriteString(fillClaim(it.Control, lang) + "\n" + it.Control.Title.Lang(lang) + "\n" + it.Control.Section.Lang(lang) + "\n")
			// The control id is public too: it is the verification code's first part, and an
			// attestation's finding names its control as the resource.
			public.WriteString(customerClaim(it.Control, lang) + "\n" + customerUnmet(it.Control, lang) + "\n" + it.Control.ID + "\n")
			if it.Control.NotApplicableReason != nil {
				public.WriteString(it.Control.Fill(*it.Control.NotApplicableReason, lang) + "\n")
			}
		}
	}
	pub := public.String()
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.TrimSpace(s)
		if len(s) < 4 || seen[s] || !strings.ContainsAny(s, "0123456789.:/@-_") || strings.Contains(pub, s) {
			return
		}
		seen[s] = true
	}
	var addValue func(v any)
	addValue = func(v any) {
		switch x := v.(type) {
		case string:
			add(x)
		case []any:
			for _, e := range x {
				addValue(e)
			}
		case map[string]any:
			for _, e := range x {
				addValue(e)
			}
		}
	}
	addScope := func(s map[string]string) {
		for _, v := range s {
			add(v)
		}
	}
	res := in.Results
	for _, e := range res.Evidence {
		add(e.Path)
		addScope(e.Scope)
	}
	for _, c := range res.Controls {
		for _, e := range c.Evidence {
			add(e.Path)
			addScope(e.Scope)
		}
		for _, f := range c.Findings {
			add(f.Resource)
			for k, v := range f.Params {
				// The approver and dates of an attestation are printed on purpose.
				if k != "approver" && k != "approved_at" && k != "expires_at" {
					addValue(v)
				}
			}
			if f.Evidence != nil {
				add(f.Evidence.Path)
				addScope(f.Evidence.Scope)
			}
		}
	}
	for _, e := range res.Exceptions {
		add(e.Resource)
		add(e.Source)
	}
	for _, r := range res.Remediations {
		add(r.Source)
	}
	r := &redactor{mask: tr(in.lang())("［非公開］", "[withheld]")}
	for s := range seen {
		r.secrets = append(r.secrets, s)
	}
	sort.Slice(r.secrets, func(i, j int) bool {
		if len(r.secrets[i]) != len(r.secrets[j]) {
			return len(r.secrets[i]) > len(r.secrets[j])
		}
		return r.secrets[i] < r.secrets[j]
	})
	return r
}

// digestRE matches an evidence digest, which the white paper prints on purpose: a digest whose
// first twelve hex digits happen to be all decimal would otherwise look like an account id.
var digestRE = regexp.MustCompile(`sha256:[0-9a-f]+`)

// redact returns s with every identifier blanked, leaving evidence digests as they are.
func (r *redactor) redact(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range digestRE.FindAllStringIndex(s, -1) {
		b.WriteString(r.redactPart(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(r.redactPart(s[last:]))
	return b.String()
}

func (r *redactor) redactPart(s string) string {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, r.mask)
		}
	}
	for _, re := range identifierREs {
		s = re.ReplaceAllString(s, r.mask)
	}
	return s
}
