package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"
)

func (a *app) auditCommand() *cobra.Command {
	var cfgPath, out, period, lang string
	var concurrency int
	var af awsFlags
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Collect evidence and evaluate every control: collect + evaluate in one run",
		Long: `Collect evidence from every source in the config into --out/evidence, evaluate the catalog
on it as of the collection time, and write --out/results.json.
Exit 0 when nothing fails, 1 when a control fails, 2 when a control is "error".`,
		Example: `  shoko audit --config shoko.yaml --out out/
  shoko audit --config shoko.yaml --out out/ --period 2026-04-01..2027-03-31 --lang en`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageErr("audit needs --out")
			}
			if err := checkLang(lang); err != nil {
				return err
			}
			cfg, err := loadConfigOrAWSDefault(cfgPath)
			if err != nil {
				return err
			}
			now := time.Now().UTC().Truncate(time.Second)
			items, err := a.collectInto(cmd.Context(), cfg, filepath.Join(out, "evidence"), concurrency, af, now)
			if err != nil {
				return err
			}
			run, err := runFor(items, now.Format(time.RFC3339), period)
			if err != nil {
				return err
			}
			res, err := a.evaluateInto(cmd.Context(), items, run, cfg.BusinessCalendar(), out)
			if err != nil {
				return err
			}
			writeSummary(a.stdout, res, lang)
			fmt.Fprintf(a.stdout, "\nresults: %s\n", filepath.Join(out, "results.json"))
			return exitForResults(res)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgPath, "config", "", "config file (shoko.yaml); default: the current AWS account only")
	f.StringVar(&out, "out", "", "directory for evidence/ and results.json")
	f.StringVar(&period, "period", "", "audit period START..END; default: the year before now")
	f.StringVar(&lang, "lang", "ja", "language of the summary: ja or en")
	f.IntVar(&concurrency, "concurrency", runtime.GOMAXPROCS(0)*2, "collectors and AWS calls in flight at once")
	af.register(cmd)
	return cmd
}
