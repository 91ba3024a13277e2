# CHG-01: every customer-affecting change effective in the period was notified at least
# min_lead_days before it took effect.
#
# "N 日前まで" is read as N whole 24-hour periods between the notice and the change, inclusive and
# exact: a lead of exactly 7 × 24 h passes, one second less fails (not calendar dates: both
# times are instants, and a notice sent late on the 1st for a change early on the 8th is short).
# The lead is compared in nanoseconds; days appear only in messages.
package shoko.controls.chg_01

import data.shoko.lib
import data.shoko.lib.service

min_days := input.control.parameters.min_lead_days

limit_ns := min_days * lib.day_ns

changes := [r | some r in lib.rows("service.changes"); r.row.customer_impact == true]

lead_ns(row) := service.duration_ns(row.notified_at, row.effective_at)

# lead_days is the lead for a message: days to one decimal, rounded down so that it never
# contradicts the verdict against a minimum (6 days 23 h shows as 6.9, not as the 7 it falls short of).
lead_days(row) := floor((lead_ns(row) * 10) / lib.day_ns) / 10

params(row) := {"change": row.change_id, "kind": row.kind, "lead_days": lead_days(row), "min_lead_days": min_days}

findings contains lib.pass("notified_in_advance", params(r.row), r.row.change_id, lib.row_ref(r.item, r.index)) if {
	some r in changes
	r.row.notified_at != null
	lead_ns(r.row) >= limit_ns
}

findings contains lib.fail("notice_too_short", params(r.row), r.row.change_id, lib.row_ref(r.item, r.index)) if {
	some r in changes
	r.row.notified_at != null
	lead_ns(r.row) < limit_ns
}

findings contains lib.fail("not_notified", {"change": r.row.change_id, "kind": r.row.kind, "effective_at": r.row.effective_at}, r.row.change_id, lib.row_ref(r.item, r.index)) if {
	some r in changes
	r.row.notified_at == null
}

# No customer-affecting change in the period (the API was read whole): an explicit pass.
findings contains lib.pass("no_customer_changes", {"service": service.service_name(item)}, service.service_name(item), lib.whole_ref(item)) if {
	count(changes) == 0
	some item in lib.items("service.changes")
}
