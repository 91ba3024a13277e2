package policies_test

// Boundary guard (issue 14): every numeric limit of every control is exact. For each numeric
// parameter of the catalog (a number, a list of numbers, or a string that reads as a number),
// boundaryTable must say either how to test it — evidence with the measured value exactly at the
// limit, which passes, and one unit past it, which fails — or why it is not a limit. A control
// added with a new numeric parameter fails TestEveryNumericParameterHasABoundary until its row
// is written, and TestLimitsAreExactAtTheBoundary evaluates each row through the real policy
// (engine.Query, as scaling_test.go does) with the limit read from the control's YAML, so a
// changed number is tested at its new value.
//
// What a limit means, decided once for the whole catalog (each row's rule says it for its
// control, in the white paper's words where it has them):
//   - 以内 / 最長 / "at most" and 最低 / "at least" include the limit: exactly at it passes.
//   - Between two instants (RFC 3339 times) a limit in minutes, hours or days is that many
//     minutes, hours or 24-hour periods, compared to the nanosecond: one second past fails.
//   - Between calendar dates (records: YYYY-MM-DD) days are dates in Japan: one day past fails.
//   - Business days are Japanese business days by date (shoko.business_days_between).
//   - Calendar months ("at least once a year" = 12 months) end on a due date: the date plus N
//     months, a day the month lacks clamped to its last (shoko.add_months); one day past it fails.
//   - Counts, lengths, generations and configured day counts (retention, lifecycle): one past fails.

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/calendar"
)

// boundary is one row of the table, for one (control, parameter).
type boundary struct {
	// notLimit, when set, says why this numeric parameter is not a limit (a set of allowed
	// values, a label): the row then has nothing to test.
	notLimit string
	// gap, when set, says why this limit cannot be tested at its boundary today: the test
	// skips the row with that reason, so it shows in every run until it is fixed.
	gap string
	// rule is what the limit means for this control; unit is what "one past" is.
	rule, unit string
	// about is the resource (or part of it) of the findings that decide the row.
	about string
	// evidence builds the control's evidence with the measured value at the limit (past=false)
	// or one unit past it (past=true). limit is the parameter's value in the catalog; p has
	// every parameter of the control.
	evidence func(limit float64, p map[string]any, past bool) []synthItem
	// want is the verdict of the findings about `about` at the limit and one past it:
	// "pass" and "fail" unless the row says otherwise ("none": no finding about it).
	want [2]string
	// more are further paths to the same limit (a deadline judged against now while the
	// thing is still open, a fixed finding as well as an open one), each tested the same way.
	more []boundary
}

var bNow = scaleNow // 2026-11-27T00:00:00Z, 09:00 on the 27th in Japan

// ago is the RFC 3339 time d before now.
func ago(d time.Duration) string { return bNow.Add(-d).Format(time.RFC3339Nano) }

func days(n float64) time.Duration { return time.Duration(n * float64(24*time.Hour)) }

// dateAgo is the calendar date n days before now's date (in Japan and in UTC alike at 00:00Z).
func dateAgo(n float64) string { return bNow.AddDate(0, 0, -int(n)).Format("2006-01-02") }

// monthsBeforeDue is the date whose due date, n calendar months later, is now's date in Japan
// (past=false), or the day before it (past=true: now is one day past the due date). Now is the
// 27th, a day every month has, so the due date is plain month arithmetic with no clamping.
func monthsBeforeDue(n float64, past bool) string {
	return bNow.AddDate(0, -int(n), -int(unitPast(past, 1))).Format("2006-01-02")
}

// unitPast is how far a case is past its limit: `by` (one unit) past it, 0 at it.
func unitPast(past bool, by float64) float64 {
	if past {
		return by
	}
	return 0
}

// businessDaysAfter is the earliest time a whole number of days after start (same time of day)
// that is n Japanese business days after it (shoko.business_days_between(start, t) == n).
func businessDaysAfter(start time.Time, n int) time.Time {
	cal := calendar.Default()
	for k := 0; k <= maxSearchDays; k++ {
		t := start.AddDate(0, 0, k)
		if cal.BusinessDaysBetween(start, t) == n {
			return t
		}
	}
	return time.Time{} // no such day within ten years: the case fails, it does not hang
}

const maxSearchDays = 3660

// businessDaysBefore is the latest time before end (same time of day) that is n Japanese
// business days before it.
func businessDaysBefore(end time.Time, n int) time.Time {
	cal := calendar.Default()
	for k := 0; k <= maxSearchDays; k++ {
		t := end.AddDate(0, 0, -k)
		if cal.BusinessDaysBetween(t, end) == n {
			return t
		}
	}
	return time.Time{}
}

