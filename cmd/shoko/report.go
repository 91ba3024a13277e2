package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/collectors"
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
	var formats, langs, out, generatedAt, organization, runArg, store, previous string
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
two reports of the same results with the same time are byte-identical.

--run reports a complete run after it was signed: results, catalog, evidence (checked digest by
digest), organisation and scope come from the run, and the audit report has the run's signed
statement attached and prints its digest. --out must be outside the run: a file added to a
signed run would fail verify (audit writes the reports signed with the run into runs/<id>/reports).`,
		Example: `  shoko report --results out/results.json --out out/reports
  shoko report --run out/runs/20261127T030000Z-1a2b3c4d --format pdf --lang ja,en --out out/reports-later
  shoko report --results out/results.json --evidence out/evidence --format pdf,whitepaper --lang ja,en --out out/reports`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runArg != "" && (src.results != "" || src.evidenceDir != "" || src.statement != "" || src.config != "") {
				return usageErr("report: --run takes the results, evidence, statement and organisation from the run; give it without --results, --evidence, --statement or --config")
			}
			if (src.results == "" && runArg == "") || out == "" {
				return usageErr("report needs --results or --run, and --out")
			}
			fmts, err := parseFormats(formats)
			if err != nil {
				return err
			}
			langList, err := parseLangs(langs)
			if err != nil {
				return err
			}
			at := time.Now().UTC().Truncate(time.Second)
			if generatedAt != "" {
				if at, err = time.Parse(time.RFC3339, generatedAt); err != nil {
					return usageErr("--generated-at %q: want an RFC 3339 time like 2026-11-27T09:00:00+09:00", generatedAt)
				}
			}
			var in *reports.Input
			if runArg != "" {
				in, err = a.signedRunReportInput(cmd.Context(), runArg, store, out, at, fmts)
			} else {
				in, err = a.reportInput(src, at, fmts)
			}
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
			kept, err := checkIssuer(strings.Join(fmts, ","), cmd.Flags().Changed("format"), in.Run.Organization, a.stderr)
			if err != nil {
				return err
			}
			_, err = a.writeReports(in, strings.Split(kept, ","), langList, out)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&runArg, "run", "", "a complete run (its directory, or its id in --store) to report from, with its signed statement attached")
	f.StringVar(&store, "store", "", "store of --run ID: a directory or s3://bucket/prefix")
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

// parseLangs reads a comma-separated list of report languages ("ja,en"), each once, in order.
func parseLangs(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, l := range strings.Split(s, ",") {
		l = strings.TrimSpace(l)
		if err := checkLang(l); err != nil {
			return nil, err
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out, nil
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
func (a *app) reportInput(src reportSources, generatedAt time.Time, formats []string) (*reports.Input, error) {
	// The text summary alone reads results.json straight from the file; the other formats hold
	// its bytes (the audit PDF attaches them).
	var raw []byte
	var err error
	if reports.NeedsResultsJSON(formats) {
		raw, err = os.ReadFile(src.results)
	} else {
		_, err = os.Stat(src.results)
	}
	if err != nil {
		return nil, usageErr("read results: %v", err)
	}
	// The config names the issuer and the parameters it overrides, which are part of the
	// catalog the results were evaluated with.
	var cfg *config.Config
	if src.config != "" {
		if cfg, err = config.Load(src.config); err != nil {
			return nil, &exitErr{code: exitUsage, err: err}
		}
	}
	cat, err := a.loadCatalogFor(cfg)
	if err != nil {
		return nil, err
	}
	var res *engine.Results
	if raw != nil {
		res, err = decodeResultsFor(raw, src.results, formats, cat)
	} else {
		res, err = decodeResultsFile(src.results, cat)
	}
	if err != nil {
		return nil, err
	}
	if d := cat.Digest(); d != res.Catalog.Digest {
		return nil, usageErr("results %s were evaluated with catalog %s, but the catalog loaded is %s: report with the run's own catalog (--controls/--policies)",
			src.results, res.Catalog.Digest, d)
	}
	in := &reports.Input{Results: res, Catalog: cat, GeneratedAt: generatedAt, ResultsJSON: raw}
	if cfg != nil {
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
		if err := checkEvidence(res, src.evidenceDir); err != nil {
			return nil, &exitErr{code: exitUsage, err: err}
		}
	}
	return in, nil
}

// signedRunReportInput is the report input for a complete run, read after it was signed: every
// source comes from the run, checked as reportInput checks them, and the signed statement (when
// the run has one) is attached with its digest. out must not be inside the run.
func (a *app) signedRunReportInput(ctx context.Context, runArg, store, out string, generatedAt time.Time, formats []string) (*reports.Input, error) {
	st, id, err := a.runLocation(ctx, runArg, store, nil)
	if err != nil {
		return nil, err
	}
	if d, ok := st.(*evidence.DirStore); ok {
		runDir, _ := filepath.Abs(filepath.Join(d.Root(), evidence.RunsDir, id))
		absOut, _ := filepath.Abs(out)
		if rel, err := filepath.Rel(runDir, absOut); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, usageErr("--out %s is inside run %s: a file added to a signed run fails verify; write the reports elsewhere", out, id)
		}
	}
	files, err := evidence.ReadRun(ctx, st, id)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	if _, ok := files[evidence.MarkerFile]; ok {
		return nil, usageErr("run %s is incomplete: it has no results to report", id)
	}
	mb, ok := files[evidence.RunFile]
	if !ok {
		return nil, usageErr("run %s has no %s: incomplete, nothing to report", id, evidence.RunFile)
	}
	meta, err := evidence.ParseRunMeta(evidence.RunFile, mb)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	raw := files[evidence.ResultsFile]
	cat, err := engine.LoadRunCatalog(files, collectors.KnownKinds())
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: fmt.Errorf("run %s: %w", id, err)}
	}
	res, err := decodeResultsFor(raw, "run "+id+" "+evidence.ResultsFile, formats, cat)
	if err != nil {
		return nil, err
	}
	// One run id everywhere: a report must not print an id the bundle does not carry.
	if res.RunID != id {
		return nil, usageErr("run %s: its results.json names run %q (evaluated before results carried the run's own id); report it with --results instead", id, res.RunID)
	}
	if d := cat.Digest(); d != res.Catalog.Digest {
		return nil, usageErr("run %s: results were evaluated with catalog %s, but the run's catalog is %s", id, res.Catalog.Digest, d)
	}
	items, err := evidence.RunEvidence(files, meta.Shards)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: fmt.Errorf("run %s: %w", id, err)}
	}
	if err := checkEvidenceItems(res, items, "run "+id); err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	in := &reports.Input{Results: res, Catalog: cat, GeneratedAt: generatedAt, ResultsJSON: raw}
	in.Run.Organization = meta.Scope.Organization
	in.Run.Scope = reportScope(meta.Covered)
	if b, ok := files[evidence.StatementFile]; ok {
		in.Statement, in.Run.StatementDigest = b, evidence.Digest(b)
	} else {
		a.log.Warn("run is not signed: the reports carry no statement", "run", id)
	}
	return in, nil
}

// decodeResults reads a results.json strictly and checks its schema.
func decodeResults(raw []byte, name string) (*engine.Results, error) {
	var res engine.Results
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		return nil, usageErr("results %s: %v", name, err)
	}
	if res.Schema != engine.ResultsSchema {
		return nil, usageErr("results %s: schema %q, want %q", name, res.Schema, engine.ResultsSchema)
	}
	return &res, nil
}

// decodeResultsFor reads results.json for the reports of formats: whole when one of them reads
// every finding, else a finding at a time keeping only the findings they print
// (reports.KeepFindings), as strictly: 100,000 passing findings are ≈ 190 MB decoded.
func decodeResultsFor(raw []byte, name string, formats []string, cat *engine.Catalog) (*engine.Results, error) {
	if reports.NeedsAllFindings(formats) {
		return decodeResults(raw, name)
	}
	res, err := engine.ReadResultsStream(bytes.NewReader(raw), reports.KeepFindings(cat), nil)
	if err != nil {
		return nil, usageErr("results %s: %v", name, err)
	}
	return res, nil
}

// decodeResultsFile reads results.json a finding at a time from its file, keeping what the
// text summary prints (reports.KeepFindings).
func decodeResultsFile(name string, cat *engine.Catalog) (*engine.Results, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, usageErr("read results: %v", err)
	}
	defer f.Close()
	res, err := engine.ReadResultsStream(bufio.NewReaderSize(f, 256<<10), reports.KeepFindings(cat), nil)
	if err != nil {
		return nil, usageErr("results %s: %v", name, err)
	}
	return res, nil
}

// decodeStatuses reads a previous run's results.json for what the audit report compares (each
// control's status), keeping none of its findings.
func decodeStatuses(raw []byte, name string) (*engine.Results, error) {
	none := func(*engine.ControlResult, int, *engine.Finding) bool { return false }
	res, err := engine.ReadResultsStream(bytes.NewReader(raw), none, nil)
	if err != nil {
		return nil, usageErr("results %s: %v", name, err)
	}
	return res, nil
}

// readPreviousResults reads the previous run's results.json for the audit report's "changes
// since the previous run". It is only compared, never reported as this run's, so its catalog
// may differ; a file that is not results is still refused.
func readPreviousResults(path string) (*engine.Results, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErr("read previous results: %v", err)
	}
	res, err := decodeStatuses(raw, "previous results "+path)
	if err != nil {
		return nil, err
	}
	if res.RunID == "" {
		return nil, usageErr("previous results %s: no run id", path)
	}
	return res, nil
}

// checkEvidence makes sure every evidence item the results name is in dir with the same digest,
// so a report never vouches for evidence that is not there.
func checkEvidence(res *engine.Results, dir string) error {
	if err := notARunDir(dir, "report"); err != nil {
		return err
	}
	items, err := evidence.LoadDir(dir)
	if err != nil {
		return err
	}
	if err := checkEvidenceItems(res, items, dir); err != nil {
		if hint := shardDirHint(res, items, dir); hint != "" {
			return errors.New(hint)
		}
		return err
	}
	return nil
}

// shardDirHint explains the commonest wrong --evidence: a run's evidence/ directory, which holds
// one sub-directory per shard (evidence/<shard>/<kind>/…), while the results name items relative
// to a shard's directory. It returns "" unless the items the results name are found one
// directory down.
func shardDirHint(res *engine.Results, items []evidence.Stored, dir string) string {
	want := map[string]bool{}
	for _, e := range res.Evidence {
		want[e.Path] = true
	}
	found := map[string]int{} // sub-directory → items of the results found in it
	for _, it := range items {
		if sub, rest, ok := strings.Cut(it.Path, "/"); ok && want[rest] {
			found[sub]++
		}
	}
	if len(found) == 0 {
		return ""
	}
	subs := slices.Sorted(maps.Keys(found))
	msg := fmt.Sprintf("--evidence %s holds the evidence one directory down, in %s (a run's evidence/ has one directory per shard)",
		dir, capList(subs, 5, func(s string) string { return s + "/" }))
	var fixes []string
	if len(subs) == 1 && found[subs[0]] == len(want) {
		fixes = append(fixes, "give --evidence "+filepath.Join(dir, subs[0]))
	}
	runDir := filepath.Dir(filepath.Clean(dir))
	if _, err := os.Stat(filepath.Join(runDir, evidence.RunFile)); err == nil {
		fixes = append(fixes, "use report --run "+runDir+" (it reads every shard of the run)")
	}
	if len(fixes) == 0 {
		fixes = append(fixes, "give the directory that holds every item the results name")
	}
	return msg + ": " + strings.Join(fixes, ", or ")
}

// notARunDir refuses a run's own directory given as --evidence: its run.json and results.json
// are not evidence items, and reading them as such fails on their first field. It says what to
// give instead (command is "evaluate" or "report").
func notARunDir(dir, command string) error {
	if _, err := os.Stat(filepath.Join(dir, evidence.RunFile)); err != nil {
		return nil
	}
	fix := fmt.Sprintf("use %s --run %s", command, dir)
	entries, _ := os.ReadDir(filepath.Join(dir, evidence.EvidenceDir))
	var shards []string
	for _, e := range entries {
		if e.IsDir() {
			shards = append(shards, e.Name())
		}
	}
	if len(shards) == 1 {
		fix += ", or give --evidence " + filepath.Join(dir, evidence.EvidenceDir, shards[0])
	}
	return usageErr("--evidence %s is a run's directory, not a directory of evidence items: %s", dir, fix)
}

// capList joins the first limit elements of list (each through show) with ", " and says how
// many more there are, so an error message stays one readable line however long the list.
func capList(list []string, limit int, show func(string) string) string {
	var parts []string
	for i, s := range list {
		if i == limit {
			parts = append(parts, fmt.Sprintf("and %d more", len(list)-limit))
			break
		}
		parts = append(parts, show(s))
	}
	return strings.Join(parts, ", ")
}

// checkEvidenceItems is checkEvidence on items already read from where.
func checkEvidenceItems(res *engine.Results, items []evidence.Stored, where string) error {
	have := map[string]string{}
	for _, it := range items {
		have[it.Path] = it.Digest
	}
	var problems []string
	for _, e := range res.Evidence {
		switch d, ok := have[e.Path]; {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s is not in %s", e.Path, where))
		case d != e.Digest:
			problems = append(problems, fmt.Sprintf("%s has digest %s, the results say %s", e.Path, d, e.Digest))
		}
	}
	if len(problems) > 0 {
		// Capped: a wrong directory would otherwise list every one of thousands of items.
		return fmt.Errorf("evidence does not match the results (%d problems): %s", len(problems),
			capList(problems, 5, func(s string) string { return s }))
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
