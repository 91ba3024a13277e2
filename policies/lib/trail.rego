# Shared rules about CloudTrail trails and flow logs (LOG-01, LOG-04, EVD-01, RST-01).
package shoko.aws.trail

import data.shoko.aws
import data.shoko.lib

trails contains r if some r in lib.rows("aws.cloudtrail.DescribeTrails")

# Every lookup below (by trail ARN, VPC id, bucket) reads an index built once over its kind:
# scanning a whole kind for each trail, VPC or bucket would be quadratic.
statuses := {arn: group |
	some arn in {k |
		some s in lib.rows("aws.cloudtrail.GetTrailStatus")
		k := s.row.TrailARN
	}
	group := {s.row |
		some s in lib.rows("aws.cloudtrail.GetTrailStatus")
		s.row.TrailARN == arn
	}
}

selectors := {arn: group |
	some arn in {k |
		some s in lib.rows("aws.cloudtrail.GetEventSelectors")
		k := s.row.TrailARN
	}
	group := {s |
		some s in lib.rows("aws.cloudtrail.GetEventSelectors")
		s.row.TrailARN == arn
	}
}

active_flow_logs := {vpc_id: group |
	some vpc_id in {k |
		some r in lib.rows("aws.ec2.DescribeFlowLogs")
		r.row.FlowLogStatus == "ACTIVE"
		k := r.row.ResourceId
	}
	group := {r |
		some r in lib.rows("aws.ec2.DescribeFlowLogs")
		r.row.FlowLogStatus == "ACTIVE"
		r.row.ResourceId == vpc_id
	}
}

lifecycle_rows := {bucket: group |
	some bucket in {k |
		some r in lib.rows("aws.s3.GetBucketLifecycleConfiguration")
		k := r.row.Bucket
	}
	group := {r |
		some r in lib.rows("aws.s3.GetBucketLifecycleConfiguration")
		r.row.Bucket == bucket
	}
}

status(arn) := s if {
	some s in object.get(statuses, [arn], set())
}

logging(arn) if status(arn).IsLogging == true

# management_rw holds when a trail records management events, both read and write.
management_rw(arn) if {
	some s in object.get(selectors, [arn], set())
	some es in aws.tags_of(s.row.EventSelectors)
	es.IncludeManagementEvents == true
	es.ReadWriteType == "All"
}

# Advanced selectors: a selector on eventCategory = Management with no readOnly filter.
management_rw(arn) if {
	some s in object.get(selectors, [arn], set())
	some a in aws.tags_of(s.row.AdvancedEventSelectors)
	some f in a.FieldSelectors
	f.Field == "eventCategory"
	"Management" in f.Equals
	every g in a.FieldSelectors {
		g.Field != "readOnly"
	}
}

# management_write holds when write management events are recorded (restores are writes).
management_write(arn) if management_rw(arn)

management_write(arn) if {
	some s in object.get(selectors, [arn], set())
	some es in aws.tags_of(s.row.EventSelectors)
	es.IncludeManagementEvents == true
	es.ReadWriteType == "WriteOnly"
}

# service_vpcs are the VPCs tagged service_tag (any value).
service_vpcs(service_tag) := {r |
	some r in lib.rows("aws.ec2.DescribeVpcs")
	aws.tag_value(r.row.Tags, service_tag) != ""
}

active_flow_log(vpc_id) := r if {
	some r in object.get(active_flow_logs, [vpc_id], set())
}

# trail_buckets are the buckets trails deliver to.
trail_buckets := {t.row.S3BucketName | some t in trails}

# expirations of a bucket's enabled lifecycle rules (days).
expirations(bucket) := [d |
	some r in object.get(lifecycle_rows, [bucket], set())
	some rule in aws.tags_of(object.get(r.row, "Rules", []))
	rule.Status == "Enabled"
	d := rule.Expiration.Days
	is_number(d)
]

lifecycle_row(bucket) := r if {
	some r in object.get(lifecycle_rows, [bucket], set())
}

# Trails are judged per account. A trail counts for the account whose evidence lists it when it
# is that account's own trail, or an organization trail (IsOrganizationTrail), which logs every
# member account of its organization and is listed in their DescribeTrails answers (with
# includeShadowTrails, the collector's setting). No other account's trail counts.
# https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html
# https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
trail_accounts := {it.scope.account | some it in lib.items("aws.cloudtrail.DescribeTrails")}

arn_account(arn) := split(arn, ":")[4]

counts_for(t) if arn_account(t.row.TrailARN) == t.item.scope.account

counts_for(t) if t.row.IsOrganizationTrail == true

# The trails that count for each account, indexed once.
trails_by_account := {account: group |
	some account in trail_accounts
	group := {t | some t in trails; t.item.scope.account == account; counts_for(t)}
}

trails_of(account) := object.get(trails_by_account, [account], set())

# trails_item is the account's DescribeTrails item (its first region's): where a finding about
# an account without a trail points.
trails_item(account) := it if {
	its := [i | some i in lib.items("aws.cloudtrail.DescribeTrails"); i.scope.account == account]
	keys := sort([aws.item_key(i) | some i in its])
	some it in its
	aws.item_key(it) == keys[0]
}
