package shoko.controls.enc_02_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.enc_02

k1 := "arn:aws:kms:ap-northeast-1:123456789012:key/3dd2cacf-25ee-47d1-8358-ec7bc760b251"

k2 := "arn:aws:kms:ap-northeast-1:123456789012:key/66e0b150-b272-4bc6-a2c7-bd4669e85f0e"

meta(arn, manager) := {"Arn": arn, "KeyManager": manager, "KeySpec": "SYMMETRIC_DEFAULT", "KeyState": "Enabled", "Enabled": true, "Description": "cardsvc data key"}

rot(arn, on) := {"KeyArn": arn, "KeyId": null, "KeyRotationEnabled": on, "RotationPeriodInDays": null}

test_rotating_key_passes if {
	f := enc_02.findings with input as fx.input_for({}, [
		fx.item("aws.kms.DescribeKey", "ap-northeast-1", [meta(k1, "CUSTOMER"), meta(k2, "AWS")]),
		fx.item("aws.kms.GetKeyRotationStatus", "ap-northeast-1", [rot(k1, true)]),
	])
	fx.has(f, "pass", "rotation_on", k1)
	count(f) == 1
}

test_key_without_rotation_fails if {
	f := enc_02.findings with input as fx.input_for({}, [
		fx.item("aws.kms.DescribeKey", "ap-northeast-1", [meta(k1, "CUSTOMER"), meta(k2, "CUSTOMER")]),
		fx.item("aws.kms.GetKeyRotationStatus", "ap-northeast-1", [rot(k1, true), rot(k2, false)]),
	])
	fx.has(f, "fail", "rotation_off", k2)
}

test_rotation_status_missing_fails if {
	f := enc_02.findings with input as fx.input_for({}, [
		fx.item("aws.kms.DescribeKey", "ap-northeast-1", [meta(k1, "CUSTOMER")]),
		fx.item("aws.kms.GetKeyRotationStatus", "ap-northeast-1", []),
	])
	fx.has(f, "fail", "rotation_unknown", k1)
}

test_only_aws_managed_keys_pass if {
	f := enc_02.findings with input as fx.input_for({}, [
		fx.item("aws.kms.DescribeKey", "ap-northeast-1", [meta(k2, "AWS")]),
		fx.item("aws.kms.GetKeyRotationStatus", "ap-northeast-1", []),
	])
	fx.has(f, "pass", "no_customer_keys", "kms")
}
