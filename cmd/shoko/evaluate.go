package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/calendar"
	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/reports"
)

func (a *app) evaluateCommand() *cobra.Command {
	var evidenceDir, out, period, asOf, cfgPath, lang, runArg, store, keyPath, runID, reportFormats string
	cmd := &cobra.Command{
		Use:   "evaluate",
		Short: "Evaluate every control on a run, or on a directory of evidence",
		Long: `Evaluate every control of the catalog on the evidence items in --evidence and write
results.json to --out; or, with --run ID|DIR, evaluate every shard of a run with the catalog
stored in the run, write its reports into runs/<id>/reports (--reports, in every --lang, default
ja,en), complete the run and sign it (--key or the config's signing.key). A shard the
run planned but that has no manifest is an error, not a smaller audit.

The evaluation time ("now") is the newest collected_at among the evidence unless --as-of is given,
so the same evidence always gives byte-identical results. The run id in the results is the run's
own with --run; with --evidence it is derived from the evidence unless --run-id names a run, so
re-evaluating a run's evidence/<shard> with its id reproduces its results.json. The audit period is --period, else
the config's period (a fiscal year, or start and end), else the year before that time. With a
config whose controls.include/exclude select controls, the others are "not_in_scope" (never
evaluated, never a pass); a run keeps the scope it was started with. Exit 0 when nothing fails, 1 when a control fails, 2 when a control is "error".`,
		Example: `  shoko evaluate --evidence testdata/records-demo --out /tmp/r
  shoko evaluate --evidence ev/ --out out/ --period 2026-04-01..2027-03-31 --as-of 2026-11-27T00:00:00Z
  shoko evaluate --run out/runs/20261127T030000Z-1a2b3c4d --config shoko.yaml --key keys/shoko.key`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runArg != "" {
				if evidenceDir != "" || out != "" || runID != "" {
					return usageErr("evaluate: give --run, or --evidence with --out (and --run-id), not both")
				}
				// A run gets its reports in both languages, as audit writes them.
				if lang == "" {
					lang = "ja,en"
				}
				langs, err := parseLangs(lang)
				if err != nil {
					return err
				}
				return a.evaluateRunCommand(cmd, runArg, store, cfgPath, keyPath, asOf, period, langs, reportFormats)
			}
			if cmd.Flags().Changed("reports") {
				return usageErr("evaluate: --reports is for --run (reports are written into the run); use shoko report for an evidence directory")
			}
			if lang == "" {
				lang = "ja"
			}
			if err := checkLang(lang); err != nil {
				return err
			}
			if evidenceDir == "" || out == "" {
				return usageErr("evaluate needs --run ID|DIR, or --evidence and --out")
			}
			// The config gives the company calendar and the parameters it overrides.
			cfg, err := optionalConfig(cfgPath)
			if err != nil {
				return err
			}
			if err := notARunDir(evidenceDir, "evaluate"); err != nil {
				return err
			}
			items, err := evidence.LoadDir(evidenceDir)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			run, err := runFor(items, asOf, period, cfg)
			if err != nil {
				return err
			}
			if run.Scope, err = a.configScope(cfg); err != nil {
				return err
			}
			if runID != "" {
				if err := evidence.CheckRunID(runID); err != nil {
					return usageErr("--run-id: %v", err)
				}
				run.ID = runID
			}
			res, err := a.evaluateInto(cmd.Context(), items, run, cfg, out)
			if err != nil {
				return err
			}
			writeSummary(a.stdout, res, lang)
			fmt.Fprintf(a.stdout, "\nresults: %s\n", filepath.Join(out, "results.json"))
			return exitForResults(res)
		},
	}
	f := cmd.Flags()
	f.StringVar(&evidenceDir, "evidence", "", "directory of evidence items (*.json)")
	f.StringVar(&out, "out", "", "directory to write results.json to")
	f.StringVar(&period, "period", "", "audit period START..END (YYYY-MM-DD in JST, or RFC 3339); default: the config's period, else the year before --as-of")
	f.StringVar(&asOf, "as-of", "", "evaluation time (RFC 3339); default: the newest collected_at of the evidence")
	f.StringVar(&cfgPath, "config", "", "config file: the company calendar (closures), the scope of controls and the period")
	f.StringVar(&lang, "lang", "", "language of the summary: ja or en (default ja); with --run, the languages of the reports, comma-separated (default ja,en; the summary is in the first)")
	f.StringVar(&reportFormats, "reports", "oscal,pdf,whitepaper", "with --run: reports to write into the run's reports/ before signing (formats as for `shoko report`; empty for none)")
	f.StringVar(&runArg, "run", "", "run to evaluate: its directory, or its id in --store")
	f.StringVar(&runID, "run-id", "", "with --evidence: the run id the results carry (a run's own, to re-evaluate its evidence byte for byte); default: derived from the evidence")
	f.StringVar(&store, "store", "", "store of --run ID: a directory or s3://bucket/prefix (default: the config's store.location)")
	f.StringVar(&keyPath, "key", "", "private key to sign the run with (default: the config's signing.key)")
	return cmd
}

