# TLS-02: each live endpoint refuses TLS 1.0 and 1.1, accepts 1.2 or 1.3, presents a chain valid
# for its host name with at least min_days_left days left, and sends HSTS of at least a year.
# One probe.tls item per endpoint (data: versions, chain, http); each problem is one fail.
package shoko.controls.tls_02

import data.shoko.lib

p := input.control.parameters

probes := [{"item": item, "d": item.data} | some item in lib.items("probe.tls")]

# left_ns is the exact time to the certificate's expiry: "at least min_days_left days left" is
# min_days_left 24-hour periods, inclusive (exactly 30 × 24 h passes, one second less fails).
# days_left, whole days rounded down, is only for messages.
left_ns(d) := time.parse_rfc3339_ns(d.chain.not_after) - lib.now_ns

days_left(d) := floor(left_ns(d) / lib.day_ns)

accepted(d) := concat(", ", [v.version | some v in d.versions; v.accepted])

problems contains lib.fail("old_version_accepted", {"endpoint": d.endpoint, "version": v.version, "cipher_suite": v.cipher_suite}, d.endpoint, lib.ref(x.item, sprintf("/data/versions/%d", [i]))) if {
	some x in probes
	d := x.d
	some i, v in d.versions
	v.version in p.refused_versions
	v.accepted
}

problems contains lib.fail("no_modern_version", {"endpoint": d.endpoint, "accepted_versions": concat(", ", p.accepted_versions)}, d.endpoint, lib.ref(x.item, "/data/versions")) if {
	some x in probes
	d := x.d
	not modern(d)
}

modern(d) if {
	some v in d.versions
	v.version in p.accepted_versions
	v.accepted
}

problems contains lib.fail("chain_invalid", {"endpoint": d.endpoint, "host": d.host, "error": d.chain.verify_error}, d.endpoint, lib.ref(x.item, "/data/chain")) if {
	some x in probes
	d := x.d
	d.chain.verified != true
}

problems contains lib.fail("certificate_expiring", {"endpoint": d.endpoint, "not_after": d.chain.not_after, "days_left": days_left(d), "min_days_left": p.min_days_left}, d.endpoint, lib.ref(x.item, "/data/chain")) if {
	some x in probes
	d := x.d
	left_ns(d) < p.min_days_left * lib.day_ns
}

problems contains lib.fail("hsts_missing", {"endpoint": d.endpoint, "min_hsts_max_age": p.min_hsts_max_age}, d.endpoint, lib.ref(x.item, "/data/http")) if {
	some x in probes
	d := x.d
	d.http.hsts_max_age == null
}

problems contains lib.fail("hsts_too_short", {"endpoint": d.endpoint, "hsts_max_age": d.http.hsts_max_age, "min_hsts_max_age": p.min_hsts_max_age}, d.endpoint, lib.ref(x.item, "/data/http")) if {
	some x in probes
	d := x.d
	d.http.hsts_max_age != null
	d.http.hsts_max_age < p.min_hsts_max_age
}

failing_endpoints := {f.resource | some f in problems}

findings contains f if some f in problems

findings contains lib.pass("tls_ok", {"endpoint": d.endpoint, "accepted": accepted(d), "days_left": days_left(d), "hsts_max_age": d.http.hsts_max_age}, d.endpoint, lib.whole_ref(x.item)) if {
	some x in probes
	d := x.d
	not d.endpoint in failing_endpoints
}
