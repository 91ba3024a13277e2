# LOG-03: logs containing customer data are erased within max_retention_days: every log group
# has a retention set (CloudWatch's default, never expire, fails) of at most that many days,
# and every trail bucket erases the trail's log files within it: an enabled lifecycle rule
# covering the log prefix expires them and, in a versioned bucket, one erases noncurrent
# versions (the deadline is then Days + NoncurrentDays).
package shoko.controls.log_03

import data.shoko.aws
import data.shoko.aws.lifecycle
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

# The objects in question are the trails' log files: CloudTrail writes them under
# [S3KeyPrefix/]AWSLogs/ (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html).
# A lifecycle rule counts only when it covers that prefix, and in a versioned bucket only with
# a NoncurrentVersionExpiration (see lib/lifecycle.rego).
log_prefixes contains [t.row.S3BucketName, log_prefix(t.row)] if some t in trail.trails

log_prefix(row) := "AWSLogs/" if str(object.get(row, "S3KeyPrefix", "")) == ""

log_prefix(row) := sprintf("%s/AWSLogs/", [row.S3KeyPrefix]) if str(object.get(row, "S3KeyPrefix", "")) != ""

str(x) := x if is_string(x)

str(x) := "" if not is_string(x)

bucket_params(b, prefix) := {"bucket": b, "prefix": prefix, "max_days": max_days}

findings contains lib.fail("bucket_never_expires", bucket_params(b, prefix), sprintf("arn:aws:s3:::%s", [b]), bucket_ref(b)) if {
	some [b, prefix] in log_prefixes
	lifecycle.why_kept(b, prefix) == "no_expiration"
}

findings contains lib.fail("bucket_versions_kept", bucket_params(b, prefix), sprintf("arn:aws:s3:::%s", [b]), bucket_ref(b)) if {
	some [b, prefix] in log_prefixes
	lifecycle.why_kept(b, prefix) == "versions_kept"
}

findings contains lib.fail("bucket_kept_too_long", object.union(bucket_params(b, prefix), {"days": d}), sprintf("arn:aws:s3:::%s", [b]), bucket_ref(b)) if {
	some [b, prefix] in log_prefixes
	d := lifecycle.erase_days(b, prefix)
	d > max_days
}

findings contains lib.pass("bucket_erased_in_time", object.union(bucket_params(b, prefix), {"days": d}), sprintf("arn:aws:s3:::%s", [b]), bucket_ref(b)) if {
	some [b, prefix] in log_prefixes
	d := lifecycle.erase_days(b, prefix)
	d <= max_days
}

findings contains lib.fail("no_logs", {}, "logs", lib.whole_ref(aws.first_item("aws.logs.DescribeLogGroups"))) if {
	count(lib.rows("aws.logs.DescribeLogGroups")) + count(trail.trail_buckets) == 0
}

# A trail bucket this account cannot see (another account's) cannot be shown to expire logs.
findings contains lib.fail("bucket_unknown", {"bucket": b}, sprintf("arn:aws:s3:::%s", [b]), lib.whole_ref(aws.first_item("aws.s3.GetBucketLifecycleConfiguration"))) if {
	some b in trail.trail_buckets
	not trail.lifecycle_row(b)
}
