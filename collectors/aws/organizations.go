package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// Where PII-01's list of "inside" accounts comes from, recorded in the DescribeOrganization row
// of each audited account as AccountListSource.
const (
	// SourceOrganization: the organization's accounts, listed by these credentials (the
	// management account or a delegated administrator) or, with organization_role, once from
	// the management account.
	SourceOrganization = "organization"
	// SourceTrustedAccounts: a member account may not list its organization
	// (AccessDeniedException), so only the control's trusted_accounts count as inside.
	SourceTrustedAccounts = "trusted_accounts"
	// SourceNoOrganization: the account belongs to no organization.
	SourceNoOrganization = "none"
)

// organizationsTask: the organization the audited account belongs to and, where the
// credentials may read it, its account list (who counts as "inside" for sharing).
//
// DescribeOrganization may be called by any member account; ListAccounts only by the management
// account or a delegated administrator, any other member gets AccessDeniedException:
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html
// A member account's denial is recorded as a fact (source trusted_accounts), not as an error;
// any other failure of either call is an error item. With organization_role (orgListed) the list
// was read once from the management account (see accounts) and is not read again here.
func organizationsTask(orgListed bool) task {
	return task{service: "organizations", kinds: []string{KindOrganization},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := organizations.NewFromConfig(cfg)
			row := map[string]any{"AccountId": e.account, "Organization": nil}
			d, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			switch {
			case errorCode(err) == "AWSOrganizationsNotInUseException":
				row["AccountListSource"], row["ErrorCode"] = SourceNoOrganization, errorCode(err)
				e.ok(KindOrganization, "DescribeOrganization", 1, []any{row})
				return
			case err != nil:
				e.fail(KindOrganization, "DescribeOrganization", err)
				return
			}
			o := d.Organization
			// The management account's e-mail address is personal data no control needs: left out.
			row["Organization"] = map[string]any{"Id": aws.ToString(o.Id), "Arn": aws.ToString(o.Arn),
				"MasterAccountId": aws.ToString(o.MasterAccountId), "FeatureSet": o.FeatureSet}
			if orgListed {
				row["AccountListSource"] = SourceOrganization
				e.ok(KindOrganization, "DescribeOrganization", 1, []any{row})
				return
			}
			p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
			accts, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *organizations.ListAccountsOutput) []orgtypes.Account { return o.Accounts })
			member := e.account != aws.ToString(o.MasterAccountId)
			switch code := errorCode(err); {
			case err == nil:
				row["AccountListSource"] = SourceOrganization
				emit(e, KindOrgAccounts, "ListAccounts", pages, nil, sortBy(accts, func(v orgtypes.Account) string { return aws.ToString(v.Id) }))
			case member && (code == "AccessDeniedException" || code == "AccessDenied"):
				row["AccountListSource"], row["ErrorCode"] = SourceTrustedAccounts, code
			default:
				// The management account must be able to list (a missing permission), and
				// throttling or a timeout is never a smaller list: both kinds are errors.
				e.fail(KindOrganization, "ListAccounts", err)
				e.fail(KindOrgAccounts, "ListAccounts", err)
				return
			}
			e.ok(KindOrganization, "DescribeOrganization", 1, []any{row})
		}}
}
