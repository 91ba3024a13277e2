package reports

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shoko-audit/shoko/history"
)

// The files WritePeriodReports writes, relative to its output directory.
var (
	PeriodReportJA = PeriodFileName("ja")
	PeriodReportEN = PeriodFileName("en")
	DashboardPath  = "dashboard/" + DashboardFileName
)

// WritePeriodReports renders the period reports of a history report — the PDF in Japanese and in
// English and the HTML dashboard — and writes them into outDir (period-report.ja.pdf,
// period-report.en.pdf, dashboard/index.html). It returns the bytes written by their path
// relative to outDir (with /), so the caller can list them in the period statement. Everything is
// rendered before anything is written: a bad history report writes nothing.
func WritePeriodReports(outDir string, rep *history.Report) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, lang := range []string{"ja", "en"} {
		var b bytes.Buffer
		if err := WritePeriodPDF(&b, rep, lang); err != nil {
			return nil, err
		}
		files[PeriodFileName(lang)] = b.Bytes()
	}
	var b bytes.Buffer
	if err := RenderDashboard(&b, rep); err != nil {
		return nil, err
	}
	files[DashboardPath] = b.Bytes()
	for _, name := range sortedKeys(files) {
		path := filepath.Join(outDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("period reports: %w", err)
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return nil, fmt.Errorf("period reports: write %s: %w", path, err)
		}
	}
	return files, nil
}
