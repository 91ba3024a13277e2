package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/collectors/records"
	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/evidence"
)

func (a *app) collectCommand() *cobra.Command {
	var cfgPath, out string
	var concurrency int
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Collect evidence into a directory of evidence items",
		Long: `Collect evidence from the sources named in the config file and write one JSON evidence
item per source and scope under --out. A source that cannot be read is written as an item with
status "error": the controls that need it will be "error", the others carry on.`,
		Example: `  shoko collect --config shoko.yaml --out evidence/`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath == "" || out == "" {
				return usageErr("collect needs --config and --out")
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			_, err = a.collectInto(cmd.Context(), cfg, out, concurrency, time.Now().UTC())
			return err
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "config file (shoko.yaml)")
	cmd.Flags().StringVar(&out, "out", "", "directory to write evidence items to")
	cmd.Flags().IntVar(&concurrency, "concurrency", runtime.GOMAXPROCS(0)*2, "collectors run at once")
	return cmd
}

// collectInto runs every collector the config describes and writes the items below dir.
func (a *app) collectInto(ctx context.Context, cfg *config.Config, dir string, concurrency int, now time.Time) ([]evidence.Stored, error) {
	cs, err := collectorsFor(cfg)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	items, err := collectors.Run(ctx, cs, now, concurrency, collectors.LogProgress{Log: a.log})
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	written, err := evidence.WriteDir(dir, items)
	if err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	failed := 0
	for _, it := range written {
		if it.Status == evidence.StatusError {
			failed++
			a.log.Warn("evidence could not be collected", "kind", it.Kind, "path", it.Path, "error", *it.Error)
		}
	}
	fmt.Fprintf(a.stdout, "%d evidence items written to %s (%d with errors)\n", len(written), dir, failed)
	return written, nil
}

// collectorsFor builds the collectors a config asks for. Each source adds itself here.
func collectorsFor(cfg *config.Config) ([]collectors.Collector, error) {
	var cs []collectors.Collector
	if rc := recordsCollector(cfg); len(rc.Records) > 0 || rc.AttestationsDir != "" || rc.ExceptionsFile != "" {
		cs = append(cs, rc)
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("%s names no evidence source", cfg.File)
	}
	return cs, nil
}

func recordsCollector(cfg *config.Config) records.Collector {
	var files []records.File
	for _, g := range []struct {
		kind  string
		paths []string
	}{
		{records.KindTraining, cfg.Records.Training},
		{records.KindInternalAudits, cfg.Records.InternalAudits},
		{records.KindVulnerabilityAssessments, cfg.Records.VulnerabilityAssessments},
		{records.KindCertificates, cfg.Records.Certificates},
	} {
		for _, p := range g.paths {
			files = append(files, records.File{Kind: g.kind, Path: p})
		}
	}
	return records.Collector{Records: files, AttestationsDir: cfg.Attestations, ExceptionsFile: cfg.Exceptions, BaseDir: cfg.Dir}
}

// collectRecords collects only the records sources of a config (used to build the records demo).
func collectRecords(ctx context.Context, cfg *config.Config, now time.Time) ([]evidence.Item, error) {
	items, err := recordsCollector(cfg).Collect(ctx, now)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: fmt.Errorf("collect records: %w", err)}
	}
	return items, nil
}
