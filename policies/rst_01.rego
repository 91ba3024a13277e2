# RST-01: data restorations are logged: in every account a trail (its own, or an organization
# trail covering it) records write management events (every StartRestoreJob is one) and is
# logging now, and every restore job AWS Backup reports is in the evidence, named in a finding.
#
# GetTrailStatus shows the trail's state now and its latest stop: a stop inside the audit period
# is a gap in the record (restores in it would be unlogged) and fails. A trail created inside
# the period is not flagged: nothing shows what logged before it existed.
package shoko.controls.rst_01

import data.shoko.aws
import data.shoko.aws.trail
import data.shoko.lib

# Per account: a trail of its own or an organization trail covering it must record.
recording(account) := {t |
	some t in trail.trails_of(account)
	trail.logging(t.row.TrailARN)
	trail.management_write(t.row.TrailARN)
	not stopped_in_period(t.row.TrailARN)
}

# The latest stop of a trail inside the period, when there is one (the newest, should the
# accounts' copies of an organization trail's status differ).
stops_in_period(arn) := sort([stop |
	some s in object.get(trail.statuses, [arn], set())
	stop := s.StopLoggingTime
	is_string(stop)
	time.parse_rfc3339_ns(stop) >= time.parse_rfc3339_ns(input.run.period.start)
])

stopped_in_period(arn) if count(stops_in_period(arn)) > 0

last_stop(arn) := s[count(s) - 1] if s := stops_in_period(arn)

findings contains lib.fail("logging_gap", {"trail": t.row.Name, "stopped": last_stop(t.row.TrailARN)}, t.row.TrailARN, lib.row_ref(t.item, t.index)) if {
	some t in trail.trails
	stopped_in_period(t.row.TrailARN)
}

findings contains lib.pass("restores_logged", {"trail": t.row.Name, "account": account}, t.row.TrailARN, lib.row_ref(t.item, t.index)) if {
	some account in trail.trail_accounts
	some t in recording(account)
}

findings contains lib.fail("trail_not_recording", {"trail": t.row.Name, "account": account}, t.row.TrailARN, lib.row_ref(t.item, t.index)) if {
	some account in trail.trail_accounts
	count(recording(account)) == 0
	some t in trail.trails_of(account)
}

findings contains lib.fail("no_trail", {"account": account}, account, lib.whole_ref(trail.trails_item(account))) if {
	some account in trail.trail_accounts
	count(trail.trails_of(account)) == 0
}

# Each restore job is listed; while a trail covering its account records, it is on record.
findings contains lib.pass("restore_recorded", {"job": r.row.RestoreJobId, "created": r.row.CreationDate, "status": r.row.Status}, r.row.RestoreJobId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.backup.ListRestoreJobs")
	count(recording(r.item.scope.account)) > 0
}

findings contains lib.fail("restore_unrecorded", {"job": r.row.RestoreJobId, "created": r.row.CreationDate, "status": r.row.Status}, r.row.RestoreJobId, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.backup.ListRestoreJobs")
	count(recording(r.item.scope.account)) == 0
}
