# LOG-01: appropriate logs are collected: in every account a multi-region trail (its own, or
# an organization trail covering it) logs management events (read and write) with log file
# validation, and every service VPC has an active flow log.
package shoko.controls.log_01

import data.shoko.aws
import data.shoko.aws.trail
import data.shoko.lib

p := input.control.parameters

problems(t) := sort([x |
	some x in ["not_multi_region", "not_logging", "no_management_events", "no_validation"]
	has_problem(t, x)
])

has_problem(t, "not_multi_region") if t.row.IsMultiRegionTrail != true

has_problem(t, "not_logging") if not trail.logging(t.row.TrailARN)

has_problem(t, "no_management_events") if not trail.management_rw(t.row.TrailARN)

has_problem(t, "no_validation") if t.row.LogFileValidationEnabled != true

# Each account needs a good trail of its own or an organization trail covering it.
good_trails(account) := {t | some t in trail.trails_of(account); count(problems(t)) == 0}

findings contains lib.pass("trail_ok", {"trail": t.row.Name, "account": account}, t.row.TrailARN, lib.row_ref(t.item, t.index)) if {
	some account in trail.trail_accounts
	some t in good_trails(account)
}

# With no good trail, every trail of the account says what it lacks.
findings contains lib.fail("trail_incomplete", {"trail": t.row.Name, "account": account, "problems": problems(t)}, t.row.TrailARN, lib.row_ref(t.item, t.index)) if {
	some account in trail.trail_accounts
	count(good_trails(account)) == 0
	some t in trail.trails_of(account)
}

findings contains lib.fail("no_trail", {"account": account}, account, lib.whole_ref(trail.trails_item(account))) if {
	some account in trail.trail_accounts
	count(trail.trails_of(account)) == 0
}

findings contains lib.pass("flow_log_active", {"vpc": v.row.VpcId}, v.row.VpcId, lib.row_ref(f.item, f.index)) if {
	some v in trail.service_vpcs(p.service_tag)
	f := trail.active_flow_log(v.row.VpcId)
}

findings contains lib.fail("no_flow_log", {"vpc": v.row.VpcId}, v.row.VpcId, lib.row_ref(v.item, v.index)) if {
	some v in trail.service_vpcs(p.service_tag)
	not trail.active_flow_log(v.row.VpcId)
}

findings contains lib.fail("no_service_vpc", {"tag": p.service_tag}, "vpc", lib.whole_ref(aws.first_item("aws.ec2.DescribeVpcs"))) if {
	count(trail.service_vpcs(p.service_tag)) == 0
}
