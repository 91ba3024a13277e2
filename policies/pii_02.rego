# PII-02: every disclosure to an authority in the period records recipient, legal basis and
# approver (required_fields; the time is required by the contract itself).
package shoko.controls.pii_02

import data.shoko.lib
import data.shoko.lib.service

required := input.control.parameters.required_fields

disclosures := lib.rows("service.disclosures")

missing(row) := [f |
	some f in required
	not present(object.get(row, f, null))
]

present(v) if {
	is_string(v)
	trim_space(v) != ""
}

findings contains lib.pass("disclosure_recorded", {"disclosure": r.row.disclosure_id, "disclosed_at": r.row.disclosed_at, "recipient": r.row.recipient}, r.row.disclosure_id, lib.row_ref(r.item, r.index)) if {
	some r in disclosures
	count(missing(r.row)) == 0
}

findings contains lib.fail("disclosure_incomplete", {"disclosure": r.row.disclosure_id, "disclosed_at": r.row.disclosed_at, "missing": concat(", ", missing(r.row))}, r.row.disclosure_id, lib.row_ref(r.item, r.index)) if {
	some r in disclosures
	count(missing(r.row)) > 0
}

# No disclosure in the period (the API was read whole): an explicit pass.
findings contains lib.pass("no_disclosures", {"service": service.service_name(item)}, service.service_name(item), lib.whole_ref(item)) if {
	count(disclosures) == 0
	some item in lib.items("service.disclosures")
}
