package shoko.controls.lbl_01_test

import data.shoko.controls.lbl_01

run_input(rows) := {
	"control": {"id": "LBL-01", "parameters": {"required_feature": "tags"}},
	"evidence": {"service.capabilities": [{"kind": "service.capabilities", "digest": "sha256:ca", "scope": {"source": "service", "service": "cardsvc"}, "collected_at": "2026-11-27T00:00:00Z", "data": rows}]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_tags_offered_passes if {
	f := lbl_01.findings with input as run_input([{"features": ["csv_export", "tags"], "version": "cardsvc-1.0.0"}])
	count(f) == 1
	some x in f
	x.status == "pass"
	x.resource == "cardsvc"
	x.evidence.pointer == "/data/0"
}

test_no_tags_fails if {
	f := lbl_01.findings with input as run_input([{"features": ["csv_export"], "version": "cardsvc-1.0.0"}])
	some x in f
	x.status == "fail"
	x.code == "feature_missing"
	x.params.features == "csv_export"
}

test_empty_capabilities_fail if {
	f := lbl_01.findings with input as run_input([])
	some x in f
	x.code == "capabilities_empty"
}
