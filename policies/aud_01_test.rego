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

run_input(rows) := run_at(rows, "2026-11-27T00:00:00Z")

run_at(rows, now) := {
	"control": {"id": "AUD-01", "parameters": {"max_months_since_audit": 12}},
	"evidence": {"records.internal_audits": [item(rows)]},
	"run": {"now": now, "period": {"start": "2026-01-01T00:00:00Z", "end": now}},
}

# verdict is the status of the one finding about the latest audit, and its params.
verdict(rows, now) := [x.status, x.params] if {
	f := aud_01.findings with input as run_at(rows, now)
	count(f) == 1
	some x in f
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
	x.params == {"audit_id": "IA-2025", "completed_on": "2025-10-01", "due_on": "2026-10-01", "days": 422, "max_months": 12}
}

# The due date is the completion date 12 calendar months on: due that day, overdue the next.
test_audit_due_today_passes_and_a_day_later_fails if {
	[s1, p1] := verdict([audit("IA-1", "completed", "2025-11-27")], "2026-11-27T00:00:00Z")
	s1 == "pass"
	p1.due_on == "2026-11-27"
	p1.days == 365
	[s2, p2] := verdict([audit("IA-1", "completed", "2025-11-26")], "2026-11-27T00:00:00Z")
	s2 == "fail"
	p2.due_on == "2026-11-26"
}

# A year across February 29 is 366 days and still a year: 2027-03-01 to 2028-03-01 passes.
test_a_year_across_a_leap_day_passes if {
	[status, p] := verdict([audit("IA-1", "completed", "2027-03-01")], "2028-03-01T00:00:00+09:00")
	status == "pass"
	p.due_on == "2028-03-01"
	p.days == 366
}

# An audit on a leap day is due on February 28 of the next year (no February 29 there), judged by
# the date in Japan: 23:59:59 JST on the 28th passes, 00:00 JST on March 1 fails.
test_a_leap_day_audit_is_due_on_february_28 if {
	rows := [audit("IA-1", "completed", "2028-02-29")]
	[s1, p1] := verdict(rows, "2029-02-28T00:00:00+09:00")
	s1 == "pass"
	p1.due_on == "2029-02-28"
	[s2, _] := verdict(rows, "2029-02-28T14:59:59Z")
	s2 == "pass"
	[s3, p3] := verdict(rows, "2029-02-28T15:00:00Z")
	s3 == "fail"
	p3.days == 366
	[s4, _] := verdict(rows, "2029-03-01T00:00:00+09:00")
	s4 == "fail"
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
