package aws_test

import (
	"context"
	"slices"
	"testing"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/collectors/preflight"
	"github.com/shoko-audit/shoko/demo/awsestate"
)

// The preflight calls only actions of docs/iam-policy.json (the recorder sees every call made
// with an account's credentials, role assumption included, and the first call of each service;
// the base identity call is sts:GetCallerIdentity, in the policy too), and on a reachable
// account every check passes.
func TestDoctorPreflightCallsOnlyPolicyActions(t *testing.T) {
	e := newEnv(t)
	policy := iamPolicy(t)
	tests := []struct {
		name     string
		accounts []shokoaws.Account
	}{
		{"the credentials' own account", nil},
		{"an account through a role", []shokoaws.Account{{ID: "111111111111", RoleARN: "arn:aws:iam::111111111111:role/shoko-audit", ExternalID: "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := shokoaws.NewRecorder()
			checks := shokoaws.New(shokoaws.Options{EndpointURL: e.front.URL, Regions: []string{awsestate.Region, "ap-northeast-3"},
				Accounts: tt.accounts, Recorder: rec}).Preflight(context.Background())
			if n := preflight.Failures(checks); n > 0 {
				for _, c := range checks {
					t.Log(c.Line())
				}
				t.Fatalf("%d checks failed", n)
			}
			actions := rec.Actions()
			if len(actions) == 0 {
				t.Fatal("the recorder saw no call")
			}
			// The first call of each service is made too (and checked against the policy below).
			for _, a := range []string{"kms:ListKeys", "s3:ListAllMyBuckets", "rds:DescribeDBInstances", "backup:ListBackupVaults"} {
				if !slices.Contains(actions, a) {
					t.Errorf("the preflight does not call %s", a)
				}
			}
			for _, a := range append(actions, "sts:GetCallerIdentity") {
				if !slices.Contains(policy, a) {
					t.Errorf("the preflight calls %s, which docs/iam-policy.json does not allow", a)
				}
			}
		})
	}
}
