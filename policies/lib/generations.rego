# The verdict of BAK-01 and BAK-02: has a resource its daily generations?
package shoko.aws.generations

import data.shoko.aws
import data.shoko.aws.backup
import data.shoko.lib

# A recovery point was successfully created when its status is COMPLETED or AVAILABLE ("the
# backup was successfully created ... ready for use"). PARTIAL (a composite point missing some of
# its nested points), EXPIRED (past its retention, left undeleted), STOPPED (a continuous backup
# that was disabled), CREATING and DELETING do not count.
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RecoveryPointByBackupVault.html
# https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DescribeRecoveryPoint.html
created_statuses := {"COMPLETED", "AVAILABLE"}

# completed_points are the successfully created recovery points by resource ARN, indexed once:
# scanning every recovery point for each resource would be quadratic.
completed_points := {arn: group |
	some arn in {k |
		some r in lib.rows("aws.backup.ListRecoveryPointsByBackupVault")
		r.row.Status in created_statuses
		k := r.row.ResourceArn
	}
	group := {r |
		some r in lib.rows("aws.backup.ListRecoveryPointsByBackupVault")
		r.row.Status in created_statuses
		r.row.ResourceArn == arn
	}
}

points(res) := object.get(completed_points, [res.id], set())

# The rules that take continuous backups (point-in-time recovery), by rule id.
continuous_rules := {rule.RuleId |
	some r in lib.rows("aws.backup.GetBackupPlan")
	some rule in r.row.BackupPlan.Rules
	rule.EnableContinuousBackup == true
}

# A continuous recovery point is the one a continuous rule keeps (CreatedBy.BackupRuleId). AWS
# Backup keeps one for a resource and updates it continuously: it can be restored to any moment
# from its creation, going back at most its retention (DeleteAfterDays, 1 to 35 days), up to now.
# https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery.html
# https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery-retention-period.html
continuous(rp) if object.get(rp.row, ["CreatedBy", "BackupRuleId"], null) in continuous_rules

# day_covered: a completed recovery point created d days back (in the 24 hours ending d*24
# hours before now).
day_covered(res, d) if {
	some rp in points(res)
	not continuous(rp)
	h := aws.age_hours(rp.row.CreationDate)
	h >= d * 24
	h < (d + 1) * 24
}

# A continuous point covers day d when it existed d days ago and its retention reaches back
# past it: one generation for every day of its window.
day_covered(res, d) if {
	some rp in points(res)
	continuous(rp)
	aws.age_hours(rp.row.CreationDate) >= d * 24
	retention := object.get(rp.row, ["Lifecycle", "DeleteAfterDays"], null)
	is_number(retention)
	retention > d
}

missing_days(res, gens) := [d | some d in numbers.range(0, gens - 1); not day_covered(res, d)]

# A continuous point is current: its newest restorable moment is now.
point_hours(rp) := 0 if continuous(rp)

point_hours(rp) := aws.age_hours(rp.row.CreationDate) if not continuous(rp)

newest_hours(res) := floor(min([point_hours(rp) | some rp in points(res)]))

params(res, gens) := {"resource": res.id, "name": aws.tag_value(res.tags, "Name"), "generations": gens}

# verdict is the one finding about a resource that must have gens daily generations, the
# newest younger than max_hours.
verdict(res, gens, max_hours) := lib.fail("not_selected", params(res, gens), res.id, res.ref) if {
	not backup.covered(res, gens)
} else := lib.fail("no_recovery_points", params(res, gens), res.id, res.ref) if {
	count(points(res)) == 0
} else := lib.fail("missing_generations", object.union(params(res, gens), {"missing": count(missing_days(res, gens))}), res.id, res.ref) if {
	count(missing_days(res, gens)) > 0
} else := lib.fail("stale", object.union(params(res, gens), {"newest_hours": newest_hours(res), "max_hours": max_hours}), res.id, res.ref) if {
	newest_hours(res) >= max_hours
} else := lib.pass("backed_up", object.union(params(res, gens), {"newest_hours": newest_hours(res)}), res.id, res.ref)
