# TMP-01: temporary files are deleted within max_business_days Japanese business days: each
# configured temporary bucket/prefix is erased by lifecycle rules covering that prefix within
# max_expiration_days days (in a versioned bucket, expiration plus noncurrent-version
# expiration), and no object in it, current or noncurrent version, is older than
# max_business_days business days.
package shoko.controls.tmp_01

import data.shoko.aws
import data.shoko.aws.lifecycle
import data.shoko.lib

p := input.control.parameters

listings contains r if some r in lib.rows("aws.s3.ListObjectsV2")

bucket_arn(b) := sprintf("arn:aws:s3:::%s", [b])

prefix(l) := object.get(l.row, "Prefix", "")

erase_params(l, d) := {"bucket": l.row.Bucket, "prefix": prefix(l), "days": d, "max_days": p.max_expiration_days}

# The erase deadline counts only rules that cover the temporary prefix and, in a versioned bucket,
# adds the noncurrent versions' NoncurrentDays (see lib/lifecycle.rego).
findings contains lib.pass("expiration_set", erase_params(l, d), bucket_arn(l.row.Bucket), lib.row_ref(l.item, l.index)) if {
	some l in listings
	d := lifecycle.erase_days(l.row.Bucket, prefix(l))
	d <= p.max_expiration_days
}

findings contains lib.fail("expiration_too_long", erase_params(l, d), bucket_arn(l.row.Bucket), lib.row_ref(l.item, l.index)) if {
	some l in listings
	d := lifecycle.erase_days(l.row.Bucket, prefix(l))
	d > p.max_expiration_days
}

findings contains lib.fail("no_expiration", {"bucket": l.row.Bucket, "prefix": prefix(l), "max_days": p.max_expiration_days}, bucket_arn(l.row.Bucket), lib.row_ref(l.item, l.index)) if {
	some l in listings
	lifecycle.why_kept(l.row.Bucket, prefix(l)) == "no_expiration"
}

findings contains lib.fail("versions_kept", {"bucket": l.row.Bucket, "prefix": prefix(l), "max_days": p.max_expiration_days}, bucket_arn(l.row.Bucket), lib.row_ref(l.item, l.index)) if {
	some l in listings
	lifecycle.why_kept(l.row.Bucket, prefix(l)) == "versions_kept"
}

# Every stored copy counts: the current objects (Contents) and, in a versioned bucket, the
# noncurrent versions (NoncurrentVersions, from ListObjectVersions), each dated by when it
# was written.
copies(l) := array.concat(
	[{"o": o, "pointer": sprintf("/data/%d/Contents/%d", [l.index, i])} | some i, o in aws.tags_of(l.row.Contents)],
	[{"o": o, "pointer": sprintf("/data/%d/NoncurrentVersions/%d", [l.index, i])} | some i, o in aws.tags_of(object.get(l.row, "NoncurrentVersions", []))],
)

findings contains lib.fail("object_too_old", {"bucket": l.row.Bucket, "key": c.o.Key, "business_days": d, "max_business_days": p.max_business_days}, sprintf("s3://%s/%s", [l.row.Bucket, c.o.Key]), lib.ref(l.item, c.pointer)) if {
	some l in listings
	some c in copies(l)
	d := shoko.business_days_between(c.o.LastModified, input.run.now)
	d > p.max_business_days
}

findings contains lib.pass("objects_fresh", {"bucket": l.row.Bucket, "objects": count(copies(l)), "max_business_days": p.max_business_days}, bucket_arn(l.row.Bucket), lib.row_ref(l.item, l.index)) if {
	some l in listings
	every c in copies(l) {
		shoko.business_days_between(c.o.LastModified, input.run.now) <= p.max_business_days
	}
}

# No temporary bucket configured: nothing to check, said so.
findings contains lib.not_applicable("no_temp_buckets", {}, "s3") if count(listings) == 0
