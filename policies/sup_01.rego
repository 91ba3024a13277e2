# SUP-01: suppliers are assessed beforehand and bound by confidentiality agreements.
# Evidenced by a signed attestation; the rule is shared by every attestation control.
package shoko.controls.sup_01

import data.shoko.lib.attestation

findings := attestation.findings_for(input.control.id)
