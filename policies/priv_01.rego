# PRIV-01: privileged access is managed: the root user has MFA and no access keys; every user
# with a console password has MFA; every active access key is younger than max_key_age_days.
#
# "{max_key_age_days} 日以内に更新" is inclusive and counted in 24-hour periods from the rotation
# time: a key rotated exactly 90 × 24 h ago passes, one second older fails (compared in
# nanoseconds; the whole days of the message are rounded up).
package shoko.controls.priv_01

import data.shoko.aws
import data.shoko.lib

p := input.control.parameters

findings contains lib.pass("root_mfa_on", {"account": r.row.AccountId}, sprintf("arn:aws:iam::%s:root", [r.row.AccountId]), lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.iam.GetAccountSummary")
	r.row.SummaryMap.AccountMFAEnabled == 1
}

findings contains lib.fail("root_mfa_off", {"account": r.row.AccountId}, sprintf("arn:aws:iam::%s:root", [r.row.AccountId]), lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.iam.GetAccountSummary")
	r.row.SummaryMap.AccountMFAEnabled != 1
}

findings contains lib.fail("root_access_keys", {"account": r.row.AccountId}, sprintf("arn:aws:iam::%s:root", [r.row.AccountId]), lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.iam.GetAccountSummary")
	r.row.SummaryMap.AccountAccessKeysPresent != 0
}

users contains r if {
	some r in lib.rows("aws.iam.GetCredentialReport")
	r.row.user != "<root_account>"
}

findings contains lib.fail("console_without_mfa", {"user": r.row.user}, r.row.arn, lib.row_ref(r.item, r.index)) if {
	some r in users
	r.row.password_enabled == "true"
	r.row.mfa_active != "true"
}

findings contains lib.pass("console_with_mfa", {"user": r.row.user}, r.row.arn, lib.row_ref(r.item, r.index)) if {
	some r in users
	r.row.password_enabled == "true"
	r.row.mfa_active == "true"
}

key_age(row, n) := aws.age_days(row[sprintf("access_key_%d_last_rotated", [n])])

key_age_ns(row, n) := aws.age_ns(row[sprintf("access_key_%d_last_rotated", [n])])

findings contains lib.fail("old_access_key", {"user": r.row.user, "key": n, "days": key_age(r.row, n), "max_days": p.max_key_age_days}, r.row.arn, lib.row_ref(r.item, r.index)) if {
	some r in users
	some n in [1, 2]
	r.row[sprintf("access_key_%d_active", [n])] == "true"
	key_age_ns(r.row, n) > p.max_key_age_days * lib.day_ns
}

findings contains lib.pass("access_key_fresh", {"user": r.row.user, "key": n, "days": key_age(r.row, n), "max_days": p.max_key_age_days}, r.row.arn, lib.row_ref(r.item, r.index)) if {
	some r in users
	some n in [1, 2]
	r.row[sprintf("access_key_%d_active", [n])] == "true"
	key_age_ns(r.row, n) <= p.max_key_age_days * lib.day_ns
}
