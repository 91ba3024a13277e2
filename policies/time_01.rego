# TIME-01: the Date header of each endpoint is within max_skew_seconds of the collector's clock.
# The probe stores skew_seconds: the smallest offset consistent with the whole-second Date and
# the collector's clock before and after the request (0 = could be exact).
package shoko.controls.time_01

import data.shoko.lib

max_skew := input.control.parameters.max_skew_seconds

probes := [{"item": item, "d": item.data} | some item in lib.items("probe.tls")]

findings contains lib.pass("clock_synchronized", {"endpoint": d.endpoint, "skew_seconds": d.http.skew_seconds, "max_skew_seconds": max_skew}, d.endpoint, lib.ref(x.item, "/data/http")) if {
	some x in probes
	d := x.d
	d.http.skew_seconds != null
	abs(d.http.skew_seconds) <= max_skew
}

findings contains lib.fail("clock_skewed", {"endpoint": d.endpoint, "date": d.http.date, "skew_seconds": d.http.skew_seconds, "max_skew_seconds": max_skew}, d.endpoint, lib.ref(x.item, "/data/http")) if {
	some x in probes
	d := x.d
	d.http.skew_seconds != null
	abs(d.http.skew_seconds) > max_skew
}

findings contains lib.fail("date_missing", {"endpoint": d.endpoint}, d.endpoint, lib.ref(x.item, "/data/http")) if {
	some x in probes
	d := x.d
	d.http.skew_seconds == null
}
