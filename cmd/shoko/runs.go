package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/alerts"
	"github.com/shoko-audit/shoko/collectors"
	sqlprobe "github.com/shoko-audit/shoko/collectors/sql"
	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
)

// storeFor opens the store a flag names, else the config's, else none (an error).
func (a *app) storeFor(ctx context.Context, location string, cfg *config.Config) (evidence.Store, error) {
	var opts []evidence.S3Option
	if cfg != nil {
		if location == "" {
			location = cfg.Store.Location
			if location != "" && !strings.HasPrefix(location, "s3://") {
				location = cfg.Path(location)
			}
		}
		opts = append(opts, evidence.WithRegion(cfg.Store.Region), evidence.WithEndpoint(cfg.Store.Endpoint))
		if l := cfg.Store.ObjectLock; l.Mode != "" {
			opts = append(opts, evidence.WithObjectLock(l.Mode, l.RetentionDays))
		}
	}
	if location == "" {
		// Only flags every caller accepts: runs list and runs start have no --out.
		return nil, usageErr("no store: give --store DIR|s3://bucket/prefix, or store.location in the config")
	}
	st, err := evidence.OpenStore(ctx, location, opts...)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	return st, nil
}

// signingKey loads the private key a flag names, else the config's signing.key; none is nil.
func signingKey(flag string, cfg *config.Config) (ed25519.PrivateKey, error) {
	path := flag
	if path == "" && cfg != nil && cfg.Signing.Key != "" {
		path = cfg.Path(cfg.Signing.Key)
	}
	if path == "" {
		return nil, nil
	}
	k, err := evidence.LoadPrivateKey(path)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	return k, nil
}

// overridesOf is what run.json records of the parameters the config overrode (nil: none).
func overridesOf(cat *engine.Catalog) map[string]any {
	o := cat.Overrides
	if o == nil {
		return nil
	}
	out := map[string]any{}
	if o.ServiceName != nil {
		out["service_name"] = o.ServiceName
	}
	if len(o.Parameters) > 0 {
		out["parameters"] = o.Parameters
	}
	return out
}

// scopeOf is what a config looks at, for run.json: the organisation and every source it names.
func scopeOf(cfg *config.Config) evidence.Scope {
	s := evidence.Scope{Organization: cfg.Organization, Sources: []string{}}
	add := func(kind string, paths ...string) {
		for _, p := range paths {
			if p != "" {
				s.Sources = append(s.Sources, kind+": "+p)
			}
		}
	}
	add("records.training", cfg.Records.Training...)
	add("records.internal_audits", cfg.Records.InternalAudits...)
	add("records.vulnerability_assessments", cfg.Records.VulnerabilityAssessments...)
	add("records.certificates", cfg.Records.Certificates...)
	add("attestations", cfg.Attestations)
	add("exceptions", cfg.Exceptions)
	add("remediations", cfg.Remediations)
	// What the evidence names only by name: the service's base URL, and the database's driver
	// and host/database (read from its DSN, which itself is never recorded: it may hold a password).
	if sv := cfg.Service; sv != nil && sv.Name != "" {
		s.Services = map[string]string{sv.Name: sv.BaseURL}
	}
	if d := cfg.Database; d != nil && d.Name != "" {
		s.Databases = map[string]string{d.Name: strings.TrimSpace(d.Driver + " " + sqlprobe.Target(d.Driver, os.Getenv(d.DSNEnv)))}
	}
	return s
}

// newRunID is a fresh run id: the start time and random bits.
func newRunID(now time.Time) (string, error) {
	r := make([]byte, 4)
	if _, err := rand.Read(r); err != nil {
		return "", err
	}
	return evidence.NewRunID(now, r), nil
}

