package shoko.controls.pii_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.pii_01

params := {"trusted_accounts": ["210987654321"]}

key_arn := "arn:aws:kms:ap-northeast-1:123456789012:key/k1"

policy_doc(principal) := json.marshal({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::cardsvc-data/*"}]})

estate(pab, bucket_principal, acl_grantee, restore, volume_perms, public_ami, org) := [
	fx.item("aws.s3control.GetPublicAccessBlock", "global", [{"AccountId": "123456789012", "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": pab}}]),
	fx.item("aws.s3.GetBucketPolicy", "global", [{"Bucket": "cardsvc-data", "Policy": policy_doc(bucket_principal)}, {"Bucket": "cardsvc-tmp", "ErrorCode": "NoSuchBucketPolicy", "NotConfigured": true}]),
	fx.item("aws.s3.GetBucketAcl", "global", [{"Bucket": "cardsvc-data", "Grants": [{"Grantee": acl_grantee, "Permission": "READ"}]}]),
	fx.item("aws.rds.DescribeDBSnapshotAttributes", "ap-northeast-1", [{"DBSnapshotArn": "arn:aws:rds:ap-northeast-1:123456789012:snapshot:s1", "DBSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": restore}]}]),
	fx.item("aws.ec2.DescribeSnapshotAttribute", "ap-northeast-1", [{"SnapshotId": "snap-1", "CreateVolumePermissions": volume_perms}]),
	fx.item("aws.ec2.DescribeImages", "ap-northeast-1", [{"ImageId": "ami-app", "State": "available", "Public": public_ami}]),
	fx.item("aws.kms.GetKeyPolicy", "ap-northeast-1", [{"KeyArn": key_arn, "Policy": json.marshal({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}})}]),
	fx.item("aws.organizations.ListAccounts", "global", org),
	fx.item("aws.organizations.DescribeOrganization", "global", [org_row("organization")]),
]

org_row(source) := {"AccountId": "123456789012", "AccountListSource": source, "Organization": {"Id": "o-abc", "Arn": "arn:aws:organizations::123456789012:organization/o-abc", "MasterAccountId": "123456789012"}}

owner := {"Type": "CanonicalUser", "ID": "abc"}

test_nothing_shared_passes if {
	f := pii_01.findings with input as fx.input_for(params, estate(true, {"AWS": ["arn:aws:iam::210987654321:role/reader", "111122223333"]}, owner, ["210987654321"], [{"UserId": "111122223333"}], false, [{"Id": "111122223333", "Status": "ACTIVE"}, {"Id": "123456789012", "Status": "ACTIVE"}]))
	fx.has(f, "pass", "account_public_access_blocked", "123456789012")
	fx.has(f, "pass", "policy_private", "arn:aws:s3:::cardsvc-data")
	fx.has(f, "pass", "policy_private", key_arn)
	fx.has(f, "pass", "snapshot_private", "snap-1")
	fx.has(f, "pass", "image_private", "ami-app")
	every x in f {
		x.status == "pass"
	}
}

test_public_and_foreign_sharing_fails if {
	f := pii_01.findings with input as fx.input_for(params, estate(false, "*", {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, ["all", "999999999999"], [{"Group": "all"}], true, []))
	fx.has(f, "fail", "account_public_access_open", "123456789012")
	fx.has(f, "fail", "policy_shares", "arn:aws:s3:::cardsvc-data")
	fx.has(f, "fail", "acl_public", "arn:aws:s3:::cardsvc-data")
	fx.has(f, "fail", "snapshot_shared", "arn:aws:rds:ap-northeast-1:123456789012:snapshot:s1")
	fx.has(f, "fail", "snapshot_shared", "snap-1")
	fx.has(f, "fail", "image_public", "ami-app")
}

test_star_under_a_condition_is_left_to_the_condition if {
	doc := json.marshal({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]})
	items := [fx.item("aws.s3.GetBucketPolicy", "global", [{"Bucket": "b", "Policy": doc}])]
	fx.has(pii_01.findings, "pass", "policy_private", "arn:aws:s3:::b") with input as fx.input_for(params, items)
}

# An Aurora cluster snapshot shared with another account or with "all" fails like an instance
# snapshot; one shared with nobody, or with a trusted account, passes.
test_cluster_snapshot_sharing if {
	cases := [
		{"restore": ["all"], "status": "fail", "code": "snapshot_shared"},
		{"restore": ["999999999999"], "status": "fail", "code": "snapshot_shared"},
		{"restore": ["210987654321"], "status": "pass", "code": "snapshot_private"},
		{"restore": [], "status": "pass", "code": "snapshot_private"},
	]
	every c in cases {
		items := [fx.item("aws.rds.DescribeDBClusterSnapshotAttributes", "ap-northeast-1", [{
			"DBClusterSnapshotArn": "arn:aws:rds:ap-northeast-1:123456789012:cluster-snapshot:aurora-manual",
			"DBClusterSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": c.restore}],
		}])]
		fx.has(pii_01.findings, c.status, c.code, "arn:aws:rds:ap-northeast-1:123456789012:cluster-snapshot:aurora-manual") with input as fx.input_for(params, items)
	}
}

# An AMI that DescribeImages says is not public but whose launchPermission names another account,
# everyone, or another organization fails; one shared with our own organization or one of its
# OUs, or with nobody, passes.
test_ami_launch_permission_sharing if {
	cases := [
		{"perms": [{"UserId": "999999999999"}], "status": "fail", "code": "image_shared"},
		{"perms": [{"Group": "all"}], "status": "fail", "code": "image_shared"},
		{"perms": [{"OrganizationArn": "arn:aws:organizations::555555555555:organization/o-other"}], "status": "fail", "code": "image_shared"},
		{"perms": [{"OrganizationalUnitArn": "arn:aws:organizations::555555555555:ou/o-other/ou-1"}], "status": "fail", "code": "image_shared"},
		{"perms": [{"OrganizationArn": "arn:aws:organizations::123456789012:organization/o-abc"}], "status": "pass", "code": "image_not_shared"},
		{"perms": [{"OrganizationalUnitArn": "arn:aws:organizations::123456789012:ou/o-abc/ou-1"}], "status": "pass", "code": "image_not_shared"},
		{"perms": [{"UserId": "210987654321"}], "status": "pass", "code": "image_not_shared"},
		{"perms": [], "status": "pass", "code": "image_not_shared"},
	]
	every c in cases {
		items := [
			fx.item("aws.ec2.DescribeImages", "ap-northeast-1", [{"ImageId": "ami-app", "Public": false}]),
			fx.item("aws.ec2.DescribeImageAttribute", "ap-northeast-1", [{"ImageId": "ami-app", "LaunchPermissions": c.perms}]),
			fx.item("aws.organizations.DescribeOrganization", "global", [org_row("trusted_accounts")]),
		]
		fx.has(pii_01.findings, c.status, c.code, "ami-app") with input as fx.input_for(params, items)
	}
}

# A member account may not list its organization: with the list absent and the source
# trusted_accounts, the control decides (no error); trusted_accounts are inside, an account that
# only the organization's list could vouch for is not.
member_items(restore) := [
	fx.item("aws.organizations.DescribeOrganization", "global", [org_row("trusted_accounts")]),
	fx.item("aws.rds.DescribeDBSnapshotAttributes", "ap-northeast-1", [{"DBSnapshotArn": "s1", "DBSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": restore}]}]),
]

test_member_account_judged_with_trusted_accounts if {
	f := pii_01.findings with input as fx.input_for(params, member_items(["210987654321"]))
	fx.has(f, "pass", "insiders_trusted_accounts", "123456789012")
	fx.has(f, "pass", "snapshot_private", "s1")
	g := pii_01.findings with input as fx.input_for(params, member_items(["111122223333"]))
	fx.has(g, "fail", "snapshot_shared", "s1")
}

# The source says "organization" but no list holding the account was collected: fail, and the
# organization's accounts are not taken on trust.
test_organization_source_without_its_list_fails if {
	items := [
		fx.item("aws.organizations.DescribeOrganization", "global", [org_row("organization")]),
		fx.item("aws.organizations.ListAccounts", "global", [{"Id": "111122223333"}]),
		fx.item("aws.rds.DescribeDBSnapshotAttributes", "ap-northeast-1", [{"DBSnapshotArn": "s1", "DBSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": ["111122223333"]}]}]),
	]
	f := pii_01.findings with input as fx.input_for(params, items)
	fx.has(f, "fail", "organization_list_missing", "123456789012")
	fx.has(f, "fail", "snapshot_shared", "s1")
}

test_no_organization_and_unknown_source if {
	f := pii_01.findings with input as fx.input_for(params, [fx.item("aws.organizations.DescribeOrganization", "global", [{"AccountId": "123456789012", "AccountListSource": "none", "Organization": null}])])
	fx.has(f, "pass", "insiders_no_organization", "123456789012")
	g := pii_01.findings with input as fx.input_for(params, [fx.item("aws.organizations.DescribeOrganization", "global", [{"AccountId": "123456789012", "AccountListSource": "guess", "Organization": null}])])
	fx.has(g, "fail", "insiders_unknown", "123456789012")
}

# A snapshot or AMI deleted between the list and the describe is recorded as gone, never judged
# private on an answer that was not there.
test_gone_resources_are_recorded_not_judged if {
	items := [
		fx.item("aws.rds.DescribeDBSnapshotAttributes", "ap-northeast-1", [{"DBSnapshotArn": "s1", "Gone": true, "ErrorCode": "DBSnapshotNotFound"}]),
		fx.item("aws.rds.DescribeDBClusterSnapshotAttributes", "ap-northeast-1", [{"DBClusterSnapshotArn": "c1", "Gone": true, "ErrorCode": "DBClusterSnapshotNotFoundFault"}]),
		fx.item("aws.ec2.DescribeSnapshotAttribute", "ap-northeast-1", [{"SnapshotId": "snap-1", "Gone": true, "ErrorCode": "InvalidSnapshot.NotFound"}]),
		fx.item("aws.ec2.DescribeImageAttribute", "ap-northeast-1", [{"ImageId": "ami-1", "Gone": true, "ErrorCode": "InvalidAMIID.NotFound"}]),
	]
	f := pii_01.findings with input as fx.input_for(params, items)
	every id in ["s1", "c1", "snap-1", "ami-1"] {
		fx.has(f, "pass", "resource_gone", id)
		not fx.has(f, "pass", "snapshot_private", id)
		not fx.has(f, "pass", "image_not_shared", id)
	}
}

# A member account audited in the same run as its management account is judged with the list the
# management account read: the organization's accounts are inside for it too.
test_member_beside_its_management_account_uses_the_list if {
	member_row := object.union(org_row("trusted_accounts"), {"AccountId": "111122223333"})
	member_item := object.union(fx.item("aws.rds.DescribeDBSnapshotAttributes", "ap-northeast-1", [{"DBSnapshotArn": "m1", "DBSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": ["123456789012"]}]}]), {"scope": {"source": "aws", "account": "111122223333", "region": "ap-northeast-1"}})
	items := [
		fx.item("aws.organizations.DescribeOrganization", "global", [org_row("organization"), member_row]),
		fx.item("aws.organizations.ListAccounts", "global", [{"Id": "111122223333"}, {"Id": "123456789012"}]),
		member_item,
	]
	f := pii_01.findings with input as fx.input_for(params, items)
	fx.has(f, "pass", "insiders_organization", "111122223333")
	not fx.has(f, "pass", "insiders_trusted_accounts", "111122223333")
	fx.has(f, "pass", "snapshot_private", "m1")
}
