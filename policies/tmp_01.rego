# TMP-01: temporary files are deleted within max_business_days Japanese business days: each
# configured temporary bucket has an enabled expiration rule of at most max_expiration_days
# days, and no object in it is older than max_business_days business days.
package shoko.controls.tmp_01

import data.shoko.aws
import data.shoko.aws.trail
import data.shoko.lib

p := input.control.parameters

listings contains r if some r in lib.rows("aws.s3.ListObjectsV2")

bucket_arn(b) := sprintf("arn:aws:s3:::%s", [b])

findings contains lib.pass("expiration_set", {"bucket": l.row.Bucket, "days": min(trail.expirations(l.row.Bucket)), "max_days": p.max_expiration_days}, bucket_arn(l.row.Bucket), lib.row_ref(l.item, l.index)) if {
	some l in listings
	count(trail.expirations(l.row.Bucket)) > 0
	min(trail.expirations(l.row.Bucket)) <= p.max_expiration_days
}

findings contains lib.fail("expiration_too_long", {"bucket": l.row.Bucket, "days": min(trail.expirations(l.row.Bucket)), "max_days": p.max_expiration_days}, bucket_arn(l.row.Bucket), lib.row_ref(l.item, l.index)) if {
	some l in listings
	count(trail.expirations(l.row.Bucket)) > 0
	min(trail.expirations(l.row.Bucket)) > p.max_expiration_days
}

findings contains lib.fail("no_expiration", {"bucket": l.row.Bucket, "max_days": p.max_expiration_days}, bucket_arn(l.row.Bucket), lib.row_ref(l.item, l.index)) if {
	some l in listings
	count(trail.expirations(l.row.Bucket)) == 0
}

findings contains lib.fail("object_too_old", {"bucket": l.row.Bucket, "key": o.Key, "business_days": d, "max_business_days": p.max_business_days}, sprintf("s3://%s/%s", [l.row.Bucket, o.Key]), lib.ref(l.item, sprintf("/data/%d/Contents/%d", [l.index, i]))) if {
	some l in listings
	some i, o in aws.tags_of(l.row.Contents)
	d := shoko.business_days_between(o.LastModified, input.run.now)
	d > p.max_business_days
}

findings contains lib.pass("objects_fresh", {"bucket": l.row.Bucket, "objects": count(aws.tags_of(l.row.Contents)), "max_business_days": p.max_business_days}, bucket_arn(l.row.Bucket), lib.row_ref(l.item, l.index)) if {
	some l in listings
	every o in aws.tags_of(l.row.Contents) {
		shoko.business_days_between(o.LastModified, input.run.now) <= p.max_business_days
	}
}

# No temporary bucket configured: nothing to check, said so.
findings contains lib.not_applicable("no_temp_buckets", {}, "s3") if count(listings) == 0
