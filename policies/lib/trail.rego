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