// startRun begins a run in a store: the INCOMPLETE marker with the plan first (so a crash at
// any later point leaves an incomplete run), then the exact catalog the run is evaluated with.
// The plan records the precise start time: the chain links a run to runs that ended before it started.
func (a *app) startRun(ctx context.Context, st evidence.Store, cfg *config.Config, id string, shards []string, plans ...func(*evidence.Plan)) error {
	cat, err := a.loadCatalogFor(cfg)
	if err != nil {
		return err
	}
	catFiles, err := engine.CatalogRunFiles(cat, a.catalogSourceFor(cfg))
	if err != nil {
		return &exitErr{code: exitUsage, err: err}
	}
	// The scope of controls is fixed with the plan, like the catalog: every shard collects for
	// it, and the evaluation and verify's replay judge exactly it.
	controls, err := controlScope(cfg, cat)
	if err != nil {
		return err
	}
	plan := evidence.Plan{RunID: id, Tool: "shoko " + engine.ToolVersion, ConfigDigest: cfg.Digest,
		Scope: scopeOf(cfg), Shards: shards, StartedAt: time.Now().UTC(), Overrides: overridesOf(cat)}
	plan.Scope.Controls = controls
	for _, f := range plans {
		f(&plan)
	}
	if err := evidence.BeginRun(ctx, st, plan); err != nil {
		return &exitErr{code: exitUsage, err: err}
	}
	if err := evidence.WriteCatalog(ctx, st, id, catFiles); err != nil {
		return &exitErr{code: exitError, err: err}
	}
	a.log.Info("run started", "run", id, "store", st.String(), "shards", strings.Join(shards, ","))
	return nil
}

// collectShard collects what cfg names and writes it as one shard of a run.
func (a *app) collectShard(ctx context.Context, st evidence.Store, cfg *config.Config, id, shard string, concurrency int, now time.Time, period engine.Period, af awsFlags) ([]evidence.Stored, error) {
	started := time.Now().UTC()
	// A shard collects for the run's scope, whatever its own config says.
	plan, _, err := evidence.ReadPlan(ctx, st, id)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	if i, n, ok := partitionOfShard(shard); ok && plan.Partitions != n {
		if plan.Partitions == 0 {
			return nil, usageErr("run %s is not split into partitions (its shards: %s); collect it with --shard", id, strings.Join(plan.Shards, ", "))
		}
		return nil, usageErr("partition %d/%d: run %s is split into %d partitions (recorded in its plan); use --partition I/%d or --partitions %d", i, n, id, plan.Partitions, plan.Partitions, plan.Partitions)
	}
	if plan.Partitions > 0 {
		i, _, ok := partitionOfShard(shard)
		if !ok {
			return nil, usageErr("run %s is split into %d partitions: collect it with --partition I/%d, not --shard %s", id, plan.Partitions, plan.Partitions, shard)
		}
		// The units were listed from the config the run started with; another config would
		// collect other things than the unit list says.
		if cfg.Digest != plan.ConfigDigest {
			return nil, usageErr("%s (sha256 %s) is not the config run %s was started with (sha256 %s): a partition collects the units listed from that config", cfg.File, cfg.Digest, id, plan.ConfigDigest)
		}
		af.units = newPartitionUnits(plan, i)
	}
	items, err := a.runCollectors(ctx, cfg, plan.Scope.Controls, concurrency, now, period, af)
	if err != nil {
		return nil, err
	}
	_, stored, err := evidence.WriteShard(ctx, st, id, shard, cfg.Digest, started, items, time.Now().UTC())
	if err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	fmt.Fprintf(a.stdout, "%d evidence items written to run %s shard %s (%d with errors)\n", len(stored), id, shard, a.warnCollectionErrors(stored))
	return stored, nil
}

// evaluateRun evaluates every shard of a run with the catalog stored in it, completes the run
// and signs it when a key is given. The evaluation time and period are recorded in run.json,
// so verify replays exactly this evaluation.
// inRunReports renders the reports a run carries, from its results and results.json bytes.
// The catalog is the one stored in the run, the one the results were evaluated with.
// prev is the previous run of the chain's results (nil for the first run), for the audit
// report's "changes since the previous run".
type inRunReports func(res *engine.Results, resultsJSON []byte, meta evidence.RunMeta, cat *engine.Catalog, prev *engine.Results) ([]reportFile, error)

