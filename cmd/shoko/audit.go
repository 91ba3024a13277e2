package main

import (
	"fmt"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/reports"
	"path"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/evidence"
)

func (a *app) auditCommand() *cobra.Command {
	var cfgPath, out, store, keyPath, runID, period, lang, reportFormats string
	var concurrency int
	var af awsFlags
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Collect, evaluate and sign one run: collect + evaluate in one process",
		Long: `Start a run in the store (--out DIR, --store DIR|s3://bucket/prefix, or the config's
store.location), collect evidence from every source in the config into it, evaluate the catalog on
it as of the collection time, and complete the run:

  DIR/runs/<id>/catalog/      the exact controls and policies used
  DIR/runs/<id>/evidence/main the evidence items
  DIR/runs/<id>/results.json  the verdicts
  DIR/runs/<id>/reports/      the reports (--reports, in --lang), signed with the run
  DIR/runs/<id>/run.json      tool, config digest, scope, period, evaluation time, start/end
  DIR/runs/<id>/statement.intoto.json  the signed statement (with --key or signing.key)

A run interrupted at any point stays marked INCOMPLETE and is never signed.
Exit 0 when nothing fails, 1 when a control fails, 2 when a control is "error".`,
		Example: `  shoko audit --config shoko.yaml --out out/ --key keys/shoko.key
  shoko audit --config shoko.yaml --out out/ --period 2026-04-01..2027-03-31 --lang en`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath == "" && out == "" && store == "" {
				return usageErr("audit needs --config, or --out to audit the current AWS account without one")
			}
			if err := checkLang(lang); err != nil {
				return err
			}
			cfg, err := loadConfigOrAWSDefault(cfgPath)
			if err != nil {
				return err
			}
			if reportFormats, err = checkIssuer(reportFormats, cmd.Flags().Changed("reports"), cfg.Organization, a.stderr); err != nil {
				return err
			}
			if out != "" && store != "" {
				return usageErr("give --out DIR or --store LOCATION, not both")
			}
			if out != "" {
				store = out
			}
			st, err := a.storeFor(cmd.Context(), store, cfg)
			if err != nil {
				return err
			}
			// The key is read before collecting: a run that cannot be signed is refused up front.
			key, err := signingKey(keyPath, cfg)
			if err != nil {
				return err
			}
			now := time.Now().UTC().Truncate(time.Second)
			if runID == "" {
				if runID, err = newRunID(now); err != nil {
					return &exitErr{code: exitError, err: err}
				}
			}
			if err := a.startRun(cmd.Context(), st, cfg, runID, []string{evidence.DefaultShard}); err != nil {
				return err
			}
			// The period bounds what the service's evidence API is asked for, and what is judged.
			pr, err := runFor(nil, now.Format(time.RFC3339), period)
			if err != nil {
				return err
			}
			if _, err := a.collectShard(cmd.Context(), st, cfg, runID, evidence.DefaultShard, concurrency, now, pr.Period, af); err != nil {
				return err
			}
			var render inRunReports
			if reportFormats != "" {
				fmts, err := parseFormats(reportFormats)
				if err != nil {
					return err
				}
				render = func(res *engine.Results, resultsJSON []byte) ([]reportFile, error) {
					in, err := a.runReportInput(res, resultsJSON, cfg, now)
					if err != nil {
						return nil, err
					}
					return a.renderReports(in, fmts, []string{lang})
				}
			}
			res, err := a.evaluateRun(cmd.Context(), st, runID, now.Format(time.RFC3339), period, closuresOf(cfg), key, render)
			if err != nil {
				return err
			}
			writeSummary(a.stdout, res, lang)
			fmt.Fprintf(a.stdout, "\nrun: %s\n", runDisplay(st, runID))
			return exitForResults(res)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgPath, "config", "", "config file (shoko.yaml); default: the current AWS account only")
	f.StringVar(&out, "out", "", "directory store: the run is written to DIR/runs/<id>/")
	f.StringVar(&store, "store", "", "store: a directory or s3://bucket/prefix (default: the config's store.location)")
	f.StringVar(&keyPath, "key", "", "private key to sign the run with (default: the config's signing.key)")
	f.StringVar(&runID, "run-id", "", "run id (default: the start time and random bits)")
	f.StringVar(&period, "period", "", "audit period START..END; default: the year before now")
	f.StringVar(&lang, "lang", "ja", "language of the summary: ja or en")
	f.StringVar(&reportFormats, "reports", "oscal,pdf,whitepaper", "reports to write into the run's reports/ (formats as for `shoko report`; empty for none)")
	f.IntVar(&concurrency, "concurrency", runtime.GOMAXPROCS(0)*2, "collectors and AWS calls in flight at once")
	af.register(cmd)
	return cmd
}

// runReportInput is the report input for a run being completed: its results, the catalog it was
// evaluated with (checked by digest), and the organisation from the config.
func (a *app) runReportInput(res *engine.Results, resultsJSON []byte, cfg *config.Config, generatedAt time.Time) (*reports.Input, error) {
	cat, err := a.loadCatalog()
	if err != nil {
		return nil, err
	}
	if d := cat.Digest(); d != res.Catalog.Digest {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("the run was evaluated with catalog %s, but the catalog loaded is %s", res.Catalog.Digest, d)}
	}
	in := &reports.Input{Results: res, Catalog: cat, GeneratedAt: generatedAt, ResultsJSON: resultsJSON}
	in.Run.Organization = cfg.Organization
	in.Run.InRun = true
	return in, nil
}

// runDisplay is where a run is, for messages: its directory in a directory store.
func runDisplay(st evidence.Store, id string) string {
	if d, ok := st.(*evidence.DirStore); ok {
		return path.Join(d.Root(), evidence.RunsDir, id)
	}
	return st.String() + "/" + path.Join(evidence.RunsDir, id)
}