var jst = time.FixedZone("JST", 9*60*60)

const lbArn = "arn:aws:elasticloadbalancing:ap-northeast-1:111111111111:loadbalancer/app/cards/1"

var boundaryTable = map[string]map[string]boundary{
	"ACC-01": {"min_admins": {
		rule: "each active tenant has at least min_admins active administrators", unit: "1 administrator", about: "T1",
		evidence: func(limit float64, p map[string]any, past bool) []synthItem {
			n := int(limit - unitPast(past, 1))
			return []synthItem{
				serviceItem("service.tenants", []any{obj{"tenant_id": "T1", "status": "active"}}),
				serviceItem("service.accounts", gen(n, func(i int) any {
					return obj{"account_id": fmt.Sprintf("A%d", i), "tenant_id": "T1", "role": p["admin_role"], "status": "active",
						"login_id_sha256": fmt.Sprintf("%064x", i), "disabled_at": nil, "last_activity_at": ago(time.Hour)}
				})),
			}
		},
	}},
	"AUD-01": {"max_months_since_audit": {
		rule: "最低でも年に一回: the latest internal audit is due again N calendar months after its completion date (dates in Japan)", unit: "1 day",
		about: "IA-1",
		evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
			return []synthItem{recordsItem("records.internal_audits", []any{
				obj{"audit_id": "IA-1", "status": "completed", "completed_on": monthsBeforeDue(limit, past)}})}
		},
	}},
	"BAK-01": {
		"generations":   backupGenerations("customer_class"),
		"max_age_hours": backupMaxAgeGap,
	},
	"BAK-02": {
		"generations":   backupGenerations("system_class"),
		"max_age_hours": backupMaxAgeGap,
	},
	"BAK-03": {"max_backup_days": {
		rule: "every customer-data backup rule deletes after at most N days (DeleteAfterDays)", unit: "1 day", about: "customer-plan",
		evidence: func(limit float64, p map[string]any, past bool) []synthItem {
			return []synthItem{
				rowsItem("aws.backup.GetBackupSelection", []any{obj{"BackupPlanId": "plan-c", "BackupSelection": obj{"SelectionName": "customer",
					"ListOfTags": []any{obj{"ConditionType": "STRINGEQUALS", "ConditionKey": p["data_class_tag"], "ConditionValue": p["customer_class"]}}}}}),
				rowsItem("aws.backup.GetBackupPlan", []any{obj{"BackupPlanId": "plan-c", "BackupPlan": obj{"BackupPlanName": "customer-plan", "Rules": []any{
					obj{"RuleName": "daily", "ScheduleExpression": "cron(0 5 ? * * *)", "Lifecycle": obj{"DeleteAfterDays": limit + unitPast(past, 1)}}}}}}),
			}
		},
	}},
	"CERT-01": {"max_months_since_surveillance": {
		rule: "each certificate's next surveillance audit is due N calendar months after its last audit", unit: "1 day", about: "ISO/IEC 27001",
		evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
			return []synthItem{recordsItem("records.certificates", []any{obj{"standard": "ISO/IEC 27001", "certificate_id": "C-1", "issuer": "JQA",
				"issued_on": dateAgo(30*limit + 400), "expires_on": dateAgo(-400), "last_surveillance_on": monthsBeforeDue(limit, past), "line": 2}})}
		},
	}},
	"CHG-01": {"min_lead_days": {
		rule: "事前通知, at least N days ahead: N 24-hour periods from notice to effect, to the nanosecond", unit: "1 s short", about: "CHG-1",
		evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
			effective := bNow.Add(-days(10))
			notified := effective.Add(-days(limit)).Add(time.Duration(unitPast(past, 1)) * time.Second)
			return []synthItem{serviceItem("service.changes", []any{obj{"change_id": "CHG-1", "kind": "maintenance", "customer_impact": true,
				"notified_at": notified.Format(time.RFC3339Nano), "effective_at": effective.Format(time.RFC3339Nano)}})}
		},
	}},
	"DEL-01": {"max_business_days": {
		rule: "10 営業日以内に完全に消去: purged by the Nth Japanese business day after the contract's end (dates in Japan)", unit: "1 business day",
		about: "T-GW",
		evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
			// The contract ends on the Friday before Golden Week: the holidays do not count.
			end := time.Date(2026, 4, 24, 18, 0, 0, 0, jst)
			purged := businessDaysAfter(end, int(limit+unitPast(past, 1)))
			return []synthItem{serviceItem("service.tenants", []any{obj{"tenant_id": "T-GW", "status": "terminated", "notification_contacts": 1,
				"contract_ended_at": end.Format(time.RFC3339), "data_purged_at": purged.Format(time.RFC3339)}})}
		},
		more: []boundary{{
			rule: "a tenant not yet purged is pending up to the Nth business day after the contract's end, late on the next", unit: "1 business day",
			about: "T-OPEN",
			evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
				end := businessDaysBefore(bNow, int(limit+unitPast(past, 1)))
				return []synthItem{serviceItem("service.tenants", []any{obj{"tenant_id": "T-OPEN", "status": "terminated", "notification_contacts": 1,
					"contract_ended_at": end.Format(time.RFC3339), "data_purged_at": nil}})}
			},
		}},
	}},
	"INC-01": {"max_notify_minutes": {
		rule: "検知から 30 分以内: notified at most N minutes after detection, to the nanosecond", unit: "1 s", about: "INC-1",
		evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
			detected := bNow.Add(-48 * time.Hour)
			notified := detected.Add(time.Duration(limit*float64(time.Minute)) + time.Duration(unitPast(past, 1))*time.Second)
			return []synthItem{serviceItem("service.incidents", []any{incidentRow(detected, notified, nil)})}
		},
		more: []boundary{{
			rule: "an incident not yet notified is pending up to N minutes after detection, late one second after", unit: "1 s", about: "INC-1",
			evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
				row := incidentRow(bNow.Add(-time.Duration(limit*float64(time.Minute))-time.Duration(unitPast(past, 1))*time.Second), bNow, nil)
				row["notified_at"] = nil
				return []synthItem{serviceItem("service.incidents", []any{row})}
			},
		}},
	}},
	"INC-02": {"max_recovery_hours": {
		rule: "検知から 4 時間以内: recovered at most N hours after detection, to the nanosecond", unit: "1 s", about: "INC-1",
		evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
			detected := bNow.Add(-48 * time.Hour)
			recovered := detected.Add(time.Duration(limit*float64(time.Hour)) + time.Duration(unitPast(past, 1))*time.Second)
			return []synthItem{serviceItem("service.incidents", []any{incidentRow(detected, detected.Add(10*time.Minute), recovered.Format(time.RFC3339Nano))})}
		},
		more: []boundary{{
			rule: "an incident not yet recovered is pending up to N hours after detection, late one second after", unit: "1 s", about: "INC-1",
			evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
				detected := bNow.Add(-time.Duration(limit*float64(time.Hour)) - time.Duration(unitPast(past, 1))*time.Second)
				return []synthItem{serviceItem("service.incidents", []any{incidentRow(detected, detected.Add(10*time.Minute), nil)})}
			},
		}},
	}},
	"ISO-01": {"denied_statuses": {notLimit: "the HTTP statuses that count as a denied cross-tenant read: a set matched by equality, not a bound"}},
	"LOG-02": {"min_retention_days": {
		rule: "取得後最低3年間保持: every log group keeps at least N days", unit: "1 day", about: "arn:lg:app",
		evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
			return []synthItem{logGroup("/app", "arn:lg:app", limit-unitPast(past, 1))}
		},
		more: []boundary{{
			rule: "no lifecycle rule of a trail bucket expires logs sooner than N days", unit: "1 day", about: "trail-logs",
			evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
				return trailBucket(limit - unitPast(past, 1))
			},
		}},
	}},
	"LOG-03": {"max_retention_days": {
		rule: "最長で 3 年半以内に消去: every log group keeps at most N days", unit: "1 day", about: "arn:lg:app",
		evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
			return []synthItem{logGroup("/app", "arn:lg:app", limit+unitPast(past, 1))}
		},
		more: []boundary{{
			rule: "every trail bucket expires logs after at most N days", unit: "1 day", about: "trail-logs",
			evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
				return trailBucket(limit + unitPast(past, 1))
			},
		}},
	}},
	"LOG-04": {"min_days": {
		rule: "最低 1 ヶ月間保持: each required log group keeps at least N days", unit: "1 day", about: "arn:lg:required",
		evidence: func(limit float64, p map[string]any, past bool) []synthItem {
			name := p["required_log_groups"].([]any)[0].(string)
			return []synthItem{logGroup(name, "arn:lg:required", limit-unitPast(past, 1))}
		},
	}},
	"MON-01": {
		"max_open_days": {
			rule: "a serious GuardDuty finding is open at most N 24-hour periods, to the nanosecond", unit: "1 s", about: "gd-1",
			evidence: func(limit float64, p map[string]any, past bool) []synthItem {
				return []synthItem{rowsItem("aws.guardduty.GetFindings", []any{obj{"Id": "gd-1", "Type": "Recon", "Severity": p["min_severity"],
					"CreatedAt": ago(days(limit) + time.Duration(unitPast(past, 1))*time.Second), "Service": obj{"Archived": false}}})}
			},
		},
		"min_severity": {
			rule: "findings of severity N or more are the serious ones (GuardDuty scores to one decimal): one open too long at N fails, at N - 0.1 it is not judged",
			unit: "0.1 severity", about: "gd-1", want: [2]string{"fail", "none"},
			evidence: func(limit float64, p map[string]any, past bool) []synthItem {
				return []synthItem{rowsItem("aws.guardduty.GetFindings", []any{obj{"Id": "gd-1", "Type": "Recon", "Severity": math.Round((limit-unitPast(past, 0.1))*10) / 10,
					"CreatedAt": ago(days(num(p["max_open_days"]) + 1)), "Service": obj{"Archived": false}}})}
			},
		},
	},
	"NET-01": {"public_ports": {notLimit: "the ports load balancers may open to the internet: a set matched by equality, not a bound"}},
	"NOT-01": {"min_contacts": {
		rule: "ご登録頂いたメールアドレス宛: every active tenant has at least N notification contacts", unit: "1 contact", about: "T1",
		evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
			return []synthItem{serviceItem("service.tenants", []any{obj{"tenant_id": "T1", "status": "active", "notification_contacts": limit - unitPast(past, 1)}})}
		},
	}},
	"PII-01": {"trusted_accounts": {notLimit: "account ids trusted with access: a set of identifiers, not a bound"}},
	"PRIV-01": {"max_key_age_days": {
		rule: "アクセスキーは N 日以内に更新: an active key was rotated at most N 24-hour periods ago, to the nanosecond", unit: "1 s",
		about: "arn:aws:iam::111111111111:user/k",
		evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
			return []synthItem{rowsItem("aws.iam.GetCredentialReport", []any{obj{"user": "k", "arn": "arn:aws:iam::111111111111:user/k",
				"password_enabled": "false", "mfa_active": "false", "access_key_1_active": "true", "access_key_2_active": "false",
				"access_key_1_last_rotated": ago(days(limit) + time.Duration(unitPast(past, 1))*time.Second), "access_key_2_last_rotated": "N/A"}})}
		},
	}},
	"RED-01": {
		"min_azs": {
			rule: "each service load balancer spans at least N zones with healthy targets in at least N", unit: "1 zone", about: lbArn,
			evidence: func(limit float64, p map[string]any, past bool) []synthItem {
				zones := int(limit - unitPast(past, 1))
				return loadBalancer(zones, max(int(num(p["min_healthy_targets"])), int(limit)))
			},
		},
		"min_healthy_targets": {
			rule: "each service load balancer has at least N healthy targets", unit: "1 target", about: lbArn,
			evidence: func(limit float64, p map[string]any, past bool) []synthItem {
				return loadBalancer(int(num(p["min_azs"])), int(limit-unitPast(past, 1)))
			},
		},
	},
	"SEC-01": {"password_min_length": {
		rule: "the account password policy requires at least N characters", unit: "1 character", about: "111111111111",
		evidence: func(limit float64, p map[string]any, past bool) []synthItem {
			pol := obj{"AccountId": "111111111111", "MinimumPasswordLength": limit - unitPast(past, 1)}
			for _, r := range p["password_requirements"].([]any) {
				pol[r.(string)] = true
			}
			return []synthItem{rowsItem("aws.iam.GetAccountPasswordPolicy", []any{pol})}
		},
	}},
	"TIME-01": {"max_skew_seconds": {
		rule: "the Date header is within N seconds of the collector's clock, as measured (to the nanosecond)", unit: "1 s", about: "cards.example.jp:443",
		evidence: func(limit float64, p map[string]any, past bool) []synthItem {
			return []synthItem{tlsProbe(p, 400, 31536000, limit+unitPast(past, 1))}
		},
	}},
	"TLS-01": {"min_version": {notLimit: "the version named in the claim; TLS-01 judges the protocol names in allowed_protocols, not this number"}},
	"TLS-02": {
		"min_days_left": {
			rule: "the certificate has at least N 24-hour periods left, to the nanosecond", unit: "1 s short", about: "cards.example.jp:443",
			evidence: func(limit float64, p map[string]any, past bool) []synthItem {
				return []synthItem{tlsProbe(p, limit*24*3600-unitPast(past, 1), num(p["min_hsts_max_age"]), 0)}
			},
		},
		"min_hsts_max_age": {
			rule: "HSTS max-age is at least N seconds", unit: "1 s", about: "cards.example.jp:443",
			evidence: func(limit float64, p map[string]any, past bool) []synthItem {
				return []synthItem{tlsProbe(p, 400*24*3600, limit-unitPast(past, 1), 0)}
			},
		},
		"refused_versions":  {notLimit: "TLS versions that must be refused: a set matched by equality, not a bound"},
		"accepted_versions": {notLimit: "TLS versions of which one must be accepted: a set matched by equality, not a bound"},
	},
	"TLS-03": {"min_days_left": {
		rule: "a certificate in use has at least N 24-hour periods left, to the nanosecond", unit: "1 s short", about: "arn:aws:acm:ap-northeast-1:111111111111:certificate/c1",
		evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
			return []synthItem{rowsItem("aws.acm.DescribeCertificate", []any{obj{"CertificateArn": "arn:aws:acm:ap-northeast-1:111111111111:certificate/c1",
				"DomainName": "cards.example.jp", "Status": "ISSUED", "InUseBy": []any{lbArn},
				"NotAfter": bNow.Add(days(limit)).Add(-time.Duration(unitPast(past, 1)) * time.Second).Format(time.RFC3339Nano)}})}
		},
	}},
	"TMP-01": {
		"max_business_days": {
			rule: "作成後 10 営業日以内に削除: no temporary object is older than N Japanese business days (dates in Japan)", unit: "1 business day",
			about: "tmp-bucket",
			evidence: func(limit float64, p map[string]any, past bool) []synthItem {
				modified := businessDaysBefore(bNow, int(limit+unitPast(past, 1)))
				return tempBucket(num(p["max_expiration_days"]), []any{obj{"Key": "upload/1.csv", "LastModified": modified.Format(time.RFC3339)}})
			},
		},
		"max_expiration_days": {
			rule: "each temporary bucket has an enabled expiration rule of at most N days", unit: "1 day", about: "tmp-bucket",
			evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
				return tempBucket(limit+unitPast(past, 1), []any{})
			},
		},
	},
	"TRN-01": {
		"max_months_since_training": {
			rule: "年1回以上: every employee's next training is due N calendar months after the last", unit: "1 day", about: "E1",
			evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
				return []synthItem{recordsItem("records.training", []any{trainingRow(dateAgo(31*limit+500), dateAgo(31*limit+499), monthsBeforeDue(limit, past))})}
			},
		},
		"onboarding_days": {
			rule: "入社時: a new hire is trained at most N calendar days after the hire date", unit: "1 day", about: "E1",
			evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
				return []synthItem{recordsItem("records.training", []any{trainingRow(dateAgo(limit+60), dateAgo(60-unitPast(past, 1)), nil)})}
			},
			more: []boundary{{
				rule: "a new hire not yet trained is in onboarding up to N calendar days after the hire date, missing one day after", unit: "1 day", about: "E1",
				evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
					return []synthItem{recordsItem("records.training", []any{trainingRow(dateAgo(limit+unitPast(past, 1)), nil, nil)})}
				},
			}},
		},
	},
	"VUL-01": {
		"max_age_days": {
			rule: "the latest vulnerability assessment is at most N calendar days old", unit: "1 day", about: "VA-2",
			evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
				return []synthItem{recordsItem("records.vulnerability_assessments", []any{
					assessmentRow("VA-1", "pre_release", dateAgo(limit+300), nil),
					assessmentRow("VA-2", "post_release", dateAgo(limit+unitPast(past, 1)), nil),
				})}
			},
		},
		"fix_days": {
			rule: "a critical finding is fixed within N calendar days of being found; open past that fails", unit: "1 day", about: "F-1",
			evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
				return []synthItem{recordsItem("records.vulnerability_assessments", []any{
					assessmentRow("VA-1", "pre_release", dateAgo(limit+300), nil),
					assessmentRow("VA-2", "post_release", dateAgo(limit+unitPast(past, 1)),
						obj{"finding_id": "F-1", "severity": "critical", "finding_status": "open", "found_on": dateAgo(limit + unitPast(past, 1))}),
				})}
			},
			more: []boundary{{
				rule: "a critical finding fixed N calendar days after it was found is on time, one day later is late", unit: "1 day", about: "F-1",
				evidence: func(limit float64, _ map[string]any, past bool) []synthItem {
					return []synthItem{recordsItem("records.vulnerability_assessments", []any{
						assessmentRow("VA-1", "pre_release", dateAgo(100), nil),
						assessmentRow("VA-2", "post_release", dateAgo(10), obj{"finding_id": "F-1", "severity": "critical", "finding_status": "fixed",
							"found_on": dateAgo(limit + 20 + unitPast(past, 1)), "fixed_on": dateAgo(20)}),
					})}
				},
			}},
		},
	},
}

