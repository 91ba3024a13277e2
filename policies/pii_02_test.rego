package shoko.controls.pii_02_test

import data.shoko.controls.pii_02

disclosure(id, basis, approver) := {"disclosure_id": id, "disclosed_at": "2026-06-12T15:00:00+09:00", "recipient": "警視庁", "legal_basis": basis, "approved_by": approver}

run_input(rows) := {
	"control": {"id": "PII-02", "parameters": {"required_fields": ["recipient", "legal_basis", "approved_by"]}},
	"evidence": {"service.disclosures": [{"kind": "service.disclosures", "digest": "sha256:d1", "scope": {"source": "service", "service": "cardsvc"}, "collected_at": "2026-11-27T00:00:00Z", "data": rows}]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_complete_record_passes if {
	f := pii_02.findings with input as run_input([disclosure("DSC-1", "刑事訴訟法第197条第2項", "法務部長")])
	count(f) == 1
	some x in f
	x.status == "pass"
	x.resource == "DSC-1"
}

test_incomplete_record_fails if {
	f := pii_02.findings with input as run_input([disclosure("DSC-1", null, " ")])
	some x in f
	x.status == "fail"
	x.params.missing == "legal_basis, approved_by"
	x.evidence.pointer == "/data/0"
}

test_no_disclosures_passes if {
	f := pii_02.findings with input as run_input([])
	some x in f
	x.code == "no_disclosures"
}
