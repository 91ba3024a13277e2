package reports

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/engine"
)

// titleFound reports whether a control's title is in extracted PDF text: whitespace is ignored
// in Japanese (pdftotext breaks lines where the PDF does) and collapsed in English.
func titleFound(text, title, lang string) bool {
	if lang == "en" {
		return strings.Contains(collapse(text), collapse(title))
	}
	return strings.Contains(squeeze(text), squeeze(title))
}

// Every control's title comes out of the audit report intact: no character dropped or changed
// at a line break, in Japanese and in English.
func TestAuditReportContainsEveryTitle(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		for name, in := range map[string]*Input{"demo": demoInput(t, lang), "synthetic": syntheticInput(50, 1000, lang)} {
			t.Run(name+"-"+lang, func(t *testing.T) {
				text := pdfText(t, render(t, AuditPDF{}, in))
				for _, c := range in.Results.Controls {
					if !titleFound(text, c.Title.Lang(lang), lang) {
						t.Errorf("%s: title %q is not in the text", c.ID, c.Title.Lang(lang))
					}
				}
				// The matcher itself finds what is missing.
				if titleFound(text, "存在しない統制のタイトル Nonexistent control title", lang) {
					t.Error("the matcher found a title that is not there")
				}
			})
		}
	}
}

// Passing findings are counted with a small sample, so a control's pages do not grow with them
// (the failing ones are all listed: TestAuditReportListsEveryFailingFinding); the total is always
// stated.
func TestAuditReportPassingFindingsAddNoPages(t *testing.T) {
	pages := map[int]int{}
	for _, n := range []int{PassSampleShown, 20, firstControlFindings} {
		in := syntheticInput(1, n, "ja")
		pdf := render(t, AuditPDF{}, in)
		pages[n] = pdfPages(t, pdf)
		if !strings.Contains(squeeze(pdfText(t, pdf)), fmt.Sprintf("所見%d件", n)) {
			t.Errorf("%d findings: the total is not stated", n)
		}
	}
	t.Logf("pages by findings: %v", pages)
	if pages[firstControlFindings] != pages[PassSampleShown] {
		t.Errorf("passing findings beyond the sample add pages: %v", pages)
	}
}

