package main

import (
	"fmt"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/reports"
	"path"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/evidence"
)

func (a *app) auditCommand() *cobra.Command {
	var cfgPath, out, store, keyPath, runID, period, lang, reportFormats string
	var concurrency int
	var noPreflight bool
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
  DIR/runs/<id>/reports/      the reports (--reports), in every --lang (default ja,en), signed with the run
  DIR/runs/<id>/run.json      tool, config digest, scope, period, evaluation time, start/end
  DIR/runs/<id>/statement.intoto.json  the signed statement (with --key or signing.key)

First the checks of "shoko doctor" (unless --no-preflight): a source that cannot be read at all
(no AWS credentials, a refused token, an unreachable host or database, a key others can read)
stops the audit with exit 3 before any run is created; other failed checks are printed and the
audit goes on.

A run interrupted at any point stays marked INCOMPLETE and is never signed.
Exit 0 when nothing fails, 1 when a control fails, 2 when a control is "error", 3 when the
preflight or the input stops it.`,
		Example: `  shoko audit --config shoko.yaml --out out/ --key keys/shoko.key
  shoko audit --config shoko.yaml --out out/ --period 2026-04-01..2027-03-31 --lang en   # English only`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath == "" && out == "" && store == "" {
				return usageErr("audit needs --config, or --out to audit the current AWS account without one")
			}
			// Every report is written in each language into the run before it is signed: a
			// report added to a signed run would fail verify, so the run must already hold both.
			langs, err := parseLangs(lang)
			if err != nil {
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
			// The period bounds what the service's evidence API is asked for, and what is judged.
			pr, err := runFor(nil, now.Format(time.RFC3339), period, cfg)
			if err != nil {
				return err
			}
			// Set-up mistakes (no credentials, a refused token, an unreachable host) are found
			// before a run exists, in seconds, rather than as a run full of errors.
			if !noPreflight {
				if err := a.auditPreflight(cmd.Context(), cfg, keyPath, pr.Period, af, a.stderr); err != nil {
					return err
				}
			}
			if runID == "" {
				if runID, err = newRunID(now); err != nil {
					return &exitErr{code: exitError, err: err}
				}
			}
			if err := a.startRun(cmd.Context(), st, cfg, runID, []string{evidence.DefaultShard}); err != nil {
				return err
			}
			if _, err := a.collectShard(cmd.Context(), st, cfg, runID, evidence.DefaultShard, concurrency, now, pr.Period, af); err != nil {
				return err
			}
			render, err := a.inRunRenderer(reportFormats, langs, now)
			if err != nil {
				return err
			}
			res, err := a.evaluateRun(cmd.Context(), st, runID, now.Format(time.RFC3339), period, cfg, closuresOf(cfg), key, render)
			if err != nil {
				return err
			}
			writeSummary(a.stdout, res, langs[0])
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
	f.StringVar(&period, "period", "", "audit period START..END; default: the config's period, else the year before now")
	f.StringVar(&lang, "lang", "ja,en", "languages of the reports written into the run, comma-separated (the summary is in the first)")
	f.StringVar(&reportFormats, "reports", "oscal,pdf,whitepaper", "reports to write into the run's reports/ (formats as for `shoko report`; empty for none)")
	f.IntVar(&concurrency, "concurrency", runtime.GOMAXPROCS(0)*2, "collectors and AWS calls in flight at once")
	f.BoolVar(&noPreflight, "no-preflight", false, "skip the checks of shoko doctor before the run (by default a source that cannot be read stops the audit, exit 3, no run created)")
	af.register(cmd)
	return cmd
}

// inRunRenderer renders the reports a run carries (formats, comma-separated; none when empty) in
// every language, generated at generatedAt; nil when there are none to write.
func (a *app) inRunRenderer(formats string, langs []string, generatedAt time.Time) (inRunReports, error) {
	if formats == "" {
		return nil, nil
	}
	fmts, err := parseFormats(formats)
	if err != nil {
		return nil, err
	}
	return func(res *engine.Results, resultsJSON []byte, meta evidence.RunMeta, cat *engine.Catalog, prev *engine.Results) ([]reportFile, error) {
		in, err := runReportInput(res, resultsJSON, meta, cat, generatedAt)
		if err != nil {
			return nil, err
		}
		if prev != nil {
			in.Previous, in.Run.PreviousRunID = prev, prev.RunID
		}
		return a.renderReports(in, fmts, langs)
	}, nil
}

// runReportInput is the report input for a run being completed: its results, the catalog stored
// in the run (checked by digest), and the organisation and scope from its run.json.
func runReportInput(res *engine.Results, resultsJSON []byte, meta evidence.RunMeta, cat *engine.Catalog, generatedAt time.Time) (*reports.Input, error) {
	if d := cat.Digest(); d != res.Catalog.Digest {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("the run was evaluated with catalog %s, but the catalog loaded is %s", res.Catalog.Digest, d)}
	}
	in := &reports.Input{Results: res, Catalog: cat, GeneratedAt: generatedAt, ResultsJSON: resultsJSON}
	in.Run.Organization = meta.Scope.Organization
	in.Run.Scope = reportScope(meta.Covered)
	in.Run.InRun = true
	return in, nil
}

// reportScope is the scope the report's cover prints, from run.json's coverage.
func reportScope(c evidence.Coverage) reports.Scope {
	return reports.Scope{Accounts: c.AWSAccounts, Regions: c.AWSRegions, Endpoints: c.Endpoints,
		Databases: c.Databases, RecordFiles: c.RecordFiles}
}

// runDisplay is where a run is, for messages: its directory in a directory store.
func runDisplay(st evidence.Store, id string) string {
	if d, ok := st.(*evidence.DirStore); ok {
		return path.Join(d.Root(), evidence.RunsDir, id)
	}
	return st.String() + "/" + path.Join(evidence.RunsDir, id)
}
