# LOG-04: data-operation logs, VPC access logs and staff work logs are kept at least
# min_days: each log group in required_log_groups exists and keeps at least min_days (or never
# expires); every service VPC has an active flow log whose log group (when it delivers to
# CloudWatch Logs) keeps at least min_days; a trail is logging.
package shoko.controls.log_04

import data.shoko.aws
import data.shoko.aws.trail
import data.shoko.lib

p := input.control.parameters

# The log groups by name, indexed once: flow logs look their group up one by one.
groups_by_name := {name: group |
	some name in {k |
		some r in lib.rows("aws.logs.DescribeLogGroups")
		k := r.row.LogGroupName
	}
	group := {r |
		some r in lib.rows("aws.logs.DescribeLogGroups")
		r.row.LogGroupName == name
	}
}

group(name) := r if {
	some r in object.get(groups_by_name, [name], set())
}

kept(row) if object.get(row, "RetentionInDays", null) == null

kept(row) if row.RetentionInDays >= p.min_days

days(row) := object.get(row, "RetentionInDays", null)

findings contains lib.pass("group_kept", {"group": name, "days": days(g.row), "min_days": p.min_days}, g.row.LogGroupArn, lib.row_ref(g.item, g.index)) if {
	some name in p.required_log_groups
	g := group(name)
	kept(g.row)
}

findings contains lib.fail("group_too_short", {"group": name, "days": days(g.row), "min_days": p.min_days}, g.row.LogGroupArn, lib.row_ref(g.item, g.index)) if {
	some name in p.required_log_groups
	g := group(name)
	not kept(g.row)
}

findings contains lib.fail("group_missing", {"group": name}, name, lib.whole_ref(aws.first_item("aws.logs.DescribeLogGroups"))) if {
	some name in p.required_log_groups
	not group(name)
}

findings contains lib.fail("no_flow_log", {"vpc": v.row.VpcId}, v.row.VpcId, lib.row_ref(v.item, v.index)) if {
	some v in trail.service_vpcs(p.service_tag)
	not trail.active_flow_log(v.row.VpcId)
}

flow_group_ok(f) if object.get(f.row, "LogDestinationType", "") != "cloud-watch-logs"

flow_group_ok(f) if {
	g := group(f.row.LogGroupName)
	kept(g.row)
}

findings contains lib.pass("flow_log_kept", {"vpc": v.row.VpcId}, v.row.VpcId, lib.row_ref(f.item, f.index)) if {
	some v in trail.service_vpcs(p.service_tag)
	f := trail.active_flow_log(v.row.VpcId)
	flow_group_ok(f)
}

findings contains lib.fail("flow_log_too_short", {"vpc": v.row.VpcId, "group": f.row.LogGroupName, "min_days": p.min_days}, v.row.VpcId, lib.row_ref(f.item, f.index)) if {
	some v in trail.service_vpcs(p.service_tag)
	f := trail.active_flow_log(v.row.VpcId)
	not flow_group_ok(f)
}

# Each account needs a logging trail of its own or an organization trail covering it.
logging_trails(account) := {t | some t in trail.trails_of(account); trail.logging(t.row.TrailARN)}

findings contains lib.pass("trail_logging", {"trail": t.row.Name, "account": account}, t.row.TrailARN, lib.row_ref(t.item, t.index)) if {
	some account in trail.trail_accounts
	some t in logging_trails(account)
}

findings contains lib.fail("no_logging_trail", {"account": account}, account, lib.whole_ref(trail.trails_item(account))) if {
	some account in trail.trail_accounts
	count(logging_trails(account)) == 0
}
