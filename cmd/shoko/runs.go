package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/collectors"
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
		return nil, usageErr("no store: give --out DIR / --store DIR|s3://bucket/prefix, or store.location in the config")
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
func (a *app) startRun(ctx context.Context, st evidence.Store, cfg *config.Config, id string, shards []string) error {
	cat, err := a.loadCatalog()
	if err != nil {
		return err
	}
	catFiles, err := engine.CatalogRunFiles(cat, a.catalogSource())
	if err != nil {
		return &exitErr{code: exitUsage, err: err}
	}
	plan := evidence.Plan{RunID: id, Tool: "shoko " + engine.ToolVersion, ConfigDigest: cfg.Digest,
		Scope: scopeOf(cfg), Shards: shards, StartedAt: time.Now().UTC()}
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
func (a *app) collectShard(ctx context.Context, st evidence.Store, cfg *config.Config, id, shard string, concurrency int, now time.Time) ([]evidence.Stored, error) {
	cs, err := collectorsFor(cfg)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	started := time.Now().UTC()
	items, err := collectors.Run(ctx, cs, now, concurrency, collectors.LogProgress{Log: a.log})
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	_, stored, err := evidence.WriteShard(ctx, st, id, shard, cfg.Digest, started, items, time.Now().UTC())
	if err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	failed := 0
	for _, it := range stored {
		if it.Status == evidence.StatusError {
			failed++
			a.log.Warn("evidence could not be collected", "kind", it.Kind, "path", it.Path, "error", *it.Error)
		}
	}
	fmt.Fprintf(a.stdout, "%d evidence items written to run %s shard %s (%d with errors)\n", len(stored), id, shard, failed)
	return stored, nil
}

// evaluateRun evaluates every shard of a run with the catalog stored in it, completes the run
// and signs it when a key is given. The evaluation time and period are recorded in run.json,
// so verify replays exactly this evaluation.
func (a *app) evaluateRun(ctx context.Context, st evidence.Store, id, asOf, period string, closures []string, key ed25519.PrivateKey) (*engine.Results, error) {
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
	items, err := evidence.RunEvidence(files, plan.Shards)
	if err != nil {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("run %s: %w", id, err)}
	}
	run, err := runFor(items, asOf, period)
	if err != nil {
		return nil, err
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
		CatalogDigest: res.Catalog.Digest, EndedAt: time.Now().UTC()}
	meta.Period.Start, meta.Period.End = run.Period.Start.UTC(), run.Period.End.UTC()
	// Reports (a later stage) are written here, before the run is completed and signed.
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

func (a *app) keygenCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Write an ed25519 key pair for signing runs",
		Long: `Write a new ed25519 key pair into --out: shoko.key (PEM PKCS#8, mode 0600: keep it secret,
give it to shoko audit --key) and shoko.pub (PEM PKIX: give it to auditors for shoko verify and
openssl). Existing key files are never overwritten.`,
		Example: `  shoko keygen --out keys/`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageErr("keygen needs --out DIR")
			}
			priv, pub, err := evidence.GenerateKeyFiles(out, nil)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			pk, err := evidence.LoadPublicKey(pub)
			if err != nil {
				return &exitErr{code: exitError, err: err}
			}
			fmt.Fprintf(a.stdout, "private key: %s (0600, keep secret)\npublic key:  %s\nkey id:      %s\n", priv, pub, evidence.KeyID(pk))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write shoko.key and shoko.pub to")
	return cmd
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
			var cfg *config.Config
			if cfgPath != "" {
				c, err := config.Load(cfgPath)
				if err != nil {
					return &exitErr{code: exitUsage, err: err}
				}
				cfg = c
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
	start := &cobra.Command{
		Use:   "start",
		Short: "Start a run to be collected by several `shoko collect --shard` processes",
		Long: `Start a run in a store and print its id. The run plans the shards named by --shard; each is
collected by a "shoko collect --run ID --shard NAME" process, and "shoko evaluate --run ID" then
evaluates them all. A planned shard that was not collected is an error, not a smaller audit.
The catalog (controls and policies) is fixed now and stored in the run.`,
		Example: `  id=$(shoko runs start --store out/ --config shoko.yaml --shard hr --shard audits)
  shoko collect --store out/ --run $id --shard hr --config hr.yaml &
  shoko collect --store out/ --run $id --shard audits --config audits.yaml &
  wait; shoko evaluate --store out/ --run $id --config shoko.yaml --key keys/shoko.key`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if sCfg == "" || len(shards) == 0 {
				return usageErr("runs start needs --config and at least one --shard")
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
			if err := a.startRun(cmd.Context(), st, cfg, id, shards); err != nil {
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
	cmd.AddCommand(list, start)
	return cmd
}

func (a *app) bundleCommand() *cobra.Command {
	var out, store, cfgPath string
	cmd := &cobra.Command{
		Use:   "bundle RUN_DIR|RUN_ID -o FILE.tar.gz",
		Short: "Pack a complete run into a deterministic .tar.gz for auditors",
		Long: `Pack every file of a run into FILE.tar.gz: entries <run-id>/<file> in name order, fixed
modes, owners and times, so the same run always gives the same bytes. An incomplete run is refused.`,
		Example: `  shoko bundle out/runs/20261127T030000Z-1a2b3c4d -o run.tar.gz
  shoko bundle --config shoko.yaml 20261127T030000Z-1a2b3c4d -o run.tar.gz`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErr("bundle needs -o FILE.tar.gz")
			}
			var cfg *config.Config
			if cfgPath != "" {
				c, err := config.Load(cfgPath)
				if err != nil {
					return &exitErr{code: exitUsage, err: err}
				}
				cfg = c
			}
			st, id, err := a.runLocation(cmd.Context(), args[0], store, cfg)
			if err != nil {
				return err
			}
			files, err := evidence.ReadRun(cmd.Context(), st, id)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			if _, ok := files[evidence.MarkerFile]; ok {
				return usageErr("run %s is incomplete; an incomplete run is not bundled", id)
			}
			if _, ok := files[evidence.RunFile]; !ok {
				return usageErr("run %s has no %s: incomplete; not bundled", id, evidence.RunFile)
			}
			if _, ok := files[evidence.StatementFile]; !ok {
				a.log.Warn("run is not signed: the bundle will not verify", "run", id)
			}
			var buf strings.Builder
			if err := evidence.WriteBundle(&buf, id, files); err != nil {
				return &exitErr{code: exitError, err: err}
			}
			if err := evidence.WriteFileAtomic(out, []byte(buf.String()), 0o644); err != nil {
				return &exitErr{code: exitError, err: err}
			}
			fmt.Fprintf(a.stdout, "%s: run %s, %d files, %s\n", out, id, len(files), evidence.Digest([]byte(buf.String())))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "bundle file to write")
	cmd.Flags().StringVar(&store, "store", "", "store holding RUN_ID (a directory or s3://bucket/prefix)")
	cmd.Flags().StringVar(&cfgPath, "config", "", "config file, for its store (location, region, endpoint)")
	return cmd
}

// loadRunArg reads a run for verify and diff: a run directory or a bundle file.
func loadRunArg(arg string) (name string, files map[string][]byte, dir string, err error) {
	fi, err := os.Stat(arg)
	if err != nil {
		return "", nil, "", fmt.Errorf("%s: %w", arg, err)
	}
	if fi.IsDir() {
		files, err := evidence.ReadRunDir(arg)
		if err != nil {
			return "", nil, "", err
		}
		abs, _ := filepath.Abs(arg)
		return filepath.Base(abs), files, abs, nil
	}
	f, err := os.Open(arg)
	if err != nil {
		return "", nil, "", err
	}
	defer f.Close()
	id, files, err := evidence.ReadBundle(f, arg)
	return id, files, "", err
}

func (a *app) verifyCommand() *cobra.Command {
	var pubPath, format, previous string
	cmd := &cobra.Command{
		Use:   "verify RUN_DIR|BUNDLE.tar.gz --pubkey PEM",
		Short: "Verify a run offline: signature, digests, chain, and a replay of the evaluation",
		Long: `Verify a run directory or bundle without trusting whoever ran shoko:
  signature  the DSSE envelope (statement.intoto.json) is signed by --pubkey (ed25519)
  statement  an in-toto Statement v1 for this run
  files      every file has the signed SHA-256; none missing, none added
  metadata   run.json is the signed run metadata; the run is complete
  chain      the previous run's statement has the digest this run links to (checked when the
             previous run is present: beside a run directory, or given by --previous)
  replay     the bundled evidence, re-evaluated with the bundled controls and policies at the
             recorded evaluation time, period and calendar, gives results identical to results.json
Exit 0 verified, 1 a check failed (each failure names the file, expected and actual digest),
3 usage error.`,
		Example: `  shoko verify out/runs/20261127T030000Z-1a2b3c4d --pubkey keys/shoko.pub
  shoko verify run.tar.gz --pubkey shoko.pub --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if pubPath == "" {
				return usageErr("verify needs --pubkey PEM")
			}
			if format != "text" && format != "json" {
				return usageErr("--format %q: want text or json", format)
			}
			pub, err := evidence.LoadPublicKey(pubPath)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			name, files, dir, err := loadRunArg(args[0])
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			opts := []evidence.VerifyOption{evidence.WithRunName(name), evidence.WithReplay(engine.Replayer(collectors.KnownKinds()))}
			switch {
			case previous != "":
				pname, pfiles, _, err := loadRunArg(previous)
				if err != nil {
					return &exitErr{code: exitUsage, err: fmt.Errorf("--previous: %w", err)}
				}
				opts = append(opts, evidence.WithPrevious(pname, pfiles))
			case dir != "":
				// The previous run, if the store beside this run holds it. Where to look comes from
				// the unverified statement; verify then checks the link itself.
				if prevID := evidence.PeekPrevious(files); prevID != "" {
					pdir := filepath.Join(filepath.Dir(dir), prevID)
					if _, err := os.Stat(pdir); err == nil {
						pfiles, err := evidence.ReadRunDir(pdir)
						if err != nil {
							return &exitErr{code: exitFail, err: err}
						}
						opts = append(opts, evidence.WithPrevious(prevID, pfiles))
					} else if !errors.Is(err, fs.ErrNotExist) {
						return &exitErr{code: exitUsage, err: err}
					}
				}
			}
			start := time.Now()
			rep := evidence.Verify(cmd.Context(), files, pub, opts...)
			elapsed := time.Since(start)
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				writeVerifyReport(a, args[0], rep, len(files), elapsed)
			}
			if !rep.Verified {
				return &exitErr{code: exitFail, err: fmt.Errorf("run %s not verified", rep.Run), reported: true}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&pubPath, "pubkey", "", "public key (PEM PKIX ed25519) the run must be signed with")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	cmd.Flags().StringVar(&previous, "previous", "", "the previous run (directory or bundle), to check the chain link")
	return cmd
}

func writeVerifyReport(a *app, arg string, rep *evidence.Report, nfiles int, elapsed time.Duration) {
	w := a.stdout
	fmt.Fprintf(w, "run %s (%s, %d files)\n", rep.Run, arg, nfiles)
	for _, c := range rep.Checks {
		mark := map[string]string{"ok": "ok  ", "fail": "FAIL", "not_run": "--  "}[c.Status]
		fmt.Fprintf(w, "  %s %-9s %s\n", mark, c.Name, c.Detail)
		for _, f := range rep.Failures {
			if f.Check != c.Name {
				continue
			}
			fmt.Fprintf(w, "       %s: %s\n", orDash(f.File), f.Message)
			if f.Expected != "" || f.Actual != "" {
				fmt.Fprintf(w, "         expected %s\n         actual   %s\n", orDash(f.Expected), orDash(f.Actual))
			}
		}
	}
	if rep.Verified {
		fmt.Fprintf(w, "VERIFIED: run %s, signed by key %s (%.2fs)\n", rep.Run, rep.KeyID, elapsed.Seconds())
	} else {
		fmt.Fprintf(w, "NOT VERIFIED: %d problem(s) in run %s\n", len(rep.Failures), rep.Run)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// diffResult is what changed between two runs.
type diffResult struct {
	From     string         `json:"from"`
	To       string         `json:"to"`
	Changed  []statusChange `json:"changed"`
	New      []findingKey   `json:"new_findings"`
	Resolved []findingKey   `json:"resolved_findings"`
}

type statusChange struct {
	Control string `json:"control"`
	From    string `json:"from"`
	To      string `json:"to"`
}

// findingKey identifies a finding across runs: the control, the code and the resource.
type findingKey struct {
	Control  string `json:"control"`
	Status   string `json:"status"`
	Code     string `json:"code"`
	Resource string `json:"resource"`
}

func (a *app) diffCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "diff RUN_A RUN_B",
		Short: "What changed from run A to run B: control statuses, findings new and resolved",
		Long: `Compare the results of two runs (directories or bundles): controls whose status changed, and
failing findings that are new in B or resolved since A (by control, finding code and resource).
diff reads results.json as it is; run shoko verify first to trust it.`,
		Example: `  shoko diff out/runs/A out/runs/B
  shoko diff a.tar.gz b.tar.gz --format json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var res [2]*engine.Results
			var names [2]string
			for i, arg := range args {
				name, files, _, err := loadRunArg(arg)
				if err != nil {
					return &exitErr{code: exitUsage, err: err}
				}
				b, ok := files[evidence.ResultsFile]
				if !ok {
					return usageErr("%s: no %s (incomplete run?)", arg, evidence.ResultsFile)
				}
				var r engine.Results
				if err := json.Unmarshal(b, &r); err != nil {
					return usageErr("%s/%s: %v", arg, evidence.ResultsFile, err)
				}
				res[i], names[i] = &r, name
			}
			d := diffRuns(names[0], names[1], res[0], res[1])
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(d)
			}
			fmt.Fprintf(a.stdout, "from %s\nto   %s\n\n", d.From, d.To)
			fmt.Fprintf(a.stdout, "controls whose status changed: %d\n", len(d.Changed))
			for _, c := range d.Changed {
				fmt.Fprintf(a.stdout, "  %-8s %s -> %s\n", c.Control, c.From, c.To)
			}
			fmt.Fprintf(a.stdout, "new findings: %d\n", len(d.New))
			for _, f := range d.New {
				fmt.Fprintf(a.stdout, "  + %-8s %s %s %s\n", f.Control, f.Status, f.Code, f.Resource)
			}
			fmt.Fprintf(a.stdout, "resolved findings: %d\n", len(d.Resolved))
			for _, f := range d.Resolved {
				fmt.Fprintf(a.stdout, "  - %-8s %s %s %s\n", f.Control, f.Status, f.Code, f.Resource)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	return cmd
}

// diffRuns compares two results. Findings that are not passing (fail, and the waived or
// not-applicable ones a reviewer also wants to see move) are compared by control, code and resource.
func diffRuns(from, to string, a, b *engine.Results) diffResult {
	d := diffResult{From: from, To: to, Changed: []statusChange{}, New: []findingKey{}, Resolved: []findingKey{}}
	status := func(r *engine.Results) map[string]string {
		m := map[string]string{}
		for _, c := range r.Controls {
			m[c.ID] = c.Status
		}
		return m
	}
	sa, sb := status(a), status(b)
	ids := map[string]bool{}
	for id := range sa {
		ids[id] = true
	}
	for id := range sb {
		ids[id] = true
	}
	var sorted []string
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	for _, id := range sorted {
		if sa[id] != sb[id] {
			d.Changed = append(d.Changed, statusChange{Control: id, From: orAbsent(sa[id]), To: orAbsent(sb[id])})
		}
	}
	findings := func(r *engine.Results) map[findingKey]bool {
		m := map[findingKey]bool{}
		for _, c := range r.Controls {
			for _, f := range c.Findings {
				if f.Status == engine.StatusPass {
					continue
				}
				m[findingKey{Control: c.ID, Status: f.Status, Code: f.Code, Resource: f.Resource}] = true
			}
		}
		return m
	}
	fa, fb := findings(a), findings(b)
	for k := range fb {
		if !fa[k] {
			d.New = append(d.New, k)
		}
	}
	for k := range fa {
		if !fb[k] {
			d.Resolved = append(d.Resolved, k)
		}
	}
	less := func(s []findingKey) func(i, j int) bool {
		return func(i, j int) bool {
			x, y := s[i], s[j]
			if x.Control != y.Control {
				return x.Control < y.Control
			}
			if x.Code != y.Code {
				return x.Code < y.Code
			}
			if x.Resource != y.Resource {
				return x.Resource < y.Resource
			}
			return x.Status < y.Status
		}
	}
	sort.Slice(d.New, less(d.New))
	sort.Slice(d.Resolved, less(d.Resolved))
	return d
}

func orAbsent(s string) string {
	if s == "" {
		return "(absent)"
	}
	return s
}
