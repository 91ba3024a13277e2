# PII-01: PII is never provided to third parties.
#
# Account-level S3 Block Public Access is fully on; no bucket policy or KMS key policy allows
# "*" (without a condition) or an account outside trusted_accounts, the organization and the
# account itself; no bucket ACL grants to all (authenticated) users; no RDS instance or Aurora
# cluster snapshot and no EBS snapshot is public or shared outside those accounts; no AMI of ours
# is public or launchable by an outsider (launchPermission).
#
# Who is inside: the account itself, trusted_accounts, and its organization's accounts where the
# collector could list them (in this account, or in another audited account of the same
# organization). Only the management account (or a delegated administrator) may call
# organizations:ListAccounts; a member account records, in its DescribeOrganization row, that
# its insiders are trusted_accounts only (AccountListSource), and a finding says which source
# each account was judged with. An account whose source is the organization but whose list is
# not in the evidence fails (the list is optional evidence: it exists only where it was read).
# A resource deleted between the list and the describe of it (Gone) is recorded, not judged.
package shoko.controls.pii_01

import data.shoko.aws
import data.shoko.lib

p := input.control.parameters

org_accounts := {r.row.Id | some r in lib.rows("aws.organizations.ListAccounts")}

org_rows := [r | some r in lib.rows("aws.organizations.DescribeOrganization")]

# Accounts judged with their organization's list: the source says so and the list holds them;
# and, in a run that also audits an account that could list it, the other accounts of the same
# organization (a member audited beside its management account).
org_listed_directly := {r.row.AccountId |
	some r in org_rows
	r.row.AccountListSource == "organization"
	r.row.AccountId in org_accounts
}

listed_orgs := {r.row.Organization.Id |
	some r in org_rows
	r.row.AccountId in org_listed_directly
}

org_listed := org_listed_directly | {r.row.AccountId |
	some r in org_rows
	is_object(r.row.Organization)
	r.row.Organization.Id in listed_orgs
	r.row.AccountId in org_accounts
}

# own_org_ids and own_org_arns pair each audited account with its organization (for AMIs shared with an
# organization or one of its OUs).
own_org_ids := {[r.row.AccountId, r.row.Organization.Id] | some r in org_rows; is_object(r.row.Organization)}

own_org_arns := {[r.row.AccountId, r.row.Organization.Arn] | some r in org_rows; is_object(r.row.Organization)}

trusted(account, own) if account == own

trusted(account, _) if account in p.trusted_accounts

trusted(account, own) if {
	own in org_listed
	account in org_accounts
}

gone(row) if row.Gone == true

# Which accounts count as inside, per audited account.
findings contains lib.pass("insiders_organization", {"account": r.row.AccountId, "organization": r.row.Organization.Id, "count": count(org_accounts)}, r.row.AccountId, lib.row_ref(r.item, r.index)) if {
	some r in org_rows
	r.row.AccountId in org_listed
}

findings contains lib.fail("organization_list_missing", {"account": r.row.AccountId}, r.row.AccountId, lib.row_ref(r.item, r.index)) if {
	some r in org_rows
	r.row.AccountListSource == "organization"
	not r.row.AccountId in org_listed
}

findings contains lib.pass("insiders_trusted_accounts", {"account": r.row.AccountId, "organization": r.row.Organization.Id, "trusted": sort(p.trusted_accounts)}, r.row.AccountId, lib.row_ref(r.item, r.index)) if {
	some r in org_rows
	r.row.AccountListSource == "trusted_accounts"
	not r.row.AccountId in org_listed
}

findings contains lib.pass("insiders_no_organization", {"account": r.row.AccountId, "trusted": sort(p.trusted_accounts)}, r.row.AccountId, lib.row_ref(r.item, r.index)) if {
	some r in org_rows
	r.row.AccountListSource == "none"
}

findings contains lib.fail("insiders_unknown", {"account": r.row.AccountId}, r.row.AccountId, lib.row_ref(r.item, r.index)) if {
	some r in org_rows
	not r.row.AccountListSource in {"organization", "trusted_accounts", "none"}
}

# Account Block Public Access.
pab_fields := ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"]

pab_off(row) := [f | some f in pab_fields; object.get(row, ["PublicAccessBlockConfiguration", f], false) != true]

findings contains lib.pass("account_public_access_blocked", {"account": r.row.AccountId}, r.row.AccountId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.s3control.GetPublicAccessBlock")
	count(pab_off(r.row)) == 0
}

findings contains lib.fail("account_public_access_open", {"account": r.row.AccountId, "off": pab_off(r.row)}, r.row.AccountId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.s3control.GetPublicAccessBlock")
	count(pab_off(r.row)) > 0
}

# Policy documents (bucket and key policies).
as_list(x) := [x] if not is_array(x)

as_list(x) := x if is_array(x)

principals(stmt) := ["*"] if stmt.Principal == "*"

principals(stmt) := as_list(object.get(stmt.Principal, "AWS", [])) if is_object(stmt.Principal)

account_of(pr) := "*" if pr == "*"

account_of(pr) := pr if regex.match(`^[0-9]{12}$`, pr)

account_of(pr) := split(pr, ":")[4] if startswith(pr, "arn:")

# outsiders are the accounts (or "*") a policy document allows that are not trusted. "*" under
# a Condition is left to the condition (it is how VPC-endpoint and org-id policies are written).
outsiders(doc, own) := sort({a |
	some s in as_list(object.get(doc, "Statement", []))
	s.Effect == "Allow"
	some pr in principals(s)
	a := account_of(pr)
	not trusted(a, own)
	not conditioned_star(s, a)
})

