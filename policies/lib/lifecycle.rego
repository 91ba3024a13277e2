# When S3 lifecycle rules erase the objects under a prefix of a bucket (LOG-03, TMP-01).
#
# A rule counts for the objects under a prefix only when it applies to all of them: it is
# enabled, its prefix (Filter.Prefix, Filter.And.Prefix or the legacy top-level Prefix; none
# means the whole bucket) is a prefix of theirs, and it is not narrowed by a tag or an object
# size, which leave the other objects untouched.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-filters.html
#
# In a versioned bucket (versioning Enabled or Suspended) Expiration does not erase anything: it
# adds a delete marker and the data stays as a noncurrent version until a
# NoncurrentVersionExpiration removes it NoncurrentDays after it became noncurrent. The data is
# therefore erased Days + NoncurrentDays after it was written, and never without a
# NoncurrentVersionExpiration. One with NewerNoncurrentVersions keeps that many noncurrent
# versions whatever their age, so it does not erase them either.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html
# https://docs.aws.amazon.com/AmazonS3/latest/API/API_NoncurrentVersionExpiration.html
package shoko.aws.lifecycle

import data.shoko.aws
import data.shoko.lib

# The lifecycle and versioning answers by bucket, indexed once.
lifecycle_by_bucket := {bucket: group |
	some bucket in {r.row.Bucket | some r in lib.rows("aws.s3.GetBucketLifecycleConfiguration")}
	group := [r | some r in lib.rows("aws.s3.GetBucketLifecycleConfiguration"); r.row.Bucket == bucket]
}

versioning_by_bucket := {bucket: group |
	some bucket in {r.row.Bucket | some r in lib.rows("aws.s3.GetBucketVersioning")}
	group := [r | some r in lib.rows("aws.s3.GetBucketVersioning"); r.row.Bucket == bucket]
}

rules(bucket) := [rule |
	some r in object.get(lifecycle_by_bucket, [bucket], [])
	some rule in aws.tags_of(object.get(r.row, "Rules", []))
]

# unversioned holds for a bucket whose GetBucketVersioning answer has no Status: versioning was
# never enabled. Enabled or Suspended (a suspended bucket keeps the noncurrent versions written
# while it was enabled) is versioned, and so is a bucket whose versioning is not in the evidence:
# fail closed, its noncurrent versions must be shown to be erased.
unversioned(bucket) if {
	some r in object.get(versioning_by_bucket, [bucket], [])
	not object.get(r.row, "Status", null) in {"Enabled", "Suspended"}
}

versioned(bucket) if not unversioned(bucket)

str(x) := x if is_string(x)

str(x) := "" if not is_string(x)

unset(x) if x == null

unset(x) if {
	is_array(x)
	count(x) == 0
}

# rule_prefix is the prefix a rule applies to, undefined when a tag or a size narrows it.
rule_prefix(rule) := str(object.get(rule, "Prefix", "")) if object.get(rule, "Filter", null) == null

rule_prefix(rule) := str(f.Prefix) if {
	f := rule.Filter
	f != null
	object.get(f, "And", null) == null
	unset(object.get(f, "Tag", null))
	unset(object.get(f, "ObjectSizeGreaterThan", null))
	unset(object.get(f, "ObjectSizeLessThan", null))
}

rule_prefix(rule) := str(a.Prefix) if {
	a := rule.Filter.And
	a != null
	unset(object.get(a, "Tags", null))
	unset(object.get(a, "ObjectSizeGreaterThan", null))
	unset(object.get(a, "ObjectSizeLessThan", null))
}

# covers holds when an enabled rule applies to every object under prefix.
covers(rule, prefix) if {
	rule.Status == "Enabled"
	startswith(prefix, rule_prefix(rule))
}

# expiration_days are the Expiration.Days of the rules covering prefix.
expiration_days(bucket, prefix) := [d |
	some rule in rules(bucket)
	covers(rule, prefix)
	d := object.get(rule, ["Expiration", "Days"], null)
	is_number(d)
]

# noncurrent_days are the NoncurrentDays of the rules covering prefix that erase every
# noncurrent version.
noncurrent_days(bucket, prefix) := [d |
	some rule in rules(bucket)
	covers(rule, prefix)
	nve := object.get(rule, "NoncurrentVersionExpiration", null)
	is_object(nve)
	d := object.get(nve, "NoncurrentDays", null)
	is_number(d)
	not keeps_newer(nve)
]

keeps_newer(nve) if {
	n := object.get(nve, "NewerNoncurrentVersions", null)
	is_number(n)
	n > 0
}

# erase_days is how many days after it is written an object under prefix is erased at the latest;
# undefined when nothing erases it (see why_kept).
erase_days(bucket, prefix) := min(expiration_days(bucket, prefix)) if {
	not versioned(bucket)
	count(expiration_days(bucket, prefix)) > 0
}

erase_days(bucket, prefix) := min(expiration_days(bucket, prefix)) + min(noncurrent_days(bucket, prefix)) if {
	versioned(bucket)
	count(expiration_days(bucket, prefix)) > 0
	count(noncurrent_days(bucket, prefix)) > 0
}

# why_kept says why an object under prefix is never erased: no expiration rule covers it, or
# the bucket is versioned and no rule erases noncurrent versions.
why_kept(bucket, prefix) := "no_expiration" if {
	count(expiration_days(bucket, prefix)) == 0
} else := "versions_kept" if {
	versioned(bucket)
	count(noncurrent_days(bucket, prefix)) == 0
}
