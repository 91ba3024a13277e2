# PII-01: PII is never provided to third parties.
#
# Account-level S3 Block Public Access is fully on; no bucket policy or KMS key policy allows
# "*" (without a condition) or an account outside trusted_accounts, the organization and the
# account itself; no bucket ACL grants to all (authenticated) users; no RDS or EBS snapshot is
# public or shared outside those accounts; no AMI of ours is public.
package shoko.controls.pii_01

import data.shoko.aws
import data.shoko.lib

p := input.control.parameters

org_accounts := {r.row.Id | some r in lib.rows("aws.organizations.ListAccounts")}

trusted(account, own) if account == own

trusted(account, _) if account in p.trusted_accounts

trusted(account, _) if account in org_accounts

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

# RDS manual snapshots: the restore attribute lists "all" or the accounts it is shared with.
findings contains verdict(count(out) == 0, "snapshot_private", "snapshot_shared", {"resource": r.row.DBSnapshotArn, "outsiders": out}, r.row.DBSnapshotArn, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.rds.DescribeDBSnapshotAttributes")
	out := sort({a |
		some attr in aws.tags_of(r.row.DBSnapshotAttributes)
		attr.AttributeName == "restore"
		some v in aws.tags_of(attr.AttributeValues)
		a := replace(v, "all", "*")
		not trusted(a, r.item.scope.account)
	})
}

# EBS snapshots: createVolumePermission to group "all" or to accounts.
findings contains verdict(count(out) == 0, "snapshot_private", "snapshot_shared", {"resource": r.row.SnapshotId, "outsiders": out}, r.row.SnapshotId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.ec2.DescribeSnapshotAttribute")
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
