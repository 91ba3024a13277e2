# TRN-01: every employee gets security training at hire (within onboarding_days of hired_on)
# and again at least every max_days_since_training days.
#
# One finding per employee who has not left (an unknown status is checked, not skipped), in
# this order: an unreadable date fails; a hire still inside the onboarding window who has not
# trained yet passes as "onboarding in progress"; past the window, onboarding must be on record
# and on time; and the latest training (onboarding or yearly) must be recent enough.
package shoko.controls.trn_01

import data.shoko.lib

kind := "records.training"

max_days := input.control.parameters.max_days_since_training

onboarding_days := input.control.parameters.onboarding_days

employees := [r | some r in lib.rows(kind); r.row.status != "left"]

findings contains verdict(r) if some r in employees

# An empty workforce is not evidence that anyone was trained. A check of the whole workforce:
# the control is per_record, so `findings` may see only a part of it.
population_findings contains lib.fail("no_active_employees", {}, "workforce", lib.whole_ref(item)) if {
	not any_active
	some item in lib.items(kind)
}

any_active if {
	some item in lib.items(kind)
	some row in item.data
	row.status != "left"
}

verdict(r) := lib.fail("invalid_date", invalid_params(r.row, bad[0]), r.row.employee_id, ref(r)) if {
	bad := bad_fields(r.row)
	count(bad) > 0
} else := lib.pass("onboarding_in_progress", hire_params(r.row), r.row.employee_id, ref(r)) if {
	in_onboarding(r.row)
	not trained_recently(r.row)
} else := lib.fail("onboarding_missing", hire_params(r.row), r.row.employee_id, ref(r)) if {
	not in_onboarding(r.row)
	r.row.onboarding_completed_on == null
} else := lib.fail("onboarding_late", late_params(r.row), r.row.employee_id, ref(r)) if {
	not in_onboarding(r.row)
	lib.days_between(r.row.hired_on, r.row.onboarding_completed_on) > onboarding_days
} else := lib.fail("training_overdue", training_params(r.row), r.row.employee_id, ref(r)) if {
	not trained_recently(r.row)
} else := lib.pass("training_current", training_params(r.row), r.row.employee_id, ref(r))

ref(r) := lib.row_ref(r.item, r.index)

in_onboarding(row) if lib.days_since(row.hired_on) <= onboarding_days

# last_trained is the latest training of either kind; undefined when there is none.
last_trained(row) := max(dates) if {
	dates := [d | some f in ["onboarding_completed_on", "last_completed_on"]; d := row[f]; d != null]
	count(dates) > 0
}

trained_recently(row) if lib.days_since(last_trained(row)) <= max_days

hire_params(row) := {
	"employee_id": row.employee_id,
	"hired_on": row.hired_on,
	"days_since_hire": lib.days_since(row.hired_on),
	"onboarding_days": onboarding_days,
}

late_params(row) := {
	"employee_id": row.employee_id,
	"hired_on": row.hired_on,
	"onboarding_completed_on": row.onboarding_completed_on,
	"onboarding_delay_days": lib.days_between(row.hired_on, row.onboarding_completed_on),
	"onboarding_days": onboarding_days,
}

training_params(row) := {
	"employee_id": row.employee_id,
	"last_trained_on": last_trained(row),
	"days_since_training": lib.days_since(last_trained(row)),
	"max_days": max_days,
}

invalid_params(row, field) := {
	"employee_id": row.employee_id,
	"field": field,
	"value": object.get(row, field, null),
	"line": object.get(row, "line", null),
}

# Dates must be real calendar dates; hired_on is required, the completion dates may be null.
nullable := {"onboarding_completed_on", "last_completed_on"}

bad_fields(row) := [f | some f in ["hired_on", "onboarding_completed_on", "last_completed_on"]; not date_ok(row, f)]

date_ok(row, f) if lib.valid_date(row[f])

date_ok(row, f) if {
	f in nullable
	row[f] == null
}