// The recovery-point age limit cannot be reached: generations.verdict first requires a
// completed point in each 24-hour window back from now, so a newest point 24 to 26 hours old
// already fails as missing_generations and "stale" never decides.
var backupMaxAgeGap = boundary{gap: "newest recovery point ≤ max_age_hours: unreachable while max_age_hours ≥ 24, " +
	"because the first 24-hour window (policies/lib/generations.rego day_covered) must already hold a point; a point 24–26 h old fails as missing_generations"}

// backupGenerations: a resource of the control's class with one completed recovery point in each
// of the last N 24-hour windows passes; with N - 1 it fails.
func backupGenerations(classParam string) boundary {
	return boundary{
		rule: "日次で N 世代: a completed recovery point in each of the last N days", unit: "1 generation",
		about: "arn:aws:rds:ap-northeast-1:111111111111:db:db1",
		evidence: func(limit float64, p map[string]any, past bool) []synthItem {
			return backupEstate(p, classParam, int(limit-unitPast(past, 1)), limit+30)
		},
		more: []boundary{{
			rule: "the daily rule keeps recovery points at least N days (DeleteAfterDays)", unit: "1 day",
			about: "arn:aws:rds:ap-northeast-1:111111111111:db:db1",
			evidence: func(limit float64, p map[string]any, past bool) []synthItem {
				return backupEstate(p, classParam, int(limit), limit-unitPast(past, 1))
			},
		}},
	}
}