func (a *app) evaluateRun(ctx context.Context, st evidence.Store, id, asOf, period string, cfg *config.Config, closures []string, key ed25519.PrivateKey, reportsFn inRunReports) (*engine.Results, error) {
	plan, complete, err := evidence.ReadPlan(ctx, st, id)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	if complete {
		return nil, usageErr("run %s is already complete (evaluated)", id)
	}
	files, err := evidence.ReadRun(ctx, st, id)
	if err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	if err := unfinishedPartitions(id, plan, files); err != nil {
		return nil, err
	}
	items, err := evidence.RunEvidence(files, plan.Shards)
	if err != nil {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("run %s: %w", id, err)}
	}
	run, err := runFor(items, asOf, period, cfg)
	if err != nil {
		return nil, err
	}
	// The results carry the run's own id, the one its directory, bundle and statement use, and
	// judge the scope its plan fixed.
	run.ID, run.Scope = id, plan.Scope.Controls
	if cfg != nil {
		// The scope was fixed when the run started; a config saying otherwise now is a mistake
		// to report, not a setting to follow or to drop silently.
		if err := sameScope(cfg, plan.Scope.Controls); err != nil {
			return nil, err
		}
	}
	res, err := engine.EvaluateRun(ctx, files, engine.RunSpec{Shards: plan.Shards, Run: run, Closures: closures}, collectors.KnownKinds())
	if err != nil {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("run %s: %w", id, err)}
	}
	b, err := res.Marshal()
	if err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	meta := evidence.RunMeta{Plan: plan, EvaluatedAt: run.Now.UTC(), Closures: closures,
		Covered: evidence.CoverageOf(items, plan.Scope), CatalogDigest: res.Catalog.Digest, EndedAt: time.Now().UTC()}
	meta.Period.Start, meta.Period.End = run.Period.Start.UTC(), run.Period.End.UTC()
	// The reports compare with the previous signed run, and the alerts detect regressions
	// against it.
	alertsOn := cfg != nil && cfg.Alerts != nil
	var cat *engine.Catalog
	var prevInfo *evidence.RunInfo
	var prev *engine.Results
	var prevErr error
	if reportsFn != nil || alertsOn {
		if cat, err = engine.LoadRunCatalog(files, collectors.KnownKinds()); err != nil {
			return nil, &exitErr{code: exitError, err: fmt.Errorf("run %s: %w", id, err)}
		}
		prevInfo, prev, prevErr = a.previousRun(ctx, st, id, plan.StartedAt)
	}
	// Reports are written into the run before it is completed and signed, so the statement
	// covers them too.
	if reportsFn != nil {
		if prevErr != nil {
			return nil, prevErr
		}
		reportFiles, err := reportsFn(res, b, meta, cat, prev)
		if err != nil {
			return nil, err
		}
		for _, f := range reportFiles {
			if err := st.Put(ctx, evidence.RunPath(id, path.Join(evidence.ReportsDir, f.name)), f.data); err != nil {
				return nil, &exitErr{code: exitError, err: err}
			}
		}
	}
	// Alerts are sent, and what became of them recorded in the run, before it is signed; a
	// failed notification is in alerts.json and the log, never in the verdicts or exit code.
	if alertsOn {
		if err := a.recordAlerts(ctx, st, cfg, res, run.Now, cat, prevInfo, prev, prevErr); err != nil {
			return nil, &exitErr{code: exitError, err: err}
		}
	}
	if err := evidence.FinishRun(ctx, st, meta, b, key); err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	if key != nil {
		a.log.Info("run signed", "run", id, "key", evidence.KeyID(key.Public().(ed25519.PublicKey)))
	} else {
		a.log.Warn("run not signed: no --key and no signing.key in the config", "run", id)
	}
	return res, nil
}

// closuresOf is the company closures of a config's calendar, as run.json records them.
func closuresOf(cfg *config.Config) []string {
	var out []string
	for _, c := range cfg.BusinessCalendar().Closures() {
		out = append(out, c.String())
	}
	return out
}

// runLocation reads a RUN argument: a run directory (…/runs/<id>) gives its store and id;
// anything else is an id in the store a flag or the config names.
func (a *app) runLocation(ctx context.Context, arg, storeFlag string, cfg *config.Config) (evidence.Store, string, error) {
	if fi, err := os.Stat(arg); err == nil && fi.IsDir() {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return nil, "", &exitErr{code: exitUsage, err: err}
		}
		runsDir := filepath.Dir(abs)
		if filepath.Base(runsDir) != evidence.RunsDir {
			return nil, "", usageErr("%s: expected a run directory STORE/runs/<id>, found a directory not under runs/", arg)
		}
		return evidence.NewDirStore(filepath.Dir(runsDir)), filepath.Base(abs), nil
	}
	st, err := a.storeFor(ctx, storeFlag, cfg)
	if err != nil {
		return nil, "", err
	}
	if err := evidence.CheckRunID(arg); err != nil {
		return nil, "", usageErr("%s: neither a run directory nor a run id: %v", arg, err)
	}
	return st, arg, nil
}

