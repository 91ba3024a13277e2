package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/collectors/preflight"
	"github.com/shoko-audit/shoko/collectors/service"
	sqlprobe "github.com/shoko-audit/shoko/collectors/sql"
	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
)

func (a *app) doctorCommand() *cobra.Command {
	var cfgPath, keyPath, period string
	var af awsFlags
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check that every source of the config can be read, before an audit (no run is created)",
		Long: `For each source the config names, one cheap read that proves access, one line per check
with what was found and, on a failure, the fix:

  aws       the caller identity, each account's role assumption, every region of the scope
            (enabled or not, denied by a service control policy or not), and in the home
            region the first read call of each service (an access denial names the IAM
            action missing from the role)
  service   the evidence API against its contract (docs/evidence-api.yaml): auth, the envelope,
            every field with its type, nullable times null (never omitted), RFC 3339 times,
            paging with non-repeating cursors, since/until honoured; the TLS endpoints reachable;
            the cross-tenant tokens set
  database  connected in a read-only transaction, as a role that is not superuser or BYPASSRLS
  records   every records file, attestation, exception and remediation file parses
  signing   the signing key is readable by its owner only (0600) and is a key

Nothing is written and no run is created. A service team can run it as the conformance test of
its evidence API. Exit 0 when every check passes, 1 when one fails, 3 when the config cannot be read.
"shoko audit" runs the same checks first (unless --no-preflight).`,
		Example: `  shoko doctor --config shoko.yaml
  shoko doctor --config shoko.yaml --period 2026-04-01..2027-03-31   # the period the service is asked about`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath == "" {
				return usageErr("doctor needs --config FILE (shoko init writes one)")
			}
			cfg, err := loadConfigOrAWSDefault(cfgPath)
			if err != nil {
				return err
			}
			pr, err := runFor(nil, time.Now().UTC().Format(time.RFC3339), period, cfg)
			if err != nil {
				return err
			}
			checks := a.preflight(cmd.Context(), cfg, keyPath, pr.Period, af)
			preflight.Write(a.stdout, checks)
			failed := preflight.Failures(checks)
			if failed > 0 {
				fmt.Fprintf(a.stdout, "\n%d of %d checks failed: fix them before an audit.\n", failed, len(checks))
				return &exitErr{code: exitFail, err: fmt.Errorf("%d checks failed", failed), reported: true}
			}
			fmt.Fprintf(a.stdout, "\nall %d checks passed: next, shoko audit --config %s --out out/\n", len(checks), cfgPath)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfgPath, "config", "", "config file (shoko.yaml)")
	f.StringVar(&keyPath, "key", "", "private key runs will be signed with (default: the config's signing.key)")
	f.StringVar(&period, "period", "", "audit period START..END the service's since/until are checked with; default: the year before now")
	af.register(cmd)
	return cmd
}

// preflight runs every check of every source the config names. Sources are checked at once (the
// AWS checks may wait seconds on a dead endpoint) and reported in a fixed order.
func (a *app) preflight(ctx context.Context, cfg *config.Config, keyPath string, period engine.Period, af awsFlags) []preflight.Check {
	type group func(context.Context) []preflight.Check
	groups := []group{func(context.Context) []preflight.Check { return []preflight.Check{configCheck(cfg)} }}
	groups = append(groups, func(context.Context) []preflight.Check { return signingCheck(keyPath, cfg) })
	if rc := recordsCollector(cfg); len(rc.Records) > 0 || rc.AttestationsDir != "" || rc.ExceptionsFile != "" || rc.RemediationsFile != "" {
		groups = append(groups, rc.Preflight)
	}
	planned, err := a.plannedSources(cfg, period, af)
	if err != nil {
		return []preflight.Check{{Source: "config", Name: "controls in scope", Status: preflight.Fail, Detail: err.Error()}}
	}
	if s := cfg.Service; s != nil && planned.any("service/") {
		groups = append(groups, func(ctx context.Context) []preflight.Check { return serviceChecks(ctx, cfg, s, period) })
	}
	if d := cfg.Database; d != nil && planned.any("sql") {
		groups = append(groups, sqlprobe.Collector{Database: d.Name, Driver: d.Driver, DSNEnv: d.DSNEnv, Schema: d.Schema, Timeout: d.Timeout}.Preflight)
	}
	if cfg.AWS != nil && planned.any("aws") {
		groups = append(groups, awsCollector(cfg.AWS, af, a.log).Preflight)
	}
	results := make([][]preflight.Check, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = g(ctx)
		}()
	}
	wg.Wait()
	var out []preflight.Check
	for _, r := range results {
		out = append(out, r...)
	}
	return out
}

