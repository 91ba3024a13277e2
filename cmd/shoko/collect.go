package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/collectors/records"
	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/evidence"
)

func (a *app) collectCommand() *cobra.Command {
	var cfgPath, out string
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
			items, err := collectRecords(cmd, cfg, time.Now().UTC())
			if err != nil {
				return err
			}
			written, err := evidence.WriteDir(out, items)
			if err != nil {
				return &exitErr{code: exitError, err: err}
			}
			failed := 0
			for _, it := range written {
				if it.Status == evidence.StatusError {
					failed++
					a.log.Warn("evidence could not be collected", "kind", it.Kind, "path", it.Path, "error", *it.Error)
				}
			}
			fmt.Fprintf(a.stdout, "%d evidence items written to %s (%d with errors)\n", len(written), out, failed)
			return nil
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "config file (shoko.yaml)")
	cmd.Flags().StringVar(&out, "out", "", "directory to write evidence items to")
	return cmd
}

// collectRecords runs the records, attestations and exceptions collector the config describes.
func collectRecords(cmd *cobra.Command, cfg *config.Config, now time.Time) ([]evidence.Item, error) {
	var files []records.File
	for _, g := range []struct {
		kind  string
		paths []string
	}{
		{"records.training", cfg.Records.Training},
		{"records.internal_audits", cfg.Records.InternalAudits},
		{"records.vulnerability_assessments", cfg.Records.VulnerabilityAssessments},
		{"records.certificates", cfg.Records.Certificates},
	} {
		for _, p := range g.paths {
			files = append(files, records.File{Kind: g.kind, Path: p})
		}
	}
	c := records.Collector{Records: files, AttestationsDir: cfg.Attestations, ExceptionsFile: cfg.Exceptions, BaseDir: cfg.Dir}
	items, err := c.Collect(cmd.Context(), now)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: fmt.Errorf("collect records: %w", err)}
	}
	return items, nil
}
