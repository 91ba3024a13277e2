package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/collectors"
	awscollector "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/collectors/records"
	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/evidence"
)

func (a *app) collectCommand() *cobra.Command {
	var cfgPath, out string
	var concurrency int
	var af awsFlags
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Collect evidence into a directory of evidence items",
		Long: `Collect evidence from the sources named in the config file and write one JSON evidence
item per source and scope under --out. A source that cannot be read is written as an item with
status "error": the controls that need it will be "error", the others carry on.
Without --config it audits the AWS account of the current credentials (default chain or
--profile) in every enabled region.`,
		Example: `  shoko collect --config shoko.yaml --out evidence/
  shoko collect --profile audit --out evidence/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageErr("collect needs --out")
			}
			cfg, err := loadConfigOrAWSDefault(cfgPath)
			if err != nil {
				return err
			}
			af.concurrency = concurrency
			_, err = a.collectInto(cmd.Context(), cfg, out, concurrency, af, time.Now().UTC())
			return err
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "config file (shoko.yaml); default: the current AWS account only")
	cmd.Flags().StringVar(&out, "out", "", "directory to write evidence items to")
	cmd.Flags().IntVar(&concurrency, "concurrency", runtime.GOMAXPROCS(0)*2, "collectors and AWS calls in flight at once")
	af.register(cmd)
	return cmd
}

// awsFlags are the command-line settings of the AWS collector.
type awsFlags struct {
	profile     string
	concurrency int
	progress    *awsProgress
}

func (f *awsFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.profile, "profile", "", "AWS shared-config profile (overrides aws.profile in the config)")
}

// loadConfigOrAWSDefault reads the config, or without one returns the default: the AWS account
// of the current credentials, every enabled region, the default scope.
func loadConfigOrAWSDefault(path string) (*config.Config, error) {
	if path == "" {
		return &config.Config{AWS: &config.AWS{}, Dir: "."}, nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	return cfg, nil
}

// collectInto runs every collector the config describes and writes the items below dir.
func (a *app) collectInto(ctx context.Context, cfg *config.Config, dir string, concurrency int, af awsFlags, now time.Time) ([]evidence.Stored, error) {
	af.concurrency = concurrency
	af.progress = newAWSProgress(a.stderr, a.log)
	defer af.progress.finish()
	cs, err := collectorsFor(cfg, af, a.log)
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
func collectorsFor(cfg *config.Config, af awsFlags, log *slog.Logger) ([]collectors.Collector, error) {
	var cs []collectors.Collector
	if rc := recordsCollector(cfg); len(rc.Records) > 0 || rc.AttestationsDir != "" || rc.ExceptionsFile != "" {
		cs = append(cs, rc)
	}
	if cfg.AWS != nil {
		cs = append(cs, awsCollector(cfg.AWS, af, log))
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

// awsCollector builds the AWS collector from the config's aws section and the flags.
func awsCollector(c *config.AWS, af awsFlags, log *slog.Logger) *awscollector.Collector {
	o := awscollector.Options{Profile: c.Profile, HomeRegion: c.HomeRegion, Regions: c.Regions,
		OrganizationRole: c.OrganizationRole, TempBuckets: c.TempBuckets, Concurrency: af.concurrency, Log: log}
	if af.profile != "" {
		o.Profile = af.profile
	}
	if c.CallTimeout != "" {
		o.CallTimeout, _ = time.ParseDuration(c.CallTimeout) // checked when the config was read
	}
	for _, a := range c.Accounts {
		o.Accounts = append(o.Accounts, awscollector.Account{ID: a.ID, RoleARN: a.RoleARN, ExternalID: a.ExternalID})
	}
	if af.progress != nil {
		o.Progress = af.progress.task
	}
	return awscollector.New(o)
}