// backupEstate is one database of the control's class, selected by a daily plan keeping points
// deleteAfter days, with a completed recovery point 2 hours into each of the last `points` days.
func backupEstate(p map[string]any, classParam string, points int, deleteAfter float64) []synthItem {
	arn := "arn:aws:rds:ap-northeast-1:111111111111:db:db1"
	rps := gen(points, func(d int) any {
		return obj{"ResourceArn": arn, "RecoveryPointArn": fmt.Sprintf("rp-%d", d), "Status": "COMPLETED", "CreationDate": ago(time.Duration(24*d+2) * time.Hour)}
	})
	return []synthItem{
		rowsItem("aws.rds.DescribeDBInstances", []any{obj{"DBInstanceArn": arn, "TagList": tags(p["data_class_tag"].(string), p[classParam].(string), "Name", "db1")}}),
		rowsItem("aws.backup.GetBackupSelection", []any{obj{"BackupPlanId": "plan", "BackupSelection": obj{"SelectionName": "all", "Resources": []any{"*"}}}}),
		rowsItem("aws.backup.GetBackupPlan", []any{obj{"BackupPlanId": "plan", "BackupPlan": obj{"BackupPlanName": "plan", "Rules": []any{
			obj{"RuleName": "daily", "ScheduleExpression": "cron(0 5 ? * * *)", "Lifecycle": obj{"DeleteAfterDays": deleteAfter}}}}}}),
		rowsItem("aws.backup.ListRecoveryPointsByBackupVault", rps),
	}
}

