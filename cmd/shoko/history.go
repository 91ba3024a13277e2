package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/history"
	"github.com/shoko-audit/shoko/reports"
)

func (a *app) historyCommand() *cobra.Command {
	var store, period, pubPath, out, keyPath, cfgPath string
	var allFiles bool
	cmd := &cobra.Command{
		Use:   "history --store DIR|s3://… --period START..END --pubkey PEM --out DIR",
		Short: "The run history of an audit period, verified: did each control operate throughout?",
		Long: `Read every run of the store that started in the period, oldest first and one at a time, check
each against its signed statement (--pubkey) and the hash chain, and write DIR/history.json: per
control, its status in every trusted run, its failing intervals and their time to remediate, the
gaps longer than its frequency allows with no trusted run judging it, and the share of the period
it was verified passing (docs/history.md).

A run that cannot be trusted (unsigned, incomplete, altered after signing, its chain link broken)
is never skipped: it is listed as a problem, and its verdicts are not used.

With --key (or signing.key in the config) the directory is signed: DIR/statement.intoto.json
covers every output file and the statement of every run the history read, so that
"shoko verify DIR --pubkey PEM" later proves the history and that none of those runs was removed
or altered since.

By default the files history reads (run.json, results.json, the controls' catalog copies) are
checked against each run's statement; --all-files checks every file of every run.

Exit codes: 0 every run trusted and every control operated throughout (no failing interval, no
gap); 1 a control failed or has a gap; 2 a run could not be trusted; 3 usage or input error.`,
		Example: `  shoko history --store out/ --period 2026-04-01..2027-03-31 --pubkey keys/shoko.pub --out period/ --key keys/shoko.key
  shoko history --config shoko.yaml --period 2026-04-01..2027-03-31 --pubkey keys/shoko.pub --out period/
  shoko verify period/ --pubkey keys/shoko.pub --store out/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if out == "" {
				return usageErr("history needs --out DIR")
			}
			cfg, err := optionalConfig(cfgPath)
			if err != nil {
				return err
			}
			p, err := historyPeriod(period, cfg)
			if err != nil {
				return err
			}
			st, err := a.storeFor(ctx, store, cfg)
			if err != nil {
				return err
			}
			key, err := signingKey(keyPath, cfg)
			if err != nil {
				return err
			}
			pub, err := historyPublicKey(pubPath, key)
			if err != nil {
				return err
			}
			if err := checkOutDir(out); err != nil {
				return err
			}
			// The controls the history must account for: the catalog in force, in the config's scope.
			cat, err := a.loadCatalogFor(cfg)
			if err != nil {
				return err
			}
			scope, err := controlScope(cfg, cat)
			if err != nil {
				return err
			}
			opts := []history.Option{history.WithCatalog(cat, scope), history.WithLogger(a.log)}
			if allFiles {
				opts = append(opts, history.WithAllFiles())
			}
			rep, err := history.Build(ctx, st, p, pub, opts...)
			if err != nil {
				return &exitErr{code: exitError, err: err}
			}
			files, err := a.periodFiles(rep)
			if err != nil {
				return err
			}
			if key != nil {
				env, err := history.SignPeriod(files, rep.Runs, key)
				if err != nil {
					return &exitErr{code: exitError, err: err}
				}
				files[evidence.StatementFile] = env
			} else {
				a.log.Warn("period not signed: no --key and no signing.key in the config", "out", out)
			}
			if err := writePeriodDir(out, files); err != nil {
				return &exitErr{code: exitError, err: err}
			}
			writeHistorySummary(a, rep, out, files, key)
			return exitForHistory(rep)
		},
	}
	f := cmd.Flags()
	f.StringVar(&store, "store", "", "store: a directory or s3://bucket/prefix (default: the config's store.location)")
	f.StringVar(&period, "period", "", "audit period START..END (dates in JST or RFC 3339 times); default: the config's period")
	f.StringVar(&pubPath, "pubkey", "", "public key (PEM PKIX ed25519) the runs must be signed with (default: the public half of --key)")
	f.StringVar(&out, "out", "", "directory to write history.json (and statement.intoto.json when signed) into")
	f.StringVar(&keyPath, "key", "", "private key to sign the period with (default: the config's signing.key; none: unsigned)")
	f.StringVar(&cfgPath, "config", "", "config file, for its store, signing key, period and controls")
	f.BoolVar(&allFiles, "all-files", false, "check every file of every run against its statement, not only the files history reads")
	return cmd
}

// periodFiles are the output files of a period directory, by name: history.json, and the period
// reports rendered from it (added here, so the statement covers them).
func (a *app) periodFiles(rep *history.Report) (map[string][]byte, error) {
	hb, err := rep.Marshal()
	if err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	files, err := reports.RenderPeriodReports(rep)
	if err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	files[history.FileName] = hb
	return files, nil
}

// historyPeriod is --period, else the config's period; history has no default period, since a
// period ending "now" would make the same store give a different history every time.
func historyPeriod(flag string, cfg *config.Config) (history.Period, error) {
	if flag == "" {
		start, end, ok := cfg.AuditPeriod(time.Now())
		if !ok {
			return history.Period{}, usageErr("history needs --period START..END (or period in the config)")
		}
		return history.Period{Start: start, End: end}, nil
	}
	r, err := runFor(nil, time.Now().UTC().Format(time.RFC3339), flag, cfg)
	if err != nil {
		return history.Period{}, err
	}
	return history.Period{Start: r.Period.Start, End: r.Period.End}, nil
}

// historyPublicKey is --pubkey, else the public half of the signing key.
func historyPublicKey(path string, key ed25519.PrivateKey) (ed25519.PublicKey, error) {
	if path != "" {
		pub, err := evidence.LoadPublicKey(path)
		if err != nil {
			return nil, &exitErr{code: exitUsage, err: err}
		}
		return pub, nil
	}
	if key != nil {
		return key.Public().(ed25519.PublicKey), nil
	}
	return nil, usageErr("history needs --pubkey PEM (the key the runs were signed with), or --key")
}

// checkOutDir refuses an output directory that already holds a period: a signed period is
// written once, like a run.
func checkOutDir(dir string) error {
	for _, n := range []string{history.FileName, evidence.StatementFile} {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			return usageErr("--out %s already holds %s; write a period into a new directory", dir, n)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return &exitErr{code: exitUsage, err: err}
		}
	}
	return nil
}

// writePeriodDir writes the files into dir, each atomically, the statement last.
func writePeriodDir(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		if n != evidence.StatementFile {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if _, ok := files[evidence.StatementFile]; ok {
		names = append(names, evidence.StatementFile)
	}
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := evidence.WriteFileAtomic(p, files[n], 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writeHistorySummary(a *app, rep *history.Report, out string, files map[string][]byte, key ed25519.PrivateKey) {
	w := a.stdout
	s := rep.Summary
	fmt.Fprintf(w, "history of %s, %s .. %s (runs checked with key %s, files %s)\n", rep.Store,
		rep.Period.Start.Format(time.RFC3339), rep.Period.End.Format(time.RFC3339), rep.KeyID, rep.Verified)
	fmt.Fprintf(w, "runs %d, trusted %d, problems %d\n", s.Runs, s.TrustedRuns, s.Problems)
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  %-13s %s: %s\n", p.Kind, p.RunID, p.Detail)
	}
	fmt.Fprintf(w, "controls %d: %d with failing intervals (%d open at the end), %d with gaps\n",
		len(rep.Controls), s.ControlsWithFailures, s.OpenIntervals, s.ControlsWithGaps)
	var never []string
	for _, c := range rep.Controls {
		if c.Runs == 0 {
			never = append(never, c.ID)
			continue
		}
		if len(c.Intervals) == 0 && len(c.Gaps) == 0 {
			continue
		}
		var parts []string
		if n := len(c.Intervals); n > 0 {
			parts = append(parts, fmt.Sprintf("%d failing interval(s)", n))
		}
		if n := len(c.Gaps); n > 0 {
			longest := time.Duration(0)
			for _, g := range c.Gaps {
				longest = max(longest, g.LengthNS)
			}
			parts = append(parts, fmt.Sprintf("%d gap(s), longest %s (allowed %s, %s)", n, days(longest), days(c.MaxIntervalNS), orDash(c.Frequency)))
		}
		fmt.Fprintf(w, "  %-8s %s; verified passing %.1f%% of the period\n", c.ID, strings.Join(parts, ", "), 100*c.PassingShare)
	}
	if len(never) > 0 {
		fmt.Fprintf(w, "  never judged by a trusted run in the period (one gap over the whole period): %s\n", strings.Join(never, ", "))
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, filepath.Join(out, filepath.FromSlash(n)))
	}
	sort.Strings(names)
	if key != nil {
		fmt.Fprintf(w, "wrote %s (signed, key %s)\n", strings.Join(names, ", "), evidence.KeyID(key.Public().(ed25519.PublicKey)))
	} else {
		fmt.Fprintf(w, "wrote %s (NOT signed)\n", strings.Join(names, ", "))
	}
}

// days writes a duration in days when it is whole days ("3d"), else as Go does ("78h0m0.5s").
func days(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// exitForHistory: 2 when a run could not be trusted, 1 when a control failed or has a gap.
func exitForHistory(rep *history.Report) error {
	s := rep.Summary
	switch {
	case s.Problems > 0:
		return &exitErr{code: exitError, err: fmt.Errorf("%d run problem(s)", s.Problems), reported: true}
	case s.ControlsWithFailures > 0 || s.ControlsWithGaps > 0:
		return &exitErr{code: exitFail, err: fmt.Errorf("%d control(s) failed, %d with gaps", s.ControlsWithFailures, s.ControlsWithGaps), reported: true}
	}
	return nil
}

// verifyPeriodDir verifies a period directory (history.json and its statement) against pub and
// the store its covered runs are in: --store, else the store history.json names.
func (a *app) verifyPeriodDir(ctx context.Context, arg string, files map[string][]byte, pub ed25519.PublicKey, storeFlag, format string) error {
	location := storeFlag
	if location == "" {
		if rep, err := history.Parse(history.FileName, files[history.FileName]); err == nil {
			location = rep.Store
		}
	}
	var st evidence.Store
	if location != "" {
		s, err := a.storeFor(ctx, location, nil)
		if err != nil {
			return err
		}
		st = s
	}
	v, err := history.VerifyPeriod(ctx, files, st, pub)
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if format == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
	} else {
		w := a.stdout
		if v.Period.Start.IsZero() { // the statement did not verify: nothing of it is shown
			fmt.Fprintf(w, "period directory %s\n", arg)
		} else {
			fmt.Fprintf(w, "period %s .. %s (%s, %d files, %d covered runs in %s)\n", v.Period.Start.Format(time.RFC3339), v.Period.End.Format(time.RFC3339), arg, v.Files, v.Runs, orDash(v.Store))
		}
		for _, c := range v.Checks {
			mark := map[string]string{"ok": "ok  ", "fail": "FAIL", "not_run": "--  "}[c.Status]
			fmt.Fprintf(w, "  %s %-9s %s\n", mark, c.Name, c.Detail)
			for _, f := range v.Failures {
				if f.Check != c.Name {
					continue
				}
				fmt.Fprintf(w, "       %s: %s\n", orDash(f.File), f.Message)
				if f.Expected != "" || f.Actual != "" {
					fmt.Fprintf(w, "         expected %s\n         actual   %s\n", orDash(f.Expected), orDash(f.Actual))
				}
			}
		}
		if v.Verified {
			fmt.Fprintf(w, "VERIFIED: period %s, signed by key %s\n", arg, v.KeyID)
		} else {
			fmt.Fprintf(w, "NOT VERIFIED: %d problem(s) in period %s\n", len(v.Failures), arg)
		}
	}
	if !v.Verified {
		return &exitErr{code: exitFail, err: fmt.Errorf("period %s not verified", arg), reported: true}
	}
	return nil
}
