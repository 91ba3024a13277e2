# GEO-01: customer data is stored only in the allowed regions (Japan).
#
# Every data-bearing resource found in any region (databases, instance and Aurora cluster
# snapshots — copies made in another region included —, automated backups kept in a region —
# retained, or replicated there from another region —, tables, volumes, recovery points, buckets,
# and the log groups that hold customer data) must be in allowed_regions.
#
# Log groups: a log group holds customer data when its data_class_tag tag has a value in
# customer_data_classes (the data-class tag the encryption and backup controls read). Other log
# groups hold the service's and AWS's own telemetry, some in the region AWS requires (Route 53
# public DNS query logs live in us-east-1); each is listed as not judged. A log group whose tags
# are not in the evidence is judged (fail closed). Proof of looking everywhere:
# every enabled region of every account (ec2:DescribeRegions AllRegions) must have evidence of
# every regional kind; a region that could not be read is an error item, so the control is
# `error` before this policy runs; a region that was not collected at all fails here.
#
# The white paper allows one exception: customer data stored outside Japan after customers were
# told in advance. A resource outside allowed_regions passes when the service's change notices
# (service.changes, optional evidence) hold a change of kind data_location that names its region
# in `regions`, was notified before it took effect, and is in effect. Notices are read for the
# audit period; one older than the period is not seen, and the resource fails (fail closed).
package shoko.controls.geo_01

import data.shoko.aws
import data.shoko.lib
import data.shoko.lib.service

allowed := {r | some r in input.control.parameters.allowed_regions}

# The regional kinds that hold data, and where each resource's id is.
regional := [
	{"kind": "aws.rds.DescribeDBInstances", "path": ["DBInstanceArn"]},
	{"kind": "aws.rds.DescribeDBClusters", "path": ["DBClusterArn"]},
	{"kind": "aws.rds.DescribeDBSnapshots", "path": ["DBSnapshotArn"]},
	{"kind": "aws.rds.DescribeDBClusterSnapshots", "path": ["DBClusterSnapshotArn"]},
	{"kind": "aws.rds.DescribeDBInstanceAutomatedBackups", "path": ["DBInstanceAutomatedBackupsArn"]},
	{"kind": "aws.dynamodb.DescribeTable", "path": ["Table", "TableArn"]},
	{"kind": "aws.ec2.DescribeVolumes", "path": ["VolumeId"]},
	{"kind": "aws.ec2.DescribeSnapshots", "path": ["SnapshotId"]},
	{"kind": "aws.backup.ListRecoveryPointsByBackupVault", "path": ["RecoveryPointArn"]},
	{"kind": "aws.logs.DescribeLogGroups", "path": ["LogGroupArn"]},
]

# Log groups and automated backups have rules of their own below.
special := {"aws.logs.DescribeLogGroups", "aws.rds.DescribeDBInstanceAutomatedBackups"}

resources contains {"ref": lib.row_ref(r.item, r.index), "id": object.get(r.row, spec.path, "unknown"), "region": r.item.scope.region} if {
	some spec in regional
	not spec.kind in special
	some r in lib.rows(spec.kind)
	not r.row.Gone == true # deleted between list and describe: nothing of it is stored
}

# An automated backup is named by its ARN; where the answer carries none (moto's), by the
# instance it backs up, so it is still judged.
resources contains {"ref": lib.row_ref(r.item, r.index), "id": backup_id(r), "region": r.item.scope.region} if {
	some r in lib.rows("aws.rds.DescribeDBInstanceAutomatedBackups")
}

backup_id(r) := r.row.DBInstanceAutomatedBackupsArn if is_string(r.row.DBInstanceAutomatedBackupsArn)

backup_id(r) := sprintf("automated backups of %s (%s/%s)", [object.get(r.row, "DBInstanceIdentifier", "unknown"), r.item.scope.account, r.item.scope.region]) if {
	not is_string(r.row.DBInstanceAutomatedBackupsArn)
}

# Log groups holding customer data, by their tags (indexed once by ARN).
p := input.control.parameters

