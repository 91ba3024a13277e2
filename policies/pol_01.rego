# POL-01: a cloud information security policy is established and published (attestation part).
# Evidenced by a signed attestation; the rule is shared by every attestation control.
package shoko.controls.pol_01

import data.shoko.lib.attestation

findings := attestation.findings_for(input.control.id)
