# LOG-03: logs containing customer data are erased within max_retention_days: every log group
# has a retention set (CloudWatch's default, never expire, fails) of at most that many days,
# and every trail bucket has an enabled expiration rule within it.
package shoko.controls.log_03

import data.shoko.aws
import data.shoko.aws.trail
import data.shoko.lib

max_days := input.control.parameters.max_retention_days

retention(row) := object.get(row, "RetentionInDays", null)

findings contains lib.fail("never_expires", {"group": r.row.LogGroupName, "max_days": max_days}, r.row.LogGroupArn, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.logs.DescribeLogGroups")
	retention(r.row) == null
}

findings contains lib.fail("kept_too_long", {"group": r.row.LogGroupName, "days": retention(r.row), "max_days": max_days}, r.row.LogGroupArn, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.logs.DescribeLogGroups")
	retention(r.row) != null
	retention(r.row) > max_days
}

findings contains lib.pass("erased_in_time", {"group": r.row.LogGroupName, "days": retention(r.row), "max_days": max_days}, r.row.LogGroupArn, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.logs.DescribeLogGroups")
	retention(r.row) != null
	retention(r.row) <= max_days
}

bucket_ref(b) := lib.row_ref(r.item, r.index) if r := trail.lifecycle_row(b)

findings contains lib.fail("bucket_never_expires", {"bucket": b, "max_days": max_days}, sprintf("arn:aws:s3:::%s", [b]), bucket_ref(b)) if {
	some b in trail.trail_buckets
	count(trail.expirations(b)) == 0
}

findings contains lib.fail("bucket_kept_too_long", {"bucket": b, "days": min(trail.expirations(b)), "max_days": max_days}, sprintf("arn:aws:s3:::%s", [b]), bucket_ref(b)) if {
	some b in trail.trail_buckets
	count(trail.expirations(b)) > 0
	min(trail.expirations(b)) > max_days
}

findings contains lib.pass("bucket_erased_in_time", {"bucket": b, "days": min(trail.expirations(b)), "max_days": max_days}, sprintf("arn:aws:s3:::%s", [b]), bucket_ref(b)) if {
	some b in trail.trail_buckets
	count(trail.expirations(b)) > 0
	min(trail.expirations(b)) <= max_days
}

findings contains lib.fail("no_logs", {}, "logs", lib.whole_ref(aws.first_item("aws.logs.DescribeLogGroups"))) if {
	count(lib.rows("aws.logs.DescribeLogGroups")) + count(trail.trail_buckets) == 0
}

# A trail bucket this account cannot see (another account's) cannot be shown to expire logs.
findings contains lib.fail("bucket_unknown", {"bucket": b}, sprintf("arn:aws:s3:::%s", [b]), lib.whole_ref(aws.first_item("aws.s3.GetBucketLifecycleConfiguration"))) if {
	some b in trail.trail_buckets
	not trail.lifecycle_row(b)
}
