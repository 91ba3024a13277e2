# MON-01: the service is monitored for abuse and data leakage: a GuardDuty detector is ENABLED
# in every allowed region and every region holding service resources, and no unarchived
# finding of severity >= min_severity has been open longer than max_open_days.
# "Open longer than max_open_days" counts 24-hour periods from CreatedAt, inclusive and exact: a
# finding open exactly 7 × 24 h is still in handling, one second more is too long.
package shoko.controls.mon_01

import data.shoko.aws
import data.shoko.lib

p := input.control.parameters

# Regions holding service resources: instances, DB instances, load balancers.
service_regions contains [r.item.scope.account, r.item.scope.region] if {
	some kind in ["aws.ec2.DescribeInstances", "aws.rds.DescribeDBInstances"]
	some r in lib.rows(kind)
	aws.tag_value(object.get(r.row, "Tags", object.get(r.row, "TagList", [])), p.service_tag) != ""
}

service_regions contains [r.item.scope.account, r.item.scope.region] if {
	some r in lib.rows("aws.elbv2.DescribeLoadBalancers")
}

service_regions contains [account, region] if {
	some account in aws.accounts
	some region in p.allowed_regions
}

# The detector items by [account, region], indexed once (not scanned per region).
detector_items := {key: group |
	some key in {k |
		some item in lib.items("aws.guardduty.GetDetector")
		k := [item.scope.account, item.scope.region]
	}
	group := {item |
		some item in lib.items("aws.guardduty.GetDetector")
		[item.scope.account, item.scope.region] == key
	}
}

detector_item(account, region) := item if {
	some item in object.get(detector_items, [[account, region]], set())
}

enabled(item) := [i | some i, d in item.data; d.Status == "ENABLED"]

findings contains lib.pass("detector_enabled", {"region": region}, sprintf("%s/%s", [account, region]), lib.row_ref(item, enabled(item)[0])) if {
	some [account, region] in service_regions
	item := detector_item(account, region)
	count(enabled(item)) > 0
}

findings contains lib.fail("detector_missing", {"region": region}, sprintf("%s/%s", [account, region]), lib.whole_ref(item)) if {
	some [account, region] in service_regions
	item := detector_item(account, region)
	count(enabled(item)) == 0
}

findings contains lib.fail("region_not_collected", {"region": region}, sprintf("%s/%s", [account, region]), lib.whole_ref(aws.first_item("aws.guardduty.GetDetector"))) if {
	some [account, region] in service_regions
	not detector_item(account, region)
}

open_serious contains r if {
	some r in lib.rows("aws.guardduty.GetFindings")
	object.get(r.row, ["Service", "Archived"], false) != true
	r.row.Severity >= p.min_severity
}

fparams(r) := {"finding": r.row.Id, "type": r.row.Type, "severity": r.row.Severity, "days": aws.age_days(r.row.CreatedAt), "max_days": p.max_open_days}

findings contains lib.fail("finding_open_too_long", fparams(r), r.row.Id, lib.row_ref(r.item, r.index)) if {
	some r in open_serious
	aws.age_ns(r.row.CreatedAt) > p.max_open_days * lib.day_ns
}

findings contains lib.pass("finding_in_handling", fparams(r), r.row.Id, lib.row_ref(r.item, r.index)) if {
	some r in open_serious
	aws.age_ns(r.row.CreatedAt) <= p.max_open_days * lib.day_ns
}
