package shoko.controls.tls_02_test

import data.shoko.controls.tls_02

params := {"refused_versions": ["1.0", "1.1"], "accepted_versions": ["1.2", "1.3"], "min_days_left": 30, "min_hsts_max_age": 31536000}

v(name, ok) := {"version": name, "accepted": ok, "cipher_suite": suite(ok), "refusal": refusal(ok)}

suite(true) := "TLS_AES_128_GCM_SHA256"

suite(false) := null

refusal(true) := null

refusal(false) := "remote error: tls: protocol version not supported"

probe(versions, chain, hsts) := {
	"endpoint": "cards.example.jp:443", "host": "cards.example.jp",
	"versions": versions,
	"chain": object.union(
		{
			"verified": true, "verify_error": null, "subject": "CN=cards.example.jp", "issuer": "CN=Example CA",
			"dns_names": ["cards.example.jp"], "ip_addresses": [], "not_before": "2026-06-01T00:00:00Z", "not_after": "2027-06-01T00:00:00Z", "length": 2,
		},
		chain,
	),
	"http": {
		"status": 200, "strict_transport_security": "max-age=63072000", "hsts_max_age": hsts, "date": "Fri, 27 Nov 2026 00:00:00 GMT",
		"sent_at": "2026-11-27T00:00:00.1Z", "received_at": "2026-11-27T00:00:00.2Z", "skew_seconds": 0,
	},
}

good_versions := [v("1.0", false), v("1.1", false), v("1.2", true), v("1.3", true)]

run_input(probe_data) := {
	"control": {"id": "TLS-02", "parameters": params},
	"evidence": {"probe.tls": [{"kind": "probe.tls", "digest": "sha256:71", "scope": {"source": "tls", "endpoint": "cards.example.jp:443"}, "collected_at": "2026-11-27T00:00:00Z", "data": probe_data}]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_modern_endpoint_passes if {
	f := tls_02.findings with input as run_input(probe(good_versions, {}, 63072000))
	count(f) == 1
	some x in f
	x.status == "pass"
	x.code == "tls_ok"
	x.resource == "cards.example.jp:443"
	x.params.accepted == "1.2, 1.3"
	x.params.days_left == 186
}

test_tls10_accepted_fails if {
	f := tls_02.findings with input as run_input(probe([v("1.0", true), v("1.1", false), v("1.2", true), v("1.3", true)], {}, 63072000))
	count(f) == 1
	some x in f
	x.status == "fail"
	x.code == "old_version_accepted"
	x.params.version == "1.0"
	x.evidence.pointer == "/data/versions/0"
}

test_only_old_versions_fail if {
	f := tls_02.findings with input as run_input(probe([v("1.0", true), v("1.1", true), v("1.2", false), v("1.3", false)], {}, 63072000))
	codes := {x.code | some x in f}
	codes == {"old_version_accepted", "no_modern_version"}
}

test_expired_wrong_host_certificate_fails if {
	f := tls_02.findings with input as run_input(probe(good_versions, {"verified": false, "verify_error": "x509: certificate is valid for other.example.jp, not cards.example.jp", "not_after": "2026-12-10T00:00:00Z"}, 63072000))
	codes := {x.code | some x in f}
	codes == {"chain_invalid", "certificate_expiring"}
	some x in f
	x.code == "certificate_expiring"
	x.params.days_left == 13
	x.evidence.pointer == "/data/chain"
}

test_hsts_missing_or_short_fails if {
	f1 := tls_02.findings with input as run_input(probe(good_versions, {}, null))
	{x.code | some x in f1} == {"hsts_missing"}
	f2 := tls_02.findings with input as run_input(probe(good_versions, {}, 86400))
	{x.code | some x in f2} == {"hsts_too_short"}
}

# Days left are exact, in 24-hour periods: exactly 30 days left passes, one second less fails.
test_certificate_at_the_limit_passes_one_second_less_fails if {
	at := tls_02.findings with input as run_input(probe(good_versions, {"not_after": "2026-12-27T00:00:00Z"}, 63072000))
	{[x.status, x.code] | some x in at} == {["pass", "tls_ok"]}
	short := tls_02.findings with input as run_input(probe(good_versions, {"not_after": "2026-12-26T23:59:59Z"}, 63072000))
	{[x.status, x.code, x.params.days_left] | some x in short} == {["fail", "certificate_expiring", 29]}
}
