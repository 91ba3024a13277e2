# DISP-01: equipment is disposed of or reused securely, by the IT administrator only.
# Evidenced by a signed attestation; the rule is shared by every attestation control.
package shoko.controls.disp_01

import data.shoko.lib.attestation

findings := attestation.findings_for(input.control.id)
