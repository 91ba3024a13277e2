package shoko.controls.pol_01_test

import data.shoko.controls.pol_01

digest := "e3a1c5f7092b4d6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f67"

record := {
	"file": "POL-01.yaml",
	"line": 1,
	"control": "POL-01",
	"statement": {
		"ja": "クラウドコンピューティングに関する情報セキュリティ方針を定め、https://usonar.co.jp/privacy/isms.html で公開している。",
		"en": "A cloud information security policy is set and published at https://usonar.co.jp/privacy/isms.html.",
	},
	"document": {"path": "docs/情報セキュリティ方針.pdf", "sha256": digest, "actual_sha256": digest, "found": true},
	"approver": "置田 富士夫",
	"approved_at": "2026-04-01T00:00:00Z",
	"expires_at": "2027-03-31T15:00:00Z",
}

# An attestation of another control, in the same directory.
other := object.union(record, {"file": "ORG-01.yaml", "control": "ORG-01"})

policy_page(status) := {
	"kind": "probe.http", "digest": "sha256:9a9e", "scope": {"source": "http", "url": "https://usonar.co.jp/privacy/isms.html"},
	"collected_at": "2026-11-27T00:00:00Z",
	"data": {"url": "https://usonar.co.jp/privacy/isms.html", "purpose": "policy", "status": status, "final_url": "https://usonar.co.jp/privacy/isms.html"},
}

run_input(records) := run_input_pages(records, [policy_page(200)])

run_input_pages(records, pages) := {
	"control": {"id": "POL-01", "parameters": {"policy_purpose": "policy"}},
	"evidence": {"probe.http": pages, "attestations": [{
		"kind": "attestations",
		"digest": "sha256:a77e",
		"scope": {"source": "attestations", "dir": "attestations"},
		"collected_at": "2026-11-27T00:00:00Z",
		"data": records,
	}]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_valid_attestation_passes if {
	f := pol_01.findings with input as run_input([other, record])
	count(f) == 2
	every x in f {
		x.status == "pass"
	}
	some x in f
	x.code == "attestation_valid"
	x.resource == "POL-01.yaml"
	x.evidence.digest == "sha256:a77e"
	x.evidence.pointer == "/data/1"
}

test_expired_attestation_fails if {
	f := pol_01.findings with input as run_input([other, object.union(record, {"expires_at": "2026-10-31T15:00:00Z"})])
	count(f) == 2
	some x in f
	x.status == "fail"
	x.status == "fail"
	x.code == "attestation_expired"
	x.resource == "POL-01.yaml"
	x.evidence.digest == "sha256:a77e"
	x.evidence.pointer == "/data/1"
}

test_missing_attestation_fails if {
	f := pol_01.findings with input as run_input([other])
	count(f) == 2
	some x in f
	x.code == "attestation_missing"
	x.resource == "POL-01"
}

test_unreachable_policy_page_fails_despite_attestation if {
	f := pol_01.findings with input as run_input_pages([record], [policy_page(404)])
	some x in f
	x.status == "fail"
	x.code == "policy_unreachable"
	x.resource == "https://usonar.co.jp/privacy/isms.html"
	x.evidence.digest == "sha256:9a9e"
}

test_policy_page_not_configured_fails if {
	manual := object.union(policy_page(200), {"data": {"url": "https://usonar.co.jp/manual", "purpose": "manual", "status": 200, "final_url": "https://usonar.co.jp/manual"}})
	f := pol_01.findings with input as run_input_pages([record], [manual])
	some x in f
	x.code == "policy_url_not_probed"
}
