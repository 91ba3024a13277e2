package shoko.controls.util_01_test

import data.shoko.controls.util_01

run_input := {
	"control": {"id": "UTIL-01", "parameters": {}},
	"evidence": {},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_not_applicable_without_evidence if {
	f := util_01.findings with input as run_input
	f == {{"status": "not_applicable", "code": "no_utility_programs", "params": {}, "resource": "sonar-service"}}
}

test_never_passes_or_fails if {
	f := util_01.findings with input as run_input
	every x in f {
		x.status == "not_applicable"
		not x.evidence
	}
}
