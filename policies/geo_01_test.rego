package shoko.controls.geo_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.geo_01

params := {"allowed_regions": ["ap-northeast-1", "ap-northeast-3"], "data_class_tag": "DataClass", "customer_data_classes": ["customer"]}

regional_kinds := [
	"aws.rds.DescribeDBInstances", "aws.rds.DescribeDBClusters", "aws.rds.DescribeDBSnapshots",
	"aws.dynamodb.DescribeTable", "aws.ec2.DescribeVolumes", "aws.ec2.DescribeSnapshots",
	"aws.backup.ListRecoveryPointsByBackupVault", "aws.logs.DescribeLogGroups",
	"aws.rds.DescribeDBClusterSnapshots", "aws.rds.DescribeDBInstanceAutomatedBackups",
]

# An estate looked at in two enabled regions (one opt-in region not enabled), with a database
# in Tokyo and a bucket in Osaka; extra adds items.
estate(extra) := array.concat(
	array.concat(
		[
			fx.item("aws.ec2.DescribeRegions", "global", fx.regions(["ap-northeast-1", "us-east-1"], ["ap-east-1"])),
			fx.item("aws.s3.GetBucketLocation", "global", [{"Bucket": "cardsvc-data", "LocationConstraint": "ap-northeast-3", "Region": "ap-northeast-3"}]),
		],
		[fx.item(k, r, []) | some k in regional_kinds; some r in ["ap-northeast-1", "us-east-1"]; not skip(k, r, extra)],
	),
	extra,
)

skip(k, r, extra) if {
	some it in extra
	it.kind == k
	it.scope.region == r
}

db(id, region) := {"DBInstanceIdentifier": id, "DBInstanceArn": sprintf("arn:aws:rds:%s:123456789012:db:%s", [region, id]), "StorageEncrypted": true}

test_resources_in_japan_pass if {
	f := geo_01.findings with input as fx.input_for(params, estate([fx.item("aws.rds.DescribeDBInstances", "ap-northeast-1", [db("cardsvc-db", "ap-northeast-1")])]))
	fx.has(f, "pass", "in_allowed_region", "arn:aws:rds:ap-northeast-1:123456789012:db:cardsvc-db")
	fx.has(f, "pass", "in_allowed_region", "arn:aws:s3:::cardsvc-data")
	fx.has(f, "pass", "regions_inspected", "123456789012")
	every x in f {
		x.status == "pass"
	}
}

test_database_in_us_east_1_fails if {
	f := geo_01.findings with input as fx.input_for(params, estate([fx.item("aws.rds.DescribeDBInstances", "us-east-1", [db("geo-db", "us-east-1")])]))
	fx.has(f, "fail", "outside_allowed_region", "arn:aws:rds:us-east-1:123456789012:db:geo-db")
}

test_bucket_answering_empty_location_is_us_east_1 if {
	items := [it | some it in estate([]); it.kind != "aws.s3.GetBucketLocation"]
	bucket := fx.item("aws.s3.GetBucketLocation", "global", [{"Bucket": "old", "LocationConstraint": "", "Region": "us-east-1"}])
	f := geo_01.findings with input as fx.input_for(params, array.concat(items, [bucket]))
	fx.has(f, "fail", "outside_allowed_region", "arn:aws:s3:::old")
}

test_enabled_region_not_collected_fails if {
	items := [it | some it in estate([]); not us_east_volumes(it)]
	f := geo_01.findings with input as fx.input_for(params, items)
	fx.has(f, "fail", "region_not_inspected", "123456789012/us-east-1")
}

us_east_volumes(it) if {
	it.kind == "aws.ec2.DescribeVolumes"
	it.scope.region == "us-east-1"
}

# A region the config declares closed (aws.denied_regions) where every call was denied by an SCP
# holds nothing and needs no evidence; declared but answering (DeniedBySCP false), it does.
declared(denied_by_scp) := [it |
	some it0 in estate([])
	not us_east_volumes(it0)
	it := declared_item(it0, denied_by_scp)
]

declared_item(it, denied_by_scp) := object.union(it, {"data": [object.union(r, declaration(r, denied_by_scp)) | some r in it.data]}) if {
	it.kind == "aws.ec2.DescribeRegions"
} else := it

