package shoko.controls.bak_02_test

import data.shoko.aws.backup_fixtures as bk
import data.shoko.aws.fixtures as fx
import data.shoko.controls.bak_02

params := {"data_class_tag": "DataClass", "system_class": "system", "generations": 2, "max_age_hours": 26}

run(points) := f if {
	f := bak_02.findings with input as fx.input_for(params, bk.estate(bk.good_plans, bk.good_selections, points))
}

test_two_generations_pass if {
	fx.has(run(bk.points(bk.vol_arn, 3)), "pass", "backed_up", bk.vol_arn)
}

test_one_generation_fails if {
	f := run(bk.points(bk.vol_arn, 1))
	some x in f
	x.status == "fail"
	x.code == "missing_generations"
	x.params.name == "cardsvc-system-vol"
}

test_no_system_data_fails if {
	items := [it | some it in bk.estate(bk.good_plans, bk.good_selections, []); it.kind != "aws.ec2.DescribeVolumes"]
	f := bak_02.findings with input as fx.input_for(params, array.concat(items, [fx.item("aws.ec2.DescribeVolumes", "ap-northeast-1", [])]))
	fx.has(f, "fail", "no_tagged_resources", "aws")
}
