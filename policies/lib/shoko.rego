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

# Dates are calendar dates in Japan (the company's calendar). shoko.date_day is a Go builtin
# (days since 1970-01-01 of a YYYY-MM-DD date; an error on anything else) because policies do
# this arithmetic per evidence row. Japan has no daylight saving time: a day starts at 15:00 UTC.
jst_offset_ns := (9 * 60) * (60 * 1000000000)

# today is the day number of the run's `now`, as a date in Japan.
today := floor((now_ns + jst_offset_ns) / day_ns)

# date_ns reads a calendar date "YYYY-MM-DD" as midnight in Japan.
date_ns(date) := (shoko.date_day(date) * day_ns) - jst_offset_ns

# days_since is the whole number of days from a date (YYYY-MM-DD) to the run's `now`.
days_since(date) := today - shoko.date_day(date)

# days_between is the whole number of days from date a to date b (both YYYY-MM-DD).
days_between(a, b) := shoko.date_day(b) - shoko.date_day(a)

# hours_between is the number of hours (fractional) from RFC 3339 time a to time b.
hours_between(a, b) := (time.parse_rfc3339_ns(b) - time.parse_rfc3339_ns(a)) / ((60 * 60) * 1000000000)

# due_date is the date `months` calendar months after `date` (YYYY-MM-DD); a day the target
# month does not have becomes its last day (2028-02-29 + 12 months is 2029-02-28). A yearly claim
# ("at least once a year") is a due date of 12 months, not 365 days, which a year across
# February 29 would exceed. shoko.add_months is a memoised Go builtin: rows sharing a date cost
# one call.
due_date(date, months) := shoko.add_months(date, months)

# not_yet_due holds while the run's date in Japan is on or before `date` (YYYY-MM-DD):
# the due date itself still passes, the day after it does not.
not_yet_due(date) if today <= shoko.date_day(date)

# valid_date holds for a "YYYY-MM-DD" string naming a real date. Date arithmetic on anything
# else raises an error (the engine evaluates with strict builtin errors), so a policy checks
# valid_date first wherever an unreadable date should be a finding of its own.
valid_date(d) if shoko.is_date(d)

# before_period holds for a date (YYYY-MM-DD) before the audit period starts.
before_period(date) if date_ns(date) < time.parse_rfc3339_ns(input.run.period.start)
