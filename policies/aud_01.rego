# AUD-01: an internal audit is completed at least every max_months_since_audit calendar months:
# the latest completed audit passes while the run's date is on or before its due date (completed_on
# plus that many months, a missing day clamped to the month's end; lib.due_date).
package shoko.controls.aud_01

import data.shoko.lib

kind := "records.internal_audits"

max_months := input.control.parameters.max_months_since_audit

completed contains r if {
	some r in lib.rows(kind)
	r.row.status == "completed"
	r.row.completed_on != null
}

# The most recent completed audit decides; ties broken by audit id so the verdict is stable.
# The latest key is found once with max (comparing every audit with every other is quadratic); a
# completed audit without a key (no audit id) leaves the latest undefined, as comparing did.
order_key(r) := [r.row.completed_on, r.row.audit_id]

order_keys := [order_key(r) | some r in completed]

latest_key := max(order_keys) if count(order_keys) == count(completed)

latest := r if {
	some r in completed
	order_key(r) == latest_key
}

params := {
	"audit_id": latest.row.audit_id,
	"completed_on": latest.row.completed_on,
	"due_on": lib.due_date(latest.row.completed_on, max_months),
	"days": lib.days_since(latest.row.completed_on),
	"max_months": max_months,
}

findings contains lib.pass("audit_recent", params, latest.row.audit_id, lib.row_ref(latest.item, latest.index)) if {
	lib.not_yet_due(params.due_on)
}

findings contains lib.fail("audit_overdue", params, latest.row.audit_id, lib.row_ref(latest.item, latest.index)) if {
	not lib.not_yet_due(params.due_on)
}

findings contains lib.fail("no_completed_audit", {}, "internal-audit-programme", lib.whole_ref(item)) if {
	count(completed) == 0
	some item in lib.items(kind)
}
