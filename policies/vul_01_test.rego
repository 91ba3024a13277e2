package shoko.controls.vul_01_test

import data.shoko.controls.vul_01

item(rows) := {
	"kind": "records.vulnerability_assessments",
	"digest": "sha256:5d0a",
	"scope": {"source": "records", "file": "vulnerability_assessments.csv"},
	"collected_at": "2026-11-27T00:00:00Z",
	"data": rows,
}

# An assessment row without a finding.
assessment(id, phase, assessed_on) := {
	"assessment_id": id, "assessor": "株式会社セキュアテスト", "phase": phase, "assessed_on": assessed_on,
	"report_sha256": "9f2b5c0e8d1a4b7c6e3f2a1d0c9b8a7f6e5d4c3b2a190817263544536271809a",
	"finding_id": null, "severity": null, "finding_status": null, "found_on": null, "fixed_on": null,
	"line": 2,
}

# An assessment row carrying one finding.
finding(id, phase, assessed_on, finding_id, severity, status, found_on, fixed_on) := object.union(
	assessment(id, phase, assessed_on),
	{
		"finding_id": finding_id, "severity": severity, "finding_status": status,
		"found_on": found_on, "fixed_on": fixed_on,
	},
)

params := {
	"max_age_days": 180,
	"fix_days": 30,
	"fix_severities": ["critical"],
	"phases_before_release": ["pre_release"],
	"phases_after_release": ["post_release", "periodic"],
}

run_input(rows) := run_input_with(rows, params)

