package shoko.controls.mon_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.mon_01

params := {"min_severity": 7, "max_open_days": 7, "allowed_regions": ["ap-northeast-1"], "service_tag": "Service"}

detector(status) := {"DetectorId": "d1", "Status": status, "FindingPublishingFrequency": "SIX_HOURS"}

finding(id, severity, created, archived) := {"Id": id, "Type": "Exfiltration:S3/AnomalousBehavior", "Severity": severity, "CreatedAt": created, "Service": {"Archived": archived}}

estate(detectors_tokyo, findings, us_instances) := [
	fx.item("aws.ec2.DescribeRegions", "global", fx.regions(["ap-northeast-1", "us-east-1"], [])),
	fx.item("aws.guardduty.GetDetector", "ap-northeast-1", detectors_tokyo),
	fx.item("aws.guardduty.GetDetector", "us-east-1", []),
	fx.item("aws.guardduty.GetFindings", "ap-northeast-1", findings),
	fx.item("aws.ec2.DescribeInstances", "us-east-1", us_instances),
	fx.item("aws.rds.DescribeDBInstances", "ap-northeast-1", []),
	fx.item("aws.elbv2.DescribeLoadBalancers", "ap-northeast-1", []),
]

test_enabled_detector_and_handled_findings_pass if {
	f := mon_01.findings with input as fx.input_for(params, estate(
		[detector("ENABLED")], [
			finding("low", 2, "2026-10-01T00:00:00Z", false),
			finding("old-archived", 8, "2026-10-01T00:00:00Z", true),
			finding("new-high", 8, "2026-11-25T00:00:00Z", false),
		],
		[],
	))
	fx.has(f, "pass", "detector_enabled", "123456789012/ap-northeast-1")
	fx.has(f, "pass", "finding_in_handling", "new-high")
	every x in f {
		x.status == "pass"
	}
}

test_old_serious_finding_fails if {
	f := mon_01.findings with input as fx.input_for(params, estate([detector("ENABLED")], [finding("finding-high-old", 8, "2026-11-17T03:00:00Z", false)], []))
	fx.has(f, "fail", "finding_open_too_long", "finding-high-old")
}

test_region_with_service_resources_needs_a_detector if {
	inst := {"InstanceId": "i-1", "Tags": [fx.tag("Service", "cardsvc")]}
	f := mon_01.findings with input as fx.input_for(params, estate([detector("DISABLED")], [], [inst]))
	fx.has(f, "fail", "detector_missing", "123456789012/us-east-1")
	fx.has(f, "fail", "detector_missing", "123456789012/ap-northeast-1")
}

test_region_not_collected_fails if {
	items := [it | some it in estate([detector("ENABLED")], [], []); it.kind != "aws.guardduty.GetDetector"]
	f := mon_01.findings with input as fx.input_for(params, array.concat(items, [fx.item("aws.guardduty.GetDetector", "ap-northeast-3", [])]))
	fx.has(f, "fail", "region_not_collected", "123456789012/ap-northeast-1")
}

test_load_balancer_region_counts if {
	items := [it | some it in estate([detector("ENABLED")], [], []); it.kind != "aws.elbv2.DescribeLoadBalancers"]
	lb := fx.item("aws.elbv2.DescribeLoadBalancers", "us-east-1", [{"LoadBalancerArn": "lb"}])
	f := mon_01.findings with input as fx.input_for(params, array.concat(items, [lb]))
	fx.has(f, "fail", "detector_missing", "123456789012/us-east-1")
}

# Open time is exact, in 24-hour periods: open exactly 7 days passes, one second more fails (the
# age was floored to 7 days and passed); the message rounds the age up.
test_finding_open_at_the_limit_passes_one_second_longer_fails if {
	at := mon_01.findings with input as fx.input_for(params, estate([detector("ENABLED")], [finding("at", 7, "2026-11-20T03:00:00Z", false)], []))
	fx.has(at, "pass", "finding_in_handling", "at")
	past := mon_01.findings with input as fx.input_for(params, estate([detector("ENABLED")], [finding("past", 7, "2026-11-20T02:59:59Z", false)], []))
	some x in past
	x.resource == "past"
	x.status == "fail"
	x.code == "finding_open_too_long"
	x.params.days == 8
}
