package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/config"
)

func (a *app) auditCommand() *cobra.Command {
	var cfgPath, out, period, lang, reportFormats string
	var concurrency int
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Collect evidence and evaluate every control: collect + evaluate in one run",
		Long: `Collect evidence from every source in the config into --out/evidence, evaluate the catalog
on it as of the collection time, write --out/results.json, and write the reports (--reports)
to --out/reports in --lang.
Exit 0 when nothing fails, 1 when a control fails, 2 when a control is "error".`,
		Example: `  shoko audit --config shoko.yaml --out out/
  shoko audit --config shoko.yaml --out out/ --period 2026-04-01..2027-03-31 --lang en`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath == "" || out == "" {
				return usageErr("audit needs --config and --out")
			}
			if err := checkLang(lang); err != nil {
				return err
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			now := time.Now().UTC().Truncate(time.Second)
			items, err := a.collectInto(cmd.Context(), cfg, filepath.Join(out, "evidence"), concurrency, now)
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
			if reportFormats != "" {
				fmts, err := parseFormats(reportFormats)
				if err != nil {
					return err
				}
				in, err := a.reportInput(reportSources{results: filepath.Join(out, "results.json"), config: cfgPath}, now)
				if err != nil {
					return err
				}
				written, err := a.writeReports(in, fmts, []string{lang}, filepath.Join(out, "reports"))
				if err != nil {
					return err
				}
				for _, p := range written {
					fmt.Fprintf(a.stdout, "report: %s\n", p)
				}
			}
			return exitForResults(res)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgPath, "config", "", "config file (shoko.yaml)")
	f.StringVar(&out, "out", "", "directory for evidence/ and results.json")
	f.StringVar(&period, "period", "", "audit period START..END; default: the year before now")
	f.StringVar(&lang, "lang", "ja", "language of the summary: ja or en")
	f.StringVar(&reportFormats, "reports", "oscal,pdf,whitepaper", "reports to write to --out/reports (formats as for `shoko report`; empty for none)")
	f.IntVar(&concurrency, "concurrency", runtime.GOMAXPROCS(0)*2, "collectors run at once")
	return cmd
}
