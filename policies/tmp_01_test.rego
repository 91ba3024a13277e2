package shoko.controls.tmp_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.tmp_01

params := {"max_business_days": 10, "max_expiration_days": 14}

obj(key, modified) := {"Key": key, "LastModified": modified, "Size": 3, "StorageClass": "STANDARD"}

estate(objects, lifecycle) := [
	fx.item("aws.s3.ListObjectsV2", "global", [{"Bucket": "cardsvc-tmp", "Prefix": "", "Contents": objects}]),
	fx.item("aws.s3.GetBucketLifecycleConfiguration", "global", [lifecycle]),
]

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
