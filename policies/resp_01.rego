# RESP-01: the responsibilities shared with customers and the cloud provider are defined.
# Evidenced by a signed attestation; the rule is shared by every attestation control.
package shoko.controls.resp_01

import data.shoko.lib.attestation

findings := attestation.findings_for(input.control.id)
