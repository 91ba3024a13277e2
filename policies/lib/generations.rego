# The verdict of BAK-01 and BAK-02: has a resource its daily generations?
package shoko.aws.generations

import data.shoko.aws
import data.shoko.aws.backup
import data.shoko.lib

# completed_points are the completed recovery points by resource ARN, indexed once: scanning every
# recovery point for each resource would be quadratic.
completed_points := {arn: group |
	some arn in {k |
		some r in lib.rows("aws.backup.ListRecoveryPointsByBackupVault")
		r.row.Status == "COMPLETED"
		k := r.row.ResourceArn
	}
	group := {r |
		some r in lib.rows("aws.backup.ListRecoveryPointsByBackupVault")
		r.row.Status == "COMPLETED"
		r.row.ResourceArn == arn
	}
}

points(res) := object.get(completed_points, [res.id], set())

# day_covered: a completed recovery point created d days back (in the 24 hours ending d*24
# hours before now).
day_covered(res, d) if {
	some rp in points(res)
	h := aws.age_hours(rp.row.CreationDate)
	h >= d * 24
	h < (d + 1) * 24
}

missing_days(res, gens) := [d | some d in numbers.range(0, gens - 1); not day_covered(res, d)]

newest_hours(res) := floor(min([aws.age_hours(rp.row.CreationDate) | some rp in points(res)]))

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