declaration(r, denied_by_scp) := {"DeclaredDenied": {"DeclaredIn": "aws.denied_regions", "DeniedBySCP": denied_by_scp}} if {
	r.RegionName == "us-east-1"
} else := {}

test_region_denied_as_declared_needs_no_evidence if {
	f := geo_01.findings with input as fx.input_for(params, declared(true))
	not fx.has(f, "fail", "region_not_inspected", "123456789012/us-east-1")
	some x in f
	x.code == "regions_inspected"
	x.params.denied_as_declared == ["us-east-1"]
}

test_region_declared_but_answering_needs_evidence if {
	f := geo_01.findings with input as fx.input_for(params, declared(false))
	fx.has(f, "fail", "region_not_inspected", "123456789012/us-east-1")
}

test_region_not_opted_in_needs_no_evidence if {
	f := geo_01.findings with input as fx.input_for(params, estate([]))
	not fx.has(f, "fail", "region_not_inspected", "123456789012/ap-east-1")
}

# Data outside Japan after an advance notice to customers (the white paper's exception): a
# data_location change naming the region, notified before it took effect, already in effect.
change(id, kind, notified, effective, regions) := {
	"change_id": id, "kind": kind, "customer_impact": true,
	"notified_at": notified, "effective_at": effective, "regions": regions,
}

with_changes(rows) := array.concat(
	estate([fx.item("aws.rds.DescribeDBInstances", "us-east-1", [db("geo-db", "us-east-1")])]),
	[object.union(fx.item("service.changes", "global", rows), {"scope": {"source": "service", "service": "cardsvc"}})],
)

notified_db := "arn:aws:rds:us-east-1:123456789012:db:geo-db"

test_notified_region_passes if {
	f := geo_01.findings with input as fx.input_for(params, with_changes([
		change("CHG-9", "data_location", "2026-03-01T09:00:00+09:00", "2026-04-01T09:00:00+09:00", ["us-east-1"]),
		change("CHG-2", "data_location", "2026-02-01T09:00:00+09:00", "2026-02-15T09:00:00+09:00", ["us-east-1", "eu-west-1"]),
	]))
	fx.has(f, "pass", "outside_region_notified", notified_db)
	not fx.has(f, "fail", "outside_allowed_region", notified_db)
	some x in f
	x.resource == notified_db
	x.params.changes == ["CHG-2", "CHG-9"]
	x.params.region == "us-east-1"
}

test_notice_that_does_not_excuse_fails if {
	cases := {
		"another region": change("CHG-1", "data_location", "2026-03-01T09:00:00+09:00", "2026-04-01T09:00:00+09:00", ["eu-west-1"]),
		"not notified": change("CHG-1", "data_location", null, "2026-04-01T09:00:00+09:00", ["us-east-1"]),
		"notified after it took effect": change("CHG-1", "data_location", "2026-04-02T09:00:00+09:00", "2026-04-01T09:00:00+09:00", ["us-east-1"]),
		"not yet in effect": change("CHG-1", "data_location", "2026-11-01T09:00:00+09:00", "2026-12-24T09:00:00+09:00", ["us-east-1"]),
		"another kind": change("CHG-1", "maintenance", "2026-03-01T09:00:00+09:00", "2026-04-01T09:00:00+09:00", ["us-east-1"]),
		"no regions named": object.remove(change("CHG-1", "data_location", "2026-03-01T09:00:00+09:00", "2026-04-01T09:00:00+09:00", []), ["regions"]),
	}
	every _, c in cases {
		f := geo_01.findings with input as fx.input_for(params, with_changes([c]))
		fx.has(f, "fail", "outside_allowed_region", notified_db)
		not fx.has(f, "pass", "outside_region_notified", notified_db)
	}
}

test_without_change_notices_outside_still_fails if {
	f := geo_01.findings with input as fx.input_for(params, estate([fx.item("aws.rds.DescribeDBInstances", "us-east-1", [db("geo-db", "us-east-1")])]))
	fx.has(f, "fail", "outside_allowed_region", notified_db)
}

