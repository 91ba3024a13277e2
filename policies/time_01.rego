# TIME-01: the Date header of each endpoint is within max_skew_seconds of the collector's clock.
# The probe stores skew_seconds: the smallest offset consistent with the whole-second Date and
# the collector's clock before and after the request (0 = could be exact), to the nanosecond.
# "Within max_skew_seconds" includes the limit and is compared on that exact figure, either way
# (ahead or behind); the message shows it to the millisecond, rounded away from zero so that a
# skew over the limit never shows as the limit itself (5.0004 s shows as 5.001).
package shoko.controls.time_01

import data.shoko.lib

max_skew := input.control.parameters.max_skew_seconds

shown(s) := ceil(s * 1000) / 1000 if s >= 0

shown(s) := (0 - ceil((0 - s) * 1000)) / 1000 if s < 0

probes := [{"item": item, "d": item.data} | some item in lib.items("probe.tls")]

findings contains lib.pass("clock_synchronized", {"endpoint": d.endpoint, "skew_seconds": shown(d.http.skew_seconds), "max_skew_seconds": max_skew}, d.endpoint, lib.ref(x.item, "/data/http")) if {
	some x in probes
	d := x.d
	d.http.skew_seconds != null
	abs(d.http.skew_seconds) <= max_skew
}

findings contains lib.fail("clock_skewed", {"endpoint": d.endpoint, "date": d.http.date, "skew_seconds": shown(d.http.skew_seconds), "max_skew_seconds": max_skew}, d.endpoint, lib.ref(x.item, "/data/http")) if {
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
