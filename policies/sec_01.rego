# SEC-01: secret authentication information is managed: the account password policy meets the
# parameters, and every Secrets Manager secret has rotation enabled.
package shoko.controls.sec_01

import data.shoko.lib

p := input.control.parameters

# Each requirement: the password-policy field, and the value it must reach.
weaknesses(pol) := sort(array.concat(
	[sprintf("MinimumPasswordLength < %d", [p.password_min_length]) | object.get(pol, "MinimumPasswordLength", 0) < p.password_min_length],
	[f | some f in p.password_requirements; object.get(pol, f, false) != true],
))

findings contains lib.fail("no_password_policy", {"account": r.row.AccountId}, r.row.AccountId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.iam.GetAccountPasswordPolicy")
	r.row.NotConfigured == true
}

findings contains lib.fail("weak_password_policy", {"account": r.row.AccountId, "weaknesses": weaknesses(r.row)}, r.row.AccountId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.iam.GetAccountPasswordPolicy")
	not r.row.NotConfigured
	count(weaknesses(r.row)) > 0
}

findings contains lib.pass("password_policy_ok", {"account": r.row.AccountId, "min_length": r.row.MinimumPasswordLength}, r.row.AccountId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.iam.GetAccountPasswordPolicy")
	not r.row.NotConfigured
	count(weaknesses(r.row)) == 0
}

findings contains lib.pass("secret_rotates", {"secret": r.row.Name}, r.row.ARN, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.secretsmanager.ListSecrets")
	r.row.RotationEnabled == true
}

findings contains lib.fail("secret_not_rotated", {"secret": r.row.Name}, r.row.ARN, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.secretsmanager.ListSecrets")
	r.row.RotationEnabled != true
}
