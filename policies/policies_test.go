package policies_test

import (
	"context"
	"sort"
	"testing"

	"github.com/shoko-audit/shoko/calendar"
	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/controls"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/policies"
)

// minCoverage is the policy line coverage the Rego tests must reach.
const minCoverage = 90.0

func catalog(t *testing.T) *engine.Catalog {
	t.Helper()
	cat, err := engine.LoadCatalog(engine.CatalogSource{Controls: controls.FS, ControlsName: "controls",
		Policies: policies.FS, PoliciesName: "policies", KnownKinds: collectors.KnownKinds()})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestRegoPolicies runs every _test.rego through OPA's test runner, as `shoko policy test`
// does, and requires the policies' line coverage to reach minCoverage.
func TestRegoPolicies(t *testing.T) {
	rep, err := engine.RunPolicyTests(context.Background(), catalog(t), calendar.Default(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) == 0 {
		t.Fatal("no Rego tests ran")
	}
	for _, r := range rep.Results {
		if r.Failed {
			t.Errorf("Rego test %s (%s) failed %s", r.Name, r.Location, r.Error)
		}
	}
	files := make([]string, 0, len(rep.FileCoverage))
	for f := range rep.FileCoverage {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		t.Logf("coverage %6.1f%% %s", rep.FileCoverage[f], f)
	}
	t.Logf("%d Rego tests; policy line coverage %.1f%% (minimum %.0f%%)", len(rep.Results), rep.Coverage, minCoverage)
	if rep.Coverage < minCoverage {
		t.Errorf("policy line coverage %.1f%% is below %.0f%%", rep.Coverage, minCoverage)
	}
}

// Every policy has a test file beside it, with at least one passing and one failing case
// (checked by name: the tests assert a pass and a fail status).
func TestEveryPolicyHasATestFile(t *testing.T) {
	cat := catalog(t)
	for _, c := range cat.Controls {
		found := false
		for name := range cat.Tests {
			if name == "policies/"+pkgFile(c.Package)+"_test.rego" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no policies/%s_test.rego", c.ID, pkgFile(c.Package))
		}
	}
}

func pkgFile(pkg string) string { return pkg[len("shoko.controls."):] }

// The embedded catalog passes every check `shoko controls validate` makes.
func TestEmbeddedCatalogIsValid(t *testing.T) {
	cat := catalog(t)
	problems, err := engine.ValidateAgainstSchema(controls.FS, "controls")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("schema: %s", p)
	}
	unformatted, err := engine.UnformattedPolicies(cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range unformatted {
		t.Errorf("%s is not opa fmt-formatted (run: make fmt)", f)
	}
}
