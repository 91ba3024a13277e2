package shoko.controls.chg_01_test

import data.shoko.controls.chg_01

change(id, impact, notified, effective) := {"change_id": id, "kind": "maintenance", "customer_impact": impact, "notified_at": notified, "effective_at": effective}

run_input(rows) := {
	"control": {"id": "CHG-01", "parameters": {"min_lead_days": 7}},
	"evidence": {"service.changes": [{"kind": "service.changes", "digest": "sha256:c4", "scope": {"source": "service", "service": "cardsvc"}, "collected_at": "2026-11-27T00:00:00Z", "data": rows}]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_change_notified_weeks_ahead_passes if {
	f := chg_01.findings with input as run_input([
		change("CHG-1", true, "2026-03-01T10:00:00+09:00", "2026-03-20T01:00:00+09:00"),
		change("CHG-2", false, null, "2026-10-01T10:00:00+09:00"),
	])
	count(f) == 1
	some x in f
	x.status == "pass"
	x.params.lead_days == 18.6
}

test_short_or_missing_notice_fails if {
	f := chg_01.findings with input as run_input([
		change("CHG-1", true, "2026-03-18T10:00:00+09:00", "2026-03-20T01:00:00+09:00"),
		change("CHG-2", true, null, "2026-08-01T00:00:00+09:00"),
	])
	{x.code | some x in f} == {"notice_too_short", "not_notified"}
	some x in f
	x.code == "not_notified"
	x.resource == "CHG-2"
	x.evidence.pointer == "/data/1"
}

test_no_customer_changes_passes if {
	f := chg_01.findings with input as run_input([])
	some x in f
	x.code == "no_customer_changes"
}

# The lead is exact: 7 × 24 h passes, one second less fails (6 days 23:59:59 was rounded to 7.0
# and passed); the short figure is rounded down in the message, so it never reads as 7.
test_lead_at_the_limit_passes_one_second_short_fails if {
	at := chg_01.findings with input as run_input([change("CHG-AT", true, "2026-03-01T10:00:00+09:00", "2026-03-08T10:00:00+09:00")])
	{[x.status, x.code, x.params.lead_days] | some x in at} == {["pass", "notified_in_advance", 7]}
	short := chg_01.findings with input as run_input([change("CHG-SHORT", true, "2026-03-01T10:00:01+09:00", "2026-03-08T10:00:00+09:00")])
	{[x.status, x.code, x.params.lead_days] | some x in short} == {["fail", "notice_too_short", 6.9]}
}