run_input_with(rows, p) := {
	"control": {"id": "VUL-01", "parameters": p},
	"evidence": {"records.vulnerability_assessments": [item(rows)]},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

with_code(f, code) := [x | some x in f; x.code == code]

# The one finding with a code (exactly one is expected).
one(f, code) := xs[0] if {
	xs := with_code(f, code)
	count(xs) == 1
}

good_rows := [
	finding("VA-2026-01", "pre_release", "2026-03-02", "F-001", "critical", "fixed", "2026-03-02", "2026-03-20"),
	finding("VA-2026-01", "pre_release", "2026-03-02", "F-002", "medium", "open", "2026-03-02", null),
	assessment("VA-2026-02", "periodic", "2026-09-14"),
]

test_recent_assessments_before_and_after_release_pass if {
	f := vul_01.findings with input as run_input(good_rows)
	count(f) == 4
	every x in f {
		x.status == "pass"
		x.evidence.digest == "sha256:5d0a"
		x.evidence.kind == "records.vulnerability_assessments"
	}

	recent := one(f, "assessment_recent")
	recent.resource == "VA-2026-02"
	recent.evidence.pointer == "/data/2"
	recent.params.days == 74
	recent.params.max_days == 180

	before := one(f, "assessed_before_release")
	before.resource == "VA-2026-01"
	before.params.phases == ["pre_release"]
	before.evidence.pointer == "/data/1"

	after := one(f, "assessed_after_release")
	after.resource == "VA-2026-02"
	after.params.phases == ["post_release", "periodic"]

	fixed := one(f, "finding_fixed")
	fixed.resource == "F-001"
	fixed.evidence.pointer == "/data/0"
	fixed.params.days_to_fix == 18
	fixed.params.fix_days == 30
}

test_assessment_exactly_max_age_passes if {
	f := vul_01.findings with input as run_input([assessment("VA-1", "pre_release", "2026-03-01"), assessment("VA-2", "post_release", "2026-05-31")])
	x := one(f, "assessment_recent")
	x.params.days == 180
}

test_assessment_older_than_max_age_fails if {
	f := vul_01.findings with input as run_input([assessment("VA-1", "pre_release", "2026-03-01"), assessment("VA-2", "post_release", "2026-05-30")])
	x := one(f, "assessment_overdue")
	x.status == "fail"
	x.resource == "VA-2"
	x.params.days == 181
	x.evidence.pointer == "/data/1"
	count(with_code(f, "assessment_recent")) == 0
}

test_no_pre_release_assessment_fails if {
	f := vul_01.findings with input as run_input([assessment("VA-2026-02", "periodic", "2026-09-14")])
	x := one(f, "no_assessment_before_release")
	x.status == "fail"
	x.params == {"phases": ["pre_release"]}
	x.resource == "vulnerability-assessments"
	x.evidence.pointer == "/data"
	x.evidence.digest == "sha256:5d0a"
	one(f, "assessed_after_release").status == "pass"
}

test_no_post_release_assessment_fails if {
	f := vul_01.findings with input as run_input([assessment("VA-2026-01", "pre_release", "2026-10-01")])
	x := one(f, "no_assessment_after_release")
	x.status == "fail"
	x.params == {"phases": ["post_release", "periodic"]}
	x.evidence.pointer == "/data"
}

test_post_release_phase_counts_as_after_release if {
	f := vul_01.findings with input as run_input([assessment("VA-1", "pre_release", "2026-10-01"), assessment("VA-2", "post_release", "2026-10-20")])
	one(f, "assessed_after_release").resource == "VA-2"
	every x in f {
		x.status == "pass"
	}
}

test_critical_finding_open_past_fix_days_fails if {
	f := vul_01.findings with input as run_input([
		finding("VA-2026-03", "pre_release", "2026-09-01", "F-010", "critical", "open", "2026-09-01", null),
		assessment("VA-2026-04", "periodic", "2026-10-15"),
	])
	x := one(f, "finding_open_overdue")
	x.status == "fail"
	x.resource == "F-010"
	x.params.days_open == 87
	x.params.fix_days == 30
	x.params.severity == "critical"
	x.evidence.pointer == "/data/0"
}

test_critical_finding_open_within_fix_days_passes if {
	f := vul_01.findings with input as run_input([
		assessment("VA-2026-03", "pre_release", "2026-09-01"),
		finding("VA-2026-05", "periodic", "2026-11-10", "F-020", "critical", "open", "2026-11-10", null),
	])
	x := one(f, "finding_open_within_deadline")
	x.status == "pass"
	x.resource == "F-020"
	x.params.days_open == 17
}

test_critical_finding_fixed_late_fails if {
	f := vul_01.findings with input as run_input([
		finding("VA-2026-01", "pre_release", "2026-03-02", "F-003", "critical", "fixed", "2026-03-02", "2026-04-15"),
		assessment("VA-2026-02", "periodic", "2026-09-14"),
	])
	x := one(f, "finding_fixed_late")
	x.status == "fail"
	x.resource == "F-003"
	x.params.days_to_fix == 44
	x.params.fixed_on == "2026-04-15"
}

test_late_fix_before_the_audit_period_is_not_judged_again if {
	f := vul_01.findings with input as run_input([
		finding("VA-2025-01", "pre_release", "2025-03-02", "F-002", "critical", "fixed", "2025-03-02", "2025-06-15"),
		assessment("VA-2026-02", "periodic", "2026-09-14"),
	])
	not any_code(f, "finding_fixed_late")
	not any_code(f, "finding_fixed")
}

any_code(f, code) if {
	some x in f
	x.code == code
}

test_accepted_risk_passes if {
	f := vul_01.findings with input as run_input([
		finding("VA-2026-01", "pre_release", "2026-03-02", "F-004", "critical", "accepted", "2026-03-02", null),
		assessment("VA-2026-02", "periodic", "2026-09-14"),
	])
	x := one(f, "finding_risk_accepted")
	x.status == "pass"
	x.resource == "F-004"
}

test_finding_is_judged_on_its_latest_assessment if {
	f := vul_01.findings with input as run_input([
		finding("VA-2026-01", "pre_release", "2026-03-02", "F-001", "critical", "open", "2026-03-02", null),
		finding("VA-2026-02", "post_release", "2026-04-10", "F-001", "critical", "fixed", "2026-03-02", "2026-03-25"),
	])
	count(with_code(f, "finding_open_overdue")) == 0
	x := one(f, "finding_fixed")
	x.params.assessment_id == "VA-2026-02"
	x.evidence.pointer == "/data/1"
}

test_other_severities_are_not_tracked if {
	f := vul_01.findings with input as run_input([
		finding("VA-2026-01", "pre_release", "2026-03-02", "F-005", "high", "open", "2026-03-02", null),
		assessment("VA-2026-02", "periodic", "2026-09-14"),
	])
	every x in f {
		x.status == "pass"
	}
	count([x | some x in f; x.resource == "F-005"]) == 0
}

test_fix_severities_parameter_drives_the_rule if {
	p := object.union(params, {"fix_severities": ["critical", "high"]})
	f := vul_01.findings with input as run_input_with(
		[
			finding("VA-2026-01", "pre_release", "2026-03-02", "F-005", "high", "open", "2026-03-02", null),
			assessment("VA-2026-02", "periodic", "2026-09-14"),
		],
		p,
	)
	x := one(f, "finding_open_overdue")
	x.resource == "F-005"
	x.params.severity == "high"
}

test_unknown_finding_status_fails if {
	f := vul_01.findings with input as run_input([
		finding("VA-2026-01", "pre_release", "2026-03-02", "F-006", "critical", null, "2026-03-02", null),
		assessment("VA-2026-02", "periodic", "2026-09-14"),
	])
	x := one(f, "finding_status_unknown")
	x.status == "fail"
	x.resource == "F-006"
	x.params.finding_status == null
}

test_critical_finding_without_found_date_fails if {
	f := vul_01.findings with input as run_input([
		finding("VA-2026-01", "pre_release", "2026-03-02", "F-007", "critical", "open", null, null),
		assessment("VA-2026-02", "periodic", "2026-09-14"),
	])
	x := one(f, "invalid_date")
	x.status == "fail"
	x.resource == "F-007"
	x.params == {"assessment_id": "VA-2026-01", "field": "found_on", "value": null, "line": 2}
	x.evidence.pointer == "/data/0"
	count(with_code(f, "finding_open_within_deadline")) == 0
}

test_fixed_critical_finding_without_fix_date_fails if {
	f := vul_01.findings with input as run_input([
		finding("VA-2026-01", "pre_release", "2026-03-02", "F-008", "critical", "fixed", "2026-03-02", null),
		assessment("VA-2026-02", "periodic", "2026-09-14"),
	])
	x := one(f, "invalid_date")
	x.params.field == "fixed_on"
}

test_unreadable_assessment_date_fails_and_is_left_out if {
	f := vul_01.findings with input as run_input([
		assessment("VA-2026-01", "pre_release", "2026-03-02"),
		assessment("VA-2026-09", "periodic", "2026-13-01"),
	])
	x := one(f, "invalid_date")
	x.resource == "VA-2026-09"
	x.params.field == "assessed_on"
	x.params.value == "2026-13-01"
	one(f, "assessment_overdue").resource == "VA-2026-01"
	one(f, "no_assessment_after_release").status == "fail"
}

test_no_assessments_fails if {
	f := vul_01.findings with input as run_input([])
	count(f) == 1
	some x in f
	x.status == "fail"
	x.code == "no_assessments"
	x.resource == "vulnerability-assessments"
	x.evidence.pointer == "/data"
}

test_no_evidence_item_gives_no_verdict if {
	f := vul_01.findings with input as json.patch(run_input([]), [{"op": "replace", "path": "/evidence", "value": {}}])
	count(f) == 0
}
