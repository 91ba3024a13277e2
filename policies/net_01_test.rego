package shoko.controls.net_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.net_01

params(ids) := {"public_ports": [443, 80], "ids": ids, "service_tag": "Service"}

perm(port, cidr) := {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}], "Ipv6Ranges": []}

estate(groups, instances, detectors, firewalls) := estate_dbs(groups, instances, detectors, firewalls, [db("vpc-svc")])

db(vpc) := {"DBInstanceIdentifier": "cardsvc-db", "DBInstanceArn": "arn:aws:rds:ap-northeast-1:123456789012:db:cardsvc-db", "TagList": [fx.tag("Service", "cardsvc")], "DBSubnetGroup": {"VpcId": vpc}}

estate_dbs(groups, instances, detectors, firewalls, dbs) := [
	fx.item("aws.rds.DescribeDBInstances", "ap-northeast-1", dbs),
	fx.item("aws.ec2.DescribeVpcs", "ap-northeast-1", [{"VpcId": "vpc-default", "IsDefault": true, "Tags": []}, {"VpcId": "vpc-svc", "IsDefault": false, "Tags": [fx.tag("Service", "cardsvc")]}]),
	fx.item("aws.ec2.DescribeSecurityGroups", "ap-northeast-1", groups),
	fx.item("aws.ec2.DescribeInstances", "ap-northeast-1", instances),
	fx.item("aws.elbv2.DescribeLoadBalancers", "ap-northeast-1", [{"LoadBalancerArn": "lb", "SecurityGroups": ["sg-lb"], "VpcId": "vpc-svc"}]),
	fx.item("aws.guardduty.GetDetector", "ap-northeast-1", detectors),
	fx.item("aws.network-firewall.ListFirewalls", "ap-northeast-1", firewalls),
]

lb_group := {"GroupId": "sg-lb", "GroupName": "cardsvc-lb", "IpPermissions": [perm(443, "0.0.0.0/0"), perm(80, "0.0.0.0/0")]}

app := {"InstanceId": "i-app", "VpcId": "vpc-svc", "State": {"Name": "running"}, "Tags": [fx.tag("Service", "cardsvc")]}

test_dedicated_vpc_with_lb_ports_and_guardduty_passes if {
	f := net_01.findings with input as fx.input_for(params("guardduty"), estate([lb_group], [app], [{"DetectorId": "d", "Status": "ENABLED"}], []))
	fx.has(f, "pass", "dedicated_vpc", "i-app")
	fx.has(f, "pass", "public_port_on_lb", "sg-lb")
	fx.has(f, "pass", "ids_covers_vpc", "vpc-svc")
	every x in f {
		x.status == "pass"
	}
}

test_ssh_open_to_world_fails if {
	bad := {"GroupId": "sg-ssh", "GroupName": "open-ssh", "IpPermissions": [perm(22, "0.0.0.0/0")]}
	v6 := {"GroupId": "sg-v6", "GroupName": "v6", "IpPermissions": [{"IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]}
	f := net_01.findings with input as fx.input_for(params("guardduty"), estate([lb_group, bad, v6], [app], [{"DetectorId": "d", "Status": "ENABLED"}], []))
	fx.has(f, "fail", "open_to_world", "sg-ssh")
	fx.has(f, "fail", "open_to_world", "sg-v6")
}

test_default_vpc_and_no_ids_fail if {
	stray := {"InstanceId": "i-stray", "VpcId": "vpc-default", "State": {"Name": "running"}, "Tags": [fx.tag("Service", "cardsvc")]}
	f := net_01.findings with input as fx.input_for(params("network_firewall"), estate([], [stray], [], []))
	fx.has(f, "fail", "in_default_vpc", "i-stray")
	fx.has(f, "fail", "no_ids", "vpc-svc")
}

test_network_firewall_counts_as_ids if {
	f := net_01.findings with input as fx.input_for(params("network_firewall"), estate([], [app], [], [{"FirewallName": "fw", "FirewallArn": "arn:fw"}]))
	fx.has(f, "pass", "ids_covers_vpc", "vpc-svc")
}

test_no_service_vpc_fails if {
	items := [fx.item("aws.ec2.DescribeVpcs", "ap-northeast-1", [])]
	fx.has(net_01.findings, "fail", "no_service_vpc", "vpc") with input as fx.input_for(params("guardduty"), items)
}

test_database_outside_dedicated_vpc_fails if {
	arn := "arn:aws:rds:ap-northeast-1:123456789012:db:cardsvc-db"
	fx.has(net_01.findings, "pass", "db_dedicated_vpc", arn) with input as fx.input_for(params("guardduty"), estate([], [], [], []))
	fx.has(net_01.findings, "fail", "db_in_default_vpc", arn) with input as fx.input_for(params("guardduty"), estate_dbs([], [], [], [], [db("vpc-default")]))
	fx.has(net_01.findings, "fail", "db_in_default_vpc", arn) with input as fx.input_for(params("guardduty"), estate_dbs([], [], [], [], [object.remove(db(""), ["DBSubnetGroup"])]))
}
