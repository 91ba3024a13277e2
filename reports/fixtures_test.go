package reports

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/controls"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/testenv"
	"github.com/shoko-audit/shoko/policies"
)

// generatedAt is the generation time every test renders with.
var generatedAt = time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)

// demoInput evaluates the committed records demo with the embedded catalog, as `shoko evaluate`
// does: a Results from a real evaluation, with every status.
func demoInput(t testing.TB, lang string) *Input {
	t.Helper()
	cat, err := engine.LoadCatalog(engine.CatalogSource{Controls: controls.FS, ControlsName: "controls",
		Policies: policies.FS, PoliciesName: "policies", KnownKinds: collectors.KnownKinds()})
	if err != nil {
		t.Fatal(err)
	}
	items, err := evidence.LoadDir("../testdata/records-demo")
	if err != nil {
		t.Fatal(err)
	}
	var now time.Time
	for _, it := range items {
		if it.CollectedAt.After(now) {
			now = it.CollectedAt
		}
	}
	eng, err := engine.New(context.Background(), cat)
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Evaluate(context.Background(), items, engine.Run{Now: now, Period: engine.Period{Start: now.AddDate(-1, 0, 0), End: now}})
	if err != nil {
		t.Fatal(err)
	}
	return &Input{Results: res, Catalog: cat, Lang: lang, GeneratedAt: generatedAt,
		Run: RunInfo{Organization: "ユーソナー株式会社（デモ）"}}
}

// Identifiers the synthetic results carry in every place a report could leak them from:
// finding resources, parameters and messages, reasons, evidence scopes and paths, exceptions.
var identifiers = []string{
	"123456789012", "210987654321",
	"arn:aws:s3:::customer-data-prod-7f3a", "arn:aws:rds:ap-northeast-1:123456789012:db:cards-prod",
	"api.tenant-a.cardsvc.example.com", "db-7.internal.example.net",
	"10.20.30.40", "2001:db8::15",
	"tnt-4f9c2a71", "tenant-b-00042",
	"ciso@usonar-internal.example.com",
}

// Japanese titles that exercise the line breaker: brackets, small kana, long vowels, commas and
// full stops that must not start a line, Latin words inside Japanese.
var jaTitles = []string{
	"顧客データの日次バックアップ（8 世代）とリストア記録の確認",
	"クラウドサービスの監視：不正利用・データ漏洩の検知と「重大度 7 以上」の検出事項への対応",
	"TLS 1.2 以上による通信の暗号化、及び証明書の有効期限の管理",
	"サービス利用停止後のデータを 10 営業日以内に完全に消去すること",
	"ログは取得後最低 3 年間保持し、最長 3 年半以内に消去する",
	"アクセス権の管理：ユーザーの登録・無効化、権限の割り当てとレビュー",
}

var enTitles = []string{
	"Customer data backed up daily, eight generations, with restores recorded",
	"The cloud service is monitored for abuse and data leakage, and severe findings are handled",
	"Traffic encrypted with TLS 1.2 or higher; certificates renewed in time",
	"Customer data erased within 10 business days of the end of the contract",
	"Logs kept at least 3 years and erased within 3.5 years",
	"Access rights: registration, disablement, assignment and review of users",
}

// syntheticInput builds a catalog of n controls and results with about nFindings findings: the
// first control has up to firstControlFindings (all passing), the others share the rest. Every status
// appears, and every identifier above appears in the results.
// firstControlFindings is the most findings syntheticInput gives its first control.
const firstControlFindings = 150

