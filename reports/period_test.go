package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/history"
)

// historyWith returns the fixture changed by f, for the failing cases.
func historyWith(t testing.TB, f func(*history.Report)) *history.Report {
	t.Helper()
	rep := periodFixture(t, fixtureExtra{})
	f(rep)
	return rep
}

func TestPeriodReportsAreByteIdentical(t *testing.T) {
	render := func(rep *history.Report) map[string][]byte {
		t.Helper()
		files, err := WritePeriodReports(t.TempDir(), rep)
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	first := render(periodFixture(t, fixtureExtra{openInterval: true}))
	if len(first) != 3 {
		t.Fatalf("wrote %d files, want the two PDFs and the dashboard", len(first))
	}
	tests := []struct {
		name string
		rep  *history.Report
		same bool
	}{
		{"the same history renders the same bytes", periodFixture(t, fixtureExtra{openInterval: true}), true},
		{"another history renders other bytes", periodFixture(t, fixtureExtra{}), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			again := render(tc.rep)
			for _, name := range []string{PeriodReportJA, PeriodReportEN, DashboardPath} {
				if got := bytes.Equal(first[name], again[name]); got != tc.same {
					t.Errorf("%s: byte-identical %v, want %v", name, got, tc.same)
				}
			}
		})
	}
}

// TestPeriodPDFIsDatedByItsHistory: the PDF's creation date is the history's last run, not the
// clock, so a re-render next year is byte-identical.
func TestPeriodPDFIsDatedByItsHistory(t *testing.T) {
	tests := []struct {
		name string
		rep  *history.Report
		want string
	}{
		{"the last run's end", periodFixture(t, fixtureExtra{}), "(D:20260430000400)"},
		{"no runs: the period's start", historyWith(t, func(r *history.Report) { r.Runs = nil }), "(D:20260331150000)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WritePeriodPDF(&b, tc.rep, "en"); err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b.Bytes(), []byte("/CreationDate "+tc.want)) {
				t.Errorf("the PDF is not dated %s", tc.want)
			}
		})
	}
}

func TestWritePeriodReportsWritesTheFilesItReturns(t *testing.T) {
	dir := t.TempDir()
	files, err := WritePeriodReports(dir, periodFixture(t, fixtureExtra{}))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		disk, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(disk, b) {
			t.Errorf("%s on disk differs from the bytes returned", name)
		}
	}
	// A bad history writes nothing.
	bad := t.TempDir()
	if _, err := WritePeriodReports(bad, historyWith(t, func(r *history.Report) { r.Schema = "x" })); err == nil {
		t.Fatal("a bad history report was rendered")
	}
	if entries, _ := os.ReadDir(bad); len(entries) != 0 {
		t.Errorf("a bad history report left %d files", len(entries))
	}
}

func TestCheckHistoryNamesTheBadField(t *testing.T) {
	tests := []struct {
		name   string
		change func(*history.Report)
		want   string // "" = valid
	}{
		{"the fixture is valid", func(*history.Report) {}, ""},
		{"wrong schema", func(r *history.Report) { r.Schema = "shoko.history/v0" }, `schema "shoko.history/v0"`},
		{"period ends before it starts", func(r *history.Report) { r.Period.End = r.Period.Start.Add(-time.Hour) }, "period: end"},
		{"period not set", func(r *history.Report) { r.Period.Start = time.Time{} }, "period: start and end"},
		{"unknown status in a timeline", func(r *history.Report) { r.Controls[3].Timeline[4].Status = "passed" }, `controls[3] (BAK-02).timeline[4]: unknown status "passed"`},
		{"a control twice", func(r *history.Report) { r.Controls[1].ID = r.Controls[0].ID }, "control listed twice"},
		{"a run twice", func(r *history.Report) { r.Runs[1].ID = r.Runs[0].ID }, "is listed twice"},
		{"passing share over 1", func(r *history.Report) { r.Controls[0].PassingShare = 1.01 }, "passing_share 1.01"},
		{"fixed before it failed", func(r *history.Report) {
			at := r.Controls[3].Intervals[0].FirstFailing.Add(-time.Hour) // BAK-02
			r.Controls[3].Intervals[0].FixedAt = &at
		}, "fixed_at is before first_failing"},
		{"what was verified is not said", func(r *history.Report) { r.Verified = "" }, `verified "": want "read" or "all"`},
		{"an interval that is not failing", func(r *history.Report) { r.Controls[3].Intervals[0].Status = "pass" }, `intervals[0]: status "pass"`},
		{"a gap that ends where it starts", func(r *history.Report) { r.Controls[7].Gaps[0].To = r.Controls[7].Gaps[0].From /* CHG-01 */ }, "gaps[0]: to is not after from"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := historyWith(t, tc.change)
			err := CheckHistory(rep)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CheckHistory: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckHistory = %v, want an error naming %q", err, tc.want)
			}
			// Every renderer refuses it the same way.
			if err := WritePeriodPDF(&bytes.Buffer{}, rep, "ja"); err == nil {
				t.Error("WritePeriodPDF rendered a bad history report")
			}
			if err := RenderDashboard(&bytes.Buffer{}, rep); err == nil {
				t.Error("RenderDashboard rendered a bad history report")
			}
		})
	}
	if err := WritePeriodPDF(&bytes.Buffer{}, periodFixture(t, fixtureExtra{}), "de"); err == nil || !strings.Contains(err.Error(), `"de"`) {
		t.Errorf("language de: %v, want an error naming it", err)
	}
}

