# RST-01: data restorations are logged: a trail records write management events (every
# StartRestoreJob is one) and is logging now, and every restore job AWS Backup reports is in
# the evidence, named in a finding.
#
# GetTrailStatus shows the trail's state now and its latest stop: a stop inside the audit period
# is a gap in the record (restores in it would be unlogged) and fails. A trail created inside
# the period is not flagged: nothing shows what logged before it existed.
package shoko.controls.rst_01

import data.shoko.aws
import data.shoko.aws.trail
import data.shoko.lib

recording := {t |
	some t in trail.trails
	trail.logging(t.row.TrailARN)
	trail.management_write(t.row.TrailARN)
	not stopped_in_period(t.row.TrailARN)
}

stopped_in_period(arn) if {
	stop := trail.status(arn).StopLoggingTime
	is_string(stop)
	time.parse_rfc3339_ns(stop) >= time.parse_rfc3339_ns(input.run.period.start)
}

findings contains lib.fail("logging_gap", {"trail": t.row.Name, "stopped": trail.status(t.row.TrailARN).StopLoggingTime}, t.row.TrailARN, lib.row_ref(t.item, t.index)) if {
	some t in trail.trails
	stopped_in_period(t.row.TrailARN)
}

findings contains lib.pass("restores_logged", {"trail": t.row.Name}, t.row.TrailARN, lib.row_ref(t.item, t.index)) if {
	some t in recording
}

findings contains lib.fail("trail_not_recording", {"trail": t.row.Name}, t.row.TrailARN, lib.row_ref(t.item, t.index)) if {
	count(recording) == 0
	some t in trail.trails
}

findings contains lib.fail("no_trail", {}, "cloudtrail", lib.whole_ref(aws.first_item("aws.cloudtrail.DescribeTrails"))) if {
	count(trail.trails) == 0
}

# Each restore job is listed; while the trail records, it is on record.
findings contains lib.pass("restore_recorded", {"job": r.row.RestoreJobId, "created": r.row.CreationDate, "status": r.row.Status}, r.row.RestoreJobId, lib.row_ref(r.item, r.index)) if {
	count(recording) > 0
	some r in lib.rows("aws.backup.ListRestoreJobs")
}

findings contains lib.fail("restore_unrecorded", {"job": r.row.RestoreJobId, "created": r.row.CreationDate, "status": r.row.Status}, r.row.RestoreJobId, lib.row_ref(r.item, r.index)) if {
	count(recording) == 0
	some r in lib.rows("aws.backup.ListRestoreJobs")
}
