package shoko.controls.exp_01_test

import data.shoko.controls.exp_01

run_input(rows) := {
	"control": {"id": "EXP-01", "parameters": {"required_feature": "csv_export", "export_format": "CSV"}},
	"evidence": {"service.capabilities": [{"kind": "service.capabilities", "digest": "sha256:ca", "scope": {"source": "service", "service": "cardsvc"}, "collected_at": "2026-11-27T00:00:00Z", "data": rows}]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_export_offered_passes if {
	f := exp_01.findings with input as run_input([{"features": ["csv_export", "tags"], "version": "cardsvc-1.0.0"}])
	count(f) == 1
	some x in f
	x.status == "pass"
	x.code == "export_offered"
}

test_no_export_fails if {
	f := exp_01.findings with input as run_input([{"features": ["tags"], "version": "cardsvc-1.0.0"}])
	some x in f
	x.status == "fail"
	x.code == "export_missing"
	x.params.features == "tags"
}
