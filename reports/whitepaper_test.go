package reports

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/engine"
)

// failingDemo is the records demo in lang with a remediation plan for its first failing
// control and none for the others; it returns the input and the planned and unplanned controls.
func failingDemo(t *testing.T, lang string) (in *Input, planned, unplanned item) {
	t.Helper()
	in = demoInput(t, lang)
	var failing []item
	for _, it := range in.items() {
		if it.Result.Status == engine.StatusFail {
			failing = append(failing, it)
		}
	}
	if len(failing) < 2 {
		t.Fatalf("the records demo has %d failing controls; want at least 2", len(failing))
	}
	in.Results.Remediations = []engine.RemediationResult{{Control: failing[0].Control.ID,
		Summary: engine.Text{JA: "不足している記録を補い、手順を見直します。", EN: "We are completing the missing records and revising the procedure."},
		Since:   "2026-11-02", TargetDate: "2027-01-29", Approver: "情報セキュリティ委員会", ApprovedOn: "2026-11-05",
		Source: "remediations/remediations.json#line=3", State: engine.RemediationOpen}}
	return in, failing[0], failing[1]
}

// An unmet claim says what is not met (the control's customer sentence), since when, and the
// recorded plan with its target date and approval; one without a plan says none is recorded.
func TestWhitePaperUnmetClaimSaysWhatAndThePlan(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		t.Run(lang, func(t *testing.T) {
			in, planned, unplanned := failingDemo(t, lang)
			text := squeeze(pdfText(t, render(t, WhitePaperPDF{}, in)))
			tt := tr(lang)
			for _, want := range []string{
				customerUnmet(planned.Control, lang),
				tt("不足している記録を補い、手順を見直します。", "We are completing the missing records and revising the procedure."),
				tt("目標期日：2027-01-29", "Targetdate:2027-01-29"),
				tt("（2026-11-02から）。", "(since2026-11-02)."),
				tt("（承認：情報セキュリティ委員会、2026-11-05）", "(approvedby情報セキュリティ委員会on2026-11-05)."),
				customerUnmet(unplanned.Control, lang),
				tt("是正計画：登録された計画はありません。", "Remediation:noplanhasbeenrecorded."),
			} {
				if !strings.Contains(text, squeeze(want)) {
					t.Errorf("the white paper lacks %q", want)
				}
			}
		})
	}
	t.Run("an overdue plan says it is past due", func(t *testing.T) {
		in, _, _ := failingDemo(t, "ja")
		in.Results.Remediations[0].State = engine.RemediationOverdue
		if text := squeeze(pdfText(t, render(t, WhitePaperPDF{}, in))); !strings.Contains(text, "期日を過ぎています") {
			t.Error("an overdue plan is printed as if on time")
		}
	})
	t.Run("an unreadable plans file is not printed as no plan", func(t *testing.T) {
		in, _, _ := failingDemo(t, "ja")
		in.Results.Remediations = []engine.RemediationResult{{Source: "remediations/x.json", State: engine.RemediationInvalid, Reason: "x.yaml:3: bad"}}
		text := squeeze(pdfText(t, render(t, WhitePaperPDF{}, in)))
		if !strings.Contains(text, "計画の記録を確認できませんでした") || strings.Contains(text, "登録された計画はありません") {
			t.Error("with the plans unreadable, the paper claims no plan was recorded")
		}
	})
}

