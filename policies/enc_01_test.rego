package shoko.controls.enc_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.enc_01

params := {"allowed_sse_algorithms": ["AES256", "aws:kms", "aws:kms:dsse"], "data_class_tag": "DataClass", "encrypted_classes": ["customer"]}

key := "arn:aws:kms:ap-northeast-1:123456789012:key/3dd2cacf-25ee-47d1-8358-ec7bc760b251"

db(id, encrypted) := {"DBInstanceIdentifier": id, "DBInstanceArn": sprintf("arn:aws:rds:ap-northeast-1:123456789012:db:%s", [id]), "StorageEncrypted": encrypted, "KmsKeyId": key}

keys(spec) := fx.item("aws.kms.DescribeKey", "ap-northeast-1", [{"Arn": key, "KeyId": "3dd2cacf-25ee-47d1-8358-ec7bc760b251", "KeyManager": "CUSTOMER", "KeySpec": spec, "KeyState": "Enabled", "Enabled": true}])

estate(dbs, spec, ebs_default) := [
	fx.item("aws.rds.DescribeDBInstances", "ap-northeast-1", dbs),
	fx.item("aws.rds.DescribeDBClusters", "ap-northeast-1", [{"DBClusterArn": "arn:aws:rds:ap-northeast-1:123456789012:cluster:c1", "StorageEncrypted": true, "KmsKeyId": null}]),
	fx.item("aws.rds.DescribeDBSnapshots", "ap-northeast-1", [{"DBSnapshotArn": "arn:aws:rds:ap-northeast-1:123456789012:snapshot:s1", "Encrypted": true, "KmsKeyId": key}]),
	fx.item("aws.ec2.DescribeVolumes", "ap-northeast-1", [
		{"VolumeId": "vol-1", "Encrypted": true, "KmsKeyId": key, "Tags": [fx.tag("DataClass", "customer")]},
		{"VolumeId": "vol-root", "Encrypted": false, "Tags": null},
	]),
	fx.item("aws.ec2.GetEbsEncryptionByDefault", "ap-northeast-1", [{"Region": "ap-northeast-1", "EbsEncryptionByDefault": ebs_default, "SseType": ""}]),
	fx.item("aws.dynamodb.DescribeTable", "ap-northeast-1", [
		{"TableName": "aws-owned", "Table": {"TableArn": "arn:aws:dynamodb:ap-northeast-1:123456789012:table/aws-owned", "SSEDescription": null}, "Tags": []},
		{"TableName": "cards", "Table": {"TableArn": "arn:aws:dynamodb:ap-northeast-1:123456789012:table/cards", "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key}}, "Tags": []},
	]),
	fx.item("aws.s3.GetBucketEncryption", "global", [{"Bucket": "cardsvc-data", "ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}, "BucketKeyEnabled": false}]}}]),
	keys(spec),
]

test_everything_encrypted_passes if {
	f := enc_01.findings with input as fx.input_for(params, estate([db("cardsvc-db", true)], "SYMMETRIC_DEFAULT", true))
	fx.has(f, "pass", "encrypted_with_key", "arn:aws:rds:ap-northeast-1:123456789012:db:cardsvc-db")
	fx.has(f, "pass", "encrypted", "arn:aws:dynamodb:ap-northeast-1:123456789012:table/aws-owned")
	fx.has(f, "pass", "encrypted_with_key", "arn:aws:s3:::cardsvc-data")
	fx.has(f, "pass", "ebs_default_on", "123456789012/ap-northeast-1")
	every x in f {
		x.status == "pass"
	}
}

test_unencrypted_database_fails if {
	f := enc_01.findings with input as fx.input_for(params, estate([db("plain-db", false)], "SYMMETRIC_DEFAULT", true))
	fx.has(f, "fail", "not_encrypted", "arn:aws:rds:ap-northeast-1:123456789012:db:plain-db")
}

test_asymmetric_key_fails if {
	f := enc_01.findings with input as fx.input_for(params, estate([db("cardsvc-db", true)], "RSA_2048", true))
	fx.has(f, "fail", "key_not_aes256", "arn:aws:rds:ap-northeast-1:123456789012:db:cardsvc-db")
}

test_ebs_default_off_fails if {
	f := enc_01.findings with input as fx.input_for(params, estate([db("cardsvc-db", true)], "SYMMETRIC_DEFAULT", false))
	fx.has(f, "fail", "ebs_default_off", "123456789012/ap-northeast-1")
}

test_bucket_without_encryption_fails if {
	items := [fx.item("aws.s3.GetBucketEncryption", "global", [{"Bucket": "plain", "ErrorCode": "ServerSideEncryptionConfigurationNotFoundError", "NotConfigured": true}])]
	f := enc_01.findings with input as fx.input_for(params, items)
	fx.has(f, "fail", "not_encrypted", "arn:aws:s3:::plain")
}

test_no_data_store_fails if {
	f := enc_01.findings with input as fx.input_for(params, [fx.item("aws.rds.DescribeDBInstances", "ap-northeast-1", [])])
	fx.has(f, "fail", "no_data_stores", "aws")
}

# Keys are indexed by ARN and by key id: a resource naming its key by id finds it; a key that is
# not in the evidence cannot be shown to be AES-256.
test_key_named_by_id_is_found_and_an_unknown_key_fails if {
	by_id := object.union(db("by-id", true), {"KmsKeyId": "3dd2cacf-25ee-47d1-8358-ec7bc760b251"})
	unknown := object.union(db("unknown", true), {"KmsKeyId": "arn:aws:kms:ap-northeast-1:123456789012:key/gone"})
	f := enc_01.findings with input as fx.input_for(params, estate([by_id, unknown], "SYMMETRIC_DEFAULT", true))
	fx.has(f, "pass", "encrypted_with_key", by_id.DBInstanceArn)
	fx.has(f, "fail", "key_not_aes256", unknown.DBInstanceArn)
}

bucket_with_key(name, k) := {"Bucket": name, "ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": k}}]}}

alias_items(buckets, spec) := [
	fx.item("aws.s3.GetBucketEncryption", "global", buckets),
	fx.item("aws.s3.GetBucketLocation", "global", [{"Bucket": b.Bucket, "Region": "ap-northeast-1"} | some b in buckets]),
	fx.item("aws.kms.ListAliases", "ap-northeast-1", [
		{"AliasName": "alias/cardsvc", "AliasArn": "arn:aws:kms:ap-northeast-1:123456789012:alias/cardsvc", "TargetKeyId": "3dd2cacf-25ee-47d1-8358-ec7bc760b251"},
		{"AliasName": "alias/aws/s3", "AliasArn": "arn:aws:kms:ap-northeast-1:123456789012:alias/aws/s3"},
	]),
	keys(spec),
]

# A bucket's default encryption naming its key by alias name or alias ARN is judged by the key the
# alias points at: an enabled SYMMETRIC_DEFAULT key passes, another key spec fails, and an alias
# that points at no key (unknown, or an AWS managed alias not yet backed by a key) fails.
test_bucket_key_named_by_alias_is_resolved if {
	buckets := [
		bucket_with_key("by-alias", "alias/cardsvc"),
		bucket_with_key("by-alias-arn", "arn:aws:kms:ap-northeast-1:123456789012:alias/cardsvc"),
		bucket_with_key("unknown-alias", "alias/nothing"),
		bucket_with_key("alias-no-target", "alias/aws/s3"),
		bucket_with_key("other-account-alias", "arn:aws:kms:ap-northeast-1:999999999999:alias/cardsvc"),
	]
	f := enc_01.findings with input as fx.input_for(params, alias_items(buckets, "SYMMETRIC_DEFAULT"))
	fx.has(f, "pass", "encrypted_with_key", "arn:aws:s3:::by-alias")
	fx.has(f, "pass", "encrypted_with_key", "arn:aws:s3:::by-alias-arn")
	fx.has(f, "fail", "key_alias_unresolved", "arn:aws:s3:::unknown-alias")
	fx.has(f, "fail", "key_alias_unresolved", "arn:aws:s3:::alias-no-target")
	fx.has(f, "fail", "key_alias_unresolved", "arn:aws:s3:::other-account-alias")
	g := enc_01.findings with input as fx.input_for(params, alias_items([bucket_with_key("by-alias", "alias/cardsvc")], "RSA_2048"))
	fx.has(g, "fail", "key_not_aes256", "arn:aws:s3:::by-alias")
}

# An Aurora cluster snapshot is judged like an instance snapshot: unencrypted fails, encrypted
# with an AES-256 key passes.
test_cluster_snapshots_are_judged if {
	items := [
		fx.item("aws.rds.DescribeDBClusterSnapshots", "ap-northeast-1", [
			{"DBClusterSnapshotArn": "arn:aws:rds:ap-northeast-1:123456789012:cluster-snapshot:plain", "StorageEncrypted": false},
			{"DBClusterSnapshotArn": "arn:aws:rds:ap-northeast-1:123456789012:cluster-snapshot:sealed", "StorageEncrypted": true, "KmsKeyId": key},
		]),
		keys("SYMMETRIC_DEFAULT"),
	]
	f := enc_01.findings with input as fx.input_for(params, items)
	fx.has(f, "fail", "not_encrypted", "arn:aws:rds:ap-northeast-1:123456789012:cluster-snapshot:plain")
	fx.has(f, "pass", "encrypted_with_key", "arn:aws:rds:ap-northeast-1:123456789012:cluster-snapshot:sealed")
}
