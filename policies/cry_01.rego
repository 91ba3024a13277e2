# CRY-01: the service is not offered in regions that regulate encryption.
# Evidenced by a signed attestation; the rule is shared by every attestation control.
package shoko.controls.cry_01

import data.shoko.lib.attestation

findings := attestation.findings_for(input.control.id)
