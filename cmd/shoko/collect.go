package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/collectors"
	awscollector "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/collectors/records"
	"github.com/shoko-audit/shoko/collectors/service"
	sqlprobe "github.com/shoko-audit/shoko/collectors/sql"
	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
)

func (a *app) collectCommand() *cobra.Command {
	var cfgPath, out, store, runID, shard, collectedAt, period, partition string
	var concurrency, partitions int
	var af awsFlags
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Collect evidence into a directory, or into one shard of a run",
		Long: `Collect evidence from the sources named in the config file and write one JSON evidence
item per source and scope. A source that cannot be read is written as an item with status "error":
the controls that need it will be "error", the others carry on.

With --out DIR the items go to a plain directory (for "shoko evaluate --evidence").
With --run ID --shard NAME they go to evidence/NAME/ of a run started by "shoko runs start", in the
store of --store or the config; several processes may collect shards of one run at once. A shard
is complete when its manifest (shards/NAME.json) is written after its last item.

With --run ID --partition I/N the process collects partition I (counted from 1) of a run started
with "shoko runs start --partitions N": exactly the units the run listed for it, into shard
part-I-of-N, with the config the run was started with. --partitions N instead reads the index
from the job runner, 0-based: JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or
AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job); see docs/partitions.md.`,
		Example: `  shoko collect --config shoko.yaml --out evidence/
  shoko collect --config hr.yaml --store out/ --run 20261127T030000Z-1a2b3c4d --shard hr
  shoko collect --config shoko.yaml --run 20261127T030000Z-1a2b3c4d --partition 3/8
  JOB_COMPLETION_INDEX=2 shoko collect --config shoko.yaml --run 20261127T030000Z-1a2b3c4d --partitions 8`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath == "" && out == "" {
				return usageErr("collect needs --config (only --out may go without: it audits the current AWS account)")
			}
			if (out == "") == (runID == "") {
				return usageErr("collect needs --out DIR, or --run ID with --shard NAME (not both)")
			}
			if partition != "" || partitions != 0 {
				if runID == "" || shard != "" {
					return usageErr("--partition/--partitions go with --run ID, instead of --shard")
				}
				i, n, err := partitionOf(partition, partitions, os.Getenv)
				if err != nil {
					return err
				}
				shard = evidence.PartitionShard(i, n)
			}
			if runID != "" && shard == "" {
				return usageErr("collect --run needs --shard NAME or --partition I/N")
			}
			cfg, err := loadConfigOrAWSDefault(cfgPath)
			if err != nil {
				return err
			}
			now := time.Now().UTC()
			if collectedAt != "" {
				if now, err = time.Parse(time.RFC3339, collectedAt); err != nil {
					return usageErr("--collected-at %q: want RFC 3339", collectedAt)
				}
			}
			// The period bounds what the service's evidence API is asked for.
			pr, err := runFor(nil, now.Format(time.RFC3339), period, cfg)
			if err != nil {
				return err
			}
			if out != "" {
				_, err = a.collectInto(cmd.Context(), cfg, out, concurrency, now, pr.Period, af)
				return err
			}
			if err := evidence.CheckShardName(shard); err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			st, err := a.storeFor(cmd.Context(), store, cfg)
			if err != nil {
				return err
			}
			_, err = a.collectShard(cmd.Context(), st, cfg, runID, shard, concurrency, now, pr.Period, af)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgPath, "config", "", "config file (shoko.yaml); with --out and no config: the current AWS account only")
	f.StringVar(&out, "out", "", "directory to write evidence items to")
	f.StringVar(&store, "store", "", "store of the run: a directory or s3://bucket/prefix (default: the config's store.location)")
	f.StringVar(&runID, "run", "", "run to collect into (from shoko runs start)")
	f.StringVar(&shard, "shard", "", "shard of the run this process collects")
	f.StringVar(&partition, "partition", "", "partition I/N of a partitioned run this process collects (I from 1)")
	f.IntVar(&partitions, "partitions", 0, "N, the run's partitions: the index comes from JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX (0-based)")
	f.StringVar(&period, "period", "", "audit period START..END the service is asked about; default: the config's period, else the year before now")
	f.IntVar(&concurrency, "concurrency", runtime.GOMAXPROCS(0)*2, "collectors run at once")
	// For reproducible tests and demos only: the collection time items record. The shard manifest
	// keeps the real wall-clock start and end, so a backdated collection shows.
	f.StringVar(&collectedAt, "collected-at", "", "record this RFC 3339 time as collected_at (tests and demos)")
	_ = f.MarkHidden("collected-at")
	af.register(cmd)
	return cmd
}

// awsFlags are the command-line settings of the AWS collector.
type awsFlags struct {
	profile     string
	concurrency int
	progress    *awsProgress
	// units, when set, limits the collection to one partition's units of a run (partitions.go).
	units *partitionUnits
}

