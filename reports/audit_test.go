package reports

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/engine"
)

// sixtyFindingsLastTwoFail is one control with 60 findings on distinct resources in resource
// order, of which only the last two fail: the shape that hid GEO-01's failures behind "the
// first 50" passes.
func sixtyFindingsLastTwoFail(lang string, failing int) *Input {
	in := syntheticInput(1, 60, lang)
	r := &in.Results.Controls[0]
	r.Status = engine.StatusFail
	r.Counts = map[string]int{engine.StatusPass: 60 - failing, engine.StatusFail: failing}
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Resource = fmt.Sprintf("db-%02d", i+1)
		f.Status = engine.StatusPass
		f.Message = engine.Text{JA: f.Resource + " は国内にあります。", EN: f.Resource + " is in Japan."}
		if i >= 60-failing {
			f.Status = engine.StatusFail
			f.Message = engine.Text{JA: f.Resource + " は国外にあります。", EN: f.Resource + " is outside Japan."}
		}
	}
	in.Results.Summary = map[string]int{engine.StatusFail: 1}
	return in
}

// Every failing finding is in the report, however many passing findings come before it; the
// passes are counted and sampled. Both of the last two of 60 findings fail and both are shown;
// with none failing, no "outside Japan" line appears (the check can fail).
func TestAuditReportListsEveryFailingFinding(t *testing.T) {
	for _, tc := range []struct {
		name    string
		failing int
		want    []string
		notWant []string
	}{
		{"last two of 60 fail", 2, []string{"db-59は国外にあります。", "db-60は国外にあります。", "所見60件"}, []string{"db-10は国内"}},
		{"none fail", 0, []string{"所見60件"}, []string{"国外にあります"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := squeeze(pdfText(t, render(t, AuditPDF{}, sixtyFindingsLastTwoFail("ja", tc.failing))))
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q is not in the report", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, w) {
					t.Errorf("%q is in the report", w)
				}
			}
		})
	}
}

// Every control's title, in both languages, has its parameters filled in: no "{name}" is left,
// and changing a parameter changes the title (BAK-01 at 7 generations is titled 7, not 8), so
// no title hard-codes a number.
func TestTitlesRenderTheirParameters(t *testing.T) {
	in := demoInput(t, "ja")
	bumped := 0
	for _, c := range in.Catalog.Controls {
		for _, lang := range []string{"ja", "en"} {
			if got := c.Fill(c.Title, lang); strings.ContainsAny(got, "{}") {
				t.Errorf("%s %s title %q keeps a placeholder", c.ID, lang, got)
			}
		}
		// Change every numeric parameter the title uses and look for the new value.
		for _, name := range placeholdersOf(c.Title.JA + c.Title.EN) {
			old := c.Parameters[name]
			c.Parameters[name] = "9999"
			for _, lang := range []string{"ja", "en"} {
				if !strings.Contains(c.Fill(c.Title, lang), "9999") {
					t.Errorf("%s %s title does not follow parameter %s", c.ID, lang, name)
				}
			}
			c.Parameters[name] = old
			bumped++
		}
	}
	if bumped < 10 {
		t.Errorf("only %d title parameters found; the ten titles with numbers should all use placeholders", bumped)
	}
	// The rendered reports print the filled titles, in both languages.
	for _, lang := range []string{"ja", "en"} {
		in := demoInput(t, lang)
		text := pdfText(t, render(t, AuditPDF{}, in))
		for _, c := range in.Catalog.Controls {
			if !titleFound(text, c.Fill(c.Title, lang), lang) {
				t.Errorf("%s %s: title %q is not in the report", c.ID, lang, c.Fill(c.Title, lang))
			}
		}
		if strings.Contains(text, "{") {
			i := strings.Index(text, "{")
			t.Errorf("%s report has a brace: %q", lang, text[max(0, i-40):min(len(text), i+40)])
		}
	}
	// A raw title in old results is filled from the catalog when rendered.
	c := &engine.Control{Title: engine.Text{JA: "日次 {generations} 世代"}, Parameters: map[string]any{"generations": 7}}
	if got := titleOf(item{Result: engine.ControlResult{Title: c.Title}, Control: c}, "ja"); got != "日次 7 世代" {
		t.Errorf("titleOf = %q", got)
	}
}