// Every stamp says when (JST date) and on what kind of evidence the claim was checked, and
// carries a verification code; every page names the run, and the appendix says how to check.
func TestWhitePaperStampsCarryDateBasisAndVerificationCode(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		t.Run(lang, func(t *testing.T) {
			in := demoInput(t, lang)
			raw := pdfText(t, render(t, WhitePaperPDF{}, in))
			text := squeeze(raw)
			tt := tr(lang)
			for _, it := range in.items() {
				if it.Result.Status == engine.StatusNotApplicable {
					continue
				}
				code := verificationCode(it.Result)
				if !strings.Contains(text, squeeze(tt("検証コード：", "verification code: ")+code)) {
					t.Errorf("%s: no verification code %s", it.Control.ID, code)
				}
				if evidenceDigest(it.Result) != "" && !regexp.MustCompile(`^[A-Z]+-\d\d-[0-9a-f]{8}$`).MatchString(code) {
					t.Errorf("%s: code %q is not <control>-<8 hex digits>", it.Control.ID, code)
				}
				if b := evidenceClasses(it.Control, lang); b == "" || !strings.Contains(text, squeeze(tt("根拠：", "evidence: ")+b)) {
					t.Errorf("%s: the stamp does not name its evidence class (%q)", it.Control.ID, b)
				}
			}
			date := formatDate(in.resultsNow())
			if !strings.Contains(text, squeeze(fmt.Sprintf(tt("確認日 %s（日本時間）", "checked %s (JST)"), date))) {
				t.Errorf("no JST check date %s", date)
			}
			pages := strings.Split(raw, "\f")
			for i, p := range pages[:len(pages)-1] {
				if !strings.Contains(squeeze(p), in.Results.RunID) {
					t.Errorf("page %d does not name the run %s", i+1, in.Results.RunID)
				}
			}
			if !strings.Contains(text, squeeze(tt("検証コードの確かめ方", "How to check a verification code"))) || !strings.Contains(text, "results.json") {
				t.Error("no explanation of how to check a verification code")
			}
		})
	}
	t.Run("the evidence classes", func(t *testing.T) {
		for _, tc := range []struct {
			kinds []string
			want  string
		}{
			{[]string{"aws.ec2.DescribeVpcs"}, "AWS configuration"},
			{[]string{"probe.http", "attestations"}, "service records, attestation"},
			{[]string{"records.training", "aws.iam.GetCredentialReport"}, "AWS configuration, organisation records"},
			{[]string{"exceptions"}, ""},
		} {
			if got := evidenceClasses(&engine.Control{Evidence: tc.kinds}, "en"); got != tc.want {
				t.Errorf("%v: %q, want %q", tc.kinds, got, tc.want)
			}
		}
	})
}

// The signature line says what signs the paper: the statement digest when given, the in-run
// sentence inside a run.
func TestWhitePaperNamesItsSignature(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  RunInfo
		want string
	}{
		{"a signed run's statement digest", RunInfo{StatementDigest: "sha256:" + strings.Repeat("ab", 32)}, "sha256:" + strings.Repeat("ab", 32)},
		{"inside the run", RunInfo{InRun: true}, "statement.intoto.json"},
		{"without a statement", RunInfo{}, "署名済みステートメントは本書の作成に用いていません"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := demoInput(t, "ja")
			org := in.Run.Organization
			in.Run = tc.run
			in.Run.Organization = org
			if text := squeeze(pdfText(t, render(t, WhitePaperPDF{}, in))); !strings.Contains(text, squeeze(tc.want)) {
				t.Errorf("no %q", tc.want)
			}
		})
	}
}

