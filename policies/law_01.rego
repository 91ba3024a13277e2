# LAW-01: contracts are governed by Japanese law, Tokyo District Court has jurisdiction.
# Evidenced by a signed attestation; the rule is shared by every attestation control.
package shoko.controls.law_01

import data.shoko.lib.attestation

findings := attestation.findings_for(input.control.id)
