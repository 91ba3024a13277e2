# Fixtures for trail, flow-log and log-retention policy tests.
package shoko.aws.trail_fixtures

import data.shoko.aws.fixtures as fx

trail_arn := "arn:aws:cloudtrail:ap-northeast-1:123456789012:trail/cardsvc-trail"

trail(multi, validation) := {"Name": "cardsvc-trail", "TrailARN": trail_arn, "HomeRegion": "ap-northeast-1", "IsMultiRegionTrail": multi, "LogFileValidationEnabled": validation, "S3BucketName": "cardsvc-trail-logs"}

status(logging) := {"TrailARN": trail_arn, "IsLogging": logging}

selectors(rw) := {"TrailARN": trail_arn, "AdvancedEventSelectors": [], "EventSelectors": [{"IncludeManagementEvents": true, "ReadWriteType": rw}]}

vpc := {"VpcId": "vpc-svc", "IsDefault": false, "Tags": [fx.tag("Service", "cardsvc")]}

flow_log := {"FlowLogId": "fl-1", "ResourceId": "vpc-svc", "FlowLogStatus": "ACTIVE", "LogDestinationType": "cloud-watch-logs", "LogGroupName": "/cardsvc/vpc-flow"}

group(name, days) := {"LogGroupName": name, "LogGroupArn": sprintf("arn:aws:logs:ap-northeast-1:123456789012:log-group:%s", [name]), "RetentionInDays": days}

lifecycle(days) := {"Bucket": "cardsvc-trail-logs", "Rules": [{"ID": "expire-logs", "Status": "Enabled", "Expiration": {"Days": days}}]}

estate(trails, statuses, sels, flows, groups, lifecycles) := [
	fx.item("aws.cloudtrail.DescribeTrails", "ap-northeast-1", trails),
	fx.item("aws.cloudtrail.GetTrailStatus", "ap-northeast-1", statuses),
	fx.item("aws.cloudtrail.GetEventSelectors", "ap-northeast-1", sels),
	fx.item("aws.ec2.DescribeFlowLogs", "ap-northeast-1", flows),
	fx.item("aws.ec2.DescribeVpcs", "ap-northeast-1", [{"VpcId": "vpc-default", "IsDefault": true, "Tags": []}, vpc]),
	fx.item("aws.logs.DescribeLogGroups", "ap-northeast-1", groups),
	fx.item("aws.s3.GetBucketLifecycleConfiguration", "global", lifecycles),
]

good := estate([trail(true, true)], [status(true)], [selectors("All")], [flow_log], [group("/cardsvc/vpc-flow", 1096), group("/cardsvc/data-operations", 1096), group("/cardsvc/staff-work", 1096)], [lifecycle(1100)])
