# RED-01: load is balanced over several servers and machine images are ready for replication.
#
# Each load balancer in a service VPC spans at least min_azs availability zones and has at
# least min_healthy_targets healthy targets in at least min_azs zones; each service auto scaling
# group's launch template names an AMI of ours that exists and is available.
package shoko.controls.red_01

import data.shoko.aws
import data.shoko.aws.trail
import data.shoko.lib

p := input.control.parameters

service_vpc_ids := {v.row.VpcId | some v in trail.service_vpcs(p.service_tag)}

lbs contains r if {
	some r in lib.rows("aws.elbv2.DescribeLoadBalancers")
	r.row.VpcId in service_vpc_ids
}

# Indexes built once (scanning a whole kind per load balancer, target or launch template would
# be quadratic): instance zones by instance id, target groups by load balancer, target health
# by target group, AMIs by launch template, and the available AMIs.
instance_zones := {id: group |
	some id in {k |
		some r in lib.rows("aws.ec2.DescribeInstances")
		az := r.row.Placement.AvailabilityZone
		k := r.row.InstanceId
	}
	group := {az |
		some r in lib.rows("aws.ec2.DescribeInstances")
		az := r.row.Placement.AvailabilityZone
		r.row.InstanceId == id
	}
}

groups_by_lb := {lb_arn: group |
	some lb_arn in {k |
		some g in lib.rows("aws.elbv2.DescribeTargetGroups")
		some k in aws.tags_of(g.row.LoadBalancerArns)
	}
	group := {g |
		some g in lib.rows("aws.elbv2.DescribeTargetGroups")
		some k in aws.tags_of(g.row.LoadBalancerArns)
		k == lb_arn
	}
}

health_by_group := {arn: group |
	some arn in {k |
		some h in lib.rows("aws.elbv2.DescribeTargetHealth")
		k := h.row.TargetGroupArn
	}
	group := {h |
		some h in lib.rows("aws.elbv2.DescribeTargetHealth")
		h.row.TargetGroupArn == arn
	}
}

images_by_template := {lt_id: group |
	some lt_id in {k |
		some v in lib.rows("aws.ec2.DescribeLaunchTemplateVersions")
		k := v.row.LaunchTemplateId
	}
	group := {v.row.LaunchTemplateData.ImageId |
		some v in lib.rows("aws.ec2.DescribeLaunchTemplateVersions")
		v.row.LaunchTemplateId == lt_id
	}
}

available_images contains r.row.ImageId if {
	some r in lib.rows("aws.ec2.DescribeImages")
	r.row.State == "available"
}

instance_az(id) := az if {
	some az in object.get(instance_zones, [id], set())
}

healthy(lb_arn) := {[t.Target.Id, az] |
	some g in object.get(groups_by_lb, [lb_arn], set())
	some h in object.get(health_by_group, [g.row.TargetGroupArn], set())
	some t in aws.tags_of(h.row.TargetHealthDescriptions)
	t.TargetHealth.State == "healthy"
	az := target_az(t.Target)
}

target_az(target) := target.AvailabilityZone if is_string(target.AvailabilityZone)

target_az(target) := instance_az(target.Id) if not is_string(target.AvailabilityZone)

lb_params(r) := {
	"load_balancer": r.row.LoadBalancerName,
	"zones": count(r.row.AvailabilityZones),
	"healthy": count(healthy(r.row.LoadBalancerArn)),
	"healthy_zones": count({az | some [_, az] in healthy(r.row.LoadBalancerArn)}),
	"min_azs": p.min_azs,
	"min_healthy": p.min_healthy_targets,
}

lb_ok(q) if {
	q.zones >= p.min_azs
	q.healthy >= p.min_healthy_targets
	q.healthy_zones >= p.min_azs
}

findings contains lib.pass("lb_redundant", lb_params(r), r.row.LoadBalancerArn, lib.row_ref(r.item, r.index)) if {
	some r in lbs
	lb_ok(lb_params(r))
}

findings contains lib.fail("lb_not_redundant", lb_params(r), r.row.LoadBalancerArn, lib.row_ref(r.item, r.index)) if {
	some r in lbs
	not lb_ok(lb_params(r))
}

findings contains lib.fail("no_service_load_balancer", {"tag": p.service_tag}, "elbv2", lib.whole_ref(aws.first_item("aws.elbv2.DescribeLoadBalancers"))) if {
	count(lbs) == 0
}

# Auto scaling groups: the template version the group launches names an available AMI.
asgs contains r if {
	some r in lib.rows("aws.autoscaling.DescribeAutoScalingGroups")
	aws.tag_value(r.row.Tags, p.service_tag) != ""
}

template_images(lt) := {ami | some ami in object.get(images_by_template, [lt.LaunchTemplateId], set())}

available(ami) if ami in available_images

asg_params(r, images) := {"group": r.row.AutoScalingGroupName, "images": sort(images)}

findings contains lib.pass("image_ready", asg_params(r, imgs), r.row.AutoScalingGroupARN, lib.row_ref(r.item, r.index)) if {
	some r in asgs
	imgs := template_images(r.row.LaunchTemplate)
	count(imgs) > 0
	every ami in imgs {
		available(ami)
	}
}

findings contains lib.fail("image_missing", asg_params(r, imgs), r.row.AutoScalingGroupARN, lib.row_ref(r.item, r.index)) if {
	some r in asgs
	imgs := template_images(object.get(r.row, "LaunchTemplate", {"LaunchTemplateId": ""}))
	some ami in imgs
	not available(ami)
}

findings contains lib.fail("no_launch_template", asg_params(r, set()), r.row.AutoScalingGroupARN, lib.row_ref(r.item, r.index)) if {
	some r in asgs
	count(template_images(object.get(r.row, "LaunchTemplate", {"LaunchTemplateId": ""}))) == 0
}
