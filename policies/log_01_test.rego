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
	fx.has(f, "fail", "no_trail", fx.account)
	fx.has(f, "fail", "no_service_vpc", "vpc")
}

# Trails are judged per account: another account's good trail does not cover this one; an
# organization trail listed in this (member) account's evidence does.
test_other_accounts_trail_does_not_cover_an_account if {
	f := log_01.findings with input as fx.input_for(params, tf.accounts([]))
	fx.has(f, "fail", "no_trail", fx.account)
	fx.has(f, "pass", "trail_ok", tf.other_trail_arn)
}

test_organization_trail_covers_a_member_account if {
	f := log_01.findings with input as fx.input_for(params, tf.accounts([tf.org_trail]))
	some x in f
	x.code == "trail_ok"
	x.resource == tf.org_trail_arn
	x.params.account == fx.account
	not fx.has(f, "fail", "no_trail", fx.account)
}

# Another account's trail (not an organization trail) listed in this account's evidence does not count.
test_foreign_non_organization_trail_does_not_count if {
	foreign := object.union(tf.org_trail, {"IsOrganizationTrail": false})
	f := log_01.findings with input as fx.input_for(params, tf.accounts([foreign]))
	not fx.has(f, "pass", "trail_ok", tf.org_trail_arn)
	fx.has(f, "fail", "no_trail", fx.account)
}
