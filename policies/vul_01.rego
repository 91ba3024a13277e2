# VUL-01: third-party vulnerability assessments are made before release and again after it,
# the latest no more than max_age_days ago, and every finding of a severity in fix_severities is
# fixed within fix_days of being found.
#
# Rows are one per finding (an assessment without findings has null finding fields). A finding
# listed by several assessments is judged on its row in the latest one (its current status).
package shoko.controls.vul_01

import data.shoko.lib

kind := "records.vulnerability_assessments"

max_age_days := input.control.parameters.max_age_days

fix_days := input.control.parameters.fix_days

fix_severities := input.control.parameters.fix_severities

phases_before := input.control.parameters.phases_before_release

phases_after := input.control.parameters.phases_after_release

all_rows := lib.rows(kind)

valid_rows := [r | some r in all_rows; count(bad_fields(r.row)) == 0]

# --- the latest assessment -------------------------------------------------------------------

latest := latest_of(valid_rows)

findings contains lib.pass("assessment_recent", assessment_params(latest.row), latest.row.assessment_id, ref(latest)) if {
	lib.days_since(latest.row.assessed_on) <= max_age_days
}

findings contains lib.fail("assessment_overdue", assessment_params(latest.row), latest.row.assessment_id, ref(latest)) if {
	lib.days_since(latest.row.assessed_on) > max_age_days
}

findings contains lib.fail("no_assessments", {}, "vulnerability-assessments", lib.whole_ref(item)) if {
	count(all_rows) == 0
	some item in lib.items(kind)
}

# --- before and after release ----------------------------------------------------------------

findings contains lib.pass("assessed_before_release", phase_params(r.row, phases_before), r.row.assessment_id, ref(r)) if {
	r := latest_in(phases_before)
}

findings contains lib.fail("no_assessment_before_release", {"phases": phases_before}, "vulnerability-assessments", lib.whole_ref(item)) if {
	count(all_rows) > 0
	not latest_in(phases_before)
	some item in lib.items(kind)
}

findings contains lib.pass("assessed_after_release", phase_params(r.row, phases_after), r.row.assessment_id, ref(r)) if {
	r := latest_in(phases_after)
}

findings contains lib.fail("no_assessment_after_release", {"phases": phases_after}, "vulnerability-assessments", lib.whole_ref(item)) if {
	count(all_rows) > 0
	not latest_in(phases_after)
	some item in lib.items(kind)
}

# --- findings to fix -------------------------------------------------------------------------

finding_ids := {r.row.finding_id | some r in valid_rows; r.row.finding_id != null}

# The valid rows of each finding, indexed once (not scanned per finding id).
rows_by_finding := {id: group |
	some id in {k |
		some r in valid_rows
		k := r.row.finding_id
	}
	group := {r |
		some r in valid_rows
		r.row.finding_id == id
	}
}

# current is the row of a finding in the latest assessment that lists it.
current(id) := latest_of(object.get(rows_by_finding, [id], set()))

findings contains finding_verdict(current(id)) if {
	some id in finding_ids
	must_fix(current(id).row)
}

finding_verdict(r) := lib.fail("finding_open_overdue", open_params(r.row), r.row.finding_id, ref(r)) if {
	r.row.finding_status == "open"
	lib.days_since(r.row.found_on) > fix_days
} else := lib.pass("finding_open_within_deadline", open_params(r.row), r.row.finding_id, ref(r)) if {
	r.row.finding_status == "open"
} else := lib.fail("finding_fixed_late", fixed_params(r.row), r.row.finding_id, ref(r)) if {
	r.row.finding_status == "fixed"
	lib.days_between(r.row.found_on, r.row.fixed_on) > fix_days
} else := lib.pass("finding_fixed", fixed_params(r.row), r.row.finding_id, ref(r)) if {
	r.row.finding_status == "fixed"
} else := lib.pass("finding_risk_accepted", finding_params(r.row), r.row.finding_id, ref(r)) if {
	r.row.finding_status == "accepted"
} else := lib.fail("finding_status_unknown", finding_params(r.row), r.row.finding_id, ref(r))

# A finding fixed before the audit period began was judged in an earlier audit; a late fix stays
# on that audit's record, not on every audit after it.
must_fix(row) if {
	row.finding_id != null
	row.severity in fix_severities
	not fixed_before_period(row)
}

fixed_before_period(row) if {
	row.finding_status == "fixed"
	lib.valid_date(row.fixed_on)
	lib.before_period(row.fixed_on)
}

# --- unreadable rows fail (and are left out of everything above) -----------------------------

findings contains lib.fail("invalid_date", invalid_params(r.row, bad[0]), resource(r.row), ref(r)) if {
	some r in all_rows
	bad := bad_fields(r.row)
	count(bad) > 0
}

# assessed_on is always required; found_on for a finding to fix, fixed_on once it is fixed.
bad_fields(row) := [f | some f in ["assessed_on", "found_on", "fixed_on"]; not date_ok(row, f)]

date_ok(row, f) if lib.valid_date(row[f])

date_ok(row, "found_on") if {
	row.found_on == null
	not must_fix(row)
}

date_ok(row, "fixed_on") if {
	row.fixed_on == null
	not fixed_to_check(row)
}

fixed_to_check(row) if {
	must_fix(row)
	row.finding_status == "fixed"
}

# --- helpers ---------------------------------------------------------------------------------

# latest_of is the row with the latest assessed_on; ties go to the higher assessment id, then
# the later row, so the choice is stable. Undefined for no rows. The largest key is found once
# with max, not by comparing every row with every other (quadratic); a row without a key leaves
# it undefined, as comparing did.
latest_of(rs) := r if {
	keys := [order_key(o) | some o in rs]
	count(keys) == count(rs)
	top := max(keys)
	some r in rs
	order_key(r) == top
}

order_key(r) := [r.row.assessed_on, r.row.assessment_id, r.item.digest, r.index]

latest_in(phases) := latest_of([r | some r in valid_rows; r.row.phase in phases])

ref(r) := lib.row_ref(r.item, r.index)

resource(row) := row.finding_id if {
	row.finding_id != null
} else := row.assessment_id

assessment_params(row) := {
	"assessment_id": row.assessment_id,
	"assessor": row.assessor,
	"phase": row.phase,
	"assessed_on": row.assessed_on,
	"days": lib.days_since(row.assessed_on),
	"max_days": max_age_days,
}

phase_params(row, phases) := {
	"assessment_id": row.assessment_id,
	"assessor": row.assessor,
	"phase": row.phase,
	"assessed_on": row.assessed_on,
	"phases": phases,
}

finding_params(row) := {
	"finding_id": row.finding_id,
	"severity": row.severity,
	"finding_status": object.get(row, "finding_status", null),
	"assessment_id": row.assessment_id,
	"found_on": row.found_on,
}

open_params(row) := object.union(finding_params(row), {
	"days_open": lib.days_since(row.found_on),
	"fix_days": fix_days,
})

fixed_params(row) := object.union(finding_params(row), {
	"fixed_on": row.fixed_on,
	"days_to_fix": lib.days_between(row.found_on, row.fixed_on),
	"fix_days": fix_days,
})

invalid_params(row, field) := {
	"assessment_id": object.get(row, "assessment_id", null),
	"field": field,
	"value": object.get(row, field, null),
	"line": object.get(row, "line", null),
}
