package aws_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// iamPolicy reads the Action list of docs/iam-policy.json.
func iamPolicy(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "docs", "iam-policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version   string
		Statement []struct {
			Sid      string
			Effect   string
			Action   []string
			Resource string
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("docs/iam-policy.json: %v", err)
	}
	var actions []string
	for _, s := range doc.Statement {
		if s.Effect != "Allow" || s.Resource != "*" {
			t.Errorf("statement %s: want Effect Allow on Resource *, got %s on %s", s.Sid, s.Effect, s.Resource)
		}
		actions = append(actions, s.Action...)
	}
	sort.Strings(actions)
	return actions
}

// Read-only: Describe*, List*, Get*, iam:GenerateCredentialReport (it only prepares the report
// GetCredentialReport reads), and apigateway:GET (API Gateway names its actions by HTTP method).
var readOnly = regexp.MustCompile(`^[a-z0-9-]+:(Describe|List|Get)[A-Za-z0-9]*$|^iam:GenerateCredentialReport$|^apigateway:GET$`)

// The read-only policy a user attaches is exactly what the collector calls: the whole
// collection against a seeded estate (every service, every region, every per-resource call)
// records its operations, and that set equals the policy's actions, all of them read-only.
func TestIAMPolicyEqualsOperationsCalled(t *testing.T) {
	e := newEnv(t)
	all := map[string]bool{}
	for id := range awsestate.Violations {
		all[id] = true // the violating estate has every kind of resource, shared snapshots included
	}
	e.seed(t, awsestate.Options{Violate: all})
	// The audited account manages an organization, so that its account list is read too.
	if _, err := organizations.NewFromConfig(e.cfg).CreateOrganization(context.Background(), &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	rec := shokoaws.NewRecorder()
	e.collect(t, shokoaws.Options{Recorder: rec})
	called := rec.Actions()
	policy := iamPolicy(t)
	for _, a := range policy {
		if !readOnly.MatchString(a) {
			t.Errorf("docs/iam-policy.json allows %s, which is not a read-only action", a)
		}
	}
	for _, a := range called {
		if !slices.Contains(policy, a) {
			t.Errorf("the collector called %s, which docs/iam-policy.json does not allow", a)
		}
	}
	for _, a := range policy {
		if !slices.Contains(called, a) {
			t.Errorf("docs/iam-policy.json allows %s, which the collector never called", a)
		}
	}
	if t.Failed() {
		b, _ := json.MarshalIndent(called, "", "  ")
		t.Logf("actions called:\n%s", b)
	}
}
