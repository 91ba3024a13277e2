# POL-01: a cloud information security policy is established and published. Two parts, both
# required: a valid attestation (the shared attestation rule) and the policy page — the
# probe.http URL whose purpose is policy_purpose — answering 2xx.
package shoko.controls.pol_01

import data.shoko.lib
import data.shoko.lib.attestation

purpose := input.control.parameters.policy_purpose

pages := [{"item": item, "d": item.data} |
	some item in lib.items("probe.http")
	item.data.purpose == purpose
]

findings contains f if {
	some f in attestation.findings_for(input.control.id)
}

findings contains lib.pass("policy_published", {"url": x.d.url, "status": x.d.status}, x.d.url, lib.whole_ref(x.item)) if {
	some x in pages
	x.d.status >= 200
	x.d.status < 300
}

findings contains lib.fail("policy_unreachable", {"url": x.d.url, "status": x.d.status}, x.d.url, lib.whole_ref(x.item)) if {
	some x in pages
	not published(x.d.status)
}

published(s) if {
	s >= 200
	s < 300
}

findings contains lib.fail("policy_url_not_probed", {"purpose": purpose}, input.control.id, lib.whole_ref(item)) if {
	count(pages) == 0
	item := lib.items("probe.http")[0]
}
