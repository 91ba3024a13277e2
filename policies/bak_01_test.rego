package shoko.controls.bak_01_test

import data.shoko.aws.backup_fixtures as bk
import data.shoko.aws.fixtures as fx
import data.shoko.controls.bak_01

params := {"data_class_tag": "DataClass", "customer_class": "customer", "generations": 8, "max_age_hours": 26}

run(plans, selections, points) := f if {
	f := bak_01.findings with input as fx.input_for(params, bk.estate(plans, selections, points))
}

test_eight_daily_generations_pass if {
	f := run(bk.good_plans, bk.good_selections, bk.points(bk.db_arn, 10))
	fx.has(f, "pass", "backed_up", bk.db_arn)
	count(f) == 1
}

test_missing_days_fail if {
	f := run(bk.good_plans, bk.good_selections, bk.points(bk.db_arn, 5))
	some x in f
	x.code == "missing_generations"
	x.params.missing == 3
}

test_newest_older_than_max_age_fails if {
	f := bak_01.findings with input as fx.input_for(object.union(params, {"max_age_hours": 2}), bk.estate(bk.good_plans, bk.good_selections, bk.points(bk.db_arn, 10)))
	fx.has(f, "fail", "stale", bk.db_arn)
}

test_no_recovery_points_fail if {
	fx.has(run(bk.good_plans, bk.good_selections, []), "fail", "no_recovery_points", bk.db_arn)
}

test_plan_keeping_too_few_days_does_not_select if {
	plans := [bk.plan("p-cust", "short", "cron(0 18 * * ? *)", {"DeleteAfterDays": 3})]
	fx.has(run(plans, bk.good_selections, bk.points(bk.db_arn, 10)), "fail", "not_selected", bk.db_arn)
}

test_weekly_plan_does_not_select if {
	plans := [bk.plan("p-cust", "weekly", "cron(0 18 ? * SUN *)", {"DeleteAfterDays": 35})]
	fx.has(run(plans, bk.good_selections, bk.points(bk.db_arn, 10)), "fail", "not_selected", bk.db_arn)
}

test_console_daily_cron_selects if {
	plans := [bk.plan("p-cust", "console-daily", "cron(0 5 ? * * *)", {"DeleteAfterDays": 35})]
	fx.has(run(plans, bk.good_selections, bk.points(bk.db_arn, 10)), "pass", "backed_up", bk.db_arn)
}

test_monthly_cron_is_not_a_daily_rule if {
	plans := [bk.plan("p-cust", "monthly", "cron(0 5 1 * ? *)", {"DeleteAfterDays": 35})]
	fx.has(run(plans, bk.good_selections, bk.points(bk.db_arn, 10)), "fail", "not_selected", bk.db_arn)
}

test_selection_by_arn if {
	sel := {"BackupPlanId": "p-cust", "SelectionId": "s", "BackupSelection": {"Resources": [bk.db_arn], "ListOfTags": null}}
	fx.has(run(bk.good_plans, [sel], bk.points(bk.db_arn, 10)), "pass", "backed_up", bk.db_arn)
}

test_no_customer_data_tagged_fails if {
	items := [it | some it in bk.estate(bk.good_plans, bk.good_selections, []); it.kind != "aws.rds.DescribeDBInstances"]
	f := bak_01.findings with input as fx.input_for(params, array.concat(items, [fx.item("aws.rds.DescribeDBInstances", "ap-northeast-1", [])]))
	fx.has(f, "fail", "no_tagged_resources", "aws")
}

cond_selection(op, value) := {"BackupPlanId": "p-cust", "SelectionId": "s", "BackupSelection": {
	"Resources": ["*"], "ListOfTags": [],
	"Conditions": {op: [{"ConditionKey": "aws:ResourceTag/DataClass", "ConditionValue": value}]},
}}

test_not_resources_exclude_a_resource if {
	excluded := {"BackupPlanId": "p-cust", "SelectionId": "s", "BackupSelection": {"Resources": ["*"], "NotResources": [bk.db_arn]}}
	fx.has(run(bk.good_plans, [excluded], bk.points(bk.db_arn, 10)), "fail", "not_selected", bk.db_arn)
}

test_conditions_narrow_a_selection if {
	fx.has(run(bk.good_plans, [cond_selection("StringEquals", "customer")], bk.points(bk.db_arn, 10)), "pass", "backed_up", bk.db_arn)
	fx.has(run(bk.good_plans, [cond_selection("StringLike", "cust*")], bk.points(bk.db_arn, 10)), "pass", "backed_up", bk.db_arn)
	fx.has(run(bk.good_plans, [cond_selection("StringNotEquals", "customer")], bk.points(bk.db_arn, 10)), "fail", "not_selected", bk.db_arn)
	fx.has(run(bk.good_plans, [cond_selection("StringNotLike", "cust*")], bk.points(bk.db_arn, 10)), "fail", "not_selected", bk.db_arn)
}

# Recovery points are looked up by resource ARN: another resource's points and points that did
# not complete do not count for this one.
test_only_this_resources_completed_points_count if {
	others := bk.points("arn:aws:rds:ap-northeast-1:123456789012:db:other-db", 10)
	failed := [object.union(p, {"Status": "FAILED"}) | some p in bk.points(bk.db_arn, 10)]
	fx.has(run(bk.good_plans, bk.good_selections, array.concat(others, failed)), "fail", "no_recovery_points", bk.db_arn)
	f := run(bk.good_plans, bk.good_selections, array.concat(others, bk.points(bk.db_arn, 6)))
	some x in f
	x.code == "missing_generations"
	x.params.missing == 2
}