// The paper is not written without the issuer's name, and the error names the config key.
func TestWhitePaperRefusedWithoutIssuer(t *testing.T) {
	for _, tc := range []struct {
		name, org string
		refused   bool
	}{
		{"no organisation", "", true},
		{"a blank organisation", "  \t", true},
		{"an organisation", "ユーソナー株式会社", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := demoInput(t, "ja")
			in.Run.Organization = tc.org
			var buf strings.Builder
			err := WhitePaperPDF{}.Render(&buf, in)
			if !tc.refused {
				cover := strings.Split(pdfText(t, []byte(buf.String())), "\f")[0]
				if err != nil || !strings.Contains(cover, "発行者") || !strings.Contains(cover, tc.org) {
					t.Fatalf("not rendered with the issuer: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrNoIssuer) || !strings.Contains(err.Error(), "`organization`") || buf.Len() != 0 {
				t.Fatalf("error %v (wrote %d bytes), want ErrNoIssuer naming the organization key and nothing written", err, buf.Len())
			}
			if strings.Contains(err.Error(), "当社") {
				t.Error("the error suggests a default issuer")
			}
		})
	}
}

// No section heading stands over nothing: the sections without a claim are not headings, and
// are named once, with why, in the appendix.
func TestWhitePaperHasNoEmptySection(t *testing.T) {
	in := demoInput(t, "ja")
	raw := pdfText(t, render(t, WhitePaperPDF{}, in))
	var empty []string
	for _, g := range bySection(in.items(), true) {
		if len(g.Items) == 0 && !g.chapterLevel {
			empty = append(empty, g.Title.JA)
		}
	}
	if len(empty) == 0 {
		t.Fatal("the demo has no section without a claim; the test proves nothing")
	}
	for _, line := range strings.Split(raw, "\n") {
		for _, title := range empty {
			if strings.TrimSpace(line) == title {
				t.Errorf("section %q is a heading with nothing under it", title)
			}
		}
	}
	text := squeeze(raw)
	if strings.Contains(text, "記述はありません") {
		t.Error("the paper still prints a section that says it has no claim")
	}
	omitted := strings.Index(text, "本書で省略した項目")
	if omitted < 0 {
		t.Fatal("the omitted sections are not named")
	}
	for _, title := range omittedSectionTitles(in.items(), "ja") {
		if !strings.Contains(text[omitted:], squeeze(title)) {
			t.Errorf("omitted section %q is not named in the appendix", title)
		}
	}
}

// A customer reads the paper without the audit's jargon and without raw parameter values.
func TestWhitePaperAvoidsJargon(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		text := squeeze(pdfText(t, render(t, WhitePaperPDF{}, demoInput(t, lang))))
		for _, jargon := range []string{"2xx", "max-age", "31536000", "{", "sha256:"} {
			if strings.Contains(text, jargon) {
				t.Errorf("%s: the paper says %q", lang, jargon)
			}
		}
	}
}

// Every control of the catalog has customer wording (a claim, and what is not met unless it
// cannot fail), and no two controls share a sentence.
func TestEveryControlHasCustomerWording(t *testing.T) {
	in := demoInput(t, "ja")
	seen := map[string]string{}
	for _, c := range in.Catalog.Controls {
		if c.Customer == nil {
			t.Errorf("%s: no customer wording", c.ID)
			continue
		}
		if c.Customer.Unmet == nil && c.Automation != engine.AutomationNotApplicable {
			t.Errorf("%s: no customer.unmet", c.ID)
		}
		// Two controls with one sentence would put two stamps, maybe contradicting, under it.
		for _, lang := range []string{"ja", "en"} {
			if other, dup := seen[c.Customer.Claim.Lang(lang)]; dup {
				t.Errorf("%s and %s have the same customer claim (%s)", other, c.ID, lang)
			}
			seen[c.Customer.Claim.Lang(lang)] = c.ID
		}
		// A parameter value written as a literal is refused by the catalog loader
		// (TestCatalogRejectsBadInput), which loaded this catalog.
	}
}

// A remediation's summary is the vendor's text, but it is redacted like everything else.
func TestWhitePaperRedactsRemediationText(t *testing.T) {
	in, _, _ := failingDemo(t, "en")
	in.Results.Remediations[0].Summary.EN = "Fix arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/x at 10.20.30.40."
	text := pdfText(t, render(t, WhitePaperPDF{}, in))
	for _, id := range []string{"123456789012", "arn:aws", "10.20.30.40"} {
		if strings.Contains(squeeze(text), id) {
			t.Errorf("the remediation text leaks %q", id)
		}
	}
	if !strings.Contains(text, "[withheld]") {
		t.Error("nothing was withheld")
	}
}