func incidentRow(detected, notified time.Time, recovered any) obj {
	return obj{"incident_id": "INC-1", "title": "t", "severity": "high", "customer_impact": true,
		"detected_at": detected.Format(time.RFC3339Nano), "notified_at": notified.Format(time.RFC3339Nano),
		"escalated_at": nil, "recovered_at": recovered}
}

func logGroup(name, arn string, retention float64) synthItem {
	return rowsItem("aws.logs.DescribeLogGroups", []any{obj{"LogGroupName": name, "LogGroupArn": arn, "RetentionInDays": retention}})
}

// trailBucket is a trail delivering to bucket trail-logs, whose lifecycle expires objects after
// `expiration` days.
func trailBucket(expiration float64) []synthItem {
	return []synthItem{
		rowsItem("aws.cloudtrail.DescribeTrails", []any{obj{"TrailARN": "arn:aws:cloudtrail:ap-northeast-1:111111111111:trail/main", "Name": "main",
			"IsMultiRegionTrail": true, "LogFileValidationEnabled": true, "S3BucketName": "trail-logs"}}),
		rowsItem("aws.s3.GetBucketLifecycleConfiguration", []any{obj{"Bucket": "trail-logs", "Rules": []any{
			obj{"ID": "expire", "Status": "Enabled", "Expiration": obj{"Days": expiration}}}}}),
		// Never versioned (no Status): Expiration alone erases; the versioned case, where the
		// deadline is Days + NoncurrentDays, has its boundary in log_03_test.rego.
		rowsItem("aws.s3.GetBucketVersioning", []any{obj{"Bucket": "trail-logs"}}),
	}
}

