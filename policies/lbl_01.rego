# LBL-01: the service offers the tag feature (required_feature) for business-card data.
package shoko.controls.lbl_01

import data.shoko.lib
import data.shoko.lib.service

feature := input.control.parameters.required_feature

params(r) := {"service": service.service_name(r.item), "version": r.row.version, "feature": feature, "features": concat(", ", r.row.features)}

findings contains lib.pass("feature_present", params(r), service.service_name(r.item), lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("service.capabilities")
	feature in r.row.features
}

findings contains lib.fail("feature_missing", params(r), service.service_name(r.item), lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("service.capabilities")
	not feature in r.row.features
}

findings contains lib.fail("capabilities_empty", {"service": service.service_name(item)}, service.service_name(item), lib.whole_ref(item)) if {
	some item in lib.items("service.capabilities")
	count(item.data) == 0
}
