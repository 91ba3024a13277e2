# Shared rules of the backup controls (BAK-01, BAK-02, BAK-03): which resources carry a data
# class, which backup selections cover them, and whether their recovery points are there.
package shoko.aws.backup

import data.shoko.aws
import data.shoko.lib

# resources are the taggable data stores: RDS instances, Aurora and Multi-AZ DB clusters,
# DynamoDB tables, EBS volumes, buckets. "tags" are the resource's own (what a backup selection
# matches); "scope_tags" decide whether it holds a class of data.
#
# AWS Backup protects an Aurora cluster (and a Multi-AZ DB cluster) as a whole, by the cluster's
# ARN, never its instances: a clustered instance is judged through its cluster, which holds
# customer data when it or any of its instances is tagged so.
# https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-feature-availability.html
# https://docs.aws.amazon.com/aws-backup/latest/devguide/whatisbackup.html#supported-resources
resources contains {"id": r.row.DBInstanceArn, "tags": r.row.TagList, "scope_tags": aws.tags_of(r.row.TagList), "ref": lib.row_ref(r.item, r.index)} if {
	some r in lib.rows("aws.rds.DescribeDBInstances")
	not clustered(r)
}

resources contains {"id": r.row.DBClusterArn, "tags": r.row.TagList, "scope_tags": array.concat(aws.tags_of(r.row.TagList), member_tags(r)), "ref": lib.row_ref(r.item, r.index)} if {
	some r in lib.rows("aws.rds.DescribeDBClusters")
}

clustered(r) if {
	id := object.get(r.row, "DBClusterIdentifier", null)
	is_string(id)
	id != ""
}

# The tags of each cluster's instances, by account, region and cluster identifier, indexed once.
instance_tags_by_cluster := {key: tags |
	some key in {[r.item.scope.account, r.item.scope.region, r.row.DBClusterIdentifier] |
		some r in lib.rows("aws.rds.DescribeDBInstances")
		clustered(r)
	}
	tags := [t |
		some r in lib.rows("aws.rds.DescribeDBInstances")
		clustered(r)
		[r.item.scope.account, r.item.scope.region, r.row.DBClusterIdentifier] == key
		some t in aws.tags_of(r.row.TagList)
	]
}

member_tags(c) := object.get(instance_tags_by_cluster, [[c.item.scope.account, c.item.scope.region, c.row.DBClusterIdentifier]], [])

resources contains {"id": r.row.Table.TableArn, "tags": r.row.Tags, "scope_tags": aws.tags_of(r.row.Tags), "ref": lib.row_ref(r.item, r.index)} if {
	some r in lib.rows("aws.dynamodb.DescribeTable")
}

resources contains {"id": id, "tags": r.row.Tags, "scope_tags": aws.tags_of(r.row.Tags), "ref": lib.row_ref(r.item, r.index)} if {
	some r in lib.rows("aws.ec2.DescribeVolumes")
	id := sprintf("arn:aws:ec2:%s:%s:volume/%s", [r.item.scope.region, r.item.scope.account, r.row.VolumeId])
}

resources contains {"id": sprintf("arn:aws:s3:::%s", [r.row.Bucket]), "tags": object.get(r.row, "TagSet", []), "scope_tags": aws.tags_of(object.get(r.row, "TagSet", [])), "ref": lib.row_ref(r.item, r.index)} if {
	some r in lib.rows("aws.s3.GetBucketTagging")
}

# tagged is every resource whose tag key has the value (for a cluster, its own or an instance's).
tagged(key, value) := {res | some res in resources; aws.has_tag(res.scope_tags, key, value)}

# selects holds when a backup selection (GetBackupSelection answer) covers a resource, as AWS
# Backup decides: named by ARN (or "*") or by a STRINGEQUALS tag in ListOfTags, not listed in
# NotResources, and meeting every Conditions entry (tag conditions, all of them must hold).
selects(sel, res) if {
	candidate(sel, res)
	not excluded(sel, res)
	conditions_hold(sel, res)
}

candidate(sel, res) if {
	some a in aws.tags_of(object.get(sel.BackupSelection, "Resources", []))
	a in {"*", res.id}
}

candidate(sel, res) if {
	some c in aws.tags_of(object.get(sel.BackupSelection, "ListOfTags", []))
	c.ConditionType == "STRINGEQUALS"
	aws.has_tag(res.tags, c.ConditionKey, c.ConditionValue)
}

