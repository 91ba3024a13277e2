package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// organizationsTask: the accounts of the organization the audited account belongs to (who
// counts as "inside" for sharing). An account outside any organization records an empty list
// with the error code, as a fact.
func organizationsTask() task {
	return task{service: "organizations", kinds: []string{KindOrgAccounts},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := organizations.NewFromConfig(cfg)
			p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
			accts, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *organizations.ListAccountsOutput) []orgtypes.Account { return o.Accounts })
			if errorCode(err) == "AWSOrganizationsNotInUseException" {
				e.ok(KindOrgAccounts, "ListAccounts", 0, []orgtypes.Account{})
				return
			}
			emit(e, KindOrgAccounts, "ListAccounts", pages, err, sortBy(accts, func(v orgtypes.Account) string { return aws.ToString(v.Id) }))
		}}
}
