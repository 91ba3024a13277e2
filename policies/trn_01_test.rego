package shoko.controls.trn_01_test

import data.shoko.controls.trn_01

item(rows) := {
	"kind": "records.training",
	"digest": "sha256:7e1c",
	"scope": {"source": "records", "file": "training.csv"},
	"collected_at": "2026-11-27T00:00:00Z",
	"data": rows,
}

employee(id, status, hired_on, onboarding_on, last_on) := {
	"employee_id": id, "status": status, "hired_on": hired_on,
	"onboarding_completed_on": onboarding_on, "last_completed_on": last_on, "line": 2,
}

run_input(rows) := run_at(rows, "2026-11-27T00:00:00Z")

run_at(rows, now) := {
	"control": {"id": "TRN-01", "parameters": {"max_months_since_training": 12, "onboarding_days": 30}},
	"evidence": {"records.training": [item(rows)]},
	"run": {"now": now, "period": {"start": "2026-01-01T00:00:00Z", "end": now}},
}

# The finding about one employee (exactly one is expected).
about(f, id) := x if {
	xs := [x | some x in f; x.resource == id]
	count(xs) == 1
	x := xs[0]
}

test_trained_employees_pass_and_leavers_are_ignored if {
	f := trn_01.findings with input as run_input([
		employee("E1001", "active", "2019-04-01", "2019-04-05", "2026-06-10"), # 佐藤 花子
		employee("E1002", "left", "2018-04-01", "2018-04-03", "2023-05-01"), # 退職者: 対象外
		employee("E1003", "active", "2021-10-01", "2021-10-04", "2026-02-16"), # 鈴木 一郎
	])
	count(f) == 2
	x := about(f, "E1001")
	x.status == "pass"
	x.code == "training_current"
	x.params.last_trained_on == "2026-06-10"
	x.params.days_since_training == 170
	x.params.training_due_on == "2027-06-10"
	x.params.max_months == 12
	x.evidence.kind == "records.training"
	x.evidence.digest == "sha256:7e1c"
	x.evidence.pointer == "/data/0"
	y := about(f, "E1003")
	y.status == "pass"
	y.evidence.pointer == "/data/2"
}

test_training_due_today_passes if {
	f := trn_01.findings with input as run_input([employee("E1001", "active", "2019-04-01", "2019-04-05", "2025-11-27")])
	x := about(f, "E1001")
	x.code == "training_current"
	x.params.training_due_on == "2026-11-27"
	x.params.days_since_training == 365
}

test_training_one_day_past_its_due_date_fails if {
	f := trn_01.findings with input as run_input([employee("E1001", "active", "2019-04-01", "2019-04-05", "2025-11-26")])
	x := about(f, "E1001")
	x.status == "fail"
	x.code == "training_overdue"
	x.params.training_due_on == "2026-11-26"
	x.params.days_since_training == 366
}

# The code of the one finding about E1001, last trained on `last`, judged at `now`.
training_code(last, now) := about(f, "E1001").code if {
	f := trn_01.findings with input as run_at([employee("E1001", "active", "2019-04-01", "2019-04-05", last)], now)
}

# A year across February 29 (366 days) is still a year; training on a leap day is due again on
# February 28 of the next year, which has no February 29.
test_yearly_training_across_a_leap_day if {
	training_code("2027-03-01", "2028-03-01T00:00:00+09:00") == "training_current"
	training_code("2028-02-29", "2029-02-28T00:00:00+09:00") == "training_current"
	training_code("2028-02-29", "2029-03-01T00:00:00+09:00") == "training_overdue"
}

# Rows sharing a training date share its due date; neighbouring dates keep their own verdicts.
test_many_rows_each_judged_by_its_own_date if {
	f := trn_01.findings with input as run_input([
		employee("E1", "active", "2019-04-01", "2019-04-05", "2025-11-27"),
		employee("E2", "active", "2019-04-01", "2019-04-05", "2025-11-26"),
		employee("E3", "active", "2019-04-01", "2019-04-05", "2025-11-27"),
		employee("E4", "active", "2019-04-01", "2019-04-05", "2025-11-26"),
	])
	[x.code | some id in ["E1", "E2", "E3", "E4"]; x := about(f, id)] == ["training_current", "training_overdue", "training_current", "training_overdue"]
}

test_yearly_training_overdue_fails if {
	f := trn_01.findings with input as run_input([
		employee("E1001", "active", "2019-04-01", "2019-04-05", "2026-06-10"),
		employee("E1004", "active", "2020-04-01", "2020-04-10", "2025-10-01"), # 高橋 健太
	])
	count(f) == 2
	x := about(f, "E1004")
	x.status == "fail"
	x.code == "training_overdue"
	x.params == {"employee_id": "E1004", "last_trained_on": "2025-10-01", "days_since_training": 422, "training_due_on": "2026-10-01", "max_months": 12}
	x.evidence.pointer == "/data/1"
	x.evidence.digest == "sha256:7e1c"
}

test_never_retrained_counts_onboarding_as_last_training if {
	f := trn_01.findings with input as run_input([employee("E1005", "active", "2026-01-05", "2026-01-09", null)])
	x := about(f, "E1005")
	x.code == "training_current"
	x.params.last_trained_on == "2026-01-09"
}

