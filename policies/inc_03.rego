# INC-03: every customer-impacting incident in the period was escalated to top management.
package shoko.controls.inc_03

import data.shoko.lib
import data.shoko.lib.service

incidents := service.customer_incidents

findings contains lib.pass("escalated", {"incident": r.row.incident_id, "escalated_at": r.row.escalated_at}, r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.escalated_at != null
}

findings contains lib.fail("not_escalated", {"incident": r.row.incident_id, "detected_at": r.row.detected_at}, r.row.incident_id, lib.row_ref(r.item, r.index)) if {
	some r in incidents
	r.row.escalated_at == null
}

# No customer-impacting incident in the period (the API was read whole): an explicit pass.
findings contains lib.pass("no_customer_incidents", {"service": service.service_name(item)}, service.service_name(item), lib.whole_ref(item)) if {
	count(incidents) == 0
	some item in lib.items("service.incidents")
}
