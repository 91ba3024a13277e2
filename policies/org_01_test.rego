# ORG-01 and, through it, every path of the shared attestation rule (lib/attestation.rego).
package shoko.controls.org_01_test

import data.shoko.controls.org_01

digest := "4b1f0c3a9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3"

item(records) := {
	"kind": "attestations",
	"digest": "sha256:a77e",
	"scope": {"source": "attestations", "dir": "attestations"},
	"collected_at": "2026-11-27T00:00:00Z",
	"data": records,
}

valid := {
	"file": "ORG-01.yaml",
	"line": 1,
	"control": "ORG-01",
	"statement": {
		"ja": "取締役 置田 富士夫 を情報セキュリティ統括責任者に任命し、情報セキュリティ委員会を設置している。",
		"en": "Director Fujio Okita is the information security executive; an information security committee is in place.",
	},
	"document": {"path": "docs/ISMS組織規程.pdf", "sha256": digest, "actual_sha256": digest, "found": true},
	"approver": "置田 富士夫",
	"approved_at": "2026-04-01T00:00:00Z",
	"expires_at": "2027-03-31T15:00:00Z",
}

other := object.union(valid, {"file": "RESP-01.yaml", "control": "RESP-01", "approver": null})

run_input(records) := {
	"control": {"id": "ORG-01", "parameters": {}},
	"evidence": {"attestations": [item(records)]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

codes(f) := {x.code | some x in f}

# findings of ORG-01 for the valid record changed by `patch`, given after RESP-01's record.
patched(patch) := f if {
	f := org_01.findings with input as run_input([other, object.union(valid, patch)])
}

test_valid_attestation_passes if {
	f := org_01.findings with input as run_input([other, valid])
	count(f) == 1
	some x in f
	x.status == "pass"
	x.code == "attestation_valid"
	x.resource == "ORG-01.yaml"
	x.evidence.kind == "attestations"
	x.evidence.digest == "sha256:a77e"
	x.evidence.pointer == "/data/1"
	x.params == {
		"control": "ORG-01", "file": "ORG-01.yaml", "document": "docs/ISMS組織規程.pdf",
		"sha256": digest, "actual_sha256": digest, "approver": "置田 富士夫",
		"approved_at": "2026-04-01T00:00:00Z", "expires_at": "2027-03-31T15:00:00Z",
	}
}

test_missing_attestation_fails if {
	f := org_01.findings with input as run_input([other])
	count(f) == 1
	some x in f
	x.status == "fail"
	x.code == "attestation_missing"
	x.params == {"control": "ORG-01"}
	x.resource == "ORG-01"
	x.evidence.pointer == "/data"
	x.evidence.digest == "sha256:a77e"
}

test_empty_attestation_directory_fails if {
	f := org_01.findings with input as run_input([])
	codes(f) == {"attestation_missing"}
}

test_no_attestations_item_gives_no_verdict if {
	f := org_01.findings with input as json.patch(run_input([]), [{"op": "replace", "path": "/evidence", "value": {}}])
	count(f) == 0
}

test_null_approver_fails_unapproved if {
	f := patched({"approver": null})
	count(f) == 1
	some x in f
	x.status == "fail"
	x.code == "attestation_unapproved"
	x.resource == "ORG-01.yaml"
	x.evidence.pointer == "/data/1"
	x.evidence.digest == "sha256:a77e"
}

test_blank_approver_fails_unapproved if {
	codes(patched({"approver": "  "})) == {"attestation_unapproved"}
}

test_missing_approval_time_fails_unapproved if {
	codes(patched({"approved_at": null})) == {"attestation_unapproved"}
}

test_approval_in_the_future_fails if {
	f := patched({"approved_at": "2026-12-01T00:00:00Z"})
	count(f) == 1
	some x in f
	x.status == "fail"
	x.code == "attestation_not_yet_approved"
	x.params.approved_at == "2026-12-01T00:00:00Z"
}

test_expired_attestation_fails if {
	f := patched({"expires_at": "2026-11-26T15:00:00Z"})
	count(f) == 1
	some x in f
	x.status == "fail"
	x.code == "attestation_expired"
	x.params.expires_at == "2026-11-26T15:00:00Z"
	x.evidence.pointer == "/data/1"
}

test_attestation_expiring_exactly_now_is_expired if {
	codes(patched({"expires_at": "2026-11-27T00:00:00Z"})) == {"attestation_expired"}
}

test_attestation_without_expiry_fails if {
	codes(patched({"expires_at": null})) == {"attestation_no_expiry"}
}

test_document_not_found_fails if {
	f := patched({"document": {"path": "docs/ISMS組織規程.pdf", "sha256": digest, "actual_sha256": null, "found": false}})
	count(f) == 1
	some x in f
	x.status == "fail"
	x.code == "document_missing"
	x.params.document == "docs/ISMS組織規程.pdf"
}

test_document_digest_mismatch_fails if {
	changed := "0000000000000000000000000000000000000000000000000000000000000000"
	f := patched({"document": {"path": "docs/ISMS組織規程.pdf", "sha256": digest, "actual_sha256": changed, "found": true}})
	count(f) == 1
	some x in f
	x.status == "fail"
	x.code == "document_digest_mismatch"
	x.params.sha256 == digest
	x.params.actual_sha256 == changed
}

test_digest_comparison_ignores_case_and_prefix if {
	declared := concat("", ["sha256:", upper(digest)])
	codes(patched({"document": {"path": "docs/ISMS組織規程.pdf", "sha256": declared, "actual_sha256": digest, "found": true}})) == {"attestation_valid"}
}

test_every_problem_is_its_own_finding if {
	f := patched({
		"approver": null,
		"expires_at": "2026-01-01T00:00:00Z",
		"document": {"path": "docs/ISMS組織規程.pdf", "sha256": digest, "actual_sha256": null, "found": false},
	})
	codes(f) == {"attestation_unapproved", "attestation_expired", "document_missing"}
	every x in f {
		x.status == "fail"
		x.resource == "ORG-01.yaml"
	}
}

test_each_record_of_the_control_is_judged if {
	renewed := object.union(valid, {"file": "ORG-01-2027.yaml", "approved_at": "2027-01-01T00:00:00Z"})
	f := org_01.findings with input as run_input([valid, renewed])
	count(f) == 2
	some x in f
	x.resource == "ORG-01-2027.yaml"
	x.code == "attestation_not_yet_approved"
	some y in f
	y.resource == "ORG-01.yaml"
	y.code == "attestation_valid"
}

test_other_controls_records_do_not_count if {
	f := org_01.findings with input as run_input([object.union(valid, {"control": "POL-01", "file": "POL-01.yaml"})])
	codes(f) == {"attestation_missing"}
}
