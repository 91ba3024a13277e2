package shoko.controls.bak_03_test

import data.shoko.aws.backup_fixtures as bk
import data.shoko.aws.fixtures as fx
import data.shoko.controls.bak_03

params := {"data_class_tag": "DataClass", "customer_class": "customer", "max_backup_days": 35}

run(plans, selections) := f if {
	f := bak_03.findings with input as fx.input_for(params, bk.estate(plans, selections, []))
}

test_customer_rule_within_period_passes if {
	f := run(bk.good_plans, bk.good_selections)
	fx.has(f, "pass", "erased_in_time", "cardsvc-customer")
	every x in f {
		x.status == "pass"
	}
}

test_rule_keeping_forever_fails if {
	plans := array.concat(bk.good_plans, [bk.plan("p-forever", "forever", "cron(0 18 * * ? *)", null)])
	f := run(plans, array.concat(bk.good_selections, [bk.selection("p-forever", "sel-forever", "customer")]))
	fx.has(f, "fail", "kept_forever", "forever")
}

test_rule_keeping_too_long_fails if {
	plans := [bk.plan("p-cust", "cardsvc-customer", "cron(0 18 * * ? *)", {"DeleteAfterDays": 400})]
	fx.has(run(plans, bk.good_selections), "fail", "kept_too_long", "cardsvc-customer")
}

test_selection_by_resource_arn_counts if {
	sel := {"BackupPlanId": "p-cust", "SelectionId": "s", "BackupSelection": {"Resources": [bk.db_arn], "ListOfTags": []}}
	fx.has(run(bk.good_plans, [sel]), "pass", "erased_in_time", "cardsvc-customer")
}

test_no_customer_rule_fails if {
	fx.has(run(bk.good_plans, [bk.selection("p-sys", "sel-system", "system")]), "fail", "no_customer_backup_rules", "backup")
}

# A selection naming the customer tag is about customer data even when it selects no customer
# resource (here its only one is excluded); one naming another tag and no customer resource is not.
test_selection_naming_the_customer_tag_counts_without_a_customer_resource if {
	by_tag := json.patch(bk.selection("p-cust", "sel-customer", "customer"), [{"op": "add", "path": "/BackupSelection/NotResources", "value": [bk.db_arn]}])
	f := run(bk.good_plans, [by_tag, bk.selection("p-sys", "sel-system", "system")])
	fx.has(f, "pass", "erased_in_time", "cardsvc-customer")
	not "cardsvc-system" in {x.resource | some x in f}
}
