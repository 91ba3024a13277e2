# NOT-01: every active tenant has at least min_contacts registered notification contacts.
package shoko.controls.not_01

import data.shoko.lib

min_contacts := input.control.parameters.min_contacts

active := [r | some r in lib.rows("service.tenants"); r.row.status == "active"]

params(r) := {"tenant": r.row.tenant_id, "contacts": r.row.notification_contacts, "min_contacts": min_contacts}

findings contains lib.pass("contacts_registered", params(r), r.row.tenant_id, lib.row_ref(r.item, r.index)) if {
	some r in active
	r.row.notification_contacts >= min_contacts
}

findings contains lib.fail("no_contacts", params(r), r.row.tenant_id, lib.row_ref(r.item, r.index)) if {
	some r in active
	r.row.notification_contacts < min_contacts
}

# A running service that lists no active tenant cannot show whom it would notify: not a pass.
findings contains lib.fail("no_active_tenants", {}, "tenants", lib.whole_ref(item)) if {
	count(active) == 0
	some item in lib.items("service.tenants")
}
