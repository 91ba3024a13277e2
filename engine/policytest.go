package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/shoko-audit/shoko/calendar"
)

// PolicyTestResult is one Rego test's outcome.
type PolicyTestResult struct {
	Name     string // package.rule
	Location string // file:line
	Failed   bool
	Error    string
}

// PolicyTestReport is the outcome of running every _test.rego of a catalog.
type PolicyTestReport struct {
	Results []PolicyTestResult
	// Coverage is the percentage of policy lines (test files excluded) the tests exercised,
	// per file and overall; set only when coverage was asked for.
	Coverage      float64
	FileCoverage  map[string]float64
	CoverageAsked bool
}

// Failed counts the failing tests.
func (r PolicyTestReport) Failed() int {
	n := 0
	for _, t := range r.Results {
		if t.Failed {
			n++
		}
	}
	return n
}

// RunPolicyTests runs the catalog's Rego tests with OPA's test runner (the business-day builtin
// bound to cal), optionally measuring line coverage of the policies.
func RunPolicyTests(ctx context.Context, cat *Catalog, cal *calendar.Calendar, withCoverage bool) (PolicyTestReport, error) {
	modules := map[string]*ast.Module{}
	policyModules := map[string]*ast.Module{}
	for _, set := range []map[string]string{cat.Policies, cat.Tests} {
		for name, src := range set {
			m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
			if err != nil {
				return PolicyTestReport{}, fmt.Errorf("parse %s: %w", name, err)
			}
			modules[name] = m
			if _, isPolicy := cat.Policies[name]; isPolicy {
				policyModules[name] = m
			}
		}
	}
	if len(cat.Tests) == 0 {
		return PolicyTestReport{}, fmt.Errorf("no Rego tests (*_test.rego) in the catalog")
	}
	runner := tester.NewRunner().
		SetModules(modules).
		RaiseBuiltinErrors(true).
		AddCustomBuiltins(builtinsForTests(cal))
	var cov *cover.Cover
	if withCoverage {
		cov = cover.New()
		runner = runner.SetCoverageQueryTracer(cov)
	}
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return PolicyTestReport{}, fmt.Errorf("run Rego tests: %w", err)
	}
	rep := PolicyTestReport{CoverageAsked: withCoverage}
	for r := range ch {
		res := PolicyTestResult{Name: strings.TrimPrefix(r.Package, "data.") + "." + r.Name, Failed: r.Fail || r.Error != nil}
		if r.Location != nil {
			res.Location = fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
		}
		if r.Error != nil {
			res.Error = r.Error.Error()
		}
		rep.Results = append(rep.Results, res)
	}
	sort.Slice(rep.Results, func(i, j int) bool { return rep.Results[i].Name < rep.Results[j].Name })
	if withCoverage {
		// Only policy files count: a test file is always "covered" by running it.
		cr := cov.Report(policyModules)
		rep.FileCoverage = map[string]float64{}
		covered, total := 0, 0
		for name := range policyModules {
			f := cr.Files[name]
			if f == nil {
				rep.FileCoverage[name] = 0
				continue
			}
			rep.FileCoverage[name] = f.Coverage
			covered += f.CoveredLines
			total += f.CoveredLines + f.NotCoveredLines
		}
		if total > 0 {
			rep.Coverage = 100 * float64(covered) / float64(total)
		}
	}
	return rep, nil
}

// UnformattedPolicies lists the policy and test files that `opa fmt` would change.
func UnformattedPolicies(cat *Catalog) ([]string, error) {
	var out []string
	for _, set := range []map[string]string{cat.Policies, cat.Tests} {
		for name, src := range set {
			formatted, err := format.SourceWithOpts(name, []byte(src), format.Opts{RegoVersion: ast.RegoV1})
			if err != nil {
				return nil, fmt.Errorf("format %s: %w", name, err)
			}
			if string(formatted) != src {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// FormatPolicy returns src formatted as `opa fmt` would (Rego v1).
func FormatPolicy(name, src string) (string, error) {
	b, err := format.SourceWithOpts(name, []byte(src), format.Opts{RegoVersion: ast.RegoV1})
	if err != nil {
		return "", fmt.Errorf("format %s: %w", name, err)
	}
	return string(b), nil
}
