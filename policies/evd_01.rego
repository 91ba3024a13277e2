# EVD-01: logs are kept as digital evidence: every trail validates its log files, and the
# bucket it delivers to has Object Lock enabled (or, when accept_versioning is true,
# versioning enabled), so delivered logs cannot be silently altered or removed.
package shoko.controls.evd_01

import data.shoko.aws
import data.shoko.aws.trail
import data.shoko.lib

p := input.control.parameters

findings contains lib.pass("validation_on", {"trail": t.row.Name}, t.row.TrailARN, lib.row_ref(t.item, t.index)) if {
	some t in trail.trails
	t.row.LogFileValidationEnabled == true
}

findings contains lib.fail("validation_off", {"trail": t.row.Name}, t.row.TrailARN, lib.row_ref(t.item, t.index)) if {
	some t in trail.trails
	t.row.LogFileValidationEnabled != true
}

findings contains lib.fail("no_trail", {}, "cloudtrail", lib.whole_ref(aws.first_item("aws.cloudtrail.DescribeTrails"))) if {
	count(trail.trails) == 0
}

# The Object Lock and versioning answers by bucket, each indexed once (not scanned per bucket).
lock_rows := {b: group |
	some b in {k |
		some r in lib.rows("aws.s3.GetObjectLockConfiguration")
		k := r.row.Bucket
	}
	group := {r |
		some r in lib.rows("aws.s3.GetObjectLockConfiguration")
		r.row.Bucket == b
	}
}

versioning_rows := {b: group |
	some b in {k |
		some r in lib.rows("aws.s3.GetBucketVersioning")
		k := r.row.Bucket
	}
	group := {r |
		some r in lib.rows("aws.s3.GetBucketVersioning")
		r.row.Bucket == b
	}
}

lock_row(b) := r if {
	some r in object.get(lock_rows, [b], set())
}

versioning_row(b) := r if {
	some r in object.get(versioning_rows, [b], set())
}

locked(b) if lock_row(b).row.ObjectLockConfiguration.ObjectLockEnabled == "Enabled"

versioned(b) if {
	p.accept_versioning == true
	versioning_row(b).row.Status == "Enabled"
}

findings contains lib.pass("bucket_locked", {"bucket": b}, sprintf("arn:aws:s3:::%s", [b]), lib.row_ref(r.item, r.index)) if {
	some b in trail.trail_buckets
	r := lock_row(b)
	locked(b)
}

findings contains lib.pass("bucket_versioned", {"bucket": b}, sprintf("arn:aws:s3:::%s", [b]), lib.row_ref(r.item, r.index)) if {
	some b in trail.trail_buckets
	not locked(b)
	versioned(b)
	r := versioning_row(b)
}

findings contains lib.fail("bucket_unprotected", {"bucket": b}, sprintf("arn:aws:s3:::%s", [b]), lib.row_ref(r.item, r.index)) if {
	some b in trail.trail_buckets
	r := lock_row(b)
	not locked(b)
	not versioned(b)
}

findings contains lib.fail("bucket_unknown", {"bucket": b}, sprintf("arn:aws:s3:::%s", [b]), lib.whole_ref(aws.first_item("aws.s3.GetObjectLockConfiguration"))) if {
	some b in trail.trail_buckets
	not lock_row(b)
}
