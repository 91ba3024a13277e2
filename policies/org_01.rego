# ORG-01: a director is the security executive and a security committee runs the ISMS.
# Evidenced by a signed attestation; the rule is shared by every attestation control.
package shoko.controls.org_01

import data.shoko.lib.attestation

findings := attestation.findings_for(input.control.id)