# An Aurora cluster snapshot copied to us-east-1 and an automated backup replicated there (or
# retained there after its instance was deleted) are customer data outside Japan.
test_cluster_snapshot_copy_and_replicated_backup_outside_japan_fail if {
	copy := "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:aurora-copy"
	replica := "arn:aws:rds:us-east-1:123456789012:auto-backup:ab-replica"
	f := geo_01.findings with input as fx.input_for(params, estate([
		fx.item("aws.rds.DescribeDBClusterSnapshots", "us-east-1", [{"DBClusterSnapshotArn": copy, "SnapshotType": "manual", "SourceDBClusterSnapshotArn": "arn:aws:rds:ap-northeast-1:123456789012:cluster-snapshot:aurora-manual"}]),
		fx.item("aws.rds.DescribeDBInstanceAutomatedBackups", "us-east-1", [{"DBInstanceAutomatedBackupsArn": replica, "DBInstanceArn": "arn:aws:rds:ap-northeast-1:123456789012:db:cardsvc-db", "Region": "ap-northeast-1", "Status": "replicating"}]),
		fx.item("aws.rds.DescribeDBClusterSnapshots", "ap-northeast-1", [{"DBClusterSnapshotArn": "arn:aws:rds:ap-northeast-1:123456789012:cluster-snapshot:aurora-manual", "SnapshotType": "manual"}]),
	]))
	fx.has(f, "fail", "outside_allowed_region", copy)
	fx.has(f, "fail", "outside_allowed_region", replica)
	fx.has(f, "pass", "in_allowed_region", "arn:aws:rds:ap-northeast-1:123456789012:cluster-snapshot:aurora-manual")
}

# An automated backup whose answer names no ARN is still judged, by its instance.
test_automated_backup_without_arn_is_judged if {
	f := geo_01.findings with input as fx.input_for(params, estate([fx.item("aws.rds.DescribeDBInstanceAutomatedBackups", "us-east-1", [{"DBInstanceAutomatedBackupsArn": null, "DBInstanceIdentifier": "old-db", "Status": "retained"}])]))
	fx.has(f, "fail", "outside_allowed_region", "automated backups of old-db (123456789012/us-east-1)")
}

route53 := "arn:aws:logs:us-east-1:123456789012:log-group:/aws/route53/cardsvc.example.jp"

customer_logs := "arn:aws:logs:us-east-1:123456789012:log-group:/cardsvc/exports"

log_estate(tags) := estate([
	fx.item("aws.logs.DescribeLogGroups", "us-east-1", [{"LogGroupArn": route53, "LogGroupName": "/aws/route53/cardsvc.example.jp"}, {"LogGroupArn": customer_logs, "LogGroupName": "/cardsvc/exports"}]),
	fx.item("aws.logs.ListTagsForResource", "us-east-1", tags),
])

# Only log groups holding customer data are judged: a Route 53 query-log group in us-east-1
# (untagged, or tagged with another class) is listed as not judged; one tagged DataClass=customer
# there fails; a log group whose tags are not in the evidence is judged.
test_only_customer_log_groups_are_judged if {
	f := geo_01.findings with input as fx.input_for(params, log_estate([
		{"LogGroupArn": route53, "Tags": {}},
		{"LogGroupArn": customer_logs, "Tags": {"DataClass": "customer"}},
	]))
	fx.has(f, "pass", "log_group_not_customer_data", route53)
	not fx.has(f, "fail", "outside_allowed_region", route53)
	fx.has(f, "fail", "outside_allowed_region", customer_logs)

	g := geo_01.findings with input as fx.input_for(params, log_estate([
		{"LogGroupArn": route53, "Tags": {"DataClass": "log"}},
		{"LogGroupArn": customer_logs, "Tags": {"DataClass": "system"}},
	]))
	every x in g {
		x.status == "pass"
	}

	h := geo_01.findings with input as fx.input_for(params, log_estate([{"LogGroupArn": customer_logs, "Tags": {}}]))
	fx.has(h, "fail", "outside_allowed_region", route53)
}

# A table deleted between ListTables and DescribeTable is recorded as gone: no resource of that
# name is judged (it would have no ARN to name it by).
test_gone_table_is_not_judged if {
	f := geo_01.findings with input as fx.input_for(params, estate([fx.item("aws.dynamodb.DescribeTable", "us-east-1", [{"TableName": "t", "Gone": true, "ErrorCode": "ResourceNotFoundException"}])]))
	every x in f {
		x.status == "pass"
		x.resource != "unknown"
	}
}