func TestDurationTextCutsNeverRoundsUp(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		d      time.Duration
		ja, en string
	}{
		{0, "0 秒", "0 seconds"},
		{500 * time.Millisecond, "1 秒未満", "under a second"},
		{time.Second, "1 秒", "1 second"},
		{59 * time.Second, "59 秒", "59 seconds"},
		{90 * time.Minute, "1 時間 30 分", "1 hour 30 minutes"},
		{2 * time.Hour, "2 時間", "2 hours"},
		{8 * day, "8 日", "8 days"},
		{8*day - time.Second, "7 日 23 時間", "7 days 23 hours"}, // one second short of the limit never reads as the limit
		{8*day + time.Second, "8 日", "8 days"},
		{3*day + 15*time.Hour + 59*time.Minute, "3 日 15 時間", "3 days 15 hours"},
		{-time.Hour, "−1 時間", "−1 hour"},
	}
	for _, tc := range tests {
		if got := durationText(tc.d, "ja"); got != tc.ja {
			t.Errorf("durationText(%v, ja) = %q, want %q", tc.d, got, tc.ja)
		}
		if got := durationText(tc.d, "en"); got != tc.en {
			t.Errorf("durationText(%v, en) = %q, want %q", tc.d, got, tc.en)
		}
	}
}

func TestShareTextNeverReadsFullUnlessFull(t *testing.T) {
	tests := []struct {
		share float64
		want  string
	}{
		{1, "100%"},
		{0.99996, "99.9%"},
		{0.999, "99.9%"},
		{0.5, "50.0%"},
		{0.0004, "0.0%"},
		{0, "0.0%"},
	}
	for _, tc := range tests {
		if got := shareText(tc.share); got != tc.want {
			t.Errorf("shareText(%v) = %q, want %q", tc.share, got, tc.want)
		}
	}
}

func TestGapTextSaysHowFarOver(t *testing.T) {
	allowed := 8 * 24 * time.Hour
	tests := []struct {
		name   string
		length time.Duration
		ja, en string
	}{
		{"one second past the limit", allowed + time.Second, "8 日（許容 8 日を 1 秒超過）", "8 days (allowed 8 days; 1 second over)"},
		{"two days past", allowed + 48*time.Hour, "10 日（許容 8 日を 2 日超過）", "10 days (allowed 8 days; 2 days over)"},
	}
	for _, tc := range tests {
		g := history.Gap{LengthNS: tc.length, AllowedNS: allowed}
		if got := gapText(g, "ja"); got != tc.ja {
			t.Errorf("%s: ja %q, want %q", tc.name, got, tc.ja)
		}
		if got := gapText(g, "en"); got != tc.en {
			t.Errorf("%s: en %q, want %q", tc.name, got, tc.en)
		}
	}
}

