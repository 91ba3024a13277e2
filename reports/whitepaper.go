package reports

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/shoko-audit/shoko/engine"
)

// WhitePaperPDF is the customer white paper: the published paper's sections in its order, each
// claim restated from the catalog (parameters filled in) with a live stamp saying whether the
// latest evidence bears it out.
//
// It is for prospective customers, so it discloses nothing about the estate: it never prints a
// finding's resource, parameters or message, an evidence scope or path, or a control's reason
// (which can name a file or a resource). What it prints comes from the catalog, from dates, from
// evidence digests, and from an attestation's approver and expiry. As a second line of defence
// every string it draws passes through a redactor that blanks anything found in the results'
// resources, parameters and scopes, and anything shaped like an ARN, an IP address or an AWS
// account id.
type WhitePaperPDF struct{}

// Format implements Renderer.
func (WhitePaperPDF) Format() string { return "whitepaper" }

// FileName implements Renderer.
func (WhitePaperPDF) FileName(lang string) string { return "whitepaper." + langOr(lang) + ".pdf" }

// Render implements Renderer.
func (WhitePaperPDF) Render(w io.Writer, in *Input) error {
	if err := in.Check(); err != nil {
		return err
	}
	t := tr(in.lang())
	items := in.items()
	org := or(in.Run.Organization, t("当社", "Our company"))
	title := t("セキュリティ ホワイトペーパー", "Security White Paper")
	d, err := newDoc(in, title, org+" — "+title+t("（証跡による検証付き）", " (verified against evidence)"),
		fmt.Sprintf(t("%s 時点の証跡で検証", "Verified against the evidence as of %s"), formatDate(in.resultsNow())))
	if err != nil {
		return err
	}
	d.filter = newRedactor(in, items).redact

	whitePaperCover(d, in, org, title, items)
	groups := bySection(items, true)
	chapter := ""
	for _, g := range groups {
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
		if len(g.Items) == 0 {
			d.setSize(8.5)
			d.pdf.SetTextColor(110, 110, 110)
			d.text(t("この項目には証跡で検証する記述はありません。", "This section makes no claim that is checked against evidence."), 0)
			d.pdf.SetTextColor(0, 0, 0)
			d.setSize(bodyPt)
			d.pdf.Ln(1)
			continue
		}
		for _, it := range g.Items {
			whitePaperClaim(d, in, it)
		}
	}
	if err := d.pdf.Error(); err != nil {
		return fmt.Errorf("render white paper: %w", err)
	}
	return d.output(w)
}

func whitePaperCover(d *doc, in *Input, org, title string, items []item) {
	t := d.t
	d.pdf.AddPage()
	d.pdf.SetY(50)
	d.setSize(13)
	d.text(org, 0)
	d.pdf.Ln(2)
	d.setSize(24)
	d.pdf.SetTextColor(20, 50, 100)
	d.text(title, 0)
	d.pdf.SetTextColor(0, 0, 0)
	d.setSize(12)
	d.text(t("証跡による検証付き", "Verified against evidence"), 0)
	d.pdf.Ln(12)
	d.setSize(bodyPt)
	d.keyValues(40, [][2]string{
		{t("検証日時", "Verified at"), formatTime(in.resultsNow())},
		{t("対象期間", "Period covered"), formatDate(in.Results.Period.Start) + " – " + formatDate(in.Results.Period.End.Add(-1))},
		{t("作成日時", "Generated at"), formatTime(in.GeneratedAt)},
		{t("検証の実行 ID", "Verification run"), in.Results.RunID},
	})
	d.pdf.Ln(6)
	d.heading(t("検証の方法", "How this paper was verified"), 1)
	d.text(t("本書は公開しているホワイトペーパーの構成と順序に従い、各記述を「統制」として言い直したものです。各統制は、クラウド環境の設定、サービスの稼働状況、教育・監査などの記録を自動で収集した証跡と照合して判定しています。証跡が欠けている、古い、または取得できなかった場合は「未検証」とし、検証済みとはみなしません。",
		"This paper follows the structure and order of our published white paper and restates each claim as a control. Each control is judged against evidence collected automatically: the configuration of the cloud environment, the running service, and records such as training and audits. Where evidence is missing, stale or could not be collected, the claim is shown as not verified, never as verified."), 0)
	d.pdf.Ln(1)
	d.text(t("証跡はその内容の SHA-256 ダイジェストで特定され、検証の記録は署名されています。監査報告書（ISMS 委員会・監査人向け）では、各判定の根拠となった証跡を確認できます。本書には、お客様の環境やリソースを特定できる情報は記載していません。",
		"Each piece of evidence is identified by the SHA-256 digest of its content, and the record of the verification is signed. The audit report for our ISMS committee and auditors shows the evidence behind every verdict. This paper contains no information that identifies environments or resources."), 0)
	d.pdf.Ln(4)
	d.heading(t("表示の見方", "Reading the stamps"), 1)
	for _, s := range []string{engine.StatusPass, engine.StatusFail, engine.StatusAttested, engine.StatusNotApplicable, engine.StatusError} {
		d.stampLine(s, stampLegend(s, d.lang))
	}
	d.pdf.Ln(4)
	counts := map[string]int{}
	for _, it := range items {
		counts[stampKind(it.Result.Status)]++
	}
	d.text(fmt.Sprintf(t("記述 %d 件：検証済み %d、表明済み %d、現在未達 %d、未検証 %d、適用外 %d。", "%d claims: %d verified, %d attested, %d not currently met, %d not verified, %d not applicable."),
		len(items), counts[engine.StatusPass], counts[engine.StatusAttested], counts[engine.StatusFail], counts[engine.StatusError], counts[engine.StatusNotApplicable]), 0)
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
		return t("検証済み：直近の証跡で記述どおりであることを確認しました（確認日と証跡のダイジェストを表示）。", "Verified: the latest evidence bears the claim out (date and evidence digest shown).")
	case engine.StatusFail:
		return t("現在未達：直近の証跡では記述どおりになっていません。是正に取り組んでいます。", "Not currently met: the latest evidence does not bear the claim out; it is being remedied.")
	case engine.StatusAttested:
		return t("表明済み：組織的な事項について、責任者が承認した文書で確認しました（承認者と有効期限を表示）。", "Attested: an organisational matter confirmed by a document approved by the person responsible (approver and expiry shown).")
	case engine.StatusNotApplicable:
		return t("適用外：サービスの性質上、当てはまりません（理由を表示）。", "Not applicable: the claim does not apply to the service (reason shown).")
	case engine.StatusError:
		return t("未検証：証跡が欠けている、古い、または取得できなかったため、確認できていません。", "Not verified: the evidence is missing, stale or could not be collected.")
	}
	return status
}

