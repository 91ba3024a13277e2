package shoko.controls.del_01_test

import data.shoko.controls.del_01

tenant(id, status, ended, purged) := {"tenant_id": id, "status": status, "notification_contacts": 1, "contract_ended_at": ended, "data_purged_at": purged}

run_input(rows) := {
	"control": {"id": "DEL-01", "parameters": {"max_business_days": 10}},
	"evidence": {"service.tenants": [{"kind": "service.tenants", "digest": "sha256:7e", "scope": {"source": "service", "service": "cardsvc"}, "collected_at": "2026-11-27T00:00:00Z", "data": rows}]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

# Contract ended Mon 2026-04-27; Golden Week (4/29, 5/3-5/6) does not count: the 10th business
# day is Fri 5/15, the 11th Mon 5/18.
test_purge_on_tenth_business_day_across_golden_week_passes if {
	f := del_01.findings with input as run_input([
		tenant("t-acme", "active", null, null),
		tenant("t-gamma", "terminated", "2026-04-27T18:00:00+09:00", "2026-05-15T10:00:00+09:00"),
	])
	count(f) == 1
	some x in f
	x.status == "pass"
	x.code == "purged_in_time"
	x.params.business_days == 10
	x.evidence.pointer == "/data/1"
}

test_purge_on_eleventh_business_day_fails if {
	f := del_01.findings with input as run_input([tenant("t-gamma", "terminated", "2026-04-27T18:00:00+09:00", "2026-05-18T10:00:00+09:00")])
	some x in f
	x.status == "fail"
	x.code == "purged_late"
	x.params.business_days == 11
	x.resource == "t-gamma"
}

test_unpurged_past_limit_fails_and_recent_is_pending if {
	f := del_01.findings with input as run_input([
		tenant("t-delta", "terminated", "2026-09-30T18:00:00+09:00", null),
		tenant("t-eps", "terminated", "2026-11-24T18:00:00+09:00", null),
		tenant("t-zeta", "terminated", null, null),
	])
	{[x.code, x.resource] | some x in f} == {["not_purged", "t-delta"], ["purge_pending", "t-eps"], ["contract_end_missing", "t-zeta"]}
}

test_no_terminated_tenants_passes if {
	f := del_01.findings with input as run_input([tenant("t-acme", "active", null, null)])
	some x in f
	x.code == "no_terminated_tenants"
	x.status == "pass"
}

rows_item(rows) := {"kind": "sql.query", "digest": "sha256:9a", "scope": {"source": "sql", "database": "cards", "query": "tenant_rows_remaining"}, "collected_at": "2026-11-27T00:00:00Z", "data": rows}

with_rows(tenants, rows) := object.union(run_input(tenants), {
	"control": {"id": "DEL-01", "parameters": {"max_business_days": 10, "remaining_rows_query": "tenant_rows_remaining"}},
	"evidence": {"sql.query": [rows_item(rows)]},
})

test_purged_tenant_with_rows_left_fails if {
	f := del_01.findings with input as with_rows(
		[tenant("t-beta", "terminated", "2026-04-27T10:00:00+09:00", "2026-05-15T10:00:00+09:00")],
		[{"tenant_id": "t-beta", "remaining": 12}],
	)
	some x in f
	x.code == "rows_remain"
	x.resource == "t-beta"
	x.params.remaining == 12
	x.evidence.digest == "sha256:9a"
	x.evidence.pointer == "/data/0"
}

test_purged_tenant_with_no_rows_left_passes if {
	f := del_01.findings with input as with_rows(
		[tenant("t-beta", "terminated", "2026-04-27T10:00:00+09:00", "2026-05-15T10:00:00+09:00")],
		[{"tenant_id": "t-beta", "remaining": 0}],
	)
	{x.code | some x in f} == {"purged_in_time"}
}

test_unreadable_remaining_rows_fail if {
	f := del_01.findings with input as with_rows(
		[tenant("t-beta", "terminated", "2026-04-27T10:00:00+09:00", "2026-05-15T10:00:00+09:00")],
		[{"tenant": "t-beta", "count": "12"}],
	)
	some x in f
	x.code == "remaining_rows_unreadable"
	x.params.row == 1
}
