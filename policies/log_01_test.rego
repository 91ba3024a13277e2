package shoko.controls.log_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.aws.trail_fixtures as tf
import data.shoko.controls.log_01

params := {"service_tag": "Service"}

test_trail_and_flow_log_pass if {
	f := log_01.findings with input as fx.input_for(params, tf.good)
	fx.has(f, "pass", "trail_ok", tf.trail_arn)
	fx.has(f, "pass", "flow_log_active", "vpc-svc")
	every x in f {
		x.status == "pass"
	}
}

test_incomplete_trail_and_missing_flow_log_fail if {
	f := log_01.findings with input as fx.input_for(params, tf.estate([tf.trail(false, false)], [tf.status(false)], [tf.selectors("WriteOnly")], [], [], []))
	some x in f
	x.code == "trail_incomplete"
	x.params.problems == ["no_management_events", "no_validation", "not_logging", "not_multi_region"]
	fx.has(f, "fail", "no_flow_log", "vpc-svc")
}

test_advanced_management_selector_counts if {
	sel := {"TrailARN": tf.trail_arn, "EventSelectors": null, "AdvancedEventSelectors": [{"Name": "mgmt", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]}
	f := log_01.findings with input as fx.input_for(params, tf.estate([tf.trail(true, true)], [tf.status(true)], [sel], [tf.flow_log], [], []))
	fx.has(f, "pass", "trail_ok", tf.trail_arn)
}

test_no_trail_and_no_service_vpc_fail if {
	items := [fx.item("aws.cloudtrail.DescribeTrails", "ap-northeast-1", []), fx.item("aws.ec2.DescribeVpcs", "ap-northeast-1", [])]
	f := log_01.findings with input as fx.input_for(params, items)
	fx.has(f, "fail", "no_trail", "cloudtrail")
	fx.has(f, "fail", "no_service_vpc", "vpc")
}