// loadBalancer is a service load balancer in `zones` zones with `healthy` healthy targets spread
// over them.
func loadBalancer(zones, healthy int) []synthItem {
	az := func(i int) string { return fmt.Sprintf("ap-northeast-1%c", 'a'+rune(i%max(1, zones))) }
	return []synthItem{
		rowsItem("aws.ec2.DescribeVpcs", []any{obj{"VpcId": "vpc-1", "Tags": tags("Service", "cards")}}),
		rowsItem("aws.elbv2.DescribeLoadBalancers", []any{obj{"LoadBalancerArn": lbArn, "LoadBalancerName": "cards", "VpcId": "vpc-1",
			"AvailabilityZones": gen(zones, func(i int) any { return obj{"ZoneName": az(i)} })}}),
		rowsItem("aws.elbv2.DescribeTargetGroups", []any{obj{"TargetGroupArn": "tg-1", "LoadBalancerArns": []any{lbArn}}}),
		rowsItem("aws.elbv2.DescribeTargetHealth", []any{obj{"TargetGroupArn": "tg-1", "TargetHealthDescriptions": gen(healthy, func(i int) any {
			return obj{"Target": obj{"Id": fmt.Sprintf("i-%d", i), "AvailabilityZone": az(i)}, "TargetHealth": obj{"State": "healthy"}}
		})}}),
	}
}

