package shoko.controls.rst_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.aws.trail_fixtures as tf
import data.shoko.controls.rst_01

job := {"RestoreJobId": "restore-0001", "CreationDate": "2026-09-27T03:00:00Z", "Status": "COMPLETED", "CreatedResourceArn": "arn:aws:rds:ap-northeast-1:123456789012:db:restore-test"}

estate(logging, rw) := [
	fx.item("aws.cloudtrail.DescribeTrails", "ap-northeast-1", [tf.trail(true, true)]),
	fx.item("aws.cloudtrail.GetTrailStatus", "ap-northeast-1", [tf.status(logging)]),
	fx.item("aws.cloudtrail.GetEventSelectors", "ap-northeast-1", [tf.selectors(rw)]),
	fx.item("aws.backup.ListRestoreJobs", "ap-northeast-1", [job]),
]

test_logging_trail_records_restores if {
	f := rst_01.findings with input as fx.input_for({}, estate(true, "WriteOnly"))
	fx.has(f, "pass", "restores_logged", tf.trail_arn)
	fx.has(f, "pass", "restore_recorded", "restore-0001")
}

test_stopped_trail_fails if {
	f := rst_01.findings with input as fx.input_for({}, estate(false, "All"))
	fx.has(f, "fail", "trail_not_recording", tf.trail_arn)
	fx.has(f, "fail", "restore_unrecorded", "restore-0001")
}

test_read_only_trail_fails if {
	fx.has(rst_01.findings, "fail", "trail_not_recording", tf.trail_arn) with input as fx.input_for({}, estate(true, "ReadOnly"))
}

test_no_trail_fails if {
	fx.has(rst_01.findings, "fail", "no_trail", fx.account) with input as fx.input_for({}, [fx.item("aws.cloudtrail.DescribeTrails", "ap-northeast-1", []), fx.item("aws.backup.ListRestoreJobs", "ap-northeast-1", [])])
}

test_stop_inside_the_period_is_a_gap if {
	items := [
		fx.item("aws.cloudtrail.DescribeTrails", "ap-northeast-1", [tf.trail(true, true)]),
		fx.item("aws.cloudtrail.GetTrailStatus", "ap-northeast-1", [object.union(tf.status(true), {"StopLoggingTime": "2026-06-01T00:00:00Z", "StartLoggingTime": "2026-06-03T00:00:00Z"})]),
		fx.item("aws.cloudtrail.GetEventSelectors", "ap-northeast-1", [tf.selectors("All")]),
		fx.item("aws.backup.ListRestoreJobs", "ap-northeast-1", []),
	]
	f := rst_01.findings with input as fx.input_for({}, items)
	fx.has(f, "fail", "logging_gap", tf.trail_arn)
	fx.has(f, "fail", "trail_not_recording", tf.trail_arn)
}

test_stop_before_the_period_is_history if {
	items := [
		fx.item("aws.cloudtrail.DescribeTrails", "ap-northeast-1", [tf.trail(true, true)]),
		fx.item("aws.cloudtrail.GetTrailStatus", "ap-northeast-1", [object.union(tf.status(true), {"StopLoggingTime": "2024-06-01T00:00:00Z"})]),
		fx.item("aws.cloudtrail.GetEventSelectors", "ap-northeast-1", [tf.selectors("All")]),
		fx.item("aws.backup.ListRestoreJobs", "ap-northeast-1", []),
	]
	fx.has(rst_01.findings, "pass", "restores_logged", tf.trail_arn) with input as fx.input_for({}, items)
}

test_restores_are_judged_per_account if {
	alone := rst_01.findings with input as fx.input_for({}, tf.accounts([]))
	fx.has(alone, "fail", "no_trail", fx.account)
	fx.has(alone, "fail", "restore_unrecorded", "restore-1")
	org := rst_01.findings with input as fx.input_for({}, tf.accounts([tf.org_trail]))
	fx.has(org, "pass", "restore_recorded", "restore-1")
	not fx.has(org, "fail", "no_trail", fx.account)
}
