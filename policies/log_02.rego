# LOG-02: logs are kept at least min_retention_days: every CloudWatch log group keeps at least
# that long (no retentionInDays means never expire, which keeps them), and no enabled lifecycle
# rule of a trail bucket expires logs sooner.
package shoko.controls.log_02

import data.shoko.aws
import data.shoko.aws.trail
import data.shoko.lib

min_days := input.control.parameters.min_retention_days

retention(row) := object.get(row, "RetentionInDays", null)

findings contains lib.pass("group_kept", {"group": r.row.LogGroupName, "days": retention(r.row), "min_days": min_days}, r.row.LogGroupArn, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.logs.DescribeLogGroups")
	retention(r.row) == null
}

findings contains lib.pass("group_kept", {"group": r.row.LogGroupName, "days": retention(r.row), "min_days": min_days}, r.row.LogGroupArn, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.logs.DescribeLogGroups")
	retention(r.row) >= min_days
}

findings contains lib.fail("group_too_short", {"group": r.row.LogGroupName, "days": retention(r.row), "min_days": min_days}, r.row.LogGroupArn, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.logs.DescribeLogGroups")
	retention(r.row) != null
	retention(r.row) < min_days
}

findings contains lib.fail("bucket_expires_early", {"bucket": b, "days": min(trail.expirations(b)), "min_days": min_days}, sprintf("arn:aws:s3:::%s", [b]), lib.row_ref(r.item, r.index)) if {
	some b in trail.trail_buckets
	r := trail.lifecycle_row(b)
	count(trail.expirations(b)) > 0
	min(trail.expirations(b)) < min_days
}

findings contains lib.pass("bucket_kept", {"bucket": b, "min_days": min_days}, sprintf("arn:aws:s3:::%s", [b]), lib.row_ref(r.item, r.index)) if {
	some b in trail.trail_buckets
	r := trail.lifecycle_row(b)
	every d in trail.expirations(b) {
		d >= min_days
	}
}

findings contains lib.fail("no_logs", {}, "logs", lib.whole_ref(aws.first_item("aws.logs.DescribeLogGroups"))) if {
	count(lib.rows("aws.logs.DescribeLogGroups")) + count(trail.trail_buckets) == 0
}

findings contains lib.fail("bucket_unknown", {"bucket": b}, sprintf("arn:aws:s3:::%s", [b]), lib.whole_ref(aws.first_item("aws.s3.GetBucketLifecycleConfiguration"))) if {
	some b in trail.trail_buckets
	not trail.lifecycle_row(b)
}