// tlsProbe is an endpoint that refuses and accepts the versions the control wants, with a valid
// chain of `leftSeconds` to expiry, HSTS of `hsts` seconds and a clock `skew` seconds ahead.
func tlsProbe(p map[string]any, leftSeconds, hsts, skew float64) synthItem {
	versions := []any{}
	refused, _ := p["refused_versions"].([]any) // TLS-02's; TIME-01 reads the same probe without them
	accepted, _ := p["accepted_versions"].([]any)
	for _, v := range refused {
		versions = append(versions, obj{"version": v, "accepted": false, "cipher_suite": nil, "refusal": "protocol version not supported"})
	}
	for _, v := range accepted {
		versions = append(versions, obj{"version": v, "accepted": true, "cipher_suite": "TLS_AES_128_GCM_SHA256", "refusal": nil})
	}
	notAfter := bNow.Add(time.Duration(leftSeconds * float64(time.Second))).Format(time.RFC3339Nano)
	return synthItem{"probe.tls", map[string]string{"source": "tls", "endpoint": "cards.example.jp:443"}, obj{
		"endpoint": "cards.example.jp:443", "host": "cards.example.jp", "versions": versions,
		"chain": obj{"verified": true, "verify_error": nil, "not_after": notAfter},
		"http":  obj{"status": 200, "hsts_max_age": hsts, "date": "Fri, 27 Nov 2026 00:00:00 GMT", "skew_seconds": skew},
	}}
}

// tempBucket is a temporary bucket whose lifecycle expires objects after `expiration` days.
func tempBucket(expiration float64, contents []any) []synthItem {
	return []synthItem{
		rowsItem("aws.s3.ListObjectsV2", []any{obj{"Bucket": "tmp-bucket", "Contents": contents}}),
		rowsItem("aws.s3.GetBucketLifecycleConfiguration", []any{obj{"Bucket": "tmp-bucket", "Rules": []any{
			obj{"ID": "expire", "Status": "Enabled", "Expiration": obj{"Days": expiration}}}}}),
		// Never versioned; the versioned case is in tmp_01_test.rego.
		rowsItem("aws.s3.GetBucketVersioning", []any{obj{"Bucket": "tmp-bucket"}}),
	}
}

func trainingRow(hired string, onboarded, last any) obj {
	return obj{"employee_id": "E1", "status": "active", "hired_on": hired, "onboarding_completed_on": onboarded, "last_completed_on": last, "line": 2}
}

func assessmentRow(id, phase, assessed string, finding obj) obj {
	r := obj{"assessment_id": id, "assessor": "x", "phase": phase, "assessed_on": assessed,
		"finding_id": nil, "severity": nil, "finding_status": nil, "found_on": nil, "fixed_on": nil, "line": 2}
	for k, v := range finding {
		r[k] = v
	}
	return r
}

