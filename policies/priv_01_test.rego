package shoko.controls.priv_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.priv_01

user(name, password, mfa, key_active, rotated) := {
	"user": name, "arn": sprintf("arn:aws:iam::123456789012:user/%s", [name]),
	"password_enabled": password, "mfa_active": mfa,
	"access_key_1_active": key_active, "access_key_1_last_rotated": rotated,
	"access_key_2_active": "false", "access_key_2_last_rotated": "N/A",
}

estate(root_mfa, root_keys, users) := [
	fx.item("aws.iam.GetAccountSummary", "global", [{"AccountId": "123456789012", "SummaryMap": {"AccountMFAEnabled": root_mfa, "AccountAccessKeysPresent": root_keys}}]),
	fx.item("aws.iam.GetCredentialReport", "global", users),
]

test_mfa_everywhere_and_fresh_keys_pass if {
	f := priv_01.findings with input as fx.input_for({"max_key_age_days": 90}, estate(1, 0, [
		{"user": "<root_account>", "arn": "arn:aws:iam::123456789012:root", "password_enabled": "not_supported", "mfa_active": "true", "access_key_1_active": "false", "access_key_2_active": "false"},
		user("admin-hanako", "true", "true", "true", "2026-10-01T00:00:00+00:00"),
	]))
	fx.has(f, "pass", "root_mfa_on", "arn:aws:iam::123456789012:root")
	fx.has(f, "pass", "console_with_mfa", "arn:aws:iam::123456789012:user/admin-hanako")
	fx.has(f, "pass", "access_key_fresh", "arn:aws:iam::123456789012:user/admin-hanako")
	every x in f {
		x.status == "pass"
	}
}

test_user_without_mfa_and_old_key_fail if {
	f := priv_01.findings with input as fx.input_for({"max_key_age_days": 90}, estate(1, 0, [user("alice-no-mfa", "true", "false", "true", "2026-01-01T00:00:00+00:00")]))
	fx.has(f, "fail", "console_without_mfa", "arn:aws:iam::123456789012:user/alice-no-mfa")
	fx.has(f, "fail", "old_access_key", "arn:aws:iam::123456789012:user/alice-no-mfa")
}

test_root_without_mfa_with_keys_fails if {
	f := priv_01.findings with input as fx.input_for({"max_key_age_days": 90}, estate(0, 1, []))
	fx.has(f, "fail", "root_mfa_off", "arn:aws:iam::123456789012:root")
	fx.has(f, "fail", "root_access_keys", "arn:aws:iam::123456789012:root")
}

# Key age is exact, in 24-hour periods: rotated exactly 90 days before now passes, one second
# earlier fails (the age was floored to 90 days and passed); the message rounds the age up.
test_key_at_the_limit_passes_one_second_older_fails if {
	at := priv_01.findings with input as fx.input_for({"max_key_age_days": 90}, estate(1, 0, [user("at", "false", "false", "true", "2026-08-29T03:00:00Z")]))
	{[x.code, x.params.days] | some x in at; x.resource == "arn:aws:iam::123456789012:user/at"} == {["access_key_fresh", 90]}
	past := priv_01.findings with input as fx.input_for({"max_key_age_days": 90}, estate(1, 0, [user("past", "false", "false", "true", "2026-08-29T02:59:59Z")]))
	{[x.code, x.params.days] | some x in past; x.resource == "arn:aws:iam::123456789012:user/past"} == {["old_access_key", 91]}
}