func (a *app) runsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "runs", Short: "Runs in a store: list, start a sharded run"}
	var store, cfgPath, format string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the runs of a store, oldest first, with their state (incomplete, complete, signed)",
		Long: `List every run of a store. A run interrupted before it completed (killed during collection,
evaluation or reporting) is listed as "incomplete": it was never signed and is not an audit.`,
		Example: `  shoko runs list --store out/
  shoko runs list --config shoko.yaml --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := optionalConfig(cfgPath)
			if err != nil {
				return err
			}
			st, err := a.storeFor(cmd.Context(), store, cfg)
			if err != nil {
				return err
			}
			runs, err := evidence.ListRuns(cmd.Context(), st)
			if err != nil {
				return &exitErr{code: exitError, err: err}
			}
			if format == "json" {
				if runs == nil {
					runs = []evidence.RunInfo{}
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(runs)
			}
			if format != "table" {
				return usageErr("--format %q: want table or json", format)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tSTATE\tSTARTED\tENDED\tSHARDS")
			for _, r := range runs {
				ended := "-"
				if !r.EndedAt.IsZero() {
					ended = r.EndedAt.Format(time.RFC3339)
				}
				state := r.State
				if r.Problem != "" {
					state += " (" + r.Problem + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, state, r.StartedAt.Format(time.RFC3339), ended, strings.Join(r.Shards, ","))
			}
			_ = tw.Flush()
			fmt.Fprintf(a.stdout, "%d runs in %s\n", len(runs), st)
			return nil
		},
	}
	list.Flags().StringVar(&store, "store", "", "store: a directory or s3://bucket/prefix (default: the config's store.location)")
	list.Flags().StringVar(&cfgPath, "config", "", "config file, for its store")
	list.Flags().StringVar(&format, "format", "table", "output: table or json")

	var sStore, sCfg, sID string
	var shards []string
	var partitions, sConcurrency int
	var sAF awsFlags
	start := &cobra.Command{
		Use:   "start",
		Short: "Start a run to be collected by several `shoko collect --shard` processes",
		Long: `Start a run in a store and print its id. The run plans the shards named by --shard; each is
collected by a "shoko collect --run ID --shard NAME" process, and "shoko evaluate --run ID" then
evaluates them all. A planned shard that was not collected is an error, not a smaller audit.
The catalog (controls and policies) is fixed now and stored in the run.

