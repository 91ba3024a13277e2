# ENC-01: customer data in databases and storage is encrypted with AES-256.
#
# RDS instances, clusters and snapshots (of instances and of Aurora clusters), DynamoDB tables, S3 buckets and the EBS volumes of the
# data classes in encrypted_classes must be encrypted; EBS encryption by default must be on in
# every region holding volumes; every KMS key these name must be an enabled SYMMETRIC_DEFAULT
# key (AES-256-GCM). A DynamoDB table without SSEDescription is encrypted with an AWS-owned
# AES-256 key: recorded as such, and it passes.
#
# A bucket's default encryption may name its key by alias ("alias/name", in the bucket's region,
# or an alias ARN), as the S3 console and API allow
# (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html): the
# alias is resolved to its key with kms:ListAliases, and the key is judged. An alias that names no
# key in the evidence fails.
package shoko.controls.enc_01

import data.shoko.aws
import data.shoko.lib

p := input.control.parameters

check(r, id, encrypted, key) := {"ref": lib.row_ref(r.item, r.index), "id": id, "encrypted": encrypted, "key": key}

checks contains check(r, r.row.DBInstanceArn, r.row.StorageEncrypted == true, object.get(r.row, "KmsKeyId", null)) if {
	some r in lib.rows("aws.rds.DescribeDBInstances")
}

checks contains check(r, r.row.DBClusterArn, r.row.StorageEncrypted == true, object.get(r.row, "KmsKeyId", null)) if {
	some r in lib.rows("aws.rds.DescribeDBClusters")
}

checks contains check(r, r.row.DBSnapshotArn, r.row.Encrypted == true, object.get(r.row, "KmsKeyId", null)) if {
	some r in lib.rows("aws.rds.DescribeDBSnapshots")
}

# Aurora cluster snapshots (copies in other regions included) hold the cluster's data too.
checks contains check(r, r.row.DBClusterSnapshotArn, r.row.StorageEncrypted == true, object.get(r.row, "KmsKeyId", null)) if {
	some r in lib.rows("aws.rds.DescribeDBClusterSnapshots")
}

checks contains check(r, r.row.VolumeId, r.row.Encrypted == true, object.get(r.row, "KmsKeyId", null)) if {
	some r in lib.rows("aws.ec2.DescribeVolumes")
	some class in p.encrypted_classes
	aws.has_tag(r.row.Tags, p.data_class_tag, class)
}

# DynamoDB: no SSEDescription = AWS-owned key (encrypted); otherwise it must be ENABLED.
checks contains check(r, r.row.Table.TableArn, true, null) if {
	some r in lib.rows("aws.dynamodb.DescribeTable")
	object.get(r.row.Table, "SSEDescription", null) == null
}

checks contains check(r, r.row.Table.TableArn, sse.Status == "ENABLED", object.get(sse, "KMSMasterKeyArn", null)) if {
	some r in lib.rows("aws.dynamodb.DescribeTable")
	sse := r.row.Table.SSEDescription
	sse != null
}

checks contains check(r, sprintf("arn:aws:s3:::%s", [r.row.Bucket]), bucket_encrypted(r.row), s3_key(r)) if {
	some r in lib.rows("aws.s3.GetBucketEncryption")
	not unresolved_alias(r)
}

# An alias that resolves to no key: the encryption cannot be shown to be AES-256.
findings contains lib.fail("key_alias_unresolved", {"resource": bucket_arn, "key": bucket_key(r.row)}, bucket_arn, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.s3.GetBucketEncryption")
	unresolved_alias(r)
	bucket_arn := sprintf("arn:aws:s3:::%s", [r.row.Bucket])
}

is_alias(k) if {
	is_string(k)
	startswith(k, "alias/")
}

is_alias(k) if {
	is_string(k)
	contains(k, ":alias/")
}

s3_key(r) := bucket_key(r.row) if not is_alias(bucket_key(r.row))

s3_key(r) := resolve_alias(r) if is_alias(bucket_key(r.row))

unresolved_alias(r) if {
	is_alias(bucket_key(r.row))
	not resolve_alias(r)
}

