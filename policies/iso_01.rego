# ISO-01: tenants are separated logically. Three kinds of evidence, each must speak:
#  - sql.catalog: every table outside shared_tables has a NOT NULL tenant column and, on
#    PostgreSQL, row-level security enabled and forced;
#  - probe.cross_tenant: tenant A's token asking for tenant B's ids is denied (denied_statuses);
#  - service.tenants: tenant ids are unique.
package shoko.controls.iso_01

import data.shoko.lib

p := input.control.parameters

tables := [{"item": item, "index": i, "t": t, "engine": item.data.engine} |
	some item in lib.items("sql.catalog")
	some i, t in item.data.tables
	not t.name in p.shared_tables
]

tref(x) := lib.ref(x.item, sprintf("/data/tables/%d", [x.index]))

column(t) := c if {
	some c in t.columns
	c.name == p.tenant_column
}

table_problems contains lib.fail("tenant_column_missing", {"table": x.t.name, "column": p.tenant_column}, x.t.name, tref(x)) if {
	some x in tables
	not column(x.t)
}

table_problems contains lib.fail("tenant_column_nullable", {"table": x.t.name, "column": p.tenant_column}, x.t.name, tref(x)) if {
	some x in tables
	column(x.t).not_null != true
}

table_problems contains lib.fail("rls_disabled", {"table": x.t.name}, x.t.name, tref(x)) if {
	some x in tables
	x.engine == "postgresql"
	x.t.rls_enabled != true
}

table_problems contains lib.fail("rls_not_forced", {"table": x.t.name}, x.t.name, tref(x)) if {
	some x in tables
	x.engine == "postgresql"
	x.t.rls_forced != true
}

failing_tables := {f.resource | some f in table_problems}

rls(x) := "enabled, forced" if x.engine == "postgresql"

# SQLite has no row-level security: separation rests on the tenant column and the application.
rls(x) := "n/a (sqlite)" if x.engine != "postgresql"

findings contains f if some f in table_problems

findings contains lib.pass("table_separated", {"table": x.t.name, "column": p.tenant_column, "rls": rls(x)}, x.t.name, tref(x)) if {
	some x in tables
	not x.t.name in failing_tables
}

findings contains lib.fail("no_tenant_tables", {}, "database", lib.whole_ref(item)) if {
	count(tables) == 0
	some item in lib.items("sql.catalog")
}

attempts := [{"item": item, "index": i, "d": item.data, "a": a} |
	some item in lib.items("probe.cross_tenant")
	some i, a in item.data.attempts
]

aparams(x) := {"tenant": x.d.tenant, "foreign_tenant": x.d.foreign_tenant, "id": x.a.id, "status": x.a.status, "denied_statuses": concat(", ", [sprintf("%d", [s]) | some s in p.denied_statuses])}

aref(x) := lib.ref(x.item, sprintf("/data/attempts/%d", [x.index]))

findings contains lib.pass("cross_tenant_denied", aparams(x), sprintf("%s→%s/%s", [x.d.tenant, x.d.foreign_tenant, x.a.id]), aref(x)) if {
	some x in attempts
	x.a.status in p.denied_statuses
}

findings contains lib.fail("cross_tenant_read", aparams(x), sprintf("%s→%s/%s", [x.d.tenant, x.d.foreign_tenant, x.a.id]), aref(x)) if {
	some x in attempts
	x.a.status >= 200
	x.a.status < 300
}

# Anything else (a 500, a 401 on the foreign id) proves no denial: not a pass.
findings contains lib.fail("cross_tenant_unexpected", aparams(x), sprintf("%s→%s/%s", [x.d.tenant, x.d.foreign_tenant, x.a.id]), aref(x)) if {
	some x in attempts
	not x.a.status in p.denied_statuses
	not success(x.a.status)
}

success(s) if {
	s >= 200
	s < 300
}

tenant_rows := lib.rows("service.tenants")

# The positions in tenant_rows of each tenant id, indexed once: each duplicated id is then a
# lookup, not a count over every tenant row.
tenant_positions := {id: group |
	some id in {k |
		some r in tenant_rows
		k := r.row.tenant_id
	}
	group := {i |
		some i, r in tenant_rows
		r.row.tenant_id == id
	}
}

duplicates contains id if {
	some id, positions in tenant_positions
	count(positions) > 1
}

# One finding per duplicated id, at its first row.
findings contains lib.fail("tenant_id_duplicate", {"tenant": id, "count": count(positions)}, id, lib.row_ref(first.item, first.index)) if {
	some id, positions in tenant_positions
	count(positions) > 1
	first := tenant_rows[min(positions)]
}

findings contains lib.pass("tenant_ids_unique", {"count": count(tenant_rows)}, "tenants", lib.whole_ref(item)) if {
	count(duplicates) == 0
	some item in lib.items("service.tenants")
}
