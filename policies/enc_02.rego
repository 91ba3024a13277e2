# ENC-02: keys are managed: every enabled customer-managed symmetric KMS key rotates.
package shoko.controls.enc_02

import data.shoko.aws
import data.shoko.lib

managed contains r if {
	some r in lib.rows("aws.kms.DescribeKey")
	r.row.KeyManager == "CUSTOMER"
	r.row.KeySpec == "SYMMETRIC_DEFAULT"
	r.row.KeyState == "Enabled"
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
	count(managed) == 0
}