conditioned_star(s, "*") if count(object.get(s, "Condition", {})) > 0

policy_findings(kind, id_field, prefix) := {f |
	some r in lib.rows(kind)
	is_string(r.row.Policy)
	doc := json.unmarshal(r.row.Policy)
	out := outsiders(doc, r.item.scope.account)
	id := concat("", [prefix, r.row[id_field]])
	f := verdict(count(out) == 0, "policy_private", "policy_shares", {"resource": id, "outsiders": out}, id, lib.row_ref(r.item, r.index))
}

verdict(true, good, _, params, id, ref) := lib.pass(good, params, id, ref)

verdict(false, _, bad, params, id, ref) := lib.fail(bad, params, id, ref)

bucket_arn(b) := sprintf("arn:aws:s3:::%s", [b])

findings contains f if some f in policy_findings("aws.s3.GetBucketPolicy", "Bucket", "arn:aws:s3:::")

findings contains f if some f in policy_findings("aws.kms.GetKeyPolicy", "KeyArn", "")

# Bucket ACLs granting to everyone.
public_uris := {"http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}

findings contains lib.fail("acl_public", {"resource": bucket_arn(r.row.Bucket)}, bucket_arn(r.row.Bucket), lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.s3.GetBucketAcl")
	some g in aws.tags_of(r.row.Grants)
	object.get(g, ["Grantee", "URI"], "") in public_uris
}

# RDS manual snapshots, of instances and of (Aurora) clusters: the restore attribute lists "all"
# or the accounts it is shared with.
rds_snapshot_attrs := [
	{"kind": "aws.rds.DescribeDBSnapshotAttributes", "id": "DBSnapshotArn", "attrs": "DBSnapshotAttributes"},
	{"kind": "aws.rds.DescribeDBClusterSnapshotAttributes", "id": "DBClusterSnapshotArn", "attrs": "DBClusterSnapshotAttributes"},
]

findings contains verdict(count(out) == 0, "snapshot_private", "snapshot_shared", {"resource": id, "outsiders": out}, id, lib.row_ref(r.item, r.index)) if {
	some spec in rds_snapshot_attrs
	some r in lib.rows(spec.kind)
	not gone(r.row)
	id := r.row[spec.id]
	out := sort({a |
		some attr in aws.tags_of(object.get(r.row, spec.attrs, []))
		attr.AttributeName == "restore"
		some v in aws.tags_of(attr.AttributeValues)
		a := replace(v, "all", "*")
		not trusted(a, r.item.scope.account)
	})
}

# Deleted between the list and the describe: nothing of it is left to share.
gone_kinds := {
	"aws.rds.DescribeDBSnapshotAttributes": "DBSnapshotArn",
	"aws.rds.DescribeDBClusterSnapshotAttributes": "DBClusterSnapshotArn",
	"aws.ec2.DescribeSnapshotAttribute": "SnapshotId",
	"aws.ec2.DescribeImageAttribute": "ImageId",
}

findings contains lib.pass("resource_gone", {"resource": r.row[field], "code": r.row.ErrorCode}, r.row[field], lib.row_ref(r.item, r.index)) if {
	some kind, field in gone_kinds
	some r in lib.rows(kind)
	gone(r.row)
}

# EBS snapshots: createVolumePermission to group "all" or to accounts.
findings contains verdict(count(out) == 0, "snapshot_private", "snapshot_shared", {"resource": r.row.SnapshotId, "outsiders": out}, r.row.SnapshotId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.ec2.DescribeSnapshotAttribute")
	not gone(r.row)
	out := sort({a |
		some perm in aws.tags_of(r.row.CreateVolumePermissions)
		a := ebs_grantee(perm)
		not trusted(a, r.item.scope.account)
	})
}

ebs_grantee(perm) := "*" if perm.Group == "all"

ebs_grantee(perm) := perm.UserId if is_string(perm.UserId)

findings contains verdict(r.row.Public != true, "image_private", "image_public", {"resource": r.row.ImageId, "outsiders": ["*"]}, r.row.ImageId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.ec2.DescribeImages")
}

# AMIs shared through launchPermission: with everyone (Group all), with accounts (UserId), with an
# organization (OrganizationArn) or an OU of one (OrganizationalUnitArn). An organization or OU is
# inside only when it is the audited account's own organization.
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchPermission.html
findings contains verdict(count(out) == 0, "image_not_shared", "image_shared", {"resource": r.row.ImageId, "outsiders": out}, r.row.ImageId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.ec2.DescribeImageAttribute")
	not gone(r.row)
	out := sort({a |
		some perm in aws.tags_of(r.row.LaunchPermissions)
		a := launch_grantee(perm)
		not launch_inside(a, r.item.scope.account)
	})
}

launch_grantee(perm) := "*" if perm.Group == "all"

launch_grantee(perm) := perm.UserId if is_string(perm.UserId)

launch_grantee(perm) := perm.OrganizationArn if is_string(perm.OrganizationArn)

launch_grantee(perm) := perm.OrganizationalUnitArn if is_string(perm.OrganizationalUnitArn)

launch_inside(a, own) if trusted(a, own)

launch_inside(a, own) if [own, a] in own_org_arns

# arn:aws:organizations::<management>:ou/<org id>/<ou id>
launch_inside(a, own) if {
	startswith(a, "arn:aws:organizations::")
	contains(a, ":ou/")
	parts := split(split(a, ":ou/")[1], "/")
	[own, parts[0]] in own_org_ids
}