// evaluateRunCommand is evaluate --run: evaluate all shards, complete and sign the run.
func (a *app) evaluateRunCommand(cmd *cobra.Command, runArg, store, cfgPath, keyPath, asOf, period string, langs []string, reportFormats string) error {
	var cfg *config.Config
	closures := closuresOf(nil)
	if cfgPath != "" {
		c, err := config.Load(cfgPath)
		if err != nil {
			return &exitErr{code: exitUsage, err: err}
		}
		cfg, closures = c, closuresOf(c)
	}
	key, err := signingKey(keyPath, cfg)
	if err != nil {
		return err
	}
	st, id, err := a.runLocation(cmd.Context(), runArg, store, cfg)
	if err != nil {
		return err
	}
	render, err := a.inRunRenderer(reportFormats, langs, time.Now().UTC().Truncate(time.Second))
	if err != nil {
		return err
	}
	res, err := a.evaluateRun(cmd.Context(), st, id, asOf, period, cfg, closures, key, render)
	if err != nil {
		return err
	}
	writeSummary(a.stdout, res, langs[0])
	fmt.Fprintf(a.stdout, "\nrun: %s\n", runDisplay(st, id))
	return exitForResults(res)
}

// evaluateInto evaluates the catalog on items and writes results.json to dir.
func (a *app) evaluateInto(ctx context.Context, items []evidence.Stored, run engine.Run, cfg *config.Config, dir string) (*engine.Results, error) {
	cat, err := a.loadCatalogFor(cfg)
	if err != nil {
		return nil, err
	}
	eng, err := engine.New(ctx, cat, engine.WithCalendar(cfg.BusinessCalendar()))
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	// The findings go to a temporary file as they are produced and are copied from it into
	// results.json: 100,000 findings are ≈ 190 MB as Go values and ≈ 100 MB of results.json,
	// never whole in memory. The summary needs only each control's status and reason. The file
	// is in dir, on the disk that is to hold results.json (the same bytes), not in a /tmp that
	// may be memory.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	res, err := eng.EvaluateSpooled(ctx, items, run, dir)
	if err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	defer res.Close()
	write := func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 256<<10)
		if err := res.Write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	if err := evidence.WriteFileAtomicFrom(filepath.Join(dir, "results.json"), 0o644, write); err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	return res, nil
}

// configScope is the scope of controls of an optional config, checked against the catalog.
func (a *app) configScope(cfg *config.Config) (*evidence.ControlScope, error) {
	if cfg == nil || len(cfg.Controls.Include) == 0 && len(cfg.Controls.Exclude) == 0 {
		return nil, nil // every control: no catalog needed to say so
	}
	cat, err := a.loadCatalogFor(cfg)
	if err != nil {
		return nil, err
	}
	return controlScope(cfg, cat)
}

// runFor works out the evaluation time and period from flags, the config (optional) and the
// evidence: --period, else the config's period for that time, else the year before it.
func runFor(items []evidence.Stored, asOf, period string, cfg *config.Config) (engine.Run, error) {
	var run engine.Run
	if asOf != "" {
		t, err := time.Parse(time.RFC3339, asOf)
		if err != nil {
			return run, usageErr("--as-of %q: want an RFC 3339 time like 2026-11-27T00:00:00Z", asOf)
		}
		run.Now = t.UTC()
	} else {
		for _, it := range items {
			if it.CollectedAt.After(run.Now) {
				run.Now = it.CollectedAt.UTC()
			}
		}
	}
	if period == "" {
		if start, end, ok := cfg.AuditPeriod(run.Now); ok {
			run.Period = engine.Period{Start: start, End: end}
			return run, nil
		}
		run.Period = engine.Period{Start: run.Now.AddDate(-1, 0, 0), End: run.Now}
		return run, nil
	}
	start, end, ok := strings.Cut(period, "..")
	if !ok {
		return run, usageErr("--period %q: want START..END", period)
	}
	var err error
	if run.Period.Start, err = parsePeriodBound(start, false); err != nil {
		return run, usageErr("--period start: %v", err)
	}
	if run.Period.End, err = parsePeriodBound(end, true); err != nil {
		return run, usageErr("--period end: %v", err)
	}
	if !run.Period.End.After(run.Period.Start) {
		return run, usageErr("--period %q: the end is not after the start", period)
	}
	return run, nil
}

