package shoko.controls.sec_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.sec_01

params := {"password_min_length": 14, "password_requirements": ["RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters", "RequireLowercaseCharacters"]}

policy(length, symbols) := {"AccountId": "123456789012", "MinimumPasswordLength": length, "RequireSymbols": symbols, "RequireNumbers": true, "RequireUppercaseCharacters": true, "RequireLowercaseCharacters": true}

secret(name, rotation) := {"ARN": sprintf("arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:%s-AbCdEf", [name]), "Name": name, "RotationEnabled": rotation}

estate(pol, secrets) := [
	fx.item("aws.iam.GetAccountPasswordPolicy", "global", [pol]),
	fx.item("aws.secretsmanager.ListSecrets", "ap-northeast-1", secrets),
]

test_strong_policy_and_rotated_secret_pass if {
	f := sec_01.findings with input as fx.input_for(params, estate(policy(14, true), [secret("cardsvc/db", true)]))
	fx.has(f, "pass", "password_policy_ok", "123456789012")
	fx.has(f, "pass", "secret_rotates", "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:cardsvc/db-AbCdEf")
	count(f) == 2
}

test_weak_policy_and_unrotated_secret_fail if {
	f := sec_01.findings with input as fx.input_for(params, estate(policy(8, false), [secret("cardsvc/unrotated", null)]))
	some x in f
	x.code == "weak_password_policy"
	x.params.weaknesses == ["MinimumPasswordLength < 14", "RequireSymbols"]
	fx.has(f, "fail", "secret_not_rotated", "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:cardsvc/unrotated-AbCdEf")
}

test_no_password_policy_fails if {
	f := sec_01.findings with input as fx.input_for(params, estate({"AccountId": "123456789012", "NotConfigured": true, "ErrorCode": "NoSuchEntity"}, []))
	fx.has(f, "fail", "no_password_policy", "123456789012")
}
