# DEV-01: development defines security requirements, approves them and reviews security code.
# Evidenced by a signed attestation; the rule is shared by every attestation control.
package shoko.controls.dev_01

import data.shoko.lib.attestation

findings := attestation.findings_for(input.control.id)
