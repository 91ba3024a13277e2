package reports

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/history"
	"github.com/shoko-audit/shoko/internal/synthruns"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// TestPeriodReportsOfARealHistory renders what history.Build makes of a store of signed runs
// (internal/synth): the contract between the two holds, page 1 names the run that could not be
// trusted and the failing control, and the dashboard shows every control in Chromium.
func TestPeriodReportsOfARealHistory(t *testing.T) {
	ctx := context.Background()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	start := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC) // 09:00 JST
	runs, err := synthruns.SignedRuns(ctx, synthruns.NewFastDir(root), priv, synthruns.HistorySpec{
		Start: start, Every: 24 * time.Hour, Runs: 30,
		Controls: []synthruns.HistoryControl{{ID: "ACC-01", Frequency: "weekly"}, {ID: "LOG-01", Frequency: "daily"}, {ID: "BAK-01", Frequency: "weekly"}},
		Status: func(i int, c string) string {
			if c == "LOG-01" && i >= 10 && i < 13 {
				return engine.StatusFail
			}
			return ""
		},
		Unsigned: func(i int) bool { return i == 20 },
	})
	if err != nil {
		t.Fatal(err)
	}
	unsigned := runs[20].ID
	rep, err := history.Build(ctx, synthruns.NewFastDir(root), history.Period{Start: start.Add(-9 * time.Hour), End: start.Add(-9*time.Hour).AddDate(0, 0, 30)}, pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckHistory(rep); err != nil {
		t.Fatalf("the history Build wrote does not pass the reports' check: %v", err)
	}
	files, err := RenderPeriodReports(rep)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("SHOKO_LOOK_DIR"); dir != "" {
		if _, err := WritePeriodReports(filepath.Join(dir, "real"), rep); err != nil {
			t.Fatal(err)
		}
	}
	page1 := collapse(strings.Split(pdfText(t, files[PeriodReportEN]), "\f")[0])
	for _, want := range []string{unsigned, "LOG-01", "30 (trusted 29, problems 1)", "unsigned"} {
		if !strings.Contains(page1, want) {
			t.Errorf("page 1 lacks %q:\n%s", want, page1)
		}
	}
	again, err := RenderPeriodReports(rep)
	if err != nil {
		t.Fatal(err)
	}
	for name := range files {
		if !bytes.Equal(files[name], again[name]) {
			t.Errorf("%s: two renders of one history differ", name)
		}
	}

	chromium := testenv.NeedChromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "index.html")
	if err := os.WriteFile(page, files[DashboardPath], 0o644); err != nil {
		t.Fatal(err)
	}
	got := testenv.LoadInChromium(t, chromium, fileURL(page, "status=interval"))
	if len(got.Console) > 0 {
		t.Errorf("console:\n%s", strings.Join(got.Console, "\n"))
	}
	shown, hidden := shownControls(got.DOM)
	if len(shown)+len(hidden) != len(rep.Controls) {
		t.Errorf("the page has %d controls, the history %d", len(shown)+len(hidden), len(rep.Controls))
	}
	if len(shown) != 1 || shown[0] != "LOG-01" {
		t.Errorf("#status=interval shows %v, want [LOG-01]", shown)
	}
	if !strings.Contains(controlSection(t, got.DOM, "LOG-01"), `class="interval"`) {
		t.Error("LOG-01's failing interval is not drawn")
	}
}
