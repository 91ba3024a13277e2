# INC-02: every customer-impacting incident detected in the period was recovered within
# max_recovery_hours; one still open past the limit fails. Findings carry min/median/p95/max of
# the recovery times (hours) of the recovered incidents.
package shoko.controls.inc_02

import data.shoko.lib
import data.shoko.lib.service
import data.shoko.lib.stats

max_hours := input.control.parameters.max_recovery_hours

incidents := service.customer_incidents

summary := stats.summary([service.hours_between(r.row.detected_at, r.row.recovered_at) |
	some r in incidents
	r.row.recovered_at != null
])

params(r, hours) := object.union(summary, {"incident": r.row.incident_id, "hours": hours, "max_hours": max_hours})

findings contains lib.pass("recovered_in_time", params(r, h), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.recovered_at != null
	h := service.hours_between(r.row.detected_at, r.row.recovered_at)
	h <= max_hours
}

findings contains lib.fail("recovered_late", params(r, h), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.recovered_at != null
	h := service.hours_between(r.row.detected_at, r.row.recovered_at)
	h > max_hours
}

findings contains lib.fail("not_recovered", params(r, h), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.recovered_at == null
	h := service.hours_between(r.row.detected_at, input.run.now)
	h > max_hours
}

findings contains lib.pass("recovery_pending", params(r, h), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.recovered_at == null
	h := service.hours_between(r.row.detected_at, input.run.now)
	h <= max_hours
}

# No customer-impacting incident in the period (the API was read whole): an explicit pass.
findings contains lib.pass("no_customer_incidents", {"service": service.service_name(item)}, service.service_name(item), lib.whole_ref(item)) if {
	count(incidents) == 0
	some item in lib.items("service.incidents")
}
