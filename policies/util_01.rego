# UTIL-01: the service provides no utility programs, so ISO/IEC 27002 9.4.4 does not apply.
# The reason is worded in controls/UTIL-01.yaml (not_applicable_reason); no evidence is read.
package shoko.controls.util_01

import data.shoko.lib

findings contains lib.not_applicable("no_utility_programs", {}, "sonar-service")
