package shoko.controls.iso_01_test

import data.shoko.controls.iso_01

params := {"tenant_column": "tenant_id", "shared_tables": ["tenants", "incidents", "changes", "disclosures"], "denied_statuses": [403, 404]}

col(name, nn) := {"name": name, "type": "text", "not_null": nn}

table(name, cols, en, fo) := {"name": name, "columns": cols, "rls_enabled": en, "rls_forced": fo, "rls_policies": []}

good_tables := [
	table("cards", [col("card_id", true), col("tenant_id", true)], true, true),
	table("tenants", [col("tenant_id", true)], false, false),
]

probe(status) := {
	"tenant": "t-acme", "foreign_tenant": "t-beta", "control": {"url": "https://cards.example.jp/api/v1/cards", "status": 200},
	"attempts": [{"id": "card-beta-1", "url": "https://cards.example.jp/api/v1/cards/card-beta-1", "status": status}],
}

tenant(id) := {"tenant_id": id, "status": "active", "notification_contacts": 1, "contract_ended_at": null, "data_purged_at": null}

run_input(engine, tables, status, tenants) := {
	"control": {"id": "ISO-01", "parameters": params},
	"evidence": {
		"sql.catalog": [{"kind": "sql.catalog", "digest": "sha256:5c", "scope": {}, "collected_at": "2026-11-27T00:00:00Z", "data": {"engine": engine, "schema": "public", "tables": tables}}],
		"probe.cross_tenant": [{"kind": "probe.cross_tenant", "digest": "sha256:c7", "scope": {}, "collected_at": "2026-11-27T00:00:00Z", "data": probe(status)}],
		"service.tenants": [{"kind": "service.tenants", "digest": "sha256:7e", "scope": {}, "collected_at": "2026-11-27T00:00:00Z", "data": tenants}],
	},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_separated_postgres_passes if {
	f := iso_01.findings with input as run_input("postgresql", good_tables, 404, [tenant("t-acme"), tenant("t-beta")])
	{x.code | some x in f} == {"table_separated", "cross_tenant_denied", "tenant_ids_unique"}
	every x in f {
		x.status == "pass"
	}
}

test_sqlite_without_rls_passes_on_the_tenant_column if {
	f := iso_01.findings with input as run_input("sqlite", [table("cards", [col("tenant_id", true)], null, null)], 404, [tenant("t-acme")])
	some x in f
	x.code == "table_separated"
	x.params.rls == "n/a (sqlite)"
}

test_missing_column_and_unforced_rls_fail if {
	tables := [
		table("card_tags", [col("card_id", true), col("tag", true)], true, true),
		table("cards", [col("tenant_id", true)], true, false),
		table("notes", [col("tenant_id", false)], false, false),
	]
	f := iso_01.findings with input as run_input("postgresql", tables, 404, [tenant("t-acme")])
	fails := {[x.code, x.resource] | some x in f; x.status == "fail"}
	fails == {
		["tenant_column_missing", "card_tags"], ["rls_not_forced", "cards"],
		["tenant_column_nullable", "notes"], ["rls_disabled", "notes"], ["rls_not_forced", "notes"],
	}
	some x in f
	x.resource == "card_tags"
	x.evidence.pointer == "/data/tables/0"
}

test_cross_tenant_read_fails if {
	f := iso_01.findings with input as run_input("postgresql", good_tables, 200, [tenant("t-acme")])
	some x in f
	x.code == "cross_tenant_read"
	x.status == "fail"
	x.resource == "t-acme→t-beta/card-beta-1"
	x.evidence.pointer == "/data/attempts/0"
}

test_unexpected_status_is_not_a_denial if {
	f := iso_01.findings with input as run_input("postgresql", good_tables, 500, [tenant("t-acme")])
	some x in f
	x.code == "cross_tenant_unexpected"
	x.status == "fail"
}

test_duplicate_tenant_id_fails if {
	f := iso_01.findings with input as run_input("postgresql", good_tables, 404, [tenant("t-acme"), tenant("t-acme")])
	some x in f
	x.code == "tenant_id_duplicate"
	x.params.count == 2
}

test_no_tenant_tables_fails if {
	f := iso_01.findings with input as run_input("postgresql", [table("tenants", [], false, false)], 404, [tenant("t-acme")])
	some x in f
	x.code == "no_tenant_tables"
}

# The index by tenant id: an id on three rows is one finding counting three, at its first row;
# the other ids stay unique.
test_tenant_id_on_three_rows_is_one_finding_at_the_first if {
	f := iso_01.findings with input as run_input("postgresql", good_tables, 404, [
		tenant("t-beta"), tenant("t-acme"), tenant("t-gamma"), tenant("t-acme"), tenant("t-acme"),
	])
	dups := [x | some x in f; x.code == "tenant_id_duplicate"]
	count(dups) == 1
	dups[0].resource == "t-acme"
	dups[0].params.count == 3
	dups[0].evidence.pointer == "/data/1"
	not "tenant_ids_unique" in {x.code | some x in f}
}
