package shoko.controls.aud_01_test

import data.shoko.controls.aud_01

item(rows) := {
	"kind": "records.internal_audits",
	"digest": "sha256:aa",
	"scope": {"source": "records", "file": "internal_audits.csv"},
	"collected_at": "2026-11-01T00:00:00Z",
	"data": rows,
}

audit(id, status, completed_on) := {
	"audit_id": id, "scope": "ISMS全体", "status": status,
	"started_on": "2026-01-10", "completed_on": completed_on,
	"report_sha256": null, "line": 2,
}

run_input(rows) := {
	"control": {"id": "AUD-01", "parameters": {"max_days_since_audit": 365}},
	"evidence": {"records.internal_audits": [item(rows)]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_recent_audit_passes if {
	f := aud_01.findings with input as run_input([
		audit("IA-2025", "completed", "2025-02-20"),
		audit("IA-2026", "completed", "2026-02-18"),
	])
	count(f) == 1
	some x in f
	x.status == "pass"
	x.resource == "IA-2026"
	x.evidence.pointer == "/data/1"
	x.evidence.digest == "sha256:aa"
}

test_overdue_audit_fails if {
	f := aud_01.findings with input as run_input([audit("IA-2025", "completed", "2025-10-01")])
	some x in f
	x.status == "fail"
	x.code == "audit_overdue"
	x.params.days > 365
}

test_planned_audit_does_not_count if {
	f := aud_01.findings with input as run_input([
		audit("IA-2025", "completed", "2025-06-01"),
		audit("IA-2026", "planned", null),
	])
	some x in f
	x.status == "fail"
	x.resource == "IA-2025"
}

test_no_completed_audit_fails if {
	f := aud_01.findings with input as run_input([audit("IA-2026", "planned", null)])
	some x in f
	x.code == "no_completed_audit"
	x.evidence.pointer == "/data"
}

# The latest audit is the one with the largest [completed_on, audit_id]: a tie on the date goes to
# the larger audit id, wherever the rows are.
test_latest_audit_ties_go_to_the_larger_audit_id if {
	f := aud_01.findings with input as run_input([
		audit("IA-2025", "completed", "2025-02-20"),
		audit("IA-2026-B", "completed", "2026-02-18"),
		audit("IA-2026-A", "completed", "2026-02-18"),
	])
	count(f) == 1
	some x in f
	x.resource == "IA-2026-B"
	x.evidence.pointer == "/data/1"
}
