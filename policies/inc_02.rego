# INC-02: every customer-impacting incident detected in the period was recovered within
# max_recovery_hours; one still open past the limit fails. Findings carry min/median/p95/max of
# the recovery times (hours) of the recovered incidents.
#
# "検知から 4 時間以内" is inclusive and exact: recovery at 4 h 0 min 0 s passes, at 4 h 0 min 1 s
# fails. The time is compared in nanoseconds; hours appear only in messages.
package shoko.controls.inc_02

import data.shoko.lib
import data.shoko.lib.service
import data.shoko.lib.stats

max_hours := input.control.parameters.max_recovery_hours

limit_ns := max_hours * service.hour_ns

incidents := service.customer_incidents

summary := stats.summary([service.hours_shown(service.duration_ns(r.row.detected_at, r.row.recovered_at)) |
	some r in incidents
	r.row.recovered_at != null
])

params(r, d) := object.union(summary, {"incident": r.row.incident_id, "hours": service.hours_shown(d), "max_hours": max_hours})

findings contains lib.pass("recovered_in_time", params(r, d), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.recovered_at != null
	d := service.duration_ns(r.row.detected_at, r.row.recovered_at)
	d <= limit_ns
}

findings contains lib.fail("recovered_late", params(r, d), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.recovered_at != null
	d := service.duration_ns(r.row.detected_at, r.row.recovered_at)
	d > limit_ns
}

findings contains lib.fail("not_recovered", params(r, d), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.recovered_at == null
	d := service.duration_ns(r.row.detected_at, input.run.now)
	d > limit_ns
}

findings contains lib.pass("recovery_pending", params(r, d), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.recovered_at == null
	d := service.duration_ns(r.row.detected_at, input.run.now)
	d <= limit_ns
}

# No customer-impacting incident in the period (the API was read whole): an explicit pass.
findings contains lib.pass("no_customer_incidents", {"service": service.service_name(item)}, service.service_name(item), lib.whole_ref(item)) if {
	count(incidents) == 0
	some item in lib.items("service.incidents")
}
