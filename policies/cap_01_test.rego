package shoko.controls.cap_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.cap_01

asg_arn := "arn:aws:autoscaling:ap-northeast-1:123456789012:autoScalingGroup:1:autoScalingGroupName/cardsvc-asg"

db_arn := "arn:aws:rds:ap-northeast-1:123456789012:db:cardsvc-db"

alarm(dim, value) := {"AlarmArn": sprintf("arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:%s", [value]), "Namespace": "AWS/RDS", "Dimensions": [{"Name": dim, "Value": value}]}

estate(alarms) := [
	fx.item("aws.cloudwatch.DescribeAlarms", "ap-northeast-1", alarms),
	fx.item("aws.autoscaling.DescribeAutoScalingGroups", "ap-northeast-1", [{"AutoScalingGroupARN": asg_arn, "AutoScalingGroupName": "cardsvc-asg", "Tags": [fx.tag("Service", "cardsvc")]}]),
	fx.item("aws.rds.DescribeDBInstances", "ap-northeast-1", [{"DBInstanceArn": db_arn, "DBInstanceIdentifier": "cardsvc-db", "TagList": [fx.tag("Service", "cardsvc")]}]),
]

test_alarms_on_every_service_resource_pass if {
	f := cap_01.findings with input as fx.input_for({"service_tag": "Service"}, estate([alarm("AutoScalingGroupName", "cardsvc-asg"), alarm("DBInstanceIdentifier", "cardsvc-db")]))
	fx.has(f, "pass", "alarmed", asg_arn)
	fx.has(f, "pass", "alarmed", db_arn)
}

test_database_without_alarm_fails if {
	f := cap_01.findings with input as fx.input_for({"service_tag": "Service"}, estate([alarm("AutoScalingGroupName", "cardsvc-asg")]))
	fx.has(f, "fail", "no_alarm", db_arn)
}

test_no_service_resource_fails if {
	items := [fx.item("aws.autoscaling.DescribeAutoScalingGroups", "ap-northeast-1", [])]
	fx.has(cap_01.findings, "fail", "no_service_resources", "aws") with input as fx.input_for({"service_tag": "Service"}, items)
}

# The watched index is keyed by account and region too: an alarm on the same name in another
# region does not watch the database.
test_alarm_in_another_region_does_not_watch if {
	items := array.concat(estate([alarm("AutoScalingGroupName", "cardsvc-asg")]), [fx.item("aws.cloudwatch.DescribeAlarms", "us-east-1", [alarm("DBInstanceIdentifier", "cardsvc-db")])])
	f := cap_01.findings with input as fx.input_for({"service_tag": "Service"}, items)
	fx.has(f, "pass", "alarmed", asg_arn)
	fx.has(f, "fail", "no_alarm", db_arn)
}
