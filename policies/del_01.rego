# DEL-01: a terminated tenant's data is purged within max_business_days Japanese business days
# of the contract's end (shoko.business_days_between: weekends, national holidays and the
# configured company closures do not count). Unpurged past the limit fails. When the database's
# remaining-rows query was collected (optional evidence), a tenant recorded as purged that still
# has rows fails too.
package shoko.controls.del_01

import data.shoko.lib
import data.shoko.lib.service

max_days := input.control.parameters.max_business_days

ended := [r |
	some r in lib.rows("service.tenants")
	terminated(r.row)
]

terminated(row) if row.status == "terminated"

terminated(row) if row.contract_ended_at != null

params(row, days) := {
	"tenant": row.tenant_id, "contract_ended_at": row.contract_ended_at, "data_purged_at": row.data_purged_at,
	"business_days": days, "max_business_days": max_days,
}

findings contains lib.pass("purged_in_time", params(r.row, d), r.row.tenant_id, lib.row_ref(r.item, r.index)) if {
	some r in ended
	r.row.contract_ended_at != null
	r.row.data_purged_at != null
	d := shoko.business_days_between(r.row.contract_ended_at, r.row.data_purged_at)
	d <= max_days
}

findings contains lib.fail("purged_late", params(r.row, d), r.row.tenant_id, lib.row_ref(r.item, r.index)) if {
	some r in ended
	r.row.contract_ended_at != null
	r.row.data_purged_at != null
	d := shoko.business_days_between(r.row.contract_ended_at, r.row.data_purged_at)
	d > max_days
}

findings contains lib.fail("not_purged", params(r.row, d), r.row.tenant_id, lib.row_ref(r.item, r.index)) if {
	some r in ended
	r.row.contract_ended_at != null
	r.row.data_purged_at == null
	d := shoko.business_days_between(r.row.contract_ended_at, input.run.now)
	d > max_days
}

findings contains lib.pass("purge_pending", params(r.row, d), r.row.tenant_id, lib.row_ref(r.item, r.index)) if {
	some r in ended
	r.row.contract_ended_at != null
	r.row.data_purged_at == null
	d := shoko.business_days_between(r.row.contract_ended_at, input.run.now)
	d <= max_days
}

findings contains lib.fail("contract_end_missing", {"tenant": r.row.tenant_id}, r.row.tenant_id, lib.row_ref(r.item, r.index)) if {
	some r in ended
	r.row.contract_ended_at == null
}

# No tenant has left: nothing to erase, an explicit pass (the API lists every tenant, ended or not).
findings contains lib.pass("no_terminated_tenants", {"service": service.service_name(item)}, service.service_name(item), lib.whole_ref(item)) if {
	count(ended) == 0
	some item in lib.items("service.tenants")
}

rows_query := input.control.parameters.remaining_rows_query

# remaining are the rows of the configured remaining-rows query, when it was collected.
remaining := [r |
	some r in lib.rows("sql.query")
	r.item.scope.query == rows_query
]

readable(row) if {
	is_string(row.tenant_id)
	is_number(row.remaining)
}

# The readable remaining-rows rows by tenant, indexed once (not scanned per ended tenant).
remaining_by_tenant := {tenant: group |
	some tenant in {k |
		some x in remaining
		readable(x.row)
		k := x.row.tenant_id
	}
	group := {x |
		some x in remaining
		readable(x.row)
		x.row.tenant_id == tenant
	}
}

findings contains lib.fail("rows_remain", {"tenant": t.row.tenant_id, "data_purged_at": t.row.data_purged_at, "remaining": x.row.remaining}, t.row.tenant_id, lib.row_ref(x.item, x.index)) if {
	some t in ended
	t.row.data_purged_at != null
	some x in object.get(remaining_by_tenant, [t.row.tenant_id], set())
	x.row.remaining > 0
}

findings contains lib.fail("remaining_rows_unreadable", {"query": rows_query, "row": x.index + 1}, rows_query, lib.row_ref(x.item, x.index)) if {
	some x in remaining
	not readable(x.row)
}