log_tags := {r.row.LogGroupArn: object.get(r.row, "Tags", {}) |
	some r in lib.rows("aws.logs.ListTagsForResource")
	not r.row.Gone == true
}

customer_log_group(arn) if {
	not arn in object.keys(log_tags)
}

customer_log_group(arn) if object.get(log_tags, [arn, p.data_class_tag], "") in {c | some c in p.customer_data_classes}

resources contains {"ref": lib.row_ref(r.item, r.index), "id": r.row.LogGroupArn, "region": r.item.scope.region} if {
	some r in lib.rows("aws.logs.DescribeLogGroups")
	customer_log_group(r.row.LogGroupArn)
}

findings contains lib.pass("log_group_not_customer_data", {"resource": r.row.LogGroupArn, "region": r.item.scope.region, "tag": p.data_class_tag, "class": object.get(log_tags, [r.row.LogGroupArn, p.data_class_tag], "—")}, r.row.LogGroupArn, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.logs.DescribeLogGroups")
	not customer_log_group(r.row.LogGroupArn)
}

# Buckets are listed globally; their region is what GetBucketLocation said (an empty answer
# means us-east-1, already spelled out by the collector).
resources contains {"ref": lib.row_ref(r.item, r.index), "id": sprintf("arn:aws:s3:::%s", [r.row.Bucket]), "region": r.row.Region} if {
	some r in lib.rows("aws.s3.GetBucketLocation")
}

params(res) := {"resource": res.id, "region": res.region, "allowed": sort(allowed)}

findings contains lib.pass("in_allowed_region", params(res), res.id, res.ref) if {
	some res in resources
	res.region in allowed
}

findings contains lib.pass("outside_region_notified", object.union(params(res), {"changes": notices_for(res.region)}), res.id, res.ref) if {
	some res in resources
	not res.region in allowed
	res.region in notified_regions
}

findings contains lib.fail("outside_allowed_region", params(res), res.id, res.ref) if {
	some res in resources
	not res.region in allowed
	not res.region in notified_regions
}

# Advance notices of data stored in a region: [region, change id].
notices contains [region, r.row.change_id] if {
	some r in lib.rows("service.changes")
	r.row.kind == "data_location"
	is_string(r.row.notified_at)
	service.ns(r.row.notified_at) <= service.ns(r.row.effective_at)
	service.ns(r.row.effective_at) <= lib.now_ns
	some region in object.get(r.row, "regions", [])
}

notified_regions := {region | some [region, _] in notices}

notices_for(region) := sort([id | some [r, id] in notices; r == region])

# Each enabled region of each account must have been inspected for every regional kind. Both
# lookups read an index built once (a scan of every region row or item per account, region and
# kind grows with the square of the estate).
region_rows_by_account := {account: group |
	some account in {k |
		some r in lib.rows("aws.ec2.DescribeRegions")
		k := r.item.scope.account
	}
	group := {r |
		some r in lib.rows("aws.ec2.DescribeRegions")
		r.item.scope.account == account
	}
}

region_rows(account) := object.get(region_rows_by_account, [account], set())

inspected_kinds contains [item.scope.account, item.scope.region, spec.kind] if {
	some spec in regional
	some item in lib.items(spec.kind)
}

inspected(account, region, kind) if [account, region, kind] in inspected_kinds

findings contains lib.fail("region_not_inspected", {"account": account, "region": r.row.RegionName, "kind": spec.kind}, sprintf("%s/%s", [account, r.row.RegionName]), lib.row_ref(r.item, r.index)) if {
	some account in aws.accounts
	some r in region_rows(account)
	r.row.RegionName in aws.enabled_regions(account)
	some spec in regional
	not inspected(account, r.row.RegionName, spec.kind)
}

findings contains lib.pass("regions_inspected", p, account, lib.whole_ref(item)) if {
	some item in lib.items("aws.ec2.DescribeRegions")
	account := item.scope.account
	enabled := aws.enabled_regions(account)
	p := {
		"account": account,
		"enabled": count(enabled),
		"not_enabled": (count(item.data) - count(enabled)) - count(aws.denied_regions(account)),
		"denied_as_declared": sort(aws.denied_regions(account)),
	}
}