func (f *awsFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.profile, "profile", "", "AWS shared-config profile (overrides aws.profile in the config)")
}

// optionalConfig reads the config at path, or returns nil when no path is given (commands whose
// config only supplies defaults: store, key, period, calendar). A bad config is a usage error.
func optionalConfig(path string) (*config.Config, error) {
	if path == "" {
		return nil, nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	return cfg, nil
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
func (a *app) collectInto(ctx context.Context, cfg *config.Config, dir string, concurrency int, now time.Time, period engine.Period, af awsFlags) ([]evidence.Stored, error) {
	scope, err := a.configScope(cfg)
	if err != nil {
		return nil, err
	}
	items, err := a.runCollectors(ctx, cfg, scope, concurrency, now, period, af)
	if err != nil {
		return nil, err
	}
	written, err := evidence.WriteDir(dir, items)
	if err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	fmt.Fprintf(a.stdout, "%d evidence items written to %s (%d with errors)\n", len(written), dir, a.warnCollectionErrors(written))
	return written, nil
}

// runCollectors runs every collector the config describes that the controls in scope need,
// with the AWS progress display.
func (a *app) runCollectors(ctx context.Context, cfg *config.Config, scope *evidence.ControlScope, concurrency int, now time.Time, period engine.Period, af awsFlags) ([]evidence.Item, error) {
	af.concurrency = concurrency
	af.progress = newAWSProgress(a.stderr, a.log)
	defer af.progress.finish()
	cs, err := collectorsFor(cfg, period, af, a.log)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	if scope != nil {
		cat, err := a.loadCatalogFor(cfg)
		if err != nil {
			return nil, err
		}
		cs = plannedCollectors(cs, cat, scope, a.log)
	}
	if af.units != nil {
		if cs, err = af.units.filter(cs); err != nil {
			return nil, &exitErr{code: exitUsage, err: err}
		}
	}
	items, err := collectors.Run(ctx, cs, now, concurrency, collectors.LogProgress{Log: a.log})
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	return items, nil
}

// warnCollectionErrors logs the items that could not be collected and returns how many there
// were. Items failing for the same cause — the same AWS error in several regions, accounts or
// kinds — make one line listing them: a missing permission in 17 regions, or no credentials for
// 58 kinds, is one line, not one per item (collectionErrorGroups).
func (a *app) warnCollectionErrors(stored []evidence.Stored) int {
	failed := 0
	for _, it := range stored {
		if it.Status == evidence.StatusError {
			failed++
		}
	}
	for _, g := range collectionErrorGroups(stored) {
		if g.items == 1 {
			a.log.Warn("evidence could not be collected", "kind", g.kinds[0], "path", g.path, "error", g.cause)
			continue
		}
		args := []any{"items", g.items, "kinds", listed(g.kinds, 6)}
		if len(g.regions) > 0 {
			args = append(args, "regions", listed(g.regions, 40))
		}
		if len(g.accounts) > 0 {
			args = append(args, "accounts", listed(g.accounts, 20))
		}
		a.log.Warn("evidence could not be collected (same cause)", append(args, "error", g.cause)...)
	}
	return failed
}

// errorGroup is the error items sharing one cause.
type errorGroup struct {
	cause                    string
	items                    int
	path, first              string // the first item's path and error
	kinds, regions, accounts []string
}

var (
	// perCallIDRE matches the ids an AWS SDK error carries for each call (they differ between
	// otherwise identical errors).
	perCallIDRE = regexp.MustCompile(`(RequestID|HostID): [^,]*, `)
	regionLike  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	accountLike = regexp.MustCompile(`^[0-9]{12}$`)
)

// collectionErrorGroups groups error items by cause: the error text with the item's own region
// and account written as {region} and {account} and the per-call request ids removed. Groups
// come in the order of their first item (items are sorted by path), so the output is stable.
func collectionErrorGroups(stored []evidence.Stored) []*errorGroup {
	var out []*errorGroup
	by := map[string]*errorGroup{}
	add := func(list *[]string, v string) {
		if v != "" && !slices.Contains(*list, v) {
			*list = append(*list, v)
		}
	}
	for _, it := range stored {
		if it.Status != evidence.StatusError || it.Error == nil {
			continue
		}
		cause := perCallIDRE.ReplaceAllString(*it.Error, "")
		region, account := it.Scope["region"], it.Scope["account"]
		if regionLike.MatchString(region) {
			cause = strings.ReplaceAll(cause, region, "{region}")
		} else {
			region = ""
		}
		if accountLike.MatchString(account) {
			cause = strings.ReplaceAll(cause, account, "{account}")
		}
		g := by[cause]
		if g == nil {
			g = &errorGroup{cause: cause, path: it.Path, first: *it.Error}
			by[cause] = g
			out = append(out, g)
		}
		g.items++
		add(&g.kinds, it.Kind)
		add(&g.regions, region)
		add(&g.accounts, account)
	}
	for _, g := range out {
		if g.items == 1 {
			g.cause = g.first // one item: its own words
		}
		sort.Strings(g.kinds)
		sort.Strings(g.regions)
		sort.Strings(g.accounts)
	}
	return out
}

// listed joins up to max values, then says how many there are in all.
func listed(vs []string, max int) string {
	if len(vs) <= max {
		return strings.Join(vs, ",")
	}
	return fmt.Sprintf("%s,… (%d in all)", strings.Join(vs[:max], ","), len(vs))
}

// collectorsFor builds the collectors a config asks for. Each source adds itself here. period
// bounds what the service's evidence API is asked for (incidents, changes, disclosures).
func collectorsFor(cfg *config.Config, period engine.Period, af awsFlags, log *slog.Logger) ([]collectors.Collector, error) {
	var cs []collectors.Collector
	if rc := recordsCollector(cfg); len(rc.Records) > 0 || rc.AttestationsDir != "" || rc.ExceptionsFile != "" || rc.RemediationsFile != "" {
		cs = append(cs, rc)
	}
	if s := cfg.Service; s != nil {
		sc, err := serviceCollectors(cfg, s, period)
		if err != nil {
			return nil, err
		}
		cs = append(cs, sc...)
	}
	if d := cfg.Database; d != nil {
		qs := make([]sqlprobe.Query, len(d.Queries))
		for i, q := range d.Queries {
			qs[i] = sqlprobe.Query{Name: q.Name, SQL: q.SQL}
		}
		cs = append(cs, sqlprobe.Collector{Database: d.Name, Driver: d.Driver, DSNEnv: d.DSNEnv, Schema: d.Schema,
			Queries: qs, Timeout: d.Timeout})
	}
	if cfg.AWS != nil {
		cs = append(cs, awsCollector(cfg.AWS, af, log))
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("%s names no evidence source", cfg.File)
	}
	return cs, nil
}

// serviceCollectors builds the evidence API client and the probes of a service.
func serviceCollectors(cfg *config.Config, s *config.Service, period engine.Period) ([]collectors.Collector, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if s.CAFile != "" {
		pem, err := os.ReadFile(cfg.Path(s.CAFile))
		if err != nil {
			return nil, fmt.Errorf("%s: service.ca_file: %w", cfg.File, err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: service.ca_file %s: no PEM certificate in it", cfg.File, s.CAFile)
		}
	}
	cs := []collectors.Collector{service.APICollector{Config: service.APIConfig{Name: s.Name, BaseURL: s.BaseURL,
		TokenEnv: s.TokenEnv, RootCAs: roots, Timeout: s.Timeout, MaxAnswerBytes: s.MaxAnswerBytes, PageLimit: s.PageLimit,
		Since: period.Start, Until: period.End}}}
	if len(s.TLSEndpoints) > 0 {
		cs = append(cs, service.TLSProbe{Endpoints: s.TLSEndpoints, RootCAs: roots, Timeout: s.Timeout})
	}
	if len(s.HTTPProbes) > 0 {
		ts := make([]service.HTTPTarget, len(s.HTTPProbes))
		for i, p := range s.HTTPProbes {
			ts[i] = service.HTTPTarget{URL: p.URL, Purpose: p.Purpose}
		}
		cs = append(cs, service.HTTPProbe{Targets: ts, RootCAs: roots, Timeout: s.Timeout})
	}
	if len(s.CrossTenant) > 0 {
		ts := make([]service.CrossTenantTarget, len(s.CrossTenant))
		for i, x := range s.CrossTenant {
			ts[i] = service.CrossTenantTarget{Tenant: x.Tenant, ForeignTenant: x.ForeignTenant, TokenEnv: x.TokenEnv,
				ControlURL: x.ControlURL, URLTemplate: x.URLTemplate, ForeignIDs: x.IDs}
		}
		cs = append(cs, service.CrossTenantProbe{Targets: ts, RootCAs: roots, Timeout: s.Timeout})
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
	return records.Collector{Records: files, AttestationsDir: cfg.Attestations, ExceptionsFile: cfg.Exceptions,
		RemediationsFile: cfg.Remediations, BaseDir: cfg.Dir}
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
		OrganizationRole: c.OrganizationRole, TempBuckets: c.TempBuckets, DeniedRegions: c.DeniedRegions, Concurrency: af.concurrency, Log: log}
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
	if u := af.units; u != nil {
		o.Units, o.Select = u.aws, func(x awscollector.Unit) bool { return u.awsMine[x] }
	}
	return awscollector.New(o)
}
