# OPS-01: the manual, FAQ and chatbot pages (required_purposes) answer 2xx.
package shoko.controls.ops_01

import data.shoko.lib

purposes := input.control.parameters.required_purposes

pages := [{"item": item, "d": item.data} |
	some item in lib.items("probe.http")
	item.data.purpose in purposes
]

params(x) := {"url": x.d.url, "purpose": x.d.purpose, "status": x.d.status}

findings contains lib.pass("page_available", params(x), x.d.url, lib.whole_ref(x.item)) if {
	some x in pages
	x.d.status >= 200
	x.d.status < 300
}

findings contains lib.fail("page_unavailable", params(x), x.d.url, lib.whole_ref(x.item)) if {
	some x in pages
	not ok(x.d.status)
}

ok(s) if {
	s >= 200
	s < 300
}

# A purpose without a configured URL is a gap in the evidence: fail, pointing at the probes made.
findings contains lib.fail("purpose_not_probed", {"purpose": purpose}, purpose, lib.whole_ref(item)) if {
	some purpose in purposes
	count([x | some x in pages; x.d.purpose == purpose]) == 0
	item := lib.items("probe.http")[0]
}
