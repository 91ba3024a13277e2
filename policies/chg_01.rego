# CHG-01: every customer-affecting change effective in the period was notified at least
# min_lead_days before it took effect.
package shoko.controls.chg_01

import data.shoko.lib
import data.shoko.lib.service

min_days := input.control.parameters.min_lead_days

changes := [r | some r in lib.rows("service.changes"); r.row.customer_impact == true]

lead_days(row) := round(((service.ns(row.effective_at) - service.ns(row.notified_at)) * 10) / lib.day_ns) / 10

params(row) := {"change": row.change_id, "kind": row.kind, "lead_days": lead_days(row), "min_lead_days": min_days}

findings contains lib.pass("notified_in_advance", params(r.row), r.row.change_id, lib.row_ref(r.item, r.index)) if {
	some r in changes
	r.row.notified_at != null
	lead_days(r.row) >= min_days
}

findings contains lib.fail("notice_too_short", params(r.row), r.row.change_id, lib.row_ref(r.item, r.index)) if {
	some r in changes
	r.row.notified_at != null
	lead_days(r.row) < min_days
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
