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
]

owner := {"Type": "CanonicalUser", "ID": "abc"}

test_nothing_shared_passes if {
	f := pii_01.findings with input as fx.input_for(params, estate(true, {"AWS": ["arn:aws:iam::210987654321:role/reader", "111122223333"]}, owner, ["210987654321"], [{"UserId": "111122223333"}], false, [{"Id": "111122223333", "Status": "ACTIVE"}]))
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
