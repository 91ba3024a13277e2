package main

import (
	"fmt"
	"path"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/evidence"
)

func (a *app) auditCommand() *cobra.Command {
	var cfgPath, out, store, keyPath, runID, period, lang string
	var concurrency int
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Collect, evaluate and sign one run: collect + evaluate in one process",
		Long: `Start a run in the store (--out DIR, --store DIR|s3://bucket/prefix, or the config's
store.location), collect evidence from every source in the config into it, evaluate the catalog on
it as of the collection time, and complete the run:

  DIR/runs/<id>/catalog/      the exact controls and policies used
  DIR/runs/<id>/evidence/main the evidence items
  DIR/runs/<id>/results.json  the verdicts
  DIR/runs/<id>/run.json      tool, config digest, scope, period, evaluation time, start/end
  DIR/runs/<id>/statement.intoto.json  the signed statement (with --key or signing.key)

A run interrupted at any point stays marked INCOMPLETE and is never signed.
Exit 0 when nothing fails, 1 when a control fails, 2 when a control is "error".`,
		Example: `  shoko audit --config shoko.yaml --out out/ --key keys/shoko.key
  shoko audit --config shoko.yaml --out out/ --period 2026-04-01..2027-03-31 --lang en`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath == "" {
				return usageErr("audit needs --config")
			}
			if err := checkLang(lang); err != nil {
				return err
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
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
			if _, err := a.collectShard(cmd.Context(), st, cfg, runID, evidence.DefaultShard, concurrency, now); err != nil {
				return err
			}
			res, err := a.evaluateRun(cmd.Context(), st, runID, now.Format(time.RFC3339), period, closuresOf(cfg), key)
			if err != nil {
				return err
			}
			writeSummary(a.stdout, res, lang)
			fmt.Fprintf(a.stdout, "\nrun: %s\n", runDisplay(st, runID))
			return exitForResults(res)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgPath, "config", "", "config file (shoko.yaml)")
	f.StringVar(&out, "out", "", "directory store: the run is written to DIR/runs/<id>/")
	f.StringVar(&store, "store", "", "store: a directory or s3://bucket/prefix (default: the config's store.location)")
	f.StringVar(&keyPath, "key", "", "private key to sign the run with (default: the config's signing.key)")
	f.StringVar(&runID, "run-id", "", "run id (default: the start time and random bits)")
	f.StringVar(&period, "period", "", "audit period START..END; default: the year before now")
	f.StringVar(&lang, "lang", "ja", "language of the summary: ja or en")
	f.IntVar(&concurrency, "concurrency", runtime.GOMAXPROCS(0)*2, "collectors run at once")
	return cmd
}

// runDisplay is where a run is, for messages: its directory in a directory store.
func runDisplay(st evidence.Store, id string) string {
	if d, ok := st.(*evidence.DirStore); ok {
		return path.Join(d.Root(), evidence.RunsDir, id)
	}
	return st.String() + "/" + path.Join(evidence.RunsDir, id)
}
