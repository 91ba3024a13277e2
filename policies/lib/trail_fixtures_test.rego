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

# Two accounts: the member (fx.account) and another one; org_trail_arn is the organization's
# trail, created in the management account and listed in the member's evidence.
other_account := "210987654321"

org_trail_arn := "arn:aws:cloudtrail:ap-northeast-1:999999999999:trail/org-trail"

other_trail_arn := sprintf("arn:aws:cloudtrail:ap-northeast-1:%s:trail/other-trail", [other_account])

org_trail := {"Name": "org-trail", "TrailARN": org_trail_arn, "HomeRegion": "ap-northeast-1", "IsMultiRegionTrail": true, "IsOrganizationTrail": true, "LogFileValidationEnabled": true, "S3BucketName": "org-trail-logs"}

other_trail := {"Name": "other-trail", "TrailARN": other_trail_arn, "HomeRegion": "ap-northeast-1", "IsMultiRegionTrail": true, "IsOrganizationTrail": false, "LogFileValidationEnabled": true, "S3BucketName": "other-trail-logs"}

# in_account is an item of another account (its own digest).
in_account(account, kind, rows) := object.union(fx.item(kind, "ap-northeast-1", rows), {"scope": {"source": "aws", "account": account, "region": "ap-northeast-1"}, "digest": sprintf("sha256:%s-%s", [kind, account])})

# accounts(member_trails, other_trails): the member lists member_trails, the other account lists
# its own good, logging trail; both have the service VPC and its flow log.
accounts(member_trails) := [
	fx.item("aws.cloudtrail.DescribeTrails", "ap-northeast-1", member_trails),
	in_account(other_account, "aws.cloudtrail.DescribeTrails", [other_trail]),
	in_account(other_account, "aws.cloudtrail.GetTrailStatus", [{"TrailARN": other_trail_arn, "IsLogging": true}]),
	in_account(other_account, "aws.cloudtrail.GetEventSelectors", [{"TrailARN": other_trail_arn, "EventSelectors": [{"IncludeManagementEvents": true, "ReadWriteType": "All"}]}]),
	fx.item("aws.cloudtrail.GetTrailStatus", "ap-northeast-1", [{"TrailARN": org_trail_arn, "IsLogging": true} | some t in member_trails; t.TrailARN == org_trail_arn]),
	fx.item("aws.cloudtrail.GetEventSelectors", "ap-northeast-1", [{"TrailARN": org_trail_arn, "EventSelectors": [{"IncludeManagementEvents": true, "ReadWriteType": "All"}]} | some t in member_trails; t.TrailARN == org_trail_arn]),
	fx.item("aws.ec2.DescribeFlowLogs", "ap-northeast-1", [flow_log]),
	fx.item("aws.ec2.DescribeVpcs", "ap-northeast-1", [vpc]),
	fx.item("aws.backup.ListRestoreJobs", "ap-northeast-1", [{"RestoreJobId": "restore-1", "CreationDate": "2026-10-01T00:00:00Z", "Status": "COMPLETED"}]),
]
