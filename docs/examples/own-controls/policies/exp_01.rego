# EXP-01: the service lists the export feature (required_feature) among its capabilities.
package shoko.controls.exp_01

import data.shoko.lib
import data.shoko.lib.service

feature := input.control.parameters.required_feature

params(r) := {"service": service.service_name(r.item), "version": r.row.version, "feature": feature, "features": concat(", ", r.row.features)}

findings contains lib.pass("export_offered", params(r), service.service_name(r.item), lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("service.capabilities")
	feature in r.row.features
}

findings contains lib.fail("export_missing", params(r), service.service_name(r.item), lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("service.capabilities")
	not feature in r.row.features
}