// --- the guard ------------------------------------------------------------------------------

// num reads a parameter as a number (YAML gives int or float64).
func num(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	case json.Number:
		f, _ := x.Float64()
		return f
	}
	return math.NaN()
}

// numeric holds for a number, a string that reads as one ("1.2"), or a list holding either.
func numeric(v any) bool {
	switch x := v.(type) {
	case string:
		_, err := strconv.ParseFloat(x, 64)
		return err == nil
	case []any:
		for _, e := range x {
			if numeric(e) {
				return true
			}
		}
		return false
	}
	return !math.IsNaN(num(v))
}

// Every numeric parameter of the catalog has a row, and every row names a parameter that exists.
func TestEveryNumericParameterHasABoundary(t *testing.T) {
	cat := catalog(t)
	limits, notLimits, gaps := 0, 0, 0
	for _, c := range cat.Controls {
		for name, v := range c.Parameters {
			if !numeric(v) {
				continue
			}
			b, ok := boundaryTable[c.ID][name]
			switch {
			case !ok:
				t.Errorf("%s.%s = %v is numeric and has no row in boundaryTable (policies/boundary_test.go): "+
					"add one that builds evidence at the limit and one unit past it, or declare it notLimit with the reason", c.ID, name, v)
			case b.notLimit != "":
				notLimits++
			case b.gap != "":
				gaps++
			case b.evidence == nil || b.rule == "" || b.unit == "" || b.about == "":
				t.Errorf("%s.%s: a limit's row needs rule, unit, about and evidence", c.ID, name)
			case math.IsNaN(num(v)):
				t.Errorf("%s.%s = %v: a limit must be a number", c.ID, name, v)
			default:
				limits++
			}
		}
	}
	for id, rows := range boundaryTable {
		c, ok := cat.Control(id)
		for name := range rows {
			if !ok {
				t.Errorf("boundaryTable has %s.%s but the catalog has no control %s", id, name, id)
			} else if _, ok := c.Parameters[name]; !ok {
				t.Errorf("boundaryTable has %s.%s but %s has no parameter %s", id, name, id, name)
			}
		}
	}
	t.Logf("%d limits tested at their boundary, %d known gaps, %d numeric parameters that are not limits", limits, gaps, notLimits)
}

// Each limit: evidence exactly at it passes, one unit past it fails, through the real policy.
func TestLimitsAreExactAtTheBoundary(t *testing.T) {
	s := newScaleEval(t)
	ids := make([]string, 0, len(boundaryTable))
	for id := range boundaryTable {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c, ok := s.cat.Control(id)
		if !ok {
			continue // reported by TestEveryNumericParameterHasABoundary
		}
		names := make([]string, 0, len(boundaryTable[id]))
		for name := range boundaryTable[id] {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			b := boundaryTable[id][name]
			if b.notLimit != "" || b.evidence == nil && b.gap == "" {
				continue
			}
			t.Run(id+"/"+name, func(t *testing.T) {
				if b.gap != "" {
					t.Skipf("known gap: %s", b.gap)
				}
				limit := num(c.Parameters[name])
				for _, b := range append([]boundary{b}, b.more...) {
					want := b.want
					if want == [2]string{} {
						want = [2]string{"pass", "fail"}
					}
					for i, past := range []bool{false, true} {
						label := fmt.Sprintf("at the limit (%v)", limit)
						if past {
							label = fmt.Sprintf("%s past the limit (%v)", b.unit, limit)
						}
						findings := s.eval(t, id, b.evidence(limit, c.Parameters, past), false).findings
						if got := verdictAbout(findings, b.about); got != want[i] {
							t.Errorf("%s %s: %s: findings about %q say %s, want %s (%s)\n  %s", id, name, label, b.about, got, want[i], b.rule,
								strings.Join(findings, "\n  "))
						}
					}
				}
			})
		}
	}
}

// verdictAbout is the verdict of the findings whose resource contains `about`: fail if one
// fails, pass if all pass, none if there is none.
func verdictAbout(findings []string, about string) string {
	verdict := "none"
	for _, f := range findings {
		var x struct{ Status, Resource string }
		if err := json.Unmarshal([]byte(f), &x); err != nil || !strings.Contains(x.Resource, about) {
			continue
		}
		switch {
		case x.Status == "fail":
			return "fail"
		case x.Status == "pass":
			verdict = "pass"
		case verdict == "none":
			verdict = x.Status
		}
	}
	return verdict
}
