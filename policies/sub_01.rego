# SUB-01: the only external cloud service (sub-processor) is Amazon Web Services.
# Evidenced by a signed attestation; the rule is shared by every attestation control.
package shoko.controls.sub_01

import data.shoko.lib.attestation

findings := attestation.findings_for(input.control.id)
