# BAK-02: system data is backed up daily, keeping `generations` generations.
#
# Every resource tagged data_class_tag=system_class is selected by a backup plan with a daily
# rule keeping at least `generations` days, has a completed recovery point in each of the last
# `generations` days, and the newest is younger than max_age_hours.
package shoko.controls.bak_02

import data.shoko.aws
import data.shoko.aws.backup
import data.shoko.aws.generations
import data.shoko.lib

p := input.control.parameters

scope := backup.tagged(p.data_class_tag, p.system_class)

findings contains generations.verdict(res, p.generations, p.max_age_hours) if some res in scope

# System data must exist somewhere: an estate with none tagged is mis-tagged, not compliant.
findings contains lib.fail("no_tagged_resources", {"tag": sprintf("%s=%s", [p.data_class_tag, p.system_class])}, "aws", lib.whole_ref(aws.first_item("aws.rds.DescribeDBInstances"))) if {
	count(scope) == 0
}
