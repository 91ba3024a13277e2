package shoko.controls.tmp_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.tmp_01

params := {"max_business_days": 10, "max_expiration_days": 14}

obj(key, modified) := {"Key": key, "LastModified": modified, "Size": 3, "StorageClass": "STANDARD"}

estate(objects, lifecycle) := [
	fx.item("aws.s3.ListObjectsV2", "global", [{"Bucket": "cardsvc-tmp", "Prefix": "", "Contents": objects}]),
	fx.item("aws.s3.GetBucketLifecycleConfiguration", "global", [lifecycle]),
	fx.item("aws.s3.GetBucketVersioning", "global", [{"Bucket": "cardsvc-tmp"}]),
]

# versioned_estate: a versioned temporary bucket listed under exports/, with noncurrent versions.
versioned_estate(current, old_versions, rules) := [
	fx.item("aws.s3.ListObjectsV2", "global", [{"Bucket": "cardsvc-tmp", "Prefix": "exports/", "Contents": current, "NoncurrentVersions": old_versions}]),
	fx.item("aws.s3.GetBucketLifecycleConfiguration", "global", [{"Bucket": "cardsvc-tmp", "Rules": rules}]),
	fx.item("aws.s3.GetBucketVersioning", "global", [{"Bucket": "cardsvc-tmp", "Status": "Enabled"}]),
]

rule(prefix, days, noncurrent) := {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": prefix}, "Expiration": {"Days": days}, "NoncurrentVersionExpiration": {"NoncurrentDays": noncurrent}}

# A rule for another prefix does not erase the temporary files under exports/.
test_rule_for_another_prefix_does_not_count if {
	other := tmp_01.findings with input as fx.input_for(params, versioned_estate([], [], [rule("logs/", 7, 1)]))
	fx.has(other, "fail", "no_expiration", "arn:aws:s3:::cardsvc-tmp")
	not fx.has(other, "pass", "expiration_set", "arn:aws:s3:::cardsvc-tmp")
	covering := tmp_01.findings with input as fx.input_for(params, versioned_estate([], [], [rule("exports/", 7, 1)]))
	fx.has(covering, "pass", "expiration_set", "arn:aws:s3:::cardsvc-tmp")
}

# Versioned: the deadline is Days + NoncurrentDays (14 passes, 15 fails); none for noncurrent
# versions is never.
test_versioned_deadline_adds_noncurrent_days if {
	at := tmp_01.findings with input as fx.input_for(params, versioned_estate([], [], [rule("", 7, 7)]))
	fx.has(at, "pass", "expiration_set", "arn:aws:s3:::cardsvc-tmp")
	past := tmp_01.findings with input as fx.input_for(params, versioned_estate([], [], [rule("", 7, 8)]))
	fx.has(past, "fail", "expiration_too_long", "arn:aws:s3:::cardsvc-tmp")
	kept := tmp_01.findings with input as fx.input_for(params, versioned_estate([], [], [{"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 7}}]))
	fx.has(kept, "fail", "versions_kept", "arn:aws:s3:::cardsvc-tmp")
}

# An old noncurrent version is a temporary file still stored: it fails like a current object.
test_old_noncurrent_version_fails if {
	f := tmp_01.findings with input as fx.input_for(params, versioned_estate([obj("exports/today.csv", "2026-11-27T01:00:00Z")], [obj("exports/today.csv", "2026-11-10T01:00:00Z")], [rule("", 7, 7)]))
	some x in f
	x.code == "object_too_old"
	x.evidence.pointer == "/data/0/NoncurrentVersions/0"
	not fx.has(f, "pass", "objects_fresh", "arn:aws:s3:::cardsvc-tmp")
}

expire(days) := {"Bucket": "cardsvc-tmp", "Rules": [{"ID": "expire-temp", "Status": "Enabled", "Expiration": {"Days": days}}]}

test_fresh_objects_and_short_expiration_pass if {
	f := tmp_01.findings with input as fx.input_for(params, estate([obj("exports/today.csv", "2026-11-27T01:00:00Z")], expire(7)))
	fx.has(f, "pass", "expiration_set", "arn:aws:s3:::cardsvc-tmp")
	fx.has(f, "pass", "objects_fresh", "arn:aws:s3:::cardsvc-tmp")
	count(f) == 2
}

# 2026-11-10 (Tue) to 2026-11-27 (Fri): 12 business days (Nov 23 is Labour Thanksgiving Day).
test_object_older_than_ten_business_days_fails if {
	f := tmp_01.findings with input as fx.input_for(params, estate([obj("exports/old.csv", "2026-11-10T01:00:00Z")], expire(30)))
	some x in f
	x.code == "object_too_old"
	x.resource == "s3://cardsvc-tmp/exports/old.csv"
	x.evidence.pointer == "/data/0/Contents/0"
	fx.has(f, "fail", "expiration_too_long", "arn:aws:s3:::cardsvc-tmp")
}

test_no_expiration_rule_fails if {
	f := tmp_01.findings with input as fx.input_for(params, estate([], {"Bucket": "cardsvc-tmp", "NotConfigured": true, "ErrorCode": "NoSuchLifecycleConfiguration"}))
	fx.has(f, "fail", "no_expiration", "arn:aws:s3:::cardsvc-tmp")
}

test_no_temp_bucket_is_not_applicable if {
	f := tmp_01.findings with input as fx.input_for(params, [fx.item("aws.s3.ListObjectsV2", "global", [])])
	some x in f
	x.status == "not_applicable"
	x.code == "no_temp_buckets"
}
