# NET-01: the service runs in dedicated VPCs and ingress is watched by an IDS/IPS.
#
# Service instances and DB instances (tag service_tag) are in non-default VPCs; no security group opens a port
# to 0.0.0.0/0 or ::/0, except public_ports on groups attached to load balancers; every
# service VPC's region has the IDS named by `ids` (guardduty: an ENABLED detector;
# network_firewall: a firewall).
package shoko.controls.net_01

import data.shoko.aws
import data.shoko.aws.trail
import data.shoko.lib

p := input.control.parameters

default_vpcs := {r.row.VpcId | some r in lib.rows("aws.ec2.DescribeVpcs"); r.row.IsDefault == true}

service_instances contains r if {
	some r in lib.rows("aws.ec2.DescribeInstances")
	aws.tag_value(r.row.Tags, p.service_tag) != ""
	object.get(r.row, ["State", "Name"], "") != "terminated"
}

findings contains lib.fail("in_default_vpc", {"instance": r.row.InstanceId, "vpc": r.row.VpcId}, r.row.InstanceId, lib.row_ref(r.item, r.index)) if {
	some r in service_instances
	r.row.VpcId in default_vpcs
}

findings contains lib.pass("dedicated_vpc", {"instance": r.row.InstanceId, "vpc": r.row.VpcId}, r.row.InstanceId, lib.row_ref(r.item, r.index)) if {
	some r in service_instances
	not r.row.VpcId in default_vpcs
}

# Service databases: the VPC of their subnet group.
service_dbs contains r if {
	some r in lib.rows("aws.rds.DescribeDBInstances")
	aws.tag_value(r.row.TagList, p.service_tag) != ""
}

db_vpc(row) := object.get(row, ["DBSubnetGroup", "VpcId"], "")

findings contains lib.fail("db_in_default_vpc", {"instance": r.row.DBInstanceIdentifier, "vpc": db_vpc(r.row)}, r.row.DBInstanceArn, lib.row_ref(r.item, r.index)) if {
	some r in service_dbs
	not dedicated(db_vpc(r.row))
}

findings contains lib.pass("db_dedicated_vpc", {"instance": r.row.DBInstanceIdentifier, "vpc": db_vpc(r.row)}, r.row.DBInstanceArn, lib.row_ref(r.item, r.index)) if {
	some r in service_dbs
	dedicated(db_vpc(r.row))
}

# dedicated: a known, non-default VPC (a database outside any VPC is not in a dedicated one).
dedicated(vpc) if {
	is_string(vpc)
	vpc != ""
	not vpc in default_vpcs
}

lb_groups := {g | some r in lib.rows("aws.elbv2.DescribeLoadBalancers"); some g in aws.tags_of(r.row.SecurityGroups)}

open_to_world(perm) if {
	some range in aws.tags_of(perm.IpRanges)
	range.CidrIp == "0.0.0.0/0"
}

open_to_world(perm) if {
	some range in aws.tags_of(perm.Ipv6Ranges)
	range.CidrIpv6 == "::/0"
}

allowed_public(group_id, perm) if {
	group_id in lb_groups
	perm.FromPort == perm.ToPort
	perm.FromPort in p.public_ports
}

port_text(perm) := sprintf("%v-%v/%v", [object.get(perm, "FromPort", "all"), object.get(perm, "ToPort", "all"), perm.IpProtocol])

findings contains lib.fail("open_to_world", {"group": r.row.GroupId, "name": r.row.GroupName, "ports": port_text(perm)}, r.row.GroupId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.ec2.DescribeSecurityGroups")
	some perm in aws.tags_of(r.row.IpPermissions)
	open_to_world(perm)
	not allowed_public(r.row.GroupId, perm)
}

findings contains lib.pass("public_port_on_lb", {"group": r.row.GroupId, "name": r.row.GroupName, "ports": port_text(perm)}, r.row.GroupId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.ec2.DescribeSecurityGroups")
	some perm in aws.tags_of(r.row.IpPermissions)
	open_to_world(perm)
	allowed_public(r.row.GroupId, perm)
}

# The [account, region]s the IDS covers, built once (not a scan of every detector per VPC).
ids_regions contains [r.item.scope.account, r.item.scope.region] if {
	p.ids == "guardduty"
	some r in lib.rows("aws.guardduty.GetDetector")
	r.row.Status == "ENABLED"
}

ids_regions contains [r.item.scope.account, r.item.scope.region] if {
	p.ids == "network_firewall"
	some r in lib.rows("aws.network-firewall.ListFirewalls")
}

ids_in(account, region) if [account, region] in ids_regions

findings contains lib.pass("ids_covers_vpc", {"vpc": v.row.VpcId, "ids": p.ids}, v.row.VpcId, lib.row_ref(v.item, v.index)) if {
	some v in trail.service_vpcs(p.service_tag)
	ids_in(v.item.scope.account, v.item.scope.region)
}

findings contains lib.fail("no_ids", {"vpc": v.row.VpcId, "ids": p.ids}, v.row.VpcId, lib.row_ref(v.item, v.index)) if {
	some v in trail.service_vpcs(p.service_tag)
	not ids_in(v.item.scope.account, v.item.scope.region)
}

findings contains lib.fail("no_service_vpc", {"tag": p.service_tag}, "vpc", lib.whole_ref(aws.first_item("aws.ec2.DescribeVpcs"))) if {
	count(trail.service_vpcs(p.service_tag)) == 0
}
