package shoko.controls.log_02_test

import data.shoko.aws.fixtures as fx
import data.shoko.aws.trail_fixtures as tf
import data.shoko.controls.log_02

params := {"min_retention_days": 1096}

logs(groups, lifecycles) := tf.estate([tf.trail(true, true)], [], [], [], groups, lifecycles)

test_three_years_pass if {
	f := log_02.findings with input as fx.input_for(params, logs([tf.group("/cardsvc/app", 1096), tf.group("/forever", null)], [tf.lifecycle(1100)]))
	fx.has(f, "pass", "group_kept", "arn:aws:logs:ap-northeast-1:123456789012:log-group:/forever")
	fx.has(f, "pass", "bucket_kept", "arn:aws:s3:::cardsvc-trail-logs")
	every x in f {
		x.status == "pass"
	}
}

test_short_retention_fails if {
	f := log_02.findings with input as fx.input_for(params, logs([tf.group("/cardsvc/short", 14)], [tf.lifecycle(365)]))
	fx.has(f, "fail", "group_too_short", "arn:aws:logs:ap-northeast-1:123456789012:log-group:/cardsvc/short")
	fx.has(f, "fail", "bucket_expires_early", "arn:aws:s3:::cardsvc-trail-logs")
}

test_unknown_trail_bucket_fails if {
	f := log_02.findings with input as fx.input_for(params, logs([], []))
	fx.has(f, "fail", "bucket_unknown", "arn:aws:s3:::cardsvc-trail-logs")
}

test_nothing_logged_fails if {
	f := log_02.findings with input as fx.input_for(params, [fx.item("aws.logs.DescribeLogGroups", "ap-northeast-1", [])])
	fx.has(f, "fail", "no_logs", "logs")
}
