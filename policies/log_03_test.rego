package shoko.controls.log_03_test

import data.shoko.aws.fixtures as fx
import data.shoko.aws.trail_fixtures as tf
import data.shoko.controls.log_03

params := {"max_retention_days": 1278}

logs(groups, lifecycles) := array.concat(tf.estate([tf.trail(true, true)], [], [], [], groups, lifecycles), [unversioned])

unversioned := fx.item("aws.s3.GetBucketVersioning", "global", [{"Bucket": "cardsvc-trail-logs"}])

versioned := fx.item("aws.s3.GetBucketVersioning", "global", [{"Bucket": "cardsvc-trail-logs", "Status": "Enabled"}])

bucket_arn := "arn:aws:s3:::cardsvc-trail-logs"

rules(rs) := {"Bucket": "cardsvc-trail-logs", "Rules": rs}

# trail_logs is a bucket holding the trail's logs under AWSLogs/, with lifecycle rules and versioning.
trail_logs(lifecycle, versioning) := [
	fx.item("aws.cloudtrail.DescribeTrails", "ap-northeast-1", [tf.trail(true, true)]),
	fx.item("aws.logs.DescribeLogGroups", "ap-northeast-1", []),
	fx.item("aws.s3.GetBucketLifecycleConfiguration", "global", [lifecycle]),
	versioning,
]

expire(id, filter, days) := {"ID": id, "Status": "Enabled", "Filter": filter, "Expiration": {"Days": days}}

noncurrent(days) := {"ID": "noncurrent", "Status": "Enabled", "Filter": {"Prefix": ""}, "NoncurrentVersionExpiration": {"NoncurrentDays": days}}

# A rule filtered to another prefix or to a tag leaves the trail's log files (AWSLogs/) alone.
test_rule_not_covering_the_log_prefix_does_not_count if {
	other_prefix := log_03.findings with input as fx.input_for(params, trail_logs(rules([expire("tmp", {"Prefix": "tmp/"}, 7)]), unversioned))
	fx.has(other_prefix, "fail", "bucket_never_expires", bucket_arn)
	tagged := log_03.findings with input as fx.input_for(params, trail_logs(rules([expire("tagged", {"Tag": fx.tag("class", "scratch")}, 7)]), unversioned))
	fx.has(tagged, "fail", "bucket_never_expires", bucket_arn)
	and_tags := log_03.findings with input as fx.input_for(params, trail_logs(rules([expire("and", {"And": {"Prefix": "AWSLogs/", "Tags": [fx.tag("class", "scratch")]}}, 7)]), unversioned))
	fx.has(and_tags, "fail", "bucket_never_expires", bucket_arn)
	covering := log_03.findings with input as fx.input_for(params, trail_logs(rules([expire("logs", {"Prefix": "AWSLogs/"}, 1100)]), unversioned))
	fx.has(covering, "pass", "bucket_erased_in_time", bucket_arn)
	not fx.has(covering, "fail", "bucket_never_expires", bucket_arn)
}

# In a versioned bucket Expiration only adds a delete marker: the logs stay as noncurrent versions.
test_versioned_bucket_needs_noncurrent_expiration if {
	kept := log_03.findings with input as fx.input_for(params, trail_logs(rules([expire("logs", {"Prefix": ""}, 1100)]), versioned))
	fx.has(kept, "fail", "bucket_versions_kept", bucket_arn)
	not fx.has(kept, "pass", "bucket_erased_in_time", bucket_arn)
	newer := log_03.findings with input as fx.input_for(params, trail_logs(rules([expire("logs", {"Prefix": ""}, 1100), {"ID": "n", "Status": "Enabled", "Filter": {"Prefix": ""}, "NoncurrentVersionExpiration": {"NoncurrentDays": 30, "NewerNoncurrentVersions": 3}}]), versioned))
	fx.has(newer, "fail", "bucket_versions_kept", bucket_arn)
	erased := log_03.findings with input as fx.input_for(params, trail_logs(rules([expire("logs", {"Prefix": ""}, 1100), noncurrent(30)]), versioned))
	some x in erased
	x.code == "bucket_erased_in_time"
	x.params.days == 1130
}

# The erase deadline of a versioned bucket is Days + NoncurrentDays, compared exactly with the limit.
test_versioned_deadline_at_the_limit_and_one_day_past if {
	at := log_03.findings with input as fx.input_for(params, trail_logs(rules([expire("logs", {"Prefix": ""}, 1248), noncurrent(30)]), versioned))
	fx.has(at, "pass", "bucket_erased_in_time", bucket_arn)
	past := log_03.findings with input as fx.input_for(params, trail_logs(rules([expire("logs", {"Prefix": ""}, 1248), noncurrent(31)]), versioned))
	fx.has(past, "fail", "bucket_kept_too_long", bucket_arn)
}

# Versioning not in the evidence: the bucket is judged as versioned (fail closed).
test_unknown_versioning_is_judged_versioned if {
	f := log_03.findings with input as fx.input_for(params, trail_logs(rules([expire("logs", {"Prefix": ""}, 1100)]), fx.item("aws.s3.GetBucketVersioning", "global", [])))
	fx.has(f, "fail", "bucket_versions_kept", bucket_arn)
}

test_erased_within_limit_passes if {
	f := log_03.findings with input as fx.input_for(params, logs([tf.group("/cardsvc/app", 1096)], [tf.lifecycle(1100)]))
	fx.has(f, "pass", "erased_in_time", "arn:aws:logs:ap-northeast-1:123456789012:log-group:/cardsvc/app")
	fx.has(f, "pass", "bucket_erased_in_time", "arn:aws:s3:::cardsvc-trail-logs")
	every x in f {
		x.status == "pass"
	}
}

test_never_expire_fails if {
	f := log_03.findings with input as fx.input_for(params, logs([tf.group("/cardsvc/never-expire", null), tf.group("/long", 1827)], [{"Bucket": "cardsvc-trail-logs", "ErrorCode": "NoSuchLifecycleConfiguration", "NotConfigured": true}]))
	fx.has(f, "fail", "never_expires", "arn:aws:logs:ap-northeast-1:123456789012:log-group:/cardsvc/never-expire")
	fx.has(f, "fail", "kept_too_long", "arn:aws:logs:ap-northeast-1:123456789012:log-group:/long")
	fx.has(f, "fail", "bucket_never_expires", "arn:aws:s3:::cardsvc-trail-logs")
}

test_bucket_kept_too_long_fails if {
	f := log_03.findings with input as fx.input_for(params, logs([], [tf.lifecycle(3650)]))
	fx.has(f, "fail", "bucket_kept_too_long", "arn:aws:s3:::cardsvc-trail-logs")
}

test_unknown_bucket_and_no_logs_fail if {
	fx.has(log_03.findings, "fail", "bucket_unknown", "arn:aws:s3:::cardsvc-trail-logs") with input as fx.input_for(params, logs([], []))
	fx.has(log_03.findings, "fail", "no_logs", "logs") with input as fx.input_for(params, [fx.item("aws.logs.DescribeLogGroups", "ap-northeast-1", [])])
}
