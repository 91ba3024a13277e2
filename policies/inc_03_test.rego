package shoko.controls.inc_03_test

import data.shoko.controls.inc_03

incident(id, impact, escalated) := {
	"incident_id": id, "title": "API の一部エラー", "severity": "high", "customer_impact": impact,
	"detected_at": "2026-07-01T03:00:00+09:00", "notified_at": null, "escalated_at": escalated, "recovered_at": null,
}

run_input(rows) := {
	"control": {"id": "INC-03", "parameters": {}},
	"evidence": {"service.incidents": [{"kind": "service.incidents", "digest": "sha256:1c", "scope": {"source": "service", "service": "cardsvc"}, "collected_at": "2026-11-27T00:00:00Z", "data": rows}]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_escalated_incident_passes if {
	f := inc_03.findings with input as run_input([incident("INC-1", true, "2026-07-01T03:15:00+09:00"), incident("INC-2", false, null)])
	count(f) == 1
	some x in f
	x.status == "pass"
	x.code == "escalated"
}

test_unescalated_customer_incident_fails if {
	f := inc_03.findings with input as run_input([incident("INC-1", true, null)])
	some x in f
	x.status == "fail"
	x.code == "not_escalated"
	x.resource == "INC-1"
	x.evidence.pointer == "/data/0"
}

test_no_customer_incidents_passes if {
	f := inc_03.findings with input as run_input([incident("INC-2", false, null)])
	some x in f
	x.code == "no_customer_incidents"
}
