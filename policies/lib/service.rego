# Helpers shared by the controls that read the service's evidence API and probes.
package shoko.lib.service

import data.shoko.lib

minute_ns := 60 * 1000000000

hour_ns := 60 * minute_ns

# ns reads an RFC 3339 time (the collector has checked every time against the contract).
ns(t) := time.parse_rfc3339_ns(t)

# duration_ns is the exact time from RFC 3339 time a to time b, in nanoseconds. A limit is
# compared on it, converted to nanoseconds (max_notify_minutes * minute_ns): a notice 30 min 2 s
# after detection is late for a 30-minute limit, however a figure of it is rounded.
duration_ns(a, b) := ns(b) - ns(a)

# minutes_shown / hours_shown are a duration as a message shows it: to one decimal, rounded up.
# For a maximum that never contradicts the verdict: a duration over the limit never shows as the
# limit itself (30 min 2 s is 30.1), one within it never shows above. Never compare them.
minutes_shown(d) := ceil((d * 10) / minute_ns) / 10

hours_shown(d) := ceil((d * 10) / hour_ns) / 10

# service_name is the service an evidence API item came from (its scope).
service_name(item) := object.get(item.scope, "service", "service")

# customer_incidents are the incident rows with customer impact.
customer_incidents := [r |
	some r in lib.rows("service.incidents")
	r.row.customer_impact == true
]
