package shoko.controls.not_01_test

import data.shoko.controls.not_01

tenant(id, status, contacts) := {"tenant_id": id, "status": status, "notification_contacts": contacts, "contract_ended_at": null, "data_purged_at": null}

run_input(rows) := {
	"control": {"id": "NOT-01", "parameters": {"min_contacts": 1}},
	"evidence": {"service.tenants": [{"kind": "service.tenants", "digest": "sha256:7e", "scope": {"source": "service", "service": "cardsvc"}, "collected_at": "2026-11-27T00:00:00Z", "data": rows}]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_tenants_with_contacts_pass if {
	f := not_01.findings with input as run_input([tenant("t-acme", "active", 2), tenant("t-gamma", "terminated", 0)])
	count(f) == 1
	some x in f
	x.status == "pass"
	x.resource == "t-acme"
}

test_tenant_without_contacts_fails if {
	f := not_01.findings with input as run_input([tenant("t-acme", "active", 2), tenant("t-beta", "active", 0)])
	some x in f
	x.status == "fail"
	x.code == "no_contacts"
	x.resource == "t-beta"
	x.evidence.pointer == "/data/1"
}

test_no_active_tenant_fails if {
	f := not_01.findings with input as run_input([])
	some x in f
	x.code == "no_active_tenants"
	x.status == "fail"
}