func syntheticInput(n, nFindings int, lang string) *Input {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	cat := &engine.Catalog{}
	res := &engine.Results{Schema: engine.ResultsSchema, RunID: "r20261127T000000Z-5e11d0c0ffee", Tool: "shoko test",
		Now: now.Format(time.RFC3339), Period: engine.Period{Start: now.AddDate(-1, 0, 0), End: now}, Summary: map[string]int{}}
	var sections []engine.Text
	for _, ch := range paperStructure {
		sections = append(sections, ch.Sections...)
	}
	evidenceFor := func(i int) []engine.EvidenceRef {
		id := identifiers[i%len(identifiers)]
		return []engine.EvidenceRef{
			{Kind: "aws.rds.DescribeDBInstances", Path: fmt.Sprintf("aws.rds/%s_ap-northeast-1_%d.json", identifiers[0], i),
				Digest: fmt.Sprintf("sha256:%064x", i+1), Scope: map[string]string{"source": "aws", "account": identifiers[i%2], "region": "ap-northeast-1"},
				CollectedAt: now.Add(-time.Hour), Status: "ok"},
			{Kind: "service.tenants", Path: fmt.Sprintf("service.tenants/%s_%d.json", "api.tenant-a.cardsvc.example.com", i),
				Digest: fmt.Sprintf("sha256:%064x", 1000+i), Scope: map[string]string{"source": "service", "endpoint": "https://api.tenant-a.cardsvc.example.com", "tenant": id},
				CollectedAt: now.Add(-2 * time.Hour), Status: "ok"},
		}
	}
	findingsLeft := nFindings
	for i := range n {
		id := fmt.Sprintf("SYN-%02d", i+1)
		status := engine.AllStatuses[i%len(engine.AllStatuses)]
		c := &engine.Control{
			ID:         id,
			Title:      engine.Text{JA: fmt.Sprintf("%s（第%d項）", jaTitles[i%len(jaTitles)], i+1), EN: fmt.Sprintf("%s (item %d)", enTitles[i%len(enTitles)], i+1)},
			Section:    sections[i%len(sections)],
			Claim:      engine.Text{JA: "顧客データは {regions} のリージョンにのみ保存し、{days} 日以内に「確認」します。", EN: "Customer data is stored only in {regions} and checked within {days} days."},
			Mappings:   []engine.Mapping{{Framework: "ISO/IEC 27002:2013", Ref: fmt.Sprintf("%d.1.1", 5+i%14)}},
			Automation: engine.AutomationAutomated, Severity: "high", Frequency: "daily",
			MaxEvidenceAge: engine.Age{Duration: 24 * time.Hour},
			Parameters:     map[string]any{"regions": []any{"ap-northeast-1", "ap-northeast-3"}, "days": 30},
		}
		r := engine.ControlResult{ID: id, Title: c.Title, Automation: c.Automation, Severity: c.Severity, Status: status,
			Reason:   engine.Text{JA: "リソース " + identifiers[i%len(identifiers)] + " を確認しました。", EN: "Checked resource " + identifiers[i%len(identifiers)] + "."},
			Counts:   map[string]int{engine.StatusPass: 0, engine.StatusFail: 0, engine.StatusWaived: 0, engine.StatusNotApplicable: 0},
			Evidence: evidenceFor(i)}
		switch status {
		case engine.StatusAttested:
			c.Automation = engine.AutomationAttestation
			r.Findings = append(r.Findings, engine.Finding{Status: engine.StatusPass, Code: "attestation_valid", Resource: id + ".yaml",
				Params:  map[string]any{"approver": "ciso@usonar-internal.example.com", "expires_at": "2027-03-31T14:59:59Z", "file": id + ".yaml", "document": "documents/" + identifiers[i%len(identifiers)]},
				Message: engine.Text{JA: "表明は有効です。", EN: "The attestation is valid."}})
		case engine.StatusNotApplicable:
			c.Automation = engine.AutomationNotApplicable
			c.NotApplicableReason = &engine.Text{JA: "このサービスには当てはまりません。", EN: "This does not apply to the service."}
			r.Evidence = nil
		}
		count := 0
		switch {
		case status == engine.StatusNotApplicable:
		case i == 0:
			count = min(findingsLeft, firstControlFindings)
		default:
			// Share what is left evenly among this and the remaining controls that have findings.
			rest := 0
			for j := i; j < n; j++ {
				if engine.AllStatuses[j%len(engine.AllStatuses)] != engine.StatusNotApplicable {
					rest++
				}
			}
			count = findingsLeft / rest
		}
		findingsLeft -= count
		for j := range count {
			fs := engine.StatusPass
			if status == engine.StatusFail && j%3 == 0 {
				fs = engine.StatusFail
			}
			ident := identifiers[(i+j)%len(identifiers)]
			r.Findings = append(r.Findings, engine.Finding{Status: fs, Code: "checked", Resource: ident,
				Params: map[string]any{"resource": ident, "host": identifiers[4], "ip": identifiers[6], "tenant": identifiers[8]},
				Message: engine.Text{JA: fmt.Sprintf("%s（テナント %s、%s）は要件を満たしています。", ident, identifiers[8], identifiers[6]),
					EN: fmt.Sprintf("%s (tenant %s, %s) meets the requirement.", ident, identifiers[8], identifiers[6])},
				Evidence: &engine.FindingRef{Kind: r.Evidence[0].Kind, Digest: r.Evidence[0].Digest, Path: r.Evidence[0].Path,
					Scope: r.Evidence[0].Scope, Pointer: fmt.Sprintf("/data/%d", j)}})
			r.Counts[fs]++
		}
		cat.Controls = append(cat.Controls, c)
		res.Controls = append(res.Controls, r)
		res.Evidence = append(res.Evidence, r.Evidence...)
		res.Summary[status]++
	}
	res.Catalog.Controls = n
	res.Exceptions = []engine.ExceptionResult{{Control: "SYN-05", Resource: identifiers[2], Reason: "移行中 / migrating",
		Approver: "情報セキュリティ委員会", ApprovedAt: "2026-10-01T00:00:00Z", ExpiresAt: "2027-01-31T00:00:00Z",
		Source: "exceptions/" + identifiers[0] + ".yaml", State: engine.ExceptionApplied}}
	return &Input{Results: res, Catalog: cat, Lang: lang, GeneratedAt: generatedAt,
		Run: RunInfo{Organization: "ユーソナー株式会社"}}
}

