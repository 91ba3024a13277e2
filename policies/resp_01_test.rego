package shoko.controls.resp_01_test

import data.shoko.controls.resp_01

digest := "e3a1c5f7092b4d6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f67"

record := {
	"file": "RESP-01.yaml",
	"line": 1,
	"control": "RESP-01",
	"statement": {
		"ja": "当社・お客様・クラウドサービス事業者の責任範囲を定め、AWS の責任共有モデルに従っている。",
		"en": "Responsibilities of the company, customers and the cloud provider are defined; the AWS shared responsibility model applies.",
	},
	"document": {"path": "docs/責任分界表.xlsx", "sha256": digest, "actual_sha256": digest, "found": true},
	"approver": "情報セキュリティ委員会 委員長",
	"approved_at": "2026-04-01T00:00:00Z",
	"expires_at": "2027-03-31T15:00:00Z",
}

# An attestation of another control, in the same directory.
other := object.union(record, {"file": "ORG-01.yaml", "control": "ORG-01"})

run_input(records) := {
	"control": {"id": "RESP-01", "parameters": {}},
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
	f := resp_01.findings with input as run_input([other, record])
	count(f) == 1
	some x in f
	x.status == "pass"
	x.code == "attestation_valid"
	x.resource == "RESP-01.yaml"
	x.evidence.digest == "sha256:a77e"
	x.evidence.pointer == "/data/1"
}

test_changed_document_fails if {
	f := resp_01.findings with input as run_input([other, object.union(record, {"document": {"path": "docs/責任分界表.xlsx", "sha256": digest, "actual_sha256": "1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100ffee", "found": true}})])
	count(f) == 1
	some x in f
	x.status == "fail"
	x.code == "document_digest_mismatch"
	x.resource == "RESP-01.yaml"
	x.evidence.digest == "sha256:a77e"
	x.evidence.pointer == "/data/1"
}

test_missing_attestation_fails if {
	f := resp_01.findings with input as run_input([other])
	count(f) == 1
	some x in f
	x.code == "attestation_missing"
	x.resource == "RESP-01"
}
