# TRN-01: every employee gets security training at hire (within onboarding_days of hired_on)
# and again at least every max_months_since_training calendar months: the latest training is
# current while the run's date is on or before its due date (the training date plus that many
# months, a missing day clamped to the month's end; lib.due_date).
#
# One finding per employee who has not left (an unknown status is checked, not skipped), in
# this order: an unreadable date fails; a hire still inside the onboarding window who has not
# trained yet passes as "onboarding in progress"; past the window, onboarding must be on record
# and on time; and the latest training (onboarding or yearly) must be recent enough.
#
# The control is per_record and runs once per employee row, so a row's facts are computed once
# in `verdict` and the decision is a table over four yes/no facts (`outcome`): called with
# scalars, it is evaluated once per combination rather than once per row.
package shoko.controls.trn_01

import data.shoko.lib

kind := "records.training"

max_months := input.control.parameters.max_months_since_training

onboarding_days := input.control.parameters.onboarding_days

findings contains verdict(item, i, row) if {
	some item in lib.items(kind)
	some i, row in item.data
	row.status != "left"
}

# An empty workforce is not evidence that anyone was trained: a check of the whole workforce,
# which `findings` (evaluated on parts of it) cannot make.
population_findings contains lib.fail("no_active_employees", {}, "workforce", lib.whole_ref(item)) if {
	not any_active
	some item in lib.items(kind)
}

any_active if {
	some item in lib.items(kind)
	some row in item.data
	row.status != "left"
}

verdict(item, i, row) := lib.fail("invalid_date", invalid_params(row, bad[0]), row.employee_id, lib.row_ref(item, i)) if {
	bad := [f | some f in dated_fields; not date_ok(f, object.get(row, f, "missing"))]
	count(bad) > 0
} else := lib.finding(o.status, o.code, params, row.employee_id, lib.row_ref(item, i)) if {
	days_since_hire := lib.today - shoko.date_day(row.hired_on)
	last_trained_on := latest(row.onboarding_completed_on, row.last_completed_on)
	days_since_training := days_since(last_trained_on)
	[training_due_on, trained_recently] := next_training(last_trained_on)
	onboarding_delay_days := delay(row.hired_on, row.onboarding_completed_on)
	o := outcome(
		days_since_hire <= onboarding_days,
		row.onboarding_completed_on == null,
		onboarding_delay_days > onboarding_days,
		trained_recently,
	)
	params := object.filter(
		{
			"employee_id": row.employee_id,
			"hired_on": row.hired_on,
			"days_since_hire": days_since_hire,
			"onboarding_days": onboarding_days,
			"onboarding_completed_on": row.onboarding_completed_on,
			"onboarding_delay_days": onboarding_delay_days,
			"last_trained_on": last_trained_on,
			"days_since_training": days_since_training,
			"training_due_on": training_due_on,
			"max_months": max_months,
		},
		o.params,
	)
}

# outcome is the decision: the finding's status and code, and which params its message uses.
outcome(in_onboarding, onboarding_missing, onboarding_late, trained_recently) := decision("pass", "onboarding_in_progress", hire_params) if {
	in_onboarding
	not trained_recently
} else := decision("fail", "onboarding_missing", hire_params) if {
	not in_onboarding
	onboarding_missing
} else := decision("fail", "onboarding_late", late_params) if {
	not in_onboarding
	onboarding_late
} else := decision("fail", "training_overdue", training_params) if {
	not trained_recently
} else := decision("pass", "training_current", training_params)

decision(status, code, params) := {"status": status, "code": code, "params": params}

hire_params := {"employee_id", "hired_on", "days_since_hire", "onboarding_days"}

late_params := {"employee_id", "hired_on", "onboarding_completed_on", "onboarding_delay_days", "onboarding_days"}

training_params := {"employee_id", "last_trained_on", "days_since_training", "training_due_on", "max_months"}

# latest is the later of the two training dates; null when there is none.
latest(onboarding, null) := onboarding

latest(null, yearly) := yearly if yearly != null

latest(onboarding, yearly) := max([onboarding, yearly]) if {
	onboarding != null
	yearly != null
}

days_since(null) := null

days_since(date) := lib.today - shoko.date_day(date) if date != null

# next_training is [the date the next training is due, whether the run's date is on or before
# it]; [null, false] when there has been no training. Rows share their training dates, and a
# function called with the same scalar is evaluated once (OPA memoises it), so the date
# arithmetic runs once per distinct date, not per row.
next_training(null) := [null, false]

next_training(date) := [due, lib.today <= shoko.date_day(due)] if {
	date != null
	due := lib.due_date(date, max_months)
}

# delay is how many days after hiring onboarding was completed; -1 (never late) when it was not.
delay(_, null) := -1

delay(hired_on, completed_on) := shoko.date_day(completed_on) - shoko.date_day(hired_on) if completed_on != null

invalid_params(row, field) := {
	"employee_id": row.employee_id,
	"field": field,
	"value": object.get(row, field, null),
	"line": object.get(row, "line", null),
}

# Dates must be real calendar dates; hired_on is required, the completion dates may be null
# (a missing column is not null: it is unreadable).
dated_fields := ["hired_on", "onboarding_completed_on", "last_completed_on"]

date_ok(_, value) if shoko.is_date(value)

date_ok(field, null) if field != "hired_on"
