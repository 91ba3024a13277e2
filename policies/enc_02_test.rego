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

# Keys with imported key material or in a custom key store cannot rotate automatically: they
# are not_applicable (with their origin), not failures, even with no rotation status collected;
# a key of KMS's own material without rotation still fails beside them.
test_keys_that_cannot_rotate_automatically_are_not_applicable if {
	every origin in ["EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"] {
		f := enc_02.findings with input as fx.input_for({}, [
			fx.item("aws.kms.DescribeKey", "ap-northeast-1", [object.union(meta(k1, "CUSTOMER"), {"Origin": origin}), object.union(meta(k2, "CUSTOMER"), {"Origin": "AWS_KMS"})]),
			fx.item("aws.kms.GetKeyRotationStatus", "ap-northeast-1", [rot(k2, false)]),
		])
		fx.has(f, "not_applicable", "rotation_not_supported", k1)
		not fx.has(f, "fail", "rotation_unknown", k1)
		fx.has(f, "fail", "rotation_off", k2)
	}
	g := enc_02.findings with input as fx.input_for({}, [fx.item("aws.kms.DescribeKey", "ap-northeast-1", [object.union(meta(k1, "CUSTOMER"), {"Origin": "EXTERNAL"})])])
	fx.has(g, "not_applicable", "rotation_not_supported", k1)
	not fx.has(g, "pass", "no_customer_keys", "kms")
}

# A key deleted between ListKeys and DescribeKey is recorded as gone: not a key to rotate.
test_gone_key_is_not_judged if {
	f := enc_02.findings with input as fx.input_for({}, [
		fx.item("aws.kms.DescribeKey", "ap-northeast-1", [meta(k1, "CUSTOMER"), {"KeyId": "gone-1", "Arn": k2, "Gone": true, "ErrorCode": "NotFoundException"}]),
		fx.item("aws.kms.GetKeyRotationStatus", "ap-northeast-1", [rot(k1, true)]),
	])
	fx.has(f, "pass", "rotation_on", k1)
	count(f) == 1
}
