# CAP-01: server resources are monitored: every service auto scaling group and service DB
# instance (tag service_tag) has at least one CloudWatch alarm on it, in its region.
package shoko.controls.cap_01

import data.shoko.aws
import data.shoko.lib

p := input.control.parameters

# alarmed is every [account, region, dimension, value] an alarm watches, indexed once: scanning
# every alarm for each target would be quadratic.
alarmed contains [r.item.scope.account, r.item.scope.region, d.Name, d.Value] if {
	some r in lib.rows("aws.cloudwatch.DescribeAlarms")
	some d in aws.tags_of(r.row.Dimensions)
}

watched(account, region, dim, value) if [account, region, dim, value] in alarmed

targets contains {"id": r.row.AutoScalingGroupARN, "name": r.row.AutoScalingGroupName, "dim": "AutoScalingGroupName", "r": r} if {
	some r in lib.rows("aws.autoscaling.DescribeAutoScalingGroups")
	aws.tag_value(r.row.Tags, p.service_tag) != ""
}

targets contains {"id": r.row.DBInstanceArn, "name": r.row.DBInstanceIdentifier, "dim": "DBInstanceIdentifier", "r": r} if {
	some r in lib.rows("aws.rds.DescribeDBInstances")
	aws.tag_value(r.row.TagList, p.service_tag) != ""
}

findings contains lib.pass("alarmed", {"resource": t.name}, t.id, lib.row_ref(t.r.item, t.r.index)) if {
	some t in targets
	watched(t.r.item.scope.account, t.r.item.scope.region, t.dim, t.name)
}

findings contains lib.fail("no_alarm", {"resource": t.name}, t.id, lib.row_ref(t.r.item, t.r.index)) if {
	some t in targets
	not watched(t.r.item.scope.account, t.r.item.scope.region, t.dim, t.name)
}

findings contains lib.fail("no_service_resources", {"tag": p.service_tag}, "aws", lib.whole_ref(aws.first_item("aws.autoscaling.DescribeAutoScalingGroups"))) if {
	count(targets) == 0
}
