package shoko.controls.sup_01_test

import data.shoko.controls.sup_01

digest := "e3a1c5f7092b4d6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f67"

record := {
	"file": "SUP-01.yaml",
	"line": 1,
	"control": "SUP-01",
	"statement": {
		"ja": "サプライヤーは事前審査し、秘密保持契約を締結している。",
		"en": "Suppliers are assessed beforehand and bound by non-disclosure agreements.",
	},
	"document": {"path": "docs/購買管理規程.pdf", "sha256": digest, "actual_sha256": digest, "found": true},
	"approver": "置田 富士夫",
	"approved_at": "2026-04-01T00:00:00Z",
	"expires_at": "2027-03-31T15:00:00Z",
}

# An attestation of another control, in the same directory.
other := object.union(record, {"file": "ORG-01.yaml", "control": "ORG-01"})

run_input(records) := {
	"control": {"id": "SUP-01", "parameters": {}},
	"evidence": {"attestations": [{
		"kind": "attestations",
		"digest": "sha256:a77e",
		"scope": {"source": "attestations", "dir": "attestations"},
		"collected_at": "2026-11-27T00:00:00Z",
		"data": records,
	}]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_valid_attestation_passes if {
	f := sup_01.findings with input as run_input([other, record])
	count(f) == 1
	some x in f
	x.status == "pass"
	x.code == "attestation_valid"
	x.resource == "SUP-01.yaml"
	x.evidence.digest == "sha256:a77e"
	x.evidence.pointer == "/data/1"
}

test_attestation_without_expiry_fails if {
	f := sup_01.findings with input as run_input([other, object.union(record, {"expires_at": null})])
	count(f) == 1
	some x in f
	x.status == "fail"
	x.code == "attestation_no_expiry"
	x.resource == "SUP-01.yaml"
	x.evidence.digest == "sha256:a77e"
	x.evidence.pointer == "/data/1"
}

test_missing_attestation_fails if {
	f := sup_01.findings with input as run_input([other])
	count(f) == 1
	some x in f
	x.code == "attestation_missing"
	x.resource == "SUP-01"
}
