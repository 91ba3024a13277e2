package shoko.controls.red_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.red_01

params := {"min_azs": 2, "min_healthy_targets": 2, "service_tag": "Service"}

lb_arn := "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/cardsvc-alb/1"

asg_arn := "arn:aws:autoscaling:ap-northeast-1:123456789012:autoScalingGroup:1:autoScalingGroupName/cardsvc-asg"

health(id, state) := {"Target": {"Id": id, "Port": 8080, "AvailabilityZone": null}, "TargetHealth": {"State": state}}

estate(states, images) := [
	fx.item("aws.ec2.DescribeVpcs", "ap-northeast-1", [{"VpcId": "vpc-svc", "IsDefault": false, "Tags": [fx.tag("Service", "cardsvc")]}]),
	fx.item("aws.elbv2.DescribeLoadBalancers", "ap-northeast-1", [{"LoadBalancerArn": lb_arn, "LoadBalancerName": "cardsvc-alb", "VpcId": "vpc-svc", "AvailabilityZones": [{"ZoneName": "ap-northeast-1a"}, {"ZoneName": "ap-northeast-1c"}]}]),
	fx.item("aws.elbv2.DescribeTargetGroups", "ap-northeast-1", [{"TargetGroupArn": "tg", "LoadBalancerArns": [lb_arn]}]),
	fx.item("aws.elbv2.DescribeTargetHealth", "ap-northeast-1", [{"TargetGroupArn": "tg", "TargetHealthDescriptions": [health("i-a", states[0]), health("i-c", states[1])]}]),
	fx.item("aws.ec2.DescribeInstances", "ap-northeast-1", [
		{"InstanceId": "i-a", "Placement": {"AvailabilityZone": "ap-northeast-1a"}},
		{"InstanceId": "i-c", "Placement": {"AvailabilityZone": "ap-northeast-1c"}},
	]),
	fx.item("aws.autoscaling.DescribeAutoScalingGroups", "ap-northeast-1", [{"AutoScalingGroupARN": asg_arn, "AutoScalingGroupName": "cardsvc-asg", "Tags": [fx.tag("Service", "cardsvc")], "LaunchTemplate": {"LaunchTemplateId": "lt-1", "Version": "$Latest"}}]),
	fx.item("aws.ec2.DescribeLaunchTemplateVersions", "ap-northeast-1", [{"LaunchTemplateId": "lt-1", "VersionNumber": 1, "LaunchTemplateData": {"ImageId": "ami-app"}}]),
	fx.item("aws.ec2.DescribeImages", "ap-northeast-1", images),
]

available := [{"ImageId": "ami-app", "State": "available", "Public": false}]

test_two_zones_two_healthy_targets_and_image_pass if {
	f := red_01.findings with input as fx.input_for(params, estate(["healthy", "healthy"], available))
	fx.has(f, "pass", "lb_redundant", lb_arn)
	fx.has(f, "pass", "image_ready", asg_arn)
	count(f) == 2
}

test_one_healthy_target_fails if {
	f := red_01.findings with input as fx.input_for(params, estate(["healthy", "unused"], available))
	some x in f
	x.code == "lb_not_redundant"
	x.params.healthy == 1
}

test_missing_image_fails if {
	f := red_01.findings with input as fx.input_for(params, estate(["healthy", "healthy"], []))
	fx.has(f, "fail", "image_missing", asg_arn)
}

test_group_without_template_and_no_lb_fail if {
	items := [
		fx.item("aws.ec2.DescribeVpcs", "ap-northeast-1", []),
		fx.item("aws.elbv2.DescribeLoadBalancers", "ap-northeast-1", []),
		fx.item("aws.autoscaling.DescribeAutoScalingGroups", "ap-northeast-1", [{"AutoScalingGroupARN": asg_arn, "AutoScalingGroupName": "cardsvc-asg", "Tags": [fx.tag("Service", "cardsvc")]}]),
	]
	f := red_01.findings with input as fx.input_for(params, items)
	fx.has(f, "fail", "no_launch_template", asg_arn)
	fx.has(f, "fail", "no_service_load_balancer", "elbv2")
}

# Target groups are indexed by load balancer: a group serving two load balancers counts for both,
# and a group of another load balancer counts for neither.
test_target_group_shared_by_two_load_balancers_counts_for_both if {
	lb2 := "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/cardsvc-alb2/2"
	lb3 := "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/cardsvc-alb3/3"
	zones := [{"ZoneName": "ap-northeast-1a"}, {"ZoneName": "ap-northeast-1c"}]
	kept := [i | some i in estate(["healthy", "healthy"], available); not i.kind in {"aws.elbv2.DescribeLoadBalancers", "aws.elbv2.DescribeTargetGroups"}]
	items := array.concat(kept, [
		fx.item("aws.elbv2.DescribeLoadBalancers", "ap-northeast-1", [
			{"LoadBalancerArn": lb_arn, "LoadBalancerName": "cardsvc-alb", "VpcId": "vpc-svc", "AvailabilityZones": zones},
			{"LoadBalancerArn": lb2, "LoadBalancerName": "cardsvc-alb2", "VpcId": "vpc-svc", "AvailabilityZones": zones},
			{"LoadBalancerArn": lb3, "LoadBalancerName": "cardsvc-alb3", "VpcId": "vpc-svc", "AvailabilityZones": zones},
		]),
		fx.item("aws.elbv2.DescribeTargetGroups", "ap-northeast-1", [
			{"TargetGroupArn": "tg", "LoadBalancerArns": [lb_arn, lb2]},
			{"TargetGroupArn": "tg-empty", "LoadBalancerArns": [lb3]},
		]),
	])
	f := red_01.findings with input as fx.input_for(params, items)
	fx.has(f, "pass", "lb_redundant", lb_arn)
	fx.has(f, "pass", "lb_redundant", lb2)
	some x in f
	x.resource == lb3
	x.code == "lb_not_redundant"
	x.params.healthy == 0
}
