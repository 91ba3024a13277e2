package shoko.controls.cert_01_test

import data.shoko.controls.cert_01

item(rows) := {
	"kind": "records.certificates",
	"digest": "sha256:c3e7",
	"scope": {"source": "records", "file": "certificates.csv"},
	"collected_at": "2026-11-27T00:00:00Z",
	"data": rows,
}

cert(standard, id, issued_on, expires_on, surveillance_on) := {
	"standard": standard, "certificate_id": id, "issuer": "BSIグループジャパン株式会社",
	"scope": "本社及びデータセンター", "issued_on": issued_on, "expires_on": expires_on,
	"last_surveillance_on": surveillance_on, "line": 2,
}

run_input(rows) := run_at(rows, "2026-11-27T00:00:00Z")

run_at(rows, now) := {
	"control": {"id": "CERT-01", "parameters": {
		"required_standards": ["ISO/IEC 27001", "ISO/IEC 27017", "ISO/IEC 27018"],
		"max_months_since_surveillance": 12,
	}},
	"evidence": {"records.certificates": [item(rows)]},
	"run": {"now": now, "period": {"start": "2026-01-01T00:00:00Z", "end": now}},
}

c27001 := cert("ISO/IEC 27001", "IS 654321", "2024-09-25", "2027-09-24", "2026-09-10")

c27017 := cert("ISO/IEC 27017", "CLOUD 712345", "2023-11-04", "2026-11-30", "2026-10-20")

c27018 := cert("ISO/IEC 27018", "PII 723456", "2023-11-04", "2026-11-30", "2026-10-20")

about(f, standard) := xs[0] if {
	xs := [x | some x in f; x.resource == standard]
	count(xs) == 1
}

test_all_required_certificates_valid_pass if {
	f := cert_01.findings with input as run_input([c27001, c27017, c27018])
	count(f) == 3
	every x in f {
		x.status == "pass"
		x.code == "certificate_valid"
		x.evidence.digest == "sha256:c3e7"
		x.evidence.kind == "records.certificates"
	}
	x := about(f, "ISO/IEC 27001")
	x.evidence.pointer == "/data/0"
	x.params == {
		"standard": "ISO/IEC 27001", "certificate_id": "IS 654321", "issuer": "BSIグループジャパン株式会社",
		"issued_on": "2024-09-25", "expires_on": "2027-09-24", "last_audit_on": "2026-09-10",
		"next_audit_due_on": "2027-09-10", "days_since_audit": 78, "max_months": 12,
	}
	about(f, "ISO/IEC 27018").evidence.pointer == "/data/2"
}

test_missing_standard_fails if {
	f := cert_01.findings with input as run_input([c27001, c27017])
	x := about(f, "ISO/IEC 27018")
	x.status == "fail"
	x.code == "certificate_missing"
	x.params == {"standard": "ISO/IEC 27018"}
	x.evidence.pointer == "/data"
	x.evidence.digest == "sha256:c3e7"
}

test_empty_register_fails_every_standard if {
	f := cert_01.findings with input as run_input([])
	count(f) == 3
	every x in f {
		x.code == "certificate_missing"
	}
}

test_expired_certificate_fails if {
	f := cert_01.findings with input as run_input([c27001, c27017, cert("ISO/IEC 27018", "PII 723456", "2023-11-04", "2026-11-26", "2026-10-20")])
	x := about(f, "ISO/IEC 27018")
	x.status == "fail"
	x.code == "certificate_expired"
	x.params.expires_on == "2026-11-26"
	x.evidence.pointer == "/data/2"
}

test_certificate_expiring_today_is_still_valid if {
	f := cert_01.findings with input as run_input([c27001, c27017, cert("ISO/IEC 27018", "PII 723456", "2023-11-04", "2026-11-27", "2026-10-20")])
	about(f, "ISO/IEC 27018").code == "certificate_valid"
}

test_surveillance_overdue_fails if {
	f := cert_01.findings with input as run_input([cert("ISO/IEC 27001", "IS 654321", "2024-09-25", "2027-09-24", "2025-09-10"), c27017, c27018])
	x := about(f, "ISO/IEC 27001")
	x.status == "fail"
	x.code == "surveillance_overdue"
	x.params.last_audit_on == "2025-09-10"
	x.params.next_audit_due_on == "2026-09-10"
	x.params.days_since_audit == 443
}