With --partitions N instead of --shard, the run's work units are listed now, once: each AWS
account × enabled region × service group, each account's global unit (identity, region list,
global services), the organisation's account list, and each other collector. The organisation's
accounts and each account's regions are resolved now and never again for this run. The sorted
list is split round-robin into N partitions (units of a region declared in aws.denied_regions
stay with their account's global unit) and recorded in the run's plan (run.json "units",
"partitions"). Each partition is collected by "shoko collect --run ID --partition I/N" into
shard part-I-of-N (docs/partitions.md has Kubernetes, AWS Batch and GitHub Actions recipes).`,
		Example: `  id=$(shoko runs start --store out/ --config shoko.yaml --shard hr --shard audits)
  shoko collect --store out/ --run $id --shard hr --config hr.yaml &
  shoko collect --store out/ --run $id --shard audits --config audits.yaml &
  wait; shoko evaluate --store out/ --run $id --config shoko.yaml --key keys/shoko.key

  id=$(shoko runs start --config shoko.yaml --partitions 4)
  for i in 1 2 3 4; do shoko collect --config shoko.yaml --run $id --partition $i/4 & done
  wait; shoko evaluate --run $id --config shoko.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if sCfg == "" || (len(shards) == 0) == (partitions == 0) {
				return usageErr("runs start needs --config and either at least one --shard or --partitions N")
			}
			if partitions < 0 {
				return usageErr("--partitions %d: want at least 1", partitions)
			}
			cfg, err := config.Load(sCfg)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			st, err := a.storeFor(cmd.Context(), sStore, cfg)
			if err != nil {
				return err
			}
			now := time.Now().UTC()
			id := sID
			if id == "" {
				if id, err = newRunID(now); err != nil {
					return &exitErr{code: exitError, err: err}
				}
			}
			var plans []func(*evidence.Plan)
			if partitions > 0 {
				scope, err := a.configScope(cfg)
				if err != nil {
					return err
				}
				units, bound, err := a.listUnits(cmd.Context(), cfg, scope, sConcurrency, now, sAF)
				if err != nil {
					return err
				}
				if partitions > len(units) {
					return usageErr("--partitions %d: the run has only %d units; at most %d partitions", partitions, len(units), len(units))
				}
				splitUnits(units, bound, partitions)
				shards = evidence.PartitionShards(partitions)
				plans = append(plans, func(p *evidence.Plan) { p.Partitions, p.Units = partitions, units })
				a.log.Info("run units listed", "units", len(units), "partitions", partitions)
			}
			if err := a.startRun(cmd.Context(), st, cfg, id, shards, plans...); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, id)
			return nil
		},
	}
	start.Flags().StringVar(&sStore, "store", "", "store: a directory or s3://bucket/prefix (default: the config's store.location)")
	start.Flags().StringVar(&sCfg, "config", "", "config file (its digest and scope are recorded)")
	start.Flags().StringVar(&sID, "run-id", "", "run id (default: the start time and random bits)")
	start.Flags().StringArrayVar(&shards, "shard", nil, "a shard the run expects (repeat)")
	start.Flags().IntVar(&partitions, "partitions", 0, "list the run's work units now and split them into N partitions (shards part-1-of-N …)")
	start.Flags().IntVar(&sConcurrency, "concurrency", 8, "accounts listed at once (with --partitions)")
	sAF.register(start)
	cmd.AddCommand(list, start)
	return cmd
}

// previousRun finds the run this one will link to in the chain and reads its results (nil, nil
// for the first run of a store). A previous run whose results cannot be read is an error: the
// report would otherwise say "nothing compared" about a run that exists.
func (a *app) previousRun(ctx context.Context, st evidence.Store, id string, started time.Time) (*evidence.RunInfo, *engine.Results, error) {
	prev, err := evidence.PreviousSignedRun(ctx, st, id, started)
	if err != nil || prev == nil {
		return nil, nil, err
	}
	raw, err := st.Get(ctx, evidence.RunPath(prev.ID, evidence.ResultsFile))
	if err != nil {
		return nil, nil, &exitErr{code: exitError, err: fmt.Errorf("previous run %s: %w", prev.ID, err)}
	}
	// Its statuses and exceptions are compared, never its findings: they are not decoded.
	res, err := decodeStatuses(raw, "previous run "+prev.ID+" "+evidence.ResultsFile)
	return prev, res, err
}

// recordAlerts detects the run's regressions against the previous signed run, notifies the
// config's channels, and writes alerts.json into the run. A previous run that cannot be read
// is recorded there as the problem, and compared as none.
func (a *app) recordAlerts(ctx context.Context, st evidence.Store, cfg *config.Config, res *engine.Results, now time.Time,
	cat *engine.Catalog, prevInfo *evidence.RunInfo, prev *engine.Results, prevErr error) error {
	in := alerts.Input{Current: res, Now: now, Previous: prev, Frequencies: alerts.Frequencies(cat)}
	var prevID, problem string
	if prevErr != nil {
		problem = prevErr.Error()
		a.log.Error("alerts: the previous run cannot be compared", "run", res.RunID, "err", problem)
	} else if prevInfo != nil {
		prevID, in.PreviousEndedAt = prevInfo.ID, prevInfo.EndedAt
	}
	rec := alerts.Check(ctx, a.log, cfg.Alerts, in, prevID, problem, alerts.FromConfig(cfg, os.Getenv))
	b, err := rec.Marshal()
	if err != nil {
		return err
	}
	return st.Put(ctx, evidence.RunPath(res.RunID, alerts.FileName), b)
}