func whitePaperClaim(d *doc, in *Input, it item) {
	d.setSize(bodyPt)
	d.text(fillClaim(it.Control, d.lang), 0)
	d.pdf.Ln(1)
	d.stampLine(stampKind(it.Result.Status), stampText(in, it, d.lang))
	d.pdf.Ln(2)
}

// stampText is the live stamp of one claim.
func stampText(in *Input, it item, lang string) string {
	t := tr(lang)
	asOf := formatDate(in.resultsNow())
	r := it.Result
	switch r.Status {
	case engine.StatusPass:
		s := fmt.Sprintf(t("検証済み（%s）", "Verified on %s"), asOf)
		if d := evidenceDigest(r); d != "" {
			s += fmt.Sprintf(t("　証跡 sha256:%s", " · evidence sha256:%s"), shortDigest(d))
		}
		return s
	case engine.StatusFail:
		return fmt.Sprintf(t("現在未達（%s 時点）", "Not currently met (as of %s)"), asOf)
	case engine.StatusWaived:
		s := fmt.Sprintf(t("現在未達（%s 時点）　承認済みの例外により対応中", "Not currently met (as of %s) · covered by an approved exception"), asOf)
		if until := exceptionUntil(in, r.ID); until != "" {
			s += fmt.Sprintf(t("（%s まで）", " until %s"), until)
		}
		return s
	case engine.StatusError:
		return fmt.Sprintf(t("未検証（%s 時点で証跡を確認できませんでした）", "Not verified (the evidence could not be checked as of %s)"), asOf)
	case engine.StatusAttested:
		approver, until := attestation(r)
		return fmt.Sprintf(t("表明済み　承認者：%s　有効期限：%s", "Attested · approved by %s · valid until %s"), or(approver, "—"), or(until, "—"))
	case engine.StatusNotApplicable:
		reason := ""
		if it.Control.NotApplicableReason != nil {
			reason = it.Control.NotApplicableReason.Lang(lang)
		}
		return joinNonEmpty(t("　", " · "), t("適用外", "Not applicable"), reason)
	}
	return r.Status
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

// stampLine draws a stamp: a coloured mark (a drawn circle, so it needs no ✔ glyph) and the
// wrapped stamp text in a tinted box.
func (d *doc) stampLine(status, text string) {
	d.setSize(8.5)
	lh := d.lineH()
	lines := d.wrap(text, contentW-14)
	h := float64(len(lines))*lh + 2.4
	d.need(h + 1)
	x, y := marginX+2, d.pdf.GetY()
	c := statusColor(status)
	d.pdf.SetFillColor(255-(255-c[0])/8, 255-(255-c[1])/8, 255-(255-c[2])/8)
	d.pdf.SetDrawColor(c[0], c[1], c[2])
	d.pdf.Rect(x, y, contentW-2, h, "FD")
	d.pdf.SetFillColor(c[0], c[1], c[2])
	d.pdf.Circle(x+4, y+h/2, 1.8, "F")
	d.pdf.SetTextColor(c[0]/2, c[1]/2, c[2]/2)
	for i, l := range lines {
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
			if it.Control.NotApplicableReason != nil {
				public.WriteString(it.Control.NotApplicableReason.Lang(lang) + "\n")
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