// parsePeriodBound reads a date (the whole day in JST: its start, or its end for an end bound)
// or an RFC 3339 time.
func parsePeriodBound(s string, end bool) (time.Time, error) {
	if d, err := time.ParseInLocation("2006-01-02", s, calendar.JST); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a YYYY-MM-DD date nor an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

func exitForResults(res *engine.Results) error {
	switch {
	case res.Summary[engine.StatusError] > 0:
		return &exitErr{code: exitError, err: fmt.Errorf("%d controls are error", res.Summary[engine.StatusError]), reported: true}
	case len(res.ExceptionProblems()) > 0:
		// An exceptions file or entry no control answers for: what was approved may not have
		// been applied, so the run is not a clean one (writeSummary has printed the cause).
		return &exitErr{code: exitError, err: fmt.Errorf("exceptions are invalid: %s", strings.Join(res.ExceptionProblems(), "; ")), reported: true}
	case res.Summary[engine.StatusFail] > 0:
		return &exitErr{code: exitFail, err: fmt.Errorf("%d controls fail", res.Summary[engine.StatusFail]), reported: true}
	}
	return nil
}

// causeMarkers end the part of an error reason that names the evidence item, in each language;
// what follows is the item's error (engine/evaluate.go).
var causeMarkers = []string{" could not be collected: ", " を収集できませんでした: "}

// splitCause splits an error reason into its head (naming the item) and the item's error.
func splitCause(reason string) (head, cause string, ok bool) {
	for _, m := range causeMarkers {
		if i := strings.Index(reason, m); i >= 0 {
			return reason[:i+len(m)], reason[i+len(m):], true
		}
	}
	return "", "", false
}

// normalCause is a cause without the per-call request ids of AWS errors.
func normalCause(cause string) string { return perCallIDRE.ReplaceAllString(cause, "") }

// causeTable numbers the causes shared by two or more error controls, in the controls' order.
type causeTable struct {
	number map[string]int
	count  map[string]int
	order  []string
}

func sharedCauses(res *engine.Results, lang string) causeTable {
	t := causeTable{number: map[string]int{}, count: map[string]int{}}
	var seen []string
	for _, c := range res.Controls {
		if c.Status != engine.StatusError {
			continue
		}
		if _, cause, ok := splitCause(c.Reason.Lang(lang)); ok {
			cause = normalCause(cause)
			if t.count[cause] == 0 {
				seen = append(seen, cause)
			}
			t.count[cause]++
		}
	}
	for _, cause := range seen {
		if t.count[cause] > 1 {
			t.order = append(t.order, cause)
			t.number[cause] = len(t.order)
		}
	}
	return t
}

// writeSummary prints a table of controls and the count of each status.
func writeSummary(w io.Writer, res *engine.Results, lang string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tREASON")
	var outOfScope []string
	causes := sharedCauses(res, lang)
	for _, c := range res.Controls {
		if c.Status == engine.StatusNotInScope {
			outOfScope = append(outOfScope, c.ID)
			continue
		}
		reason := c.Reason.Lang(lang)
		if head, cause, ok := splitCause(reason); ok && c.Status == engine.StatusError {
			if n := causes.number[normalCause(cause)]; n > 0 {
				reason = fmt.Sprintf("%s[cause %d]", head, n)
			}
		}
		// Times in JST, as every report prints them: no reader converts UTC in their head.
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.ID, c.Status, reports.LocalTimes(reason))
	}
	_ = tw.Flush()
	if len(causes.order) > 0 {
		// A cause shared by several error controls is printed once: 36 controls repeating one
		// 250-character AWS error hide the one line that says what to fix.
		fmt.Fprintln(w)
		for i, cause := range causes.order {
			fmt.Fprintf(w, "[cause %d] (%d controls) %s\n", i+1, causes.count[cause], reports.LocalTimes(cause))
		}
	}
	if len(outOfScope) > 0 {
		// One line for them all: a row each would bury the controls that were judged.
		fmt.Fprintf(w, "\n%s (%d, not evaluated): %s\n", engine.StatusNotInScope, len(outOfScope), strings.Join(outOfScope, ", "))
	}
	var parts []string
	for _, s := range engine.AllStatuses {
		parts = append(parts, fmt.Sprintf("%s %d", s, res.Summary[s]))
	}
	fmt.Fprintf(w, "\nrun %s: %s\n", res.RunID, strings.Join(parts, ", "))
	for _, e := range res.Exceptions {
		if e.State == engine.ExceptionApplied {
			continue
		}
		// The control and resource when the entry names them, and the cause when it is bad.
		line := strings.Join(slices.DeleteFunc([]string{"exception", e.Control, e.Resource}, func(s string) bool { return s == "" }), " ")
		line += fmt.Sprintf(" (%s): %s", e.Source, e.State)
		if e.Problem != "" {
			line += ": " + e.Problem
		}
		fmt.Fprintln(w, line)
	}
	// A plan customers will not see (unreadable file, unknown control) or one past its date is
	// the operator's to fix.
	for _, r := range res.Remediations {
		if r.State != engine.RemediationOpen && r.State != engine.RemediationClosed {
			fmt.Fprintf(w, "remediation %s (%s): %s\n", r.Control, r.Source, joinNonEmptyStrings(": ", r.State, r.Reason))
		}
	}
}

// joinNonEmptyStrings joins the parts that are not empty.
func joinNonEmptyStrings(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
