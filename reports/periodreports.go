package reports

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shoko-audit/shoko/history"
)

// The files of the period reports, relative to the period directory.
var (
	PeriodReportJA = PeriodFileName("ja")
	PeriodReportEN = PeriodFileName("en")
	DashboardPath  = "dashboard/" + DashboardFileName
)

// RenderPeriodReports renders the period reports of a history report — the PDF in Japanese and
// in English and the HTML dashboard — by their path relative to the period directory (with /):
// period-report.ja.pdf, period-report.en.pdf, dashboard/index.html. It writes nothing, so the
// caller can add them to the files it signs and writes (`shoko history`).
func RenderPeriodReports(rep *history.Report) (map[string][]byte, error) {
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
	return files, nil
}

// WritePeriodReports renders the period reports (RenderPeriodReports) and writes them into
// outDir, returning the bytes written by their relative path. Everything is rendered before
// anything is written: a bad history report writes nothing.
func WritePeriodReports(outDir string, rep *history.Report) (map[string][]byte, error) {
	files, err := RenderPeriodReports(rep)
	if err != nil {
		return nil, err
	}
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