# ISO/IEC 27001 alone, with its last surveillance audit on `last`, judged at `now`.
surveillance_code(last, now) := about(f, "ISO/IEC 27001").code if {
	f := cert_01.findings with input as run_at([cert("ISO/IEC 27001", "IS 654321", "2024-09-25", "2031-09-24", last), c27017, c27018], now)
}

# The next audit is due 12 calendar months after the last: valid on the due date, overdue the day after.
test_surveillance_due_today_passes_and_a_day_later_fails if {
	surveillance_code("2025-11-27", "2026-11-27T00:00:00Z") == "certificate_valid"
	surveillance_code("2025-11-26", "2026-11-27T00:00:00Z") == "surveillance_overdue"
}

# A year across February 29 (366 days) is a year; a leap-day audit is due on February 28.
test_surveillance_yearly_across_a_leap_day if {
	surveillance_code("2027-03-01", "2028-03-01T00:00:00+09:00") == "certificate_valid"
	surveillance_code("2028-02-29", "2029-02-28T00:00:00+09:00") == "certificate_valid"
	surveillance_code("2028-02-29", "2029-03-01T00:00:00+09:00") == "surveillance_overdue"
}

test_no_surveillance_yet_counts_from_issue if {
	f := cert_01.findings with input as run_input([cert("ISO/IEC 27001", "IS 777777", "2026-02-01", "2029-01-31", null), c27017, c27018])
	x := about(f, "ISO/IEC 27001")
	x.code == "certificate_valid"
	x.params.last_audit_on == "2026-02-01"
}

test_no_surveillance_since_old_issue_fails if {
	f := cert_01.findings with input as run_input([c27001, cert("ISO/IEC 27017", "CLOUD 712345", "2025-11-04", "2028-11-03", null), c27018])
	x := about(f, "ISO/IEC 27017")
	x.code == "surveillance_overdue"
	x.params.days_since_audit == 388
}

test_recertification_newer_than_last_surveillance_counts if {
	f := cert_01.findings with input as run_input([cert("ISO/IEC 27001", "IS 654321", "2026-09-25", "2029-09-24", "2025-09-10"), c27017, c27018])
	x := about(f, "ISO/IEC 27001")
	x.code == "certificate_valid"
	x.params.last_audit_on == "2026-09-25"
}

test_renewed_certificate_is_judged_not_the_expired_one if {
	f := cert_01.findings with input as run_input([
		cert("ISO/IEC 27001", "IS 600000", "2021-09-25", "2024-09-24", "2023-09-10"),
		c27001, c27017, c27018,
	])
	x := about(f, "ISO/IEC 27001")
	x.code == "certificate_valid"
	x.params.certificate_id == "IS 654321"
	x.evidence.pointer == "/data/1"
}

test_standard_names_match_without_spaces_or_with_edition if {
	f := cert_01.findings with input as run_input([
		cert("ISO/IEC27001:2022", "IS 654321", "2024-09-25", "2027-09-24", "2026-09-10"),
		cert("iso/iec 27017", "CLOUD 712345", "2023-11-04", "2026-11-30", "2026-10-20"),
		cert("ISO/IEC27018", "PII 723456", "2023-11-04", "2026-11-30", "2026-10-20"),
	])
	count(f) == 3
	every x in f {
		x.code == "certificate_valid"
	}
	about(f, "ISO/IEC 27001").params.certificate_id == "IS 654321"
}

test_other_standards_are_ignored if {
	f := cert_01.findings with input as run_input([cert("ISO 9001", "QMS 1", "2019-01-01", "2020-01-01", "not a date"), c27001, c27017, c27018])
	count(f) == 3
	every x in f {
		x.status == "pass"
	}
}

test_unreadable_date_fails if {
	f := cert_01.findings with input as run_input([c27001, c27017, cert("ISO/IEC 27018", "PII 723456", "2023-11-04", "2026-11-32", "2026-10-20")])
	count(f) == 3
	x := about(f, "ISO/IEC 27018")
	x.status == "fail"
	x.code == "invalid_date"
	x.params == {"standard": "ISO/IEC 27018", "certificate_id": "PII 723456", "field": "expires_on", "value": "2026-11-32", "line": 2}
	x.evidence.pointer == "/data/2"
}

test_no_evidence_item_gives_no_verdict if {
	f := cert_01.findings with input as json.patch(run_input([]), [{"op": "replace", "path": "/evidence", "value": {}}])
	count(f) == 0
}
