package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/reports"
)

// reportSources are the files a report is made from. The flags fill them one by one. A run
// directory (runs/<id>/{evidence/,catalog/,results.json,reports/,run.json,statement.intoto.json})
// fills them all at once: --run DIR sets results to DIR/results.json, evidenceDir to DIR/evidence,
// statement to DIR/statement.intoto.json (when present) and --out to DIR/reports by default; the
// catalog comes from DIR/catalog (as --controls/--policies do) and run.json's organisation, scope
// and statement digest go into reports.RunInfo after reportInput.
type reportSources struct {
	results     string // results.json
	evidenceDir string // optional: the evidence the results refer to, checked digest by digest
	statement   string // optional: the signed statement (DSSE envelope), embedded in the audit report
	config      string // optional: shoko.yaml, for the organisation's name
}

func (a *app) reportCommand() *cobra.Command {
	var src reportSources
	var formats, langs, out, generatedAt, organization, previous string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the audit report, white paper, OSCAL and JSON from results.json",
		Long: `Write reports from an evaluation's results.json:

  pdf         the audit report for the ISMS committee and auditors (audit-report.<lang>.pdf),
              with results.json and the signed statement embedded as attachments
  whitepaper  the customer white paper with a live stamp on every claim (whitepaper.<lang>.pdf);
              it discloses no account, resource, host or tenant
  oscal       OSCAL 1.1.3 assessment-results (assessment-results.oscal.json)
  json        results.json, canonical
  text        the summary on the terminal, with the paths written

The catalog must be the one the results were evaluated with (its digest is checked): the claims,
sections and parameters come from it. --generated-at fixes the generation time (default: now), so
two reports of the same results with the same time are byte-identical.`,
		Example: `  shoko report --results out/results.json --out out/reports
  shoko report --results out/results.json --evidence out/evidence --format pdf,whitepaper --lang ja,en --out out/reports`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if src.results == "" || out == "" {
				return usageErr("report needs --results and --out")
			}
			fmts, err := parseFormats(formats)
			if err != nil {
				return err
			}
			var langList []string
			for _, l := range strings.Split(langs, ",") {
				l = strings.TrimSpace(l)
				if err := checkLang(l); err != nil {
					return err
				}
				langList = append(langList, l)
			}
			at := time.Now().UTC().Truncate(time.Second)
			if generatedAt != "" {
				if at, err = time.Parse(time.RFC3339, generatedAt); err != nil {
					return usageErr("--generated-at %q: want an RFC 3339 time like 2026-11-27T09:00:00+09:00", generatedAt)
				}
			}
			in, err := a.reportInput(src, at)
			if err != nil {
				return err
			}
			if organization != "" {
				in.Run.Organization = organization
			}
			if previous != "" {
				if in.Previous, err = readPreviousResults(previous); err != nil {
					return err
				}
			}
			_, err = a.writeReports(in, fmts, langList, out)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&src.results, "results", "", "results.json of an evaluation")
	f.StringVar(&src.evidenceDir, "evidence", "", "evidence directory of the run; every evidence digest in the results is checked against it")
	f.StringVar(&src.statement, "statement", "", "signed statement (DSSE envelope) of the run, embedded in the audit report")
	f.StringVar(&src.config, "config", "", "config file (shoko.yaml), for the organisation's name")
	f.StringVar(&organization, "organization", "", "organisation named on the reports (overrides the config)")
	f.StringVar(&formats, "format", strings.Join(reports.Formats(), ","), "formats, comma-separated: "+strings.Join(reports.Formats(), ", "))
	f.StringVar(&langs, "lang", "ja", "languages, comma-separated: ja, en")
	f.StringVar(&out, "out", "", "directory to write the reports to")
	f.StringVar(&generatedAt, "generated-at", "", "generation time printed on the reports (RFC 3339); default: now")
	f.StringVar(&previous, "previous-results", "", "results.json of the previous run in the chain; the audit report's summary then lists what changed")
	return cmd
}

