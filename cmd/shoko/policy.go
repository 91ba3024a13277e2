package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/calendar"
	"github.com/shoko-audit/shoko/engine"
)

func (a *app) policyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Work on the Rego policies"}
	var coverage, verbose bool
	var cfgPath string
	test := &cobra.Command{
		Use:   "test",
		Short: "Run the Rego tests (_test.rego beside each policy) with OPA's test runner",
		Long: `Run every _test.rego of the catalog with OPA's test runner, the business-day builtin
included. Exit 1 when a test fails.`,
		Example: `  shoko policy test
  shoko policy test --coverage
  shoko policy test --policies ./my-policies --controls ./my-controls -v
  shoko policy test --config shoko.yaml   # with the config's controls_dir and policies_dir`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := a.catalogWithConfig(cfgPath)
			if err != nil {
				return err
			}
			rep, err := engine.RunPolicyTests(cmd.Context(), cat, calendar.Default(), coverage)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			for _, r := range rep.Results {
				switch {
				case r.Failed:
					fmt.Fprintf(a.stdout, "FAIL %s (%s) %s\n", r.Name, r.Location, r.Error)
				case verbose:
					fmt.Fprintf(a.stdout, "PASS %s\n", r.Name)
				}
			}
			if coverage {
				files := make([]string, 0, len(rep.FileCoverage))
				for f := range rep.FileCoverage {
					files = append(files, f)
				}
				sort.Strings(files)
				for _, f := range files {
					fmt.Fprintf(a.stdout, "coverage %6.1f%%  %s\n", rep.FileCoverage[f], f)
				}
				fmt.Fprintf(a.stdout, "coverage %6.1f%%  total (policy lines, tests excluded)\n", rep.Coverage)
			}
			fmt.Fprintf(a.stdout, "%d passed, %d failed\n", len(rep.Results)-rep.Failed(), rep.Failed())
			if rep.Failed() > 0 {
				return &exitErr{code: exitFail, err: fmt.Errorf("%d Rego tests failed", rep.Failed()), reported: true}
			}
			return nil
		},
	}
	test.Flags().BoolVar(&coverage, "coverage", false, "report line coverage of the policies")
	test.Flags().BoolVarP(&verbose, "verbose", "v", false, "list passing tests too")
	test.Flags().StringVar(&cfgPath, "config", "", "config whose controls_dir and policies_dir to test beside the catalog")
	var write bool
	fmtCmd := &cobra.Command{
		Use:   "fmt DIR",
		Short: "Check (or with --write, fix) the opa fmt formatting of the .rego files in DIR",
		Example: `  shoko policy fmt policies
  shoko policy fmt --write policies`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			changed, err := formatRegoDir(args[0], write)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			for _, f := range changed {
				fmt.Fprintln(a.stdout, f)
			}
			if len(changed) > 0 && !write {
				return &exitErr{code: exitFail, err: fmt.Errorf("%d files are not opa fmt-formatted", len(changed)), reported: true}
			}
			return nil
		},
	}
	fmtCmd.Flags().BoolVarP(&write, "write", "w", false, "rewrite the files")
	cmd.AddCommand(test, fmtCmd)
	return cmd
}

// formatRegoDir lists (and with write, rewrites) the .rego files below dir that opa fmt would change.
func formatRegoDir(dir string, write bool) ([]string, error) {
	var changed []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out, err := engine.FormatPolicy(p, string(src))
		if err != nil {
			return err
		}
		if out == string(src) {
			return nil
		}
		changed = append(changed, p)
		if write {
			return os.WriteFile(p, []byte(out), 0o644)
		}
		return nil
	})
	return changed, err
}
