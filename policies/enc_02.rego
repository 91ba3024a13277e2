# ENC-02: keys are managed: every enabled customer-managed symmetric KMS key rotates.
#
# AWS KMS rotates automatically only keys whose key material it generated (Origin AWS_KMS). Keys
# with imported key material (EXTERNAL) and keys in a custom key store (AWS_CLOUDHSM,
# EXTERNAL_KEY_STORE) cannot rotate automatically
# (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html): their rotation is a
# manual procedure outside this evidence. Such a key is not_applicable with that reason, not a
# failure of the claim: the white paper (暗号化) promises AES-256 encryption with managed keys,
# and the automatic rotation this control checks is not a thing those keys can have.
package shoko.controls.enc_02

import data.shoko.aws
import data.shoko.lib

customer_symmetric contains r if {
	some r in lib.rows("aws.kms.DescribeKey")
	r.row.KeyManager == "CUSTOMER"
	r.row.KeySpec == "SYMMETRIC_DEFAULT"
	r.row.KeyState == "Enabled"
}

# Key material from KMS itself: the keys automatic rotation exists for. A key whose Origin is
# missing is judged (fail closed).
managed contains r if {
	some r in customer_symmetric
	object.get(r.row, "Origin", "AWS_KMS") == "AWS_KMS"
}

unrotatable contains r if {
	some r in customer_symmetric
	object.get(r.row, "Origin", "AWS_KMS") != "AWS_KMS"
}

findings contains lib.finding("not_applicable", "rotation_not_supported", object.union(params(r), {"origin": r.row.Origin}), r.row.Arn, lib.row_ref(r.item, r.index)) if {
	some r in unrotatable
}

# The rotation status rows by key ARN, indexed once (not scanned per key).
rotation_by_arn := {arn: group |
	some arn in {k |
		some s in lib.rows("aws.kms.GetKeyRotationStatus")
		k := s.row.KeyArn
	}
	group := {s |
		some s in lib.rows("aws.kms.GetKeyRotationStatus")
		s.row.KeyArn == arn
	}
}

rotation(arn) := s if {
	some s in object.get(rotation_by_arn, [arn], set())
}

params(r) := {"key": r.row.Arn, "description": object.get(r.row, "Description", "")}

findings contains lib.pass("rotation_on", params(r), r.row.Arn, lib.row_ref(s.item, s.index)) if {
	some r in managed
	s := rotation(r.row.Arn)
	s.row.KeyRotationEnabled == true
}

findings contains lib.fail("rotation_off", params(r), r.row.Arn, lib.row_ref(s.item, s.index)) if {
	some r in managed
	s := rotation(r.row.Arn)
	s.row.KeyRotationEnabled != true
}

# A managed key whose rotation status is not in the evidence cannot be shown to rotate.
findings contains lib.fail("rotation_unknown", params(r), r.row.Arn, lib.row_ref(r.item, r.index)) if {
	some r in managed
	not rotation(r.row.Arn)
}

# No customer-managed key: AWS-managed keys rotate yearly by AWS; nothing of ours to manage.
findings contains lib.pass("no_customer_keys", {}, "kms", lib.whole_ref(aws.first_item("aws.kms.DescribeKey"))) if {
	count(customer_symmetric) == 0
}
