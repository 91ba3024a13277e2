package main

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
)

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
