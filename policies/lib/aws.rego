# Helpers for policies over AWS evidence (kinds aws.<service>.<Operation>; see docs/aws-evidence.md).
#
# Every AWS item has scope {"source": "aws", "account", "region"}; "global" is the region of
# account-wide answers. Data is an array of the API's own objects, field names as the SDK
# marshals them (DBInstanceArn, StorageEncrypted, TagList …).
package shoko.aws

import data.shoko.lib

# tags_of returns an AWS tag list ([{Key, Value}]) or an empty one when AWS gave none (null).
tags_of(tags) := tags if is_array(tags)

tags_of(tags) := [] if not is_array(tags)

# has_tag holds when a tag list carries key=value.
has_tag(tags, key, value) if {
	some t in tags_of(tags)
	t.Key == key
	t.Value == value
}

# tag_value is the value of a tag ("" when absent), for messages.
tag_value(tags, key) := v if {
	vs := [t.Value | some t in tags_of(tags); t.Key == key]
	count(vs) > 0
	v := vs[0]
}

tag_value(tags, key) := "" if {
	count([t | some t in tags_of(tags); t.Key == key]) == 0
}

# enabled_regions are the regions of an account AWS reports as enabled
# (opt-in-not-required or opted-in), from ec2:DescribeRegions(AllRegions), less the regions
# denied as declared (see denied_as_declared).
enabled_regions(account) := object.get(enabled_by_account, [account], set())

# denied_as_declared: the config declares the region closed (aws.denied_regions) and every call
# the collector made there was answered with a service control policy's explicit deny; the
# collector records both in the region's row. Nothing can be read or stored there.
denied_as_declared(row) if row.DeclaredDenied.DeniedBySCP == true

# denied_regions are an account's regions denied as declared.
denied_regions(account) := {r.row.RegionName |
	some r in lib.rows("aws.ec2.DescribeRegions")
	r.item.scope.account == account
	denied_as_declared(r.row)
}

# enabled_by_account indexes the enabled regions by account, once (not a scan per account).
enabled_by_account := {account: group |
	some account in {k |
		some r in lib.rows("aws.ec2.DescribeRegions")
		r.row.OptInStatus in {"opt-in-not-required", "opted-in"}
		not denied_as_declared(r.row)
		k := r.item.scope.account
	}
	group := {r.row.RegionName |
		some r in lib.rows("aws.ec2.DescribeRegions")
		r.row.OptInStatus in {"opt-in-not-required", "opted-in"}
		not denied_as_declared(r.row)
		r.item.scope.account == account
	}
}

# accounts are the accounts whose regions were listed.
accounts := {item.scope.account | some item in lib.items("aws.ec2.DescribeRegions")}

# first_item is one item of a kind, chosen the same way every run (smallest account, region,
# digest): the place a finding about an absence points at.
first_item(kind) := it if {
	its := lib.items(kind)
	keys := sort([item_key(i) | some i in its])
	some it in its
	item_key(it) == keys[0]
}

item_key(i) := sprintf("%s|%s|%s", [i.scope.account, i.scope.region, i.digest])

# age_ns is the exact time from an RFC 3339 time to the run's now, in nanoseconds. A limit in days
# is compared on it as that many 24-hour periods (max_days * lib.day_ns): a key 90 days and
# 5 hours old is over a 90-day limit.
age_ns(ts) := lib.now_ns - time.parse_rfc3339_ns(ts)

# age_days is that age in whole days for a message, rounded up so that it never contradicts the
# verdict against a maximum (90 days and 5 hours shows as 91, not as the limit it is over). Never
# compare it with a limit: compare age_ns.
age_days(ts) := ceil(age_ns(ts) / lib.day_ns)

# age_hours is the (fractional) number of hours from an RFC 3339 time to the run's now.
age_hours(ts) := (lib.now_ns - time.parse_rfc3339_ns(ts)) / ((60 * 60) * 1000000000)
