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