# An Aurora cluster: AWS Backup protects it by the cluster's ARN, never its instances' (tagged
# customer on the instance only, as often done); its recovery points name the cluster.
cluster_arn := "arn:aws:rds:ap-northeast-1:123456789012:cluster:cardsvc-aurora"

writer_arn := "arn:aws:rds:ap-northeast-1:123456789012:db:cardsvc-aurora-1"

aurora_estate(points) := array.concat(
	[it | some it in bk.estate(bk.good_plans, [bk.selection("p-cust", "sel-customer", "customer")], points); it.kind != "aws.rds.DescribeDBInstances"],
	[
		fx.item("aws.rds.DescribeDBInstances", "ap-northeast-1", [{"DBInstanceArn": writer_arn, "DBClusterIdentifier": "cardsvc-aurora", "Engine": "aurora-postgresql", "TagList": [fx.tag("DataClass", "customer")]}]),
		fx.item("aws.rds.DescribeDBClusters", "ap-northeast-1", [{"DBClusterArn": cluster_arn, "DBClusterIdentifier": "cardsvc-aurora", "Engine": "aurora-postgresql", "TagList": [fx.tag("DataClass", "customer")]}]),
	],
)

test_aurora_cluster_is_judged_by_its_cluster_arn if {
	f := bak_01.findings with input as fx.input_for(params, aurora_estate(bk.points(cluster_arn, 10)))
	fx.has(f, "pass", "backed_up", cluster_arn)
	not fx.has(f, "fail", "no_recovery_points", writer_arn)
	count(f) == 1
}

test_aurora_cluster_without_recovery_points_fails if {
	f := bak_01.findings with input as fx.input_for(params, aurora_estate([]))
	fx.has(f, "fail", "no_recovery_points", cluster_arn)
}

# A cluster whose instance alone carries the customer tag is still customer data.
test_cluster_tagged_through_its_instance_is_in_scope if {
	untagged := [fx.item("aws.rds.DescribeDBClusters", "ap-northeast-1", [{"DBClusterArn": cluster_arn, "DBClusterIdentifier": "cardsvc-aurora", "TagList": []}])]
	estate := array.concat([it | some it in aurora_estate([]); it.kind != "aws.rds.DescribeDBClusters"], untagged)
	f := bak_01.findings with input as fx.input_for(params, estate)
	fx.has(f, "fail", "not_selected", cluster_arn)
}

# Continuous backup (PITR): one recovery point, continuously updated, covering every day of its
# retention since it was created.
continuous_plans := [{"BackupPlanId": "p-cust", "BackupPlan": {"BackupPlanName": "cardsvc-pitr", "Rules": [{"RuleName": "pitr", "RuleId": "rule-pitr", "ScheduleExpression": "cron(0 * ? * * *)", "EnableContinuousBackup": true, "Lifecycle": {"DeleteAfterDays": 35}, "TargetBackupVaultName": "cardsvc-vault"}]}}]

continuous_point(created_hours_ago, retention, status) := object.union(bk.point(bk.db_arn, created_hours_ago), {"Status": status, "CreatedBy": {"BackupRuleId": "rule-pitr"}, "Lifecycle": {"DeleteAfterDays": retention}})

test_continuous_backup_counts_as_daily_generations if {
	f := run(continuous_plans, bk.good_selections, [continuous_point(24 * 30, 35, "COMPLETED")])
	fx.has(f, "pass", "backed_up", bk.db_arn)
}

test_continuous_backup_younger_than_generations_fails if {
	f := run(continuous_plans, bk.good_selections, [continuous_point(24 * 5, 35, "COMPLETED")])
	some x in f
	x.code == "missing_generations"
	x.params.missing == 2
}

test_continuous_backup_retention_shorter_than_generations_fails if {
	f := run(continuous_plans, bk.good_selections, [continuous_point(24 * 30, 7, "COMPLETED")])
	some x in f
	x.code == "missing_generations"
	x.params.missing == 1
}

test_stopped_continuous_backup_does_not_count if {
	fx.has(run(continuous_plans, bk.good_selections, [continuous_point(24 * 30, 35, "STOPPED")]), "fail", "no_recovery_points", bk.db_arn)
}

# Only COMPLETED and AVAILABLE recovery points were successfully created.
with_status(s) := [object.union(p, {"Status": s}) | some p in bk.points(bk.db_arn, 10)]

test_recovery_point_statuses if {
	fx.has(run(bk.good_plans, bk.good_selections, with_status("AVAILABLE")), "pass", "backed_up", bk.db_arn)
	every s in ["PARTIAL", "EXPIRED", "CREATING", "DELETING", "STOPPED"] {
		fx.has(run(bk.good_plans, bk.good_selections, with_status(s)), "fail", "no_recovery_points", bk.db_arn)
	}
}

# At the limit: a retention of exactly `generations` days (8) and a point created exactly 7 days
# ago cover the 8 windows; 7 days of retention, or a point 1 s younger, leave one uncovered.
test_continuous_backup_at_the_limit if {
	fx.has(run(continuous_plans, bk.good_selections, [continuous_point(24 * 30, 8, "COMPLETED")]), "pass", "backed_up", bk.db_arn)
	fx.has(run(continuous_plans, bk.good_selections, [continuous_point(24 * 7, 35, "COMPLETED")]), "pass", "backed_up", bk.db_arn)
	fx.has(run(continuous_plans, bk.good_selections, [continuous_point(24 * 30, 7, "COMPLETED")]), "fail", "missing_generations", bk.db_arn)
	younger := object.union(continuous_point(24 * 7, 35, "COMPLETED"), {"CreationDate": "2026-11-20T03:00:01Z"})
	fx.has(run(continuous_plans, bk.good_selections, [younger]), "fail", "missing_generations", bk.db_arn)
}
