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
	var cfgPath, out, store, runID, shard, collectedAt string
	var concurrency int
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Collect evidence into a directory, or into one shard of a run",
		Long: `Collect evidence from the sources named in the config file and write one JSON evidence
item per source and scope. A source that cannot be read is written as an item with status "error":
the controls that need it will be "error", the others carry on.

With --out DIR the items go to a plain directory (for "shoko evaluate --evidence").
With --run ID --shard NAME they go to evidence/NAME/ of a run started by "shoko runs start", in the
store of --store or the config; several processes may collect shards of one run at once. A shard
is complete when its manifest (shards/NAME.json) is written after its last item.`,
		Example: `  shoko collect --config shoko.yaml --out evidence/
  shoko collect --config hr.yaml --store out/ --run 20261127T030000Z-1a2b3c4d --shard hr`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath == "" {
				return usageErr("collect needs --config")
			}
			if (out == "") == (runID == "") {
				return usageErr("collect needs --out DIR, or --run ID with --shard NAME (not both)")
			}
			if runID != "" && shard == "" {
				return usageErr("collect --run needs --shard NAME")
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			now := time.Now().UTC()
			if collectedAt != "" {
				if now, err = time.Parse(time.RFC3339, collectedAt); err != nil {
					return usageErr("--collected-at %q: want RFC 3339", collectedAt)
				}
			}
			if out != "" {
				_, err = a.collectInto(cmd.Context(), cfg, out, concurrency, now)
				return err
			}
			if err := evidence.CheckShardName(shard); err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			st, err := a.storeFor(cmd.Context(), store, cfg)
			if err != nil {
				return err
			}
			_, err = a.collectShard(cmd.Context(), st, cfg, runID, shard, concurrency, now)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgPath, "config", "", "config file (shoko.yaml)")
	f.StringVar(&out, "out", "", "directory to write evidence items to")
	f.StringVar(&store, "store", "", "store of the run: a directory or s3://bucket/prefix (default: the config's store.location)")
	f.StringVar(&runID, "run", "", "run to collect into (from shoko runs start)")
	f.StringVar(&shard, "shard", "", "shard of the run this process collects")
	f.IntVar(&concurrency, "concurrency", runtime.GOMAXPROCS(0)*2, "collectors run at once")
	// For reproducible tests and demos only: the collection time items record. The shard manifest
	// keeps the real wall-clock start and end, so a backdated collection shows.
	f.StringVar(&collectedAt, "collected-at", "", "record this RFC 3339 time as collected_at (tests and demos)")
	_ = f.MarkHidden("collected-at")
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
