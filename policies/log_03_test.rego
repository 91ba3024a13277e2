package shoko.controls.log_03_test

import data.shoko.aws.fixtures as fx
import data.shoko.aws.trail_fixtures as tf
import data.shoko.controls.log_03

params := {"max_retention_days": 1278}

logs(groups, lifecycles) := tf.estate([tf.trail(true, true)], [], [], [], groups, lifecycles)

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
