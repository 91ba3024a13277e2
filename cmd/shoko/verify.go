package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/history"
)

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
			cfg, err := optionalConfig(cfgPath)
			if err != nil {
				return err
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
	var pubPath, format, previous, periodStore string
	var noReplay bool
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
3 usage error.

--no-replay skips the replay: an integrity-only check (every check above but replay), for an
auditor who re-evaluates the run separately. It proves the files are the signed ones, not that
results.json follows from the evidence; the report says "replay skipped" and, with --format
json, "replayed": false. Without it (the default) the replay always runs.

A period directory (written by shoko history: history.json and its statement) is verified as a
period: the signature, every output file's digest (none missing or added), and that the statement
of every run it covers is still in the store (--store, default: the store history.json names)
with the digest signed; a covered run removed or altered since fails, naming the run.`,
		Example: `  shoko verify out/runs/20261127T030000Z-1a2b3c4d --pubkey keys/shoko.pub
  shoko verify run.tar.gz --pubkey shoko.pub --format json
  shoko verify run.tar.gz --pubkey shoko.pub --no-replay   # integrity only
  shoko verify period/ --pubkey shoko.pub --store out/     # a period directory (shoko history)`,
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
			if dir != "" && history.IsPeriodDir(files) {
				return a.verifyPeriodDir(cmd.Context(), args[0], files, pub, periodStore, format)
			}
			opts := []evidence.VerifyOption{evidence.WithRunName(name), evidence.WithReplay(engine.Replayer(collectors.KnownKinds()))}
			if noReplay {
				opts = append(opts, evidence.WithoutReplay())
			}
			switch {
			case previous != "":
				pname, pfiles, _, err := loadRunArg(previous)
				if err != nil {
					return &exitErr{code: exitUsage, err: fmt.Errorf("--previous: %w", err)}
				}
				opts = append(opts, evidence.WithPrevious(pname, pfiles))
			case dir != "":
				// The previous run, if the store beside this run holds it, looked up by the run id
				// the verified statement links to. The link is the previous run's statement alone,
				// so only that file is read, not the whole run.
				opts = append(opts, evidence.WithPreviousLookup(func(prevID string) (string, map[string][]byte, bool, error) {
					pdir := filepath.Join(filepath.Dir(dir), prevID)
					if _, err := os.Stat(pdir); errors.Is(err, fs.ErrNotExist) {
						return "", nil, false, nil
					} else if err != nil {
						return "", nil, false, err
					}
					pfiles, err := readStatementOnly(pdir)
					if err != nil {
						return "", nil, false, err
					}
					return prevID, pfiles, true, nil
				}))
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
	cmd.Flags().StringVar(&periodStore, "store", "", "for a period directory: the store holding the runs it covers (default: the one history.json names)")
	cmd.Flags().BoolVar(&noReplay, "no-replay", false, "integrity only: skip the replay of the evaluation (for auditors who replay separately)")
	return cmd
}

// readStatementOnly reads the statement of a run directory, the one file the chain link names,
// as a run's files: without it, an empty set (the chain check then fails: no statement). Like
// ReadRunDir, it refuses anything but a regular file.
func readStatementOnly(dir string) (map[string][]byte, error) {
	p := filepath.Join(dir, evidence.StatementFile)
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string][]byte{}, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", p, fi.Mode().Type())
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{evidence.StatementFile: b}, nil
}

func writeVerifyReport(a *app, arg string, rep *evidence.Report, nfiles int, elapsed time.Duration) {
	w := a.stdout
	fmt.Fprintf(w, "run %s (%s, %d files)\n", rep.Run, arg, nfiles)
	for _, c := range rep.Checks {
		mark := map[string]string{"ok": "ok  ", "fail": "FAIL", "not_run": "--  ", "skipped": "skip"}[c.Status]
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
	if rep.Verified && !rep.Replayed {
		fmt.Fprintf(w, "VERIFIED (integrity only, replay skipped): run %s, signed by key %s (%.2fs)\n", rep.Run, rep.KeyID, elapsed.Seconds())
	} else if rep.Verified {
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
