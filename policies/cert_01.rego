# CERT-01: every standard in required_standards is certified: its certificate has not expired
# and its last audit (surveillance, or the (re)certification itself when more recent) is no more
# than max_months_since_surveillance calendar months old: it passes while the run's date is on or
# before the audit date plus that many months (a missing day clamped to the month's end).
#
# One finding per required standard (resource = the standard). When a standard has several
# certificates on the register, the one that expires last is judged. Standard names match
# ignoring spaces and case, with or without an edition ("ISO/IEC27001:2013").
package shoko.controls.cert_01

import data.shoko.lib

kind := "records.certificates"

required := input.control.parameters.required_standards

max_months := input.control.parameters.max_months_since_surveillance

all_rows := lib.rows(kind)

# rows_for is every register row of a standard; valid_for leaves out the unreadable ones.
rows_for(std) := [r | some r in all_rows; same_standard(r.row.standard, std)]

valid_for(std) := [r | some r in rows_for(std); count(bad_fields(r.row)) == 0]

findings contains verdict(std, best(valid_for(std))) if some std in required

findings contains lib.fail("certificate_missing", {"standard": std}, std, lib.whole_ref(item)) if {
	some std in required
	count(rows_for(std)) == 0
	some item in lib.items(kind)
}

findings contains lib.fail("invalid_date", invalid_params(std, r.row, bad[0]), std, ref(r)) if {
	some std in required
	some r in rows_for(std)
	bad := bad_fields(r.row)
	count(bad) > 0
}

verdict(std, r) := lib.fail("certificate_expired", params(std, r.row), std, ref(r)) if {
	lib.days_since(r.row.expires_on) > 0
} else := lib.fail("surveillance_overdue", params(std, r.row), std, ref(r)) if {
	not lib.not_yet_due(next_audit_due_on(r.row))
} else := lib.pass("certificate_valid", params(std, r.row), std, ref(r))

# best is the certificate that expires last (ties: latest issued, then id, then row). The
# largest key is found once with max, not by comparing every row with every other; a row
# without a key leaves best undefined, as comparing did.
best(rs) := r if {
	keys := [order_key(o) | some o in rs]
	count(keys) == count(rs)
	top := max(keys)
	some r in rs
	order_key(r) == top
}

order_key(r) := [r.row.expires_on, r.row.issued_on, r.row.certificate_id, r.item.digest, r.index]

# next_audit_due_on is the date by which the next surveillance audit is due.
next_audit_due_on(row) := lib.due_date(last_audit_on(row), max_months)

# The last audit is the latest surveillance audit, or the issue date if that is more recent.
last_audit_on(row) := max([d | some d in [row.issued_on, row.last_surveillance_on]; d != null])

same_standard(a, b) if norm(a) == norm(b)

same_standard(a, b) if startswith(norm(a), concat("", [norm(b), ":"]))

norm(s) := upper(replace(s, " ", "")) if is_string(s)

ref(r) := lib.row_ref(r.item, r.index)

params(std, row) := {
	"standard": std,
	"certificate_id": row.certificate_id,
	"issuer": row.issuer,
	"issued_on": row.issued_on,
	"expires_on": row.expires_on,
	"last_audit_on": last_audit_on(row),
	"next_audit_due_on": next_audit_due_on(row),
	"days_since_audit": lib.days_since(last_audit_on(row)),
	"max_months": max_months,
}

invalid_params(std, row, field) := {
	"standard": std,
	"certificate_id": object.get(row, "certificate_id", null),
	"field": field,
	"value": object.get(row, field, null),
	"line": object.get(row, "line", null),
}

# issued_on and expires_on are required; last_surveillance_on may be null.
bad_fields(row) := [f | some f in ["issued_on", "expires_on", "last_surveillance_on"]; not date_ok(row, f)]

date_ok(row, f) if lib.valid_date(row[f])

date_ok(row, "last_surveillance_on") if row.last_surveillance_on == null
