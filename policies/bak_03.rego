# BAK-03: backups of customer data are erased after the backup policy's period: every rule of
# a plan selecting customer data has DeleteAfterDays set (never "keep forever") and no more than
# max_backup_days.
package shoko.controls.bak_03

import data.shoko.aws
import data.shoko.aws.backup
import data.shoko.lib

p := input.control.parameters

customer_resources := backup.tagged(p.data_class_tag, p.customer_class)

# A selection (at position i) is about customer data when it names the customer tag or selects
# a customer resource.
customer_selection(_, sel) if {
	some c in aws.tags_of(object.get(sel.BackupSelection, "ListOfTags", []))
	c.ConditionKey == p.data_class_tag
	c.ConditionValue == p.customer_class
}

customer_selection(i, _) if i in selects_customer_resource

# The selections (positions) that select a customer resource, found resource by resource from
# each one's candidate selections (not by checking every resource against every selection).
selects_customer_resource contains i if {
	some res in customer_resources
	some i in backup.candidate_selections(res)
	backup.selects(backup.selection_rows[i].row, res)
}

rules contains pr if {
	some i, s in backup.selection_rows
	customer_selection(i, s.row)
	some pr in backup.plan_rules(s.row.BackupPlanId)
}

params(pr) := {"plan": pr.plan, "rule": pr.rule.RuleName, "max_days": p.max_backup_days}

findings contains lib.fail("kept_forever", params(pr), pr.plan, pr.ref) if {
	some pr in rules
	not backup.delete_after(pr.rule)
}

findings contains lib.fail("kept_too_long", object.union(params(pr), {"days": backup.delete_after(pr.rule)}), pr.plan, pr.ref) if {
	some pr in rules
	backup.delete_after(pr.rule) > p.max_backup_days
}

findings contains lib.pass("erased_in_time", object.union(params(pr), {"days": backup.delete_after(pr.rule)}), pr.plan, pr.ref) if {
	some pr in rules
	backup.delete_after(pr.rule) <= p.max_backup_days
}

findings contains lib.fail("no_customer_backup_rules", {}, "backup", lib.whole_ref(aws.first_item("aws.backup.GetBackupPlan"))) if {
	count(rules) == 0
}