// results.json and the statement are attached to the audit report, and pdfdetach gives them
// back byte for byte.
func TestAuditReportAttachmentsExtractByteForByte(t *testing.T) {
	tool := needPoppler(t, "pdfdetach")
	statement := []byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"AAAA"}]}` + "\n")
	cases := []struct {
		name  string
		input func() *Input
		want  map[string][]byte
	}{
		{"results as read from disk, and the statement", func() *Input {
			in := demoInput(t, "ja")
			in.ResultsJSON = []byte("{\n  \"as\": \"read from disk, not re-encoded\"\n}\n")
			in.Statement = statement
			return in
		}, map[string][]byte{ResultsAttachment: []byte("{\n  \"as\": \"read from disk, not re-encoded\"\n}\n"), StatementAttachment: statement}},
		{"canonical results when none were read, no statement", func() *Input { return demoInput(t, "en") }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.input()
			want := tc.want
			if want == nil {
				b, err := in.Results.Marshal()
				if err != nil {
					t.Fatal(err)
				}
				want = map[string][]byte{ResultsAttachment: b}
			}
			// The full evidence manifest is attached beside the results, one line per item.
			want[ManifestAttachment] = evidenceManifestCSV(in.Results)
			if lines := bytes.Count(want[ManifestAttachment], []byte("\n")); lines != len(in.Results.Evidence)+1 {
				t.Errorf("manifest has %d lines, want a header and %d items", lines, len(in.Results.Evidence))
			}
			pdf := writeTemp(t, "report.pdf", render(t, AuditPDF{}, in))
			dir := t.TempDir()
			if out, err := exec.Command(tool, "-saveall", "-o", dir, pdf).CombinedOutput(); err != nil {
				t.Fatalf("pdfdetach: %v\n%s", err, out)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != len(want) {
				t.Errorf("%d files extracted, want %d", len(entries), len(want))
			}
			for name, b := range want {
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatalf("%s was not extracted: %v", name, err)
				}
				if !bytes.Equal(got, b) {
					t.Errorf("%s differs from what was attached (%d bytes, want %d)", name, len(got), len(b))
				}
			}
		})
	}
}

// The customer white paper shows no identifier from the results, although the results carry
// them in every field — and the audit report, from the same input, does show them (so the
// fixture really exposes them and this test would see a leak).
func TestWhitePaperDisclosesNoIdentifier(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		t.Run(lang, func(t *testing.T) {
			in := syntheticInput(24, 300, lang)
			paper := pdfText(t, render(t, WhitePaperPDF{}, in))
			audit := pdfText(t, render(t, AuditPDF{}, in))
			for _, id := range identifiers {
				if strings.Contains(squeeze(paper), squeeze(id)) {
					t.Errorf("the white paper discloses %q", id)
				}
			}
			shown := 0
			for _, id := range identifiers {
				if strings.Contains(squeeze(audit), squeeze(id)) {
					shown++
				}
			}
			if shown < len(identifiers)/2 {
				t.Errorf("the audit report shows only %d of the identifiers; the fixture does not expose them", shown)
			}
			// It still says what it should: the claims and the stamps.
			claim := customerClaim(in.Catalog.Controls[0], lang)
			if !titleFound(paper, claim, lang) {
				t.Errorf("the claim %q is not in the white paper", claim)
			}
			stamp := map[string]string{"ja": "検証済み", "en": "Verified"}[lang]
			if !strings.Contains(paper, stamp) {
				t.Errorf("no %q stamp", stamp)
			}
			// A verified stamp shows its verification code (with the evidence digest's first
			// digits), even one that looks like an account id.
			for _, c := range in.Results.Controls {
				if c.Status == engine.StatusPass {
					if code := verificationCode(c); !strings.Contains(paper, code) {
						t.Errorf("%s: the stamp lacks %s", c.ID, code)
					}
				}
			}
		})
	}
}

func TestRedactorBlanksIdentifiers(t *testing.T) {
	in := syntheticInput(12, 50, "en")
	r := newRedactor(in, in.items())
	cases := []struct{ in, want string }{
		{"stored in ap-northeast-1 and ap-northeast-3", "stored in ap-northeast-1 and ap-northeast-3"}, // public: the claim names them
		{"account 123456789012", "account [withheld]"},
		{"arn:aws:iam::999999999999:role/x, then", "[withheld], then"},
		{"host 192.168.1.7 ok", "host [withheld] ok"},
		{"tenant tnt-4f9c2a71", "tenant [withheld]"},
		{"mail ciso@usonar-internal.example.com", "mail [withheld]"},
		{"approved 2027-03-31", "approved 2027-03-31"},
		{"evidence sha256:000000000001", "evidence sha256:000000000001"}, // a digest, not an account id
		{"sha256:00 and 123456789012", "sha256:00 and [withheld]"},
	}
	for _, tc := range cases {
		if got := r.redact(tc.in); got != tc.want {
			t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The white paper follows the published paper: its chapters in order, each claim restated with
// its parameters filled in and a stamp for each status.
func TestWhitePaperFollowsThePaper(t *testing.T) {
	in := demoInput(t, "ja")
	text := squeeze(bodyText(pdfText(t, render(t, WhitePaperPDF{}, in))))
	last := -1
	for _, ch := range paperStructure {
		i := strings.Index(text[last+1:], squeeze(ch.Title.JA))
		if i < 0 {
			t.Fatalf("chapter %q missing or out of order", ch.Title.JA)
		}
		last += 1 + i
	}
	for _, it := range in.items() {
		if !strings.Contains(text, squeeze(customerClaim(it.Control, "ja"))) {
			t.Errorf("%s: claim not restated", it.Result.ID)
		}
	}
	for _, stamp := range []string{"検証済み確認日", "現在未達確認日", "表明済み確認日", "適用外", "未検証確認日"} {
		if !strings.Contains(text, stamp) {
			t.Errorf("no %q stamp", stamp)
		}
	}
	for _, leak := range []string{"certificates.csv", "IA-2026"} {
		if strings.Contains(text, leak) {
			t.Errorf("the white paper shows %q from the results", leak)
		}
	}
}

// keep writes the large run's documents to a directory, to look at them:
// go test ./reports -run LargeRun -v -args -keep /tmp/large
var keep = flag.String("keep", "", "directory to write the large run's documents to")

// A run of 50 controls and about 1,000 findings renders in every format in reasonable time; the
// numbers are logged (go test -v -run LargeRun) for the note.
func TestLargeRunRendersInReasonableTime(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		in := syntheticInput(50, 1000, lang)
		total := 0
		for _, c := range in.Results.Controls {
			total += len(c.Findings)
		}
		for _, r := range Renderers() {
			start := time.Now()
			b := render(t, r, in)
			took := time.Since(start)
			pages := ""
			if strings.HasSuffix(r.FileName(lang), ".pdf") {
				pages = fmt.Sprintf(", %d pages", pdfPages(t, b))
			}
			t.Logf("%d controls, %d findings, %s: %s, %d bytes%s, %v", len(in.Results.Controls), total, lang, r.FileName(lang), len(b), pages, took.Round(time.Millisecond))
			if *keep != "" {
				if err := os.WriteFile(filepath.Join(*keep, r.FileName(lang)), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if took > 60*time.Second {
				t.Errorf("%s took %v", r.Format(), took)
			}
		}
	}
}

// Characters the font lacks are printed as substitutes, never as empty boxes: a title with
// check marks, an emoji and a character outside the BMP comes out with ○, × and 〓.
func TestMissingGlyphsFallBackInPDF(t *testing.T) {
	in := syntheticInput(3, 0, "ja")
	in.Results.Controls[0].Title.JA = "確認済み ✔ と未確認 ✗ 😀 𠮷"
	for _, r := range []Renderer{AuditPDF{}, WhitePaperPDF{}} {
		text := pdfText(t, render(t, r, in))
		if r.Format() == "pdf" && !strings.Contains(squeeze(text), "確認済み○と未確認×〓〓") {
			t.Errorf("%s: the substitutes are not in the text", r.Format())
		}
		for _, missing := range []string{"✔", "✗", "😀", "𠮷", "\ufffd"} {
			if strings.Contains(text, missing) {
				t.Errorf("%s: %q reached the PDF", r.Format(), missing)
			}
		}
	}
}