func placeholdersOf(s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`\{([a-z0-9_]+)\}`).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

var (
	asciiSeverityRE = regexp.MustCompile(`(low|medium|high|critical) / (daily|weekly|monthly|quarterly|yearly)`)
	utcTimeRE       = regexp.MustCompile(`[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}`)
)

// The Japanese report speaks Japanese: severity and frequency in Japanese words, and every time
// in JST (never an RFC 3339 UTC time, not even inside a finding's message). The English report
// is checked the same way for Japanese words in those rows, so the check itself can fail.
func TestJapaneseReportHasNoEnglishWordsOrUTCTimes(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		in := demoInput(t, lang)
		// A message carrying a UTC time, as policies write them.
		// (The first finding of a control is always shown: listed if failing, sampled if not.)
		for i := range in.Results.Controls {
			if fs := in.Results.Controls[i].Findings; len(fs) > 0 {
				fs[0].Message = engine.Text{JA: "2026-04-27T09:00:00Z に終了", EN: "ended 2026-04-27T09:00:00Z"}
				break
			}
		}
		text := pdfText(t, render(t, AuditPDF{}, in))
		// Each control prints "severity / frequency": in the report's language, never the
		// catalog's ASCII words.
		want := map[string]*regexp.Regexp{
			"ja": regexp.MustCompile(`(低|中|高|重大) / (毎日|毎週|毎月|四半期ごと|毎年)`),
			"en": regexp.MustCompile(`(Low|Medium|High|Critical) / (Daily|Weekly|Monthly|Quarterly|Yearly)`),
		}[lang]
		if n := len(want.FindAllString(text, -1)); n != len(in.Results.Controls) {
			t.Errorf("%s: %d severity / frequency values in the report's language, want %d", lang, n, len(in.Results.Controls))
		}
		if m := asciiSeverityRE.FindString(text); m != "" {
			t.Errorf("%s: %q printed as the catalog writes it", lang, m)
		}
		if m := utcTimeRE.FindString(text); m != "" {
			t.Errorf("%s: UTC time %q in the report", lang, m)
		}
		if !strings.Contains(text, "2026-04-27 18:00 JST") {
			t.Errorf("%s: the message's time is not printed in JST", lang)
		}
	}
}

// The summary says what changed since the previous run when its results are given: a control
// that went from pass to fail is named with both statuses; an identical previous run gives
// "nothing changed"; no previous run says nothing was compared.
func TestAuditReportSummaryListsChangesSincePreviousRun(t *testing.T) {
	for _, tc := range []struct {
		name     string
		previous func(in *Input) *engine.Results
		want     string
	}{
		{"a control went from pass to fail", func(in *Input) *engine.Results {
			prev := *in.Results
			prev.RunID = "20261129T000000Z-prev0001"
			prev.Controls = append([]engine.ControlResult(nil), in.Results.Controls...)
			for i := range prev.Controls {
				if prev.Controls[i].Status == engine.StatusFail {
					prev.Controls[i].Status = engine.StatusPass
					break
				}
			}
			return &prev
		}, "前回の実行20261129T000000Z-prev0001から判定の変わった統制"},
		{"nothing changed", func(in *Input) *engine.Results {
			prev := *in.Results
			prev.RunID = "20261129T000000Z-prev0001"
			return &prev
		}, "前回の実行20261129T000000Z-prev0001から判定の変わった統制はありません"},
		{"no previous run given", func(*Input) *engine.Results { return nil }, "前回の実行の結果が入力にないため、比較していません"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := syntheticInput(12, 60, "ja")
			in.Previous = tc.previous(in)
			text := squeeze(bodyText(pdfText(t, render(t, AuditPDF{}, in))))
			if !strings.Contains(text, tc.want) {
				t.Errorf("%q is not in the summary", tc.want)
			}
			changed := strings.Contains(text, "判定の変わった統制:")
			if changed != (tc.name == "a control went from pass to fail") {
				t.Errorf("change table shown = %v", changed)
			}
		})
	}
}
