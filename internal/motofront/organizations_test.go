package motofront_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// ListAccounts answers as AWS does: the management account gets the organization's accounts, a
// member account AccessDeniedException (moto answers it with an empty list), an account outside
// any organization moto's own answer.
func TestListAccountsFromAMemberAccountIsDenied(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	outside := organizations.NewFromConfig(cfg)
	if _, err := outside.ListAccounts(ctx, &organizations.ListAccountsInput{}); errCode(err) == "AccessDeniedException" {
		t.Fatalf("an account outside any organization was denied: %v", err)
	}
	if _, err := outside.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	created, err := outside.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("member"), Email: aws.String("m@example.jp")})
	if err != nil {
		t.Fatal(err)
	}
	member := aws.ToString(created.CreateAccountStatus.AccountId)
	memberCfg := cfg.Copy()
	memberCfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), "arn:aws:iam::"+member+":role/audit"))
	cases := []struct {
		name     string
		cfg      aws.Config
		wantCode string
	}{
		{"management account lists", cfg, ""},
		{"member account is denied", memberCfg, "AccessDeniedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := organizations.NewFromConfig(tc.cfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
			if got := errCode(err); got != tc.wantCode {
				t.Fatalf("error code %q (%v), want %q", got, err, tc.wantCode)
			}
			if tc.wantCode == "" && len(out.Accounts) < 2 {
				t.Fatalf("%d accounts listed, want the management account and the member", len(out.Accounts))
			}
			// DescribeOrganization stays open to members, as in AWS.
			if _, err := organizations.NewFromConfig(tc.cfg).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
				t.Fatalf("DescribeOrganization: %v", err)
			}
		})
	}
}

// Vanish answers the named per-resource call for that resource with the NotFound error AWS gives
// for a resource deleted after it was listed.
func TestVanishAnswersNotFoundForThatResourceOnly(t *testing.T) {
	f, cfg := start(t)
	ctx := context.Background()
	f.Vanish("rds:DescribeDBSnapshotAttributes", "gone-snap", "DBSnapshotNotFound", http.StatusNotFound)
	c := rds.NewFromConfig(cfg)
	_, err := c.DescribeDBSnapshotAttributes(ctx, &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: aws.String("gone-snap")})
	if errCode(err) != "DBSnapshotNotFound" {
		t.Fatalf("vanished snapshot: %v, want DBSnapshotNotFound", err)
	}
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