// configCheck says the config was read and which sources it names.
func configCheck(cfg *config.Config) preflight.Check {
	var sources []string
	if rc := recordsCollector(cfg); len(rc.Records) > 0 || rc.AttestationsDir != "" || rc.ExceptionsFile != "" || rc.RemediationsFile != "" {
		sources = append(sources, "records")
	}
	if cfg.Service != nil {
		sources = append(sources, "service")
	}
	if cfg.Database != nil {
		sources = append(sources, "database")
	}
	if cfg.AWS != nil {
		sources = append(sources, "aws")
	}
	if len(sources) == 0 {
		return preflight.Unreachable("config", cfg.File, "names no evidence source",
			"add records, service, database or aws (shoko init writes a commented example)")
	}
	name := cfg.File
	if name == "" {
		name = "(no config)"
	}
	return preflight.Pass("config", name, "parses; sources: "+strings.Join(sources, ", "))
}

// signingCheck checks the key runs will be signed with: owner-only (0600), and a key.
func signingCheck(keyPath string, cfg *config.Config) []preflight.Check {
	path := keyPath
	if path == "" && cfg.Signing.Key != "" {
		path = cfg.Path(cfg.Signing.Key)
	}
	if path == "" {
		return []preflight.Check{preflight.Noted("signing", "key", "none configured: runs will not be signed (shoko keygen --out keys/, then signing.key or --key)")}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return []preflight.Check{preflight.Unreachable("signing", path, err.Error(), "give the path of the key shoko keygen wrote (signing.key or --key)")}
	}
	if mode := fi.Mode().Perm(); mode&0o077 != 0 {
		return []preflight.Check{preflight.Unreachable("signing", path, fmt.Sprintf("mode %04o: others can read the private key", mode),
			"chmod 600 "+path)}
	}
	if _, err := evidence.LoadPrivateKey(path); err != nil {
		return []preflight.Check{preflight.Unreachable("signing", path, err.Error(), "give the private key shoko keygen wrote (not the .pub)")}
	}
	return []preflight.Check{preflight.Pass("signing", path, "mode 0600, an ed25519 private key")}
}

// serviceChecks builds the service's collectors as an audit would and runs their preflights.
func serviceChecks(ctx context.Context, cfg *config.Config, s *config.Service, period engine.Period) []preflight.Check {
	cs, err := serviceCollectors(cfg, s, period)
	if err != nil {
		return []preflight.Check{preflight.Unreachable("service", "ca_file", err.Error(), "give service.ca_file as a PEM file of the service's CA")}
	}
	var out []preflight.Check
	for _, c := range cs {
		switch c := c.(type) {
		case service.APICollector:
			out = append(out, c.Preflight(ctx)...)
		case service.TLSProbe:
			out = append(out, c.Preflight(ctx)...)
		case service.CrossTenantProbe:
			out = append(out, c.Preflight(ctx)...)
		}
	}
	return out
}

// auditPreflight runs the preflight before an audit creates its run. A source that cannot be
// read at all stops the audit (exit 3, no run): the run would hold nothing but errors from it.
// Other failures are printed and the audit goes on: they are what it records and judges.
func (a *app) auditPreflight(ctx context.Context, cfg *config.Config, keyPath string, period engine.Period, af awsFlags, w io.Writer) error {
	checks := a.preflight(ctx, cfg, keyPath, period, af)
	var shown []preflight.Check
	for _, c := range checks {
		if c.Status == preflight.Fail {
			shown = append(shown, c)
		}
	}
	preflight.Write(w, shown)
	if n := preflight.AccessFailures(checks); n > 0 {
		again := "shoko doctor --config FILE"
		if cfg.File != "" {
			again = "shoko doctor --config " + cfg.File
		}
		return &exitErr{code: exitUsage, err: fmt.Errorf("preflight: %d checks found a source that cannot be read (above); no run was created. Fix them (%s checks again), or pass --no-preflight", n, again)}
	}
	if len(shown) > 0 {
		fmt.Fprintf(w, "preflight: %d checks failed (above); the audit goes on and records them\n", len(shown))
	}
	return nil
}

// sources is the set of collector names an audit of the config will run; nil means all.
type sources map[string]bool

// any reports whether a collector whose name starts with prefix will run.
func (s sources) any(prefix string) bool {
	if s == nil {
		return true
	}
	for name := range s {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// plannedSources names the collectors the controls in scope need, so the preflight demands no
// access (AWS credentials, a service token) that the audit itself will not use.
func (a *app) plannedSources(cfg *config.Config, period engine.Period, af awsFlags) (sources, error) {
	scope, err := a.configScope(cfg)
	if err != nil || scope == nil {
		return nil, err
	}
	cs, err := collectorsFor(cfg, period, af, a.log)
	if err != nil {
		return nil, err
	}
	cat, err := a.loadCatalogFor(cfg)
	if err != nil {
		return nil, err
	}
	out := sources{}
	// Quiet: the audit itself logs what it does not collect.
	for _, c := range plannedCollectors(cs, cat, scope, slog.New(slog.DiscardHandler)) {
		out[c.Name()] = true
	}
	return out, nil
}
