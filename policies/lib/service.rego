# Helpers shared by the controls that read the service's evidence API and probes.
package shoko.lib.service

import data.shoko.lib

minute_ns := 60 * 1000000000

hour_ns := 60 * minute_ns

# ns reads an RFC 3339 time (the collector has checked every time against the contract).
ns(t) := time.parse_rfc3339_ns(t)

# minutes_between / hours_between are rounded to one decimal.
minutes_between(a, b) := round(((ns(b) - ns(a)) * 10) / minute_ns) / 10

hours_between(a, b) := round(((ns(b) - ns(a)) * 10) / hour_ns) / 10

# service_name is the service an evidence API item came from (its scope).
service_name(item) := object.get(item.scope, "service", "service")

# customer_incidents are the incident rows with customer impact.
customer_incidents := [r |
	some r in lib.rows("service.incidents")
	r.row.customer_impact == true
]