test_new_hire_within_onboarding_window_passes_untrained if {
	f := trn_01.findings with input as run_input([employee("E1101", "active", "2026-11-10", null, null)]) # 伊藤 美咲
	x := about(f, "E1101")
	x.status == "pass"
	x.code == "onboarding_in_progress"
	x.params == {"employee_id": "E1101", "hired_on": "2026-11-10", "days_since_hire": 17, "onboarding_days": 30}
	x.evidence.pointer == "/data/0"
}

test_new_hire_already_trained_is_current if {
	f := trn_01.findings with input as run_input([employee("E1102", "active", "2026-11-10", "2026-11-12", null)])
	x := about(f, "E1102")
	x.code == "training_current"
	x.params.days_since_training == 15
}

test_rehire_inside_window_with_old_training_is_in_progress if {
	f := trn_01.findings with input as run_input([employee("E0900", "active", "2026-11-20", null, "2024-01-15")])
	x := about(f, "E0900")
	x.status == "pass"
	x.code == "onboarding_in_progress"
}

test_onboarding_window_last_day_passes if {
	f := trn_01.findings with input as run_input([employee("E1103", "active", "2026-10-28", null, null)])
	x := about(f, "E1103")
	x.code == "onboarding_in_progress"
	x.params.days_since_hire == 30
}

test_onboarding_missing_after_window_fails if {
	f := trn_01.findings with input as run_input([employee("E1104", "active", "2026-10-27", null, null)]) # 渡辺 翔
	x := about(f, "E1104")
	x.status == "fail"
	x.code == "onboarding_missing"
	x.params.days_since_hire == 31
	x.evidence.pointer == "/data/0"
}

test_onboarding_missing_fails_even_with_yearly_training if {
	f := trn_01.findings with input as run_input([employee("E1105", "active", "2026-09-01", null, "2026-10-01")])
	x := about(f, "E1105")
	x.status == "fail"
	x.code == "onboarding_missing"
}

test_late_onboarding_fails if {
	f := trn_01.findings with input as run_input([employee("E1006", "active", "2025-04-01", "2025-06-15", "2026-05-20")]) # 山本 直樹
	x := about(f, "E1006")
	x.status == "fail"
	x.code == "onboarding_late"
	x.params == {
		"employee_id": "E1006", "hired_on": "2025-04-01", "onboarding_completed_on": "2025-06-15",
		"onboarding_delay_days": 75, "onboarding_days": 30,
	}
}

test_onboarding_on_the_last_allowed_day_passes if {
	f := trn_01.findings with input as run_input([employee("E1007", "active", "2025-04-01", "2025-05-01", "2026-05-20")])
	x := about(f, "E1007")
	x.code == "training_current"
}

test_unknown_status_is_checked_not_skipped if {
	f := trn_01.findings with input as run_input([employee("E1008", "on_leave", "2019-04-01", "2019-04-05", "2024-04-01")])
	x := about(f, "E1008")
	x.code == "training_overdue"
}

test_only_leavers_is_an_empty_workforce_and_fails if {
	inp := run_input([employee("E1002", "left", "2018-04-01", "2018-04-03", "2023-05-01")])
	count(trn_01.findings) == 0 with input as inp
	f := trn_01.population_findings with input as inp
	count(f) == 1
	some x in f
	x.status == "fail"
	x.code == "no_active_employees"
	x.resource == "workforce"
	x.evidence.pointer == "/data"
	x.evidence.digest == "sha256:7e1c"
}

test_empty_records_file_fails if {
	f := trn_01.population_findings with input as run_input([])
	some x in f
	x.code == "no_active_employees"
}

test_one_active_employee_is_a_workforce if {
	f := trn_01.population_findings with input as run_input([
		employee("E1002", "left", "2018-04-01", "2018-04-03", "2023-05-01"),
		employee("E1001", "active", "2019-04-01", "2019-04-05", "2026-06-10"),
	])
	count(f) == 0
}

test_unreadable_hire_date_fails if {
	f := trn_01.findings with input as run_input([
		employee("E1001", "active", "2019-04-01", "2019-04-05", "2026-06-10"),
		employee("E1009", "active", "2026-2-3", "2026-03-02", "2026-03-02"),
	])
	x := about(f, "E1009")
	x.status == "fail"
	x.code == "invalid_date"
	x.params == {"employee_id": "E1009", "field": "hired_on", "value": "2026-2-3", "line": 2}
	x.evidence.pointer == "/data/1"
}

test_unreadable_completion_date_fails if {
	f := trn_01.findings with input as run_input([employee("E1010", "active", "2019-04-01", "2019-04-05", "2026/10/01")])
	x := about(f, "E1010")
	x.code == "invalid_date"
	x.params.field == "last_completed_on"
}

# A date of the right shape that is not on the calendar is a finding about that employee; it
# used to stop the whole control's evaluation.
test_impossible_calendar_date_fails if {
	f := trn_01.findings with input as run_input([employee("E1012", "active", "2019-04-01", "2019-04-05", "2026-02-30")])
	x := about(f, "E1012")
	x.code == "invalid_date"
	x.params.field == "last_completed_on"
	x.params.value == "2026-02-30"
}

test_missing_hire_date_fails if {
	f := trn_01.findings with input as run_input([employee("E1011", "active", null, "2019-04-05", "2026-10-01")])
	x := about(f, "E1011")
	x.code == "invalid_date"
	x.params.field == "hired_on"
	x.params.value == null
}

test_no_evidence_item_gives_no_verdict if {
	f := trn_01.findings with input as json.patch(run_input([]), [{"op": "replace", "path": "/evidence", "value": {}}])
	count(f) == 0
}