# The buckets' regions (GetBucketLocation), and every region's aliases by ARN, indexed once.
bucket_region := {r.row.Bucket: r.row.Region | some r in lib.rows("aws.s3.GetBucketLocation")}

aliases_by_arn := {r.row.AliasArn: r.row | some r in lib.rows("aws.kms.ListAliases")}

# alias_arn spells an alias out as an ARN: "alias/name" is in the bucket's own region and account.
alias_arn(r, k) := k if startswith(k, "arn:")

alias_arn(r, k) := sprintf("arn:aws:kms:%s:%s:%s", [bucket_region[r.row.Bucket], r.item.scope.account, k]) if startswith(k, "alias/")

# resolve_alias is the ARN of the key the bucket's alias points at (the key is in the alias's
# partition, region and account).
resolve_alias(r) := sprintf("arn:%s:kms:%s:%s:key/%s", [parts[1], parts[3], parts[4], target]) if {
	arn := alias_arn(r, bucket_key(r.row))
	target := aliases_by_arn[arn].TargetKeyId
	is_string(target)
	parts := split(arn, ":")
}

bucket_encrypted(row) if {
	some rule in row.ServerSideEncryptionConfiguration.Rules
	rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm in p.allowed_sse_algorithms
}

default bucket_encrypted(_) := false

bucket_key(row) := k if {
	keys := [k |
		some rule in row.ServerSideEncryptionConfiguration.Rules
		k := rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID
		is_string(k)
		k != ""
	]
	count(keys) > 0
	k := keys[0]
}

default bucket_key(_) := null

# keys_by_ref indexes every region's DescribeKey answers by ARN and by key id, once (a scan of
# every key for each resource naming one would be quadratic).
keys_by_ref := {ref: group |
	some ref in {k |
		some r in lib.rows("aws.kms.DescribeKey")
		some k in {r.row.Arn, r.row.KeyId}
	}
	group := {r.row |
		some r in lib.rows("aws.kms.DescribeKey")
		some k in {r.row.Arn, r.row.KeyId}
		k == ref
	}
}

# key_meta finds a key by ARN or id.
key_meta(ref) := m if {
	some m in object.get(keys_by_ref, [ref], set())
}

key_ok(ref) if {
	m := key_meta(ref)
	m.KeySpec == "SYMMETRIC_DEFAULT"
	m.KeyState == "Enabled"
}

findings contains lib.pass("encrypted", {"resource": c.id}, c.id, c.ref) if {
	some c in checks
	c.encrypted
	c.key == null
}

findings contains lib.pass("encrypted_with_key", {"resource": c.id, "key": c.key}, c.id, c.ref) if {
	some c in checks
	c.encrypted
	c.key != null
	key_ok(c.key)
}

findings contains lib.fail("not_encrypted", {"resource": c.id}, c.id, c.ref) if {
	some c in checks
	not c.encrypted
}

findings contains lib.fail("key_not_aes256", {"resource": c.id, "key": c.key}, c.id, c.ref) if {
	some c in checks
	c.encrypted
	c.key != null
	not key_ok(c.key)
}

# EBS encryption by default, in every region that holds volumes.
volume_regions contains [item.scope.account, item.scope.region] if {
	some item in lib.items("aws.ec2.DescribeVolumes")
	count(item.data) > 0
}

findings contains lib.pass("ebs_default_on", {"region": r.item.scope.region}, sprintf("%s/%s", [r.item.scope.account, r.item.scope.region]), lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.ec2.GetEbsEncryptionByDefault")
	[r.item.scope.account, r.item.scope.region] in volume_regions
	r.row.EbsEncryptionByDefault == true
}

findings contains lib.fail("ebs_default_off", {"region": r.item.scope.region}, sprintf("%s/%s", [r.item.scope.account, r.item.scope.region]), lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.ec2.GetEbsEncryptionByDefault")
	[r.item.scope.account, r.item.scope.region] in volume_regions
	r.row.EbsEncryptionByDefault != true
}

# Nothing to encrypt is not evidence of encryption.
findings contains lib.fail("no_data_stores", {}, "aws", lib.whole_ref(aws.first_item("aws.rds.DescribeDBInstances"))) if {
	count(checks) == 0
}