func TestSummarySentencesSayWhatToActOn(t *testing.T) {
	noProblems := func(r *history.Report) {
		r.Problems, r.Summary.Problems = nil, 0
		for i := range r.Runs {
			r.Runs[i].Trusted = true
		}
	}
	quiet := func(r *history.Report) {
		noProblems(r)
		for i := range r.Controls {
			r.Controls[i].Intervals, r.Controls[i].Gaps = nil, nil
		}
		r.Summary.ControlsWithFailures, r.Summary.ControlsWithGaps = 0, 0
	}
	tests := []struct {
		name    string
		rep     *history.Report
		lang    string
		want    []string
		notWant []string
	}{
		{"an open interval is named with its start and length", periodFixture(t, fixtureExtra{openInterval: true}), "en",
			[]string{"1 control was still failing at the period's last run: BAK-03 (since 2026-04-27 09:00 JST, 3 days 15 hours)", "remediated within the period: BAK-02", "CHG-01", "20260412T000000Z-", "(unsigned)"}, nil},
		{"ja: the open interval and the untrusted run", periodFixture(t, fixtureExtra{openInterval: true}), "ja",
			[]string{"期間内の最後の実行で不適合が未解消の統制が 1 件あります: BAK-03（2026-04-27 09:00 JST から 3 日 15 時間）", "確認の空白", "署名なし"}, nil},
		{"closed intervals only", periodFixture(t, fixtureExtra{}), "en",
			[]string{"No control was still failing at the period's last run.", "BAK-02"}, []string{"still failing at the period's last run:"}},
		{"no problems: no sentence about untrusted runs", historyWith(t, noProblems), "en", nil, []string{"untrusted"}},
		{"nothing to act on", historyWith(t, quiet), "ja",
			[]string{"期間中に不適合・判定不能となった統制はありません。", "すべての統制が頻度どおりに判定されています。"}, []string{"信頼できない"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(summarySentences(tc.rep, tc.lang), "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("summary lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("summary has %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestPeriodPDFFirstPageCarriesWhatToActOn reads page 1 of the rendered PDF (pdftotext): the
// period, the store, the key, the counts and the controls and runs to act on, in each language.
func TestPeriodPDFFirstPageCarriesWhatToActOn(t *testing.T) {
	rep := periodFixture(t, fixtureExtra{openInterval: true})
	problemRun := rep.Problems[0].RunID
	tests := []struct {
		name    string
		rep     *history.Report
		lang    string
		want    []string
		notWant []string
	}{
		{"ja", rep, "ja", []string{"統制運用期間報告書", "2026-04-01–2026-04-30", rep.KeyID, rep.Store, "30件（信頼できる実行29件、問題1件）",
			"期間内の最後の実行で未解消の不適合区間", "BAK-03", "2026-04-2709:00JST", "CHG-01", "10日（許容8日を2日超過）", problemRun, "署名なし"}, nil},
		{"en", rep, "en", []string{"Control Operation Period Report", "2026-04-01 – 2026-04-30", rep.KeyID, "30 (trusted 29, problems 1)",
			"Failing intervals still open", "BAK-03", "CHG-01", "10 days (allowed 8 days; 2 days over)", problemRun, "unsigned"}, nil},
		{"nothing open: said, not a blank table", periodFixture(t, fixtureExtra{}), "en",
			[]string{"No failing interval is open at the period's last run."}, []string{"Open for"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WritePeriodPDF(&b, tc.rep, tc.lang); err != nil {
				t.Fatal(err)
			}
			page1 := strings.Split(pdfText(t, b.Bytes()), "\f")[0]
			norm := collapse
			if tc.lang == "ja" {
				norm = squeeze
			}
			text := norm(page1)
			for _, w := range tc.want {
				if !strings.Contains(text, norm(w)) {
					t.Errorf("page 1 lacks %q:\n%s", w, page1)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, norm(w)) {
					t.Errorf("page 1 has %q", w)
				}
			}
		})
	}
}

// TestPeriodPDFListsEveryControl: every control of the history has its section in each language,
// and the issues come first.
func TestPeriodPDFListsEveryControl(t *testing.T) {
	rep := periodFixture(t, fixtureExtra{})
	for _, lang := range []string{"ja", "en"} {
		var b bytes.Buffer
		if err := WritePeriodPDF(&b, rep, lang); err != nil {
			t.Fatal(err)
		}
		text := squeeze(bodyText(pdfText(t, b.Bytes())))
		detail := strings.Index(text, squeeze(tr(lang)("2. 統制ごとの詳細", "2. Each control in detail")))
		if detail < 0 {
			t.Fatalf("%s: no detail section", lang)
		}
		for _, c := range rep.Controls {
			if !strings.Contains(text[detail:], squeeze(c.ID+" "+controlTitle(c, lang))) {
				t.Errorf("%s: control %s has no section", lang, c.ID)
			}
		}
		// BAK-02 (failing interval) and CHG-01 (gap) come before ACC-01 (neither).
		at := func(id string) int {
			return strings.Index(text[detail:], id+squeeze(controlTitle(controlByID(rep, id), lang)))
		}
		if !(at("BAK-02") < at("ACC-01") && at("CHG-01") < at("ACC-01")) {
			t.Errorf("%s: controls with intervals or gaps are not first (BAK-02 %d, CHG-01 %d, ACC-01 %d)", lang, at("BAK-02"), at("CHG-01"), at("ACC-01"))
		}
	}
}

func controlByID(rep *history.Report, id string) history.Control {
	for _, c := range rep.Controls {
		if c.ID == id {
			return c
		}
	}
	return history.Control{}
}

func TestAxisTicksEndOnThePeriodsLastDay(t *testing.T) {
	rep := periodFixture(t, fixtureExtra{})
	ticks := axisTicks(rep.Period.Start, rep.Period.End)
	if !ticks[0].Equal(rep.Period.Start) || !ticks[len(ticks)-1].Equal(rep.Period.End) {
		t.Fatalf("ticks %v do not span the period", ticks)
	}
	view := dashboardView(rep)
	last := view.Controls[0].Strip.Ticks[len(view.Controls[0].Strip.Ticks)-1]
	if last.Label != "2026-04-30" {
		t.Errorf("the axis ends on %s, want the period's last day 2026-04-30 (the end is exclusive)", last.Label)
	}
}

// TestPeriodReportsOfAYear: a year of daily runs over the whole catalog renders in reasonable
// time and size (one cell per run per control in the PDF and in the page's SVG).
func TestPeriodReportsOfAYear(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a year of runs")
	}
	rep := periodFixture(t, fixtureExtra{openInterval: true, days: 365, controls: 100})
	start := time.Now()
	files, err := WritePeriodReports(t.TempDir(), rep)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	for name, b := range files {
		t.Logf("%s: %d bytes", name, len(b))
		if len(b) > 20<<20 {
			t.Errorf("%s is %d MB", name, len(b)>>20)
		}
	}
	t.Logf("%d runs × %d controls rendered in %v", len(rep.Runs), len(rep.Controls), took)
	if took > 60*time.Second {
		t.Errorf("rendering took %v", took)
	}
}

func TestProblemAndGapTextNameTheRunsInvolved(t *testing.T) {
	tests := []struct {
		name   string
		got    func(lang string) string
		ja, en string
	}{
		{"a problem with its cause", func(l string) string {
			return problemDetail(history.Problem{Detail: "link broken", CauseRun: "R1"}, l)
		}, "link broken（原因: 実行 R1）", "link broken (caused by run R1)"},
		{"a problem of its own", func(l string) string { return problemDetail(history.Problem{Detail: "unsigned"}, l) }, "unsigned", "unsigned"},
		{"a gap over untrusted runs", func(l string) string {
			return gapUntrusted(history.Gap{UntrustedRuns: []string{"R2", "R3"}}, l)
		}, "この間の信頼できない実行: R2, R3", "untrusted runs inside: R2, R3"},
		{"a gap with none", func(l string) string { return gapUntrusted(history.Gap{}, l) }, "", ""},
	}
	for _, tc := range tests {
		if got := tc.got("ja"); got != tc.ja {
			t.Errorf("%s: ja %q, want %q", tc.name, got, tc.ja)
		}
		if got := tc.got("en"); got != tc.en {
			t.Errorf("%s: en %q, want %q", tc.name, got, tc.en)
		}
	}
	if all, read := verifiedText(history.VerifiedAll, "en"), verifiedText(history.VerifiedRead, "en"); all == read || !strings.Contains(all, "every file") {
		t.Errorf("verified all %q and read %q do not say different things", all, read)
	}
}
