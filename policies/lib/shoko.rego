# Shared helpers for every control policy.
#
# The policy contract (see docs and design.md):
#   input.control   = {"id", "parameters"}
#   input.evidence  = {KIND: [item]}, item = {"kind", "digest", "scope", "collected_at", "data"};
#                     only ok items reach a policy: an error item makes the control `error` first.
#   input.run       = {"now", "period": {"start", "end"}}  (RFC 3339)
# A policy defines the set `findings`; build each one with pass/fail/not_applicable below so
# that it carries a finding code (worded in the control's YAML) and points at its evidence.
package shoko.lib

# ref is the evidence reference of the record at JSON pointer `pointer` inside `item`.
ref(item, pointer) := {"kind": item.kind, "digest": item.digest, "pointer": pointer}

# row_ref points at element i of an item's data array.
row_ref(item, i) := ref(item, sprintf("/data/%d", [i]))

# whole_ref points at an item as a whole (used when what is wrong is an absence).
whole_ref(item) := ref(item, "/data")

pass(code, params, resource, evidence) := finding("pass", code, params, resource, evidence)

fail(code, params, resource, evidence) := finding("fail", code, params, resource, evidence)

not_applicable(code, params, resource) := {
	"status": "not_applicable",
	"code": code,
	"params": params,
	"resource": resource,
}

finding(status, code, params, resource, evidence) := {
	"status": status,
	"code": code,
	"params": params,
	"resource": resource,
	"evidence": evidence,
}

# items returns the evidence items of a kind (empty when the engine gave none).
items(kind) := object.get(input.evidence, kind, [])

# rows is every data row of every item of a kind, with the item and the row's index, so
# a finding about a row can point at it: {"item": item, "index": i, "row": row}.
rows(kind) := [{"item": item, "index": i, "row": row} |
	some item in items(kind)
	some i, row in item.data
]

now_ns := time.parse_rfc3339_ns(input.run.now)

day_ns := (24 * 60) * (60 * 1000000000)

# date_ns reads a calendar date "YYYY-MM-DD" as midnight in Japan (the company's calendar).
date_ns(date) := time.parse_rfc3339_ns(sprintf("%sT00:00:00+09:00", [date]))

# days_since is the whole number of days from a date (YYYY-MM-DD) to the run's `now`.
days_since(date) := floor((now_ns - date_ns(date)) / day_ns)

# days_between is the whole number of days from date a to date b (both YYYY-MM-DD).
days_between(a, b) := floor((date_ns(b) - date_ns(a)) / day_ns)

# hours_between is the number of hours (fractional) from RFC 3339 time a to time b.
hours_between(a, b) := (time.parse_rfc3339_ns(b) - time.parse_rfc3339_ns(a)) / ((60 * 60) * 1000000000)

# valid_date holds for a "YYYY-MM-DD" string. It checks the form without calling a date builtin,
# which would raise an error (the engine evaluates with strict builtin errors): a policy can then
# fail an unreadable date as a finding. An impossible day such as 02-30 is refused by the records
# collector; reaching a policy it stops the evaluation: `error`, never `pass`.
valid_date(d) if {
	is_string(d)
	regex.match(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`, d)
}

# before_period holds for a date (YYYY-MM-DD) before the audit period starts.
before_period(date) if date_ns(date) < time.parse_rfc3339_ns(input.run.period.start)