func parseFormats(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		known := false
		for _, k := range reports.Formats() {
			known = known || f == k
		}
		if !known {
			return nil, usageErr("--format %q: want some of %s", f, strings.Join(reports.Formats(), ", "))
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out, nil
}

// reportInput reads what a report is made from and checks that it belongs together: the catalog
// is the one the results were evaluated with, and the evidence (when given) is the evidence the
// results name.
func (a *app) reportInput(src reportSources, generatedAt time.Time) (*reports.Input, error) {
	raw, err := os.ReadFile(src.results)
	if err != nil {
		return nil, usageErr("read results: %v", err)
	}
	var res engine.Results
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		return nil, usageErr("results %s: %v", src.results, err)
	}
	if res.Schema != engine.ResultsSchema {
		return nil, usageErr("results %s: schema %q, want %q", src.results, res.Schema, engine.ResultsSchema)
	}
	cat, err := a.loadCatalog()
	if err != nil {
		return nil, err
	}
	if d := cat.Digest(); d != res.Catalog.Digest {
		return nil, usageErr("results %s were evaluated with catalog %s, but the catalog loaded is %s: report with the run's own catalog (--controls/--policies)",
			src.results, res.Catalog.Digest, d)
	}
	in := &reports.Input{Results: &res, Catalog: cat, GeneratedAt: generatedAt, ResultsJSON: raw}
	if src.config != "" {
		cfg, err := config.Load(src.config)
		if err != nil {
			return nil, &exitErr{code: exitUsage, err: err}
		}
		in.Run.Organization = cfg.Organization
	}
	if src.statement != "" {
		b, err := os.ReadFile(src.statement)
		if err != nil {
			return nil, usageErr("read statement: %v", err)
		}
		in.Statement, in.Run.StatementDigest = b, evidence.Digest(b)
	}
	if src.evidenceDir != "" {
		if err := checkEvidence(&res, src.evidenceDir); err != nil {
			return nil, &exitErr{code: exitUsage, err: err}
		}
	}
	return in, nil
}

// readPreviousResults reads the previous run's results.json for the audit report's "changes
// since the previous run". It is only compared, never reported as this run's, so its catalog
// may differ; a file that is not results is still refused.
func readPreviousResults(path string) (*engine.Results, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErr("read previous results: %v", err)
	}
	var res engine.Results
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		return nil, usageErr("previous results %s: %v", path, err)
	}
	if res.Schema != engine.ResultsSchema || res.RunID == "" {
		return nil, usageErr("previous results %s: schema %q and run id %q, want %q and a run id", path, res.Schema, res.RunID, engine.ResultsSchema)
	}
	return &res, nil
}

// checkEvidence makes sure every evidence item the results name is in dir with the same digest,
// so a report never vouches for evidence that is not there.
func checkEvidence(res *engine.Results, dir string) error {
	items, err := evidence.LoadDir(dir)
	if err != nil {
		return err
	}
	have := map[string]string{}
	for _, it := range items {
		have[it.Path] = it.Digest
	}
	var problems []string
	for _, e := range res.Evidence {
		switch d, ok := have[e.Path]; {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s is not in %s", e.Path, dir))
		case d != e.Digest:
			problems = append(problems, fmt.Sprintf("%s has digest %s, the results say %s", e.Path, d, e.Digest))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("evidence does not match the results: %s", strings.Join(problems, "; "))
	}
	return nil
}

// writeReports renders every format in every language to out, then prints the summary (when
// "text" is among the formats) and returns the paths written.
func (a *app) writeReports(in *reports.Input, formats, langs []string, out string) ([]string, error) {
	files, err := a.renderReports(in, formats, langs)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("create %s: %w", out, err)}
	}
	var written []string
	for _, f := range files {
		path := filepath.Join(out, f.name)
		if err := evidence.WriteFileAtomic(path, f.data, 0o644); err != nil {
			return nil, &exitErr{code: exitError, err: err}
		}
		written = append(written, path)
	}
	if err := a.textSummary(in, formats, langs, written); err != nil {
		return nil, err
	}
	return written, nil
}

// reportFile is one rendered report: its file name and bytes.
type reportFile struct {
	name string
	data []byte
}

// renderReports renders every format in every language (a language-independent format once).
func (a *app) renderReports(in *reports.Input, formats, langs []string) ([]reportFile, error) {
	var out []reportFile
	done := map[string]bool{}
	for _, format := range formats {
		if format == "text" {
			continue
		}
		r, _ := reports.Lookup(format)
		for _, lang := range langs {
			name := r.FileName(lang)
			if done[name] {
				continue // a language-independent format (json, oscal) is written once
			}
			done[name] = true
			in.Lang = lang
			start := time.Now()
			var buf bytes.Buffer
			if err := r.Render(&buf, in); err != nil {
				return nil, &exitErr{code: exitError, err: fmt.Errorf("%s (%s): %w", format, lang, err)}
			}
			a.log.Info("report rendered", "format", format, "lang", lang, "file", name, "bytes", buf.Len(),
				"took", time.Since(start).Round(time.Millisecond))
			out = append(out, reportFile{name: name, data: buf.Bytes()})
		}
	}
	return out, nil
}

// textSummary prints the terminal summary when the formats ask for it.
func (a *app) textSummary(in *reports.Input, formats, langs []string, written []string) error {
	for _, f := range formats {
		if f == "text" {
			in.Lang = langs[0]
			tx := reports.Text{Color: colorTerminal(a.stdout), Written: written}
			if err := tx.Render(a.stdout, in); err != nil {
				return &exitErr{code: exitError, err: err}
			}
		}
	}
	return nil
}

// colorTerminal reports whether w is a terminal that may be coloured (NO_COLOR unset).
func colorTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
