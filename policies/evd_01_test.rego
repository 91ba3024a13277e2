package shoko.controls.evd_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.aws.trail_fixtures as tf
import data.shoko.controls.evd_01

lock(enabled) := {"Bucket": "cardsvc-trail-logs", "ObjectLockConfiguration": {"ObjectLockEnabled": enabled, "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1096}}}}

no_lock := {"Bucket": "cardsvc-trail-logs", "ErrorCode": "ObjectLockConfigurationNotFoundError", "NotConfigured": true}

estate(validation, locks, versioning) := [
	fx.item("aws.cloudtrail.DescribeTrails", "ap-northeast-1", [tf.trail(true, validation)]),
	fx.item("aws.s3.GetObjectLockConfiguration", "global", locks),
	fx.item("aws.s3.GetBucketVersioning", "global", [{"Bucket": "cardsvc-trail-logs", "Status": versioning, "MFADelete": ""}]),
]

test_validated_trail_into_locked_bucket_passes if {
	f := evd_01.findings with input as fx.input_for({"accept_versioning": false}, estate(true, [lock("Enabled")], "Enabled"))
	fx.has(f, "pass", "validation_on", tf.trail_arn)
	fx.has(f, "pass", "bucket_locked", "arn:aws:s3:::cardsvc-trail-logs")
	count(f) == 2
}

test_unvalidated_trail_into_unlocked_bucket_fails if {
	f := evd_01.findings with input as fx.input_for({"accept_versioning": false}, estate(false, [no_lock], "Enabled"))
	fx.has(f, "fail", "validation_off", tf.trail_arn)
	fx.has(f, "fail", "bucket_unprotected", "arn:aws:s3:::cardsvc-trail-logs")
}

test_versioning_accepted_by_parameter if {
	f := evd_01.findings with input as fx.input_for({"accept_versioning": true}, estate(true, [no_lock], "Enabled"))
	fx.has(f, "pass", "bucket_versioned", "arn:aws:s3:::cardsvc-trail-logs")
}

test_missing_trail_and_bucket_fail if {
	fx.has(evd_01.findings, "fail", "bucket_unknown", "arn:aws:s3:::cardsvc-trail-logs") with input as fx.input_for({"accept_versioning": false}, estate(true, [], ""))
	fx.has(evd_01.findings, "fail", "no_trail", "cloudtrail") with input as fx.input_for({"accept_versioning": false}, [fx.item("aws.cloudtrail.DescribeTrails", "ap-northeast-1", [])])
}
