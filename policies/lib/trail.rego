# Shared rules about CloudTrail trails and flow logs (LOG-01, LOG-04, EVD-01, RST-01).
package shoko.aws.trail

import data.shoko.aws
import data.shoko.lib

trails contains r if some r in lib.rows("aws.cloudtrail.DescribeTrails")

# Every lookup below (by trail ARN, VPC id, bucket) reads an index built once over its kind:
# scanning a whole kind for each trail, VPC or bucket would be quadratic.
statuses[arn] contains s.row if {
	some s in lib.rows("aws.cloudtrail.GetTrailStatus")
	arn := s.row.TrailARN
}

selectors[arn] contains s if {
	some s in lib.rows("aws.cloudtrail.GetEventSelectors")
	arn := s.row.TrailARN
}

active_flow_logs[vpc_id] contains r if {
	some r in lib.rows("aws.ec2.DescribeFlowLogs")
	r.row.FlowLogStatus == "ACTIVE"
	vpc_id := r.row.ResourceId
}

lifecycle_rows[bucket] contains r if {
	some r in lib.rows("aws.s3.GetBucketLifecycleConfiguration")
	bucket := r.row.Bucket
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
