# Fixtures for the backup policy tests: a customer database, a system volume, plans,
# selections by tag, and recovery points.
package shoko.aws.backup_fixtures

import data.shoko.aws.fixtures as fx

db_arn := "arn:aws:rds:ap-northeast-1:123456789012:db:cardsvc-db"

vol_arn := "arn:aws:ec2:ap-northeast-1:123456789012:volume/vol-sys"

plan(id, name, schedule, lifecycle) := {"BackupPlanId": id, "BackupPlan": {"BackupPlanName": name, "Rules": [{"RuleName": "daily", "ScheduleExpression": schedule, "Lifecycle": lifecycle, "TargetBackupVaultName": "cardsvc-vault"}]}}

selection(plan_id, id, value) := {"BackupPlanId": plan_id, "SelectionId": id, "BackupSelection": {"SelectionName": id, "Resources": [], "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "DataClass", "ConditionValue": value}]}}

# point is a completed recovery point `hours` hours before the fixtures' now (03:00 UTC).
point(arn, hours) := {"RecoveryPointArn": sprintf("%s-%d", [arn, hours]), "ResourceArn": arn, "Status": "COMPLETED", "CreationDate": time.format([time.parse_rfc3339_ns(fx.now) - ((hours * 3600) * 1000000000), "UTC", "2006-01-02T15:04:05Z07:00"])}

points(arn, days) := [point(arn, 3 + (24 * d)) | some d in numbers.range(0, days - 1)]

estate(plans, selections, points) := [
	fx.item("aws.rds.DescribeDBInstances", "ap-northeast-1", [{"DBInstanceArn": db_arn, "TagList": [fx.tag("DataClass", "customer")]}]),
	fx.item("aws.dynamodb.DescribeTable", "ap-northeast-1", []),
	fx.item("aws.ec2.DescribeVolumes", "ap-northeast-1", [{"VolumeId": "vol-sys", "Tags": [fx.tag("DataClass", "system"), fx.tag("Name", "cardsvc-system-vol")]}]),
	fx.item("aws.s3.GetBucketTagging", "global", [{"Bucket": "cardsvc-tmp", "ErrorCode": "NoSuchTagSet", "NotConfigured": true}]),
	fx.item("aws.backup.GetBackupPlan", "ap-northeast-1", plans),
	fx.item("aws.backup.GetBackupSelection", "ap-northeast-1", selections),
	fx.item("aws.backup.ListRecoveryPointsByBackupVault", "ap-northeast-1", points),
	fx.item("aws.backup.ListProtectedResources", "ap-northeast-1", []),
]

good_plans := [plan("p-cust", "cardsvc-customer", "cron(0 18 * * ? *)", {"DeleteAfterDays": 35}), plan("p-sys", "cardsvc-system", "rate(1 day)", {"DeleteAfterDays": 7})]

good_selections := [selection("p-cust", "sel-customer", "customer"), selection("p-sys", "sel-system", "system")]
