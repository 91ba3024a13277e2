# INC-01: every customer-impacting incident detected in the period was notified within
# max_notify_minutes of detection; one still un-notified past the limit fails, one un-notified
# but within it passes as pending. Every finding carries min/median/p95/max of the notification
# times (minutes) of the notified incidents.
package shoko.controls.inc_01

import data.shoko.lib
import data.shoko.lib.service
import data.shoko.lib.stats

max_minutes := input.control.parameters.max_notify_minutes

incidents := service.customer_incidents

summary := stats.summary([service.minutes_between(r.row.detected_at, r.row.notified_at) |
	some r in incidents
	r.row.notified_at != null
])

params(r, minutes) := object.union(summary, {"incident": r.row.incident_id, "minutes": minutes, "max_minutes": max_minutes})

findings contains lib.pass("notified_in_time", params(r, m), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.notified_at != null
	m := service.minutes_between(r.row.detected_at, r.row.notified_at)
	m <= max_minutes
}

findings contains lib.fail("notified_late", params(r, m), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.notified_at != null
	m := service.minutes_between(r.row.detected_at, r.row.notified_at)
	m > max_minutes
}

findings contains lib.fail("not_notified", params(r, m), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.notified_at == null
	m := service.minutes_between(r.row.detected_at, input.run.now)
	m > max_minutes
}

findings contains lib.pass("notification_pending", params(r, m), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.notified_at == null
	m := service.minutes_between(r.row.detected_at, input.run.now)
	m <= max_minutes
}

# No customer-impacting incident in the period: an explicit pass. Legitimate because the
# evidence API was read for the whole audit period, every page (else the item is an error).
findings contains lib.pass("no_customer_incidents", {"service": service.service_name(item)}, service.service_name(item), lib.whole_ref(item)) if {
	count(incidents) == 0
	some item in lib.items("service.incidents")
}
