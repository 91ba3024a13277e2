package shoko.controls.log_04_test

import data.shoko.aws.fixtures as fx
import data.shoko.aws.trail_fixtures as tf
import data.shoko.controls.log_04

params := {"min_days": 30, "required_log_groups": ["/cardsvc/data-operations", "/cardsvc/staff-work"], "service_tag": "Service"}

test_required_logs_kept_pass if {
	f := log_04.findings with input as fx.input_for(params, tf.good)
	fx.has(f, "pass", "group_kept", "arn:aws:logs:ap-northeast-1:123456789012:log-group:/cardsvc/staff-work")
	fx.has(f, "pass", "flow_log_kept", "vpc-svc")
	fx.has(f, "pass", "trail_logging", tf.trail_arn)
	every x in f {
		x.status == "pass"
	}
}

test_missing_and_short_logs_fail if {
	items := tf.estate([tf.trail(true, true)], [tf.status(false)], [], [tf.flow_log], [tf.group("/cardsvc/data-operations", 7), tf.group("/cardsvc/vpc-flow", 14)], [])
	f := log_04.findings with input as fx.input_for(params, items)
	fx.has(f, "fail", "group_missing", "/cardsvc/staff-work")
	fx.has(f, "fail", "group_too_short", "arn:aws:logs:ap-northeast-1:123456789012:log-group:/cardsvc/data-operations")
	fx.has(f, "fail", "flow_log_too_short", "vpc-svc")
	fx.has(f, "fail", "no_logging_trail", fx.account)
}

test_vpc_without_flow_log_fails if {
	f := log_04.findings with input as fx.input_for(params, tf.estate([], [], [], [], [], []))
	fx.has(f, "fail", "no_flow_log", "vpc-svc")
}

test_flow_log_to_s3_is_kept_by_the_bucket if {
	s3 := object.union(tf.flow_log, {"LogDestinationType": "s3", "LogGroupName": null})
	f := log_04.findings with input as fx.input_for(params, tf.estate([], [], [], [s3], [], []))
	fx.has(f, "pass", "flow_log_kept", "vpc-svc")
}

test_logging_trail_is_judged_per_account if {
	alone := log_04.findings with input as fx.input_for(params, tf.accounts([]))
	fx.has(alone, "fail", "no_logging_trail", fx.account)
	org := log_04.findings with input as fx.input_for(params, tf.accounts([tf.org_trail]))
	not fx.has(org, "fail", "no_logging_trail", fx.account)
	fx.has(org, "pass", "trail_logging", tf.org_trail_arn)
}
