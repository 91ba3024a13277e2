package shoko.controls.time_01_test

import data.shoko.controls.time_01

probe(skew) := {"endpoint": "cards.example.jp:443", "host": "cards.example.jp", "versions": [], "chain": {}, "http": {
	"status": 200, "strict_transport_security": null, "hsts_max_age": null, "date": "Fri, 27 Nov 2026 00:02:00 GMT",
	"sent_at": "2026-11-27T00:00:00.1Z", "received_at": "2026-11-27T00:00:00.2Z", "skew_seconds": skew,
}}

run_input(probe_data) := {
	"control": {"id": "TIME-01", "parameters": {"max_skew_seconds": 5}},
	"evidence": {"probe.tls": [{"kind": "probe.tls", "digest": "sha256:71", "scope": {}, "collected_at": "2026-11-27T00:00:00Z", "data": probe_data}]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_small_skew_passes if {
	f := time_01.findings with input as run_input(probe(-0.8))
	count(f) == 1
	some x in f
	x.status == "pass"
	x.code == "clock_synchronized"
	x.evidence.pointer == "/data/http"
}

test_two_minutes_ahead_fails if {
	f := time_01.findings with input as run_input(probe(119.8))
	some x in f
	x.status == "fail"
	x.code == "clock_skewed"
	x.resource == "cards.example.jp:443"
}

test_no_date_fails if {
	f := time_01.findings with input as run_input(probe(null))
	some x in f
	x.code == "date_missing"
}

# The skew is compared as the probe measured it, either way: 5 s passes, 5.0004 s fails (the
# probe no longer rounds it to the millisecond, which made it 5.000), and so does 5 s behind.
test_skew_at_the_limit_passes_past_it_fails if {
	every skew in [5, -5] {
		{x.code | some x in time_01.findings with input as run_input(probe(skew))} == {"clock_synchronized"}
	}
	every skew in [5.0004, -5.0004, 6] {
		{x.code | some x in time_01.findings with input as run_input(probe(skew))} == {"clock_skewed"}
	}
}

# The message shows the skew to the millisecond, rounded away from zero: never below the measure.
test_skew_is_shown_to_the_millisecond_away_from_zero if {
	every c in [[5.0004, 5.001], [-5.0004, -5.001], [5, 5], [0.123456789, 0.124], [0, 0]] {
		{x.params.skew_seconds | some x in time_01.findings with input as run_input(probe(c[0]))} == {c[1]}
	}
}
