# INC-01: every customer-impacting incident detected in the period was notified within
# max_notify_minutes of detection; one still un-notified past the limit fails, one un-notified
# but within it passes as pending. Every finding carries min/median/p95/max of the notification
# times (minutes) of the notified incidents.
#
# "検知から 30 分以内" is inclusive and exact: a notice at 30 min 0 s passes, at 30 min 1 s (or one
# nanosecond more) fails. The time is compared in nanoseconds; minutes appear only in messages.
package shoko.controls.inc_01

import data.shoko.lib
import data.shoko.lib.service
import data.shoko.lib.stats

max_minutes := input.control.parameters.max_notify_minutes

limit_ns := max_minutes * service.minute_ns

incidents := service.customer_incidents

summary := stats.summary([service.minutes_shown(service.duration_ns(r.row.detected_at, r.row.notified_at)) |
	some r in incidents
	r.row.notified_at != null
])

params(r, d) := object.union(summary, {"incident": r.row.incident_id, "minutes": service.minutes_shown(d), "max_minutes": max_minutes})

findings contains lib.pass("notified_in_time", params(r, d), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.notified_at != null
	d := service.duration_ns(r.row.detected_at, r.row.notified_at)
	d <= limit_ns
}

findings contains lib.fail("notified_late", params(r, d), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.notified_at != null
	d := service.duration_ns(r.row.detected_at, r.row.notified_at)
	d > limit_ns
}

findings contains lib.fail("not_notified", params(r, d), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.notified_at == null
	d := service.duration_ns(r.row.detected_at, input.run.now)
	d > limit_ns
}

findings contains lib.pass("notification_pending", params(r, d), r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.notified_at == null
	d := service.duration_ns(r.row.detected_at, input.run.now)
	d <= limit_ns
}

# No customer-impacting incident in the period: an explicit pass. Legitimate because the
# evidence API was read for the whole audit period, every page (else the item is an error).
findings contains lib.pass("no_customer_incidents", {"service": service.service_name(item)}, service.service_name(item), lib.whole_ref(item)) if {
	count(incidents) == 0
	some item in lib.items("service.incidents")
}