// render renders in with r and returns the bytes.
func render(t testing.TB, r Renderer, in *Input) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(&buf, in); err != nil {
		t.Fatalf("%s: %v", r.Format(), err)
	}
	return buf.Bytes()
}

// needPoppler returns the path of a poppler tool; without it the test skips, or fails under CI.
func needPoppler(t testing.TB, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		testenv.Missing(t, tool+" (poppler-utils)", err)
	}
	return p
}

// writeTemp writes b to a file in a fresh temporary directory.
func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pdfText extracts the text of a PDF with pdftotext.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	tool := needPoppler(t, "pdftotext")
	out, err := exec.Command(tool, "-enc", "UTF-8", writeTemp(t, "doc.pdf", pdf), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// bodyText drops the running header and footer at each page break of pdftotext output
// (pages end with the footer's two paragraphs, the date line and "n/m", and every page after
// the first starts with the header), so text that flows across a page reads as one.
func bodyText(text string) string {
	pages := strings.Split(text, "\f")
	for i := range pages {
		paras := strings.Split(strings.Trim(pages[i], "\n"), "\n\n")
		if i > 0 && len(paras) > 0 {
			paras = paras[1:]
		}
		if i < len(pages)-1 && len(paras) >= 2 {
			paras = paras[:len(paras)-2]
		}
		pages[i] = strings.Join(paras, "\n\n")
	}
	return strings.Join(pages, "\n")
}

var pagesRE = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

// pdfPages counts the pages of a PDF with pdfinfo.
func pdfPages(t testing.TB, pdf []byte) int {
	t.Helper()
	tool := needPoppler(t, "pdfinfo")
	out, err := exec.Command(tool, writeTemp(t, "doc.pdf", pdf)).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := pagesRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo printed no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// squeeze removes all whitespace: pdftotext puts line breaks where the PDF broke lines, and
// Japanese has no spaces between words, so matching Japanese ignores whitespace entirely.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

// collapse turns every run of whitespace into one space, for matching English.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