excluded(sel, res) if {
	some a in aws.tags_of(object.get(sel.BackupSelection, "NotResources", []))
	a == res.id
}

conditions_hold(sel, res) if {
	conds := object.get(sel.BackupSelection, "Conditions", null)
	every c in cond_list(conds, "StringEquals") {
		resource_tag(res, c.ConditionKey) == c.ConditionValue
	}
	every c in cond_list(conds, "StringNotEquals") {
		resource_tag(res, c.ConditionKey) != c.ConditionValue
	}
	every c in cond_list(conds, "StringLike") {
		glob.match(c.ConditionValue, [], resource_tag(res, c.ConditionKey))
	}
	every c in cond_list(conds, "StringNotLike") {
		not glob.match(c.ConditionValue, [], resource_tag(res, c.ConditionKey))
	}
}

cond_list(conds, op) := aws.tags_of(object.get(conds, op, [])) if is_object(conds)

cond_list(conds, _) := [] if not is_object(conds)

# resource_tag reads a condition key "aws:ResourceTag/<key>" from the resource's tags.
resource_tag(res, key) := aws.tag_value(res.tags, trim_prefix(key, "aws:ResourceTag/"))

# plan_rules are the rules of a plan, with the plan's name.
plan_rules(plan_id) := [{"plan": r.row.BackupPlan.BackupPlanName, "rule": rule, "ref": lib.row_ref(r.item, r.index)} |
	some r in lib.rows("aws.backup.GetBackupPlan")
	r.row.BackupPlanId == plan_id
	some rule in r.row.BackupPlan.Rules
]

# daily holds for a rule that runs at least every day: a cron on every day of the month and week
# (AWS writes it either "* * ? *" or "? * * *", the console's "Daily"), or a rate of one day.
daily(rule) if regex.match(`^cron\(\S+ \S+ (\* \* \?|\? \* \*) \*\)$`, rule.ScheduleExpression)

daily(rule) if regex.match(`^rate\((1 day|24 hours)\)$`, rule.ScheduleExpression)

# A continuous-backup rule (point-in-time recovery) keeps one recovery point that AWS Backup
# updates continuously: any moment of its retention can be restored, which is more than daily.
# https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery.html
daily(rule) if rule.EnableContinuousBackup == true

delete_after(rule) := d if {
	d := rule.Lifecycle.DeleteAfterDays
	is_number(d)
}

selection_rows := lib.rows("aws.backup.GetBackupSelection")

# The selections (positions in selection_rows) that name a resource ARN (or "*") in Resources,
# and a tag in a STRINGEQUALS ListOfTags entry, indexed once: a resource's candidate selections
# are looked up, not found by checking every selection (whose number grows with the estate
# when resources are assigned by ARN, up to 500 to a selection).
selections_by_arn := {a: group |
	some a in {k |
		some s in selection_rows
		some k in aws.tags_of(object.get(s.row.BackupSelection, "Resources", []))
	}
	group := {i |
		some i, s in selection_rows
		some k in aws.tags_of(object.get(s.row.BackupSelection, "Resources", []))
		k == a
	}
}

selections_by_tag := {key: group |
	some key in {[c.ConditionKey, c.ConditionValue] |
		some s in selection_rows
		some c in aws.tags_of(object.get(s.row.BackupSelection, "ListOfTags", []))
		c.ConditionType == "STRINGEQUALS"
	}
	group := {i |
		some i, s in selection_rows
		some c in aws.tags_of(object.get(s.row.BackupSelection, "ListOfTags", []))
		c.ConditionType == "STRINGEQUALS"
		[c.ConditionKey, c.ConditionValue] == key
	}
}

# candidate_selections are the positions of the selections for which candidate(sel, res) holds.
candidate_selections(res) := {i |
	some a in {"*", res.id}
	some i in object.get(selections_by_arn, [a], set())
} | {i |
	some t in aws.tags_of(res.tags)
	some i in object.get(selections_by_tag, [[t.Key, t.Value]], set())
}

# covered holds when a selection puts the resource under a daily rule keeping >= gens days.
covered(res, gens) if {
	some i in candidate_selections(res)
	s := selection_rows[i]
	selects(s.row, res)
	some pr in plan_rules(s.row.BackupPlanId)
	daily(pr.rule)
	delete_after(pr.rule) >= gens
}
