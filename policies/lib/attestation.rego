# Shared rule of the attestation controls (automation: attestation).
#
# The attestations collector gives ONE item whose data is every attestation record found:
#   {"file", "line", "control", "statement": {"ja", "en"},
#    "document": {"path", "sha256" (declared), "actual_sha256" (hex or null), "found"},
#    "approver", "approved_at", "expires_at"}      (times RFC 3339 UTC, or null)
# A record is valid when it is approved (approver and approved_at, not in the future), unexpired
# (expires_at set and after now) and its document exists with the declared SHA-256. A valid record
# gives one pass finding ("attestation_valid"; the engine turns an all-pass attestation control
# into `attested`); an invalid one gives one fail finding per problem. A control without any
# record fails with "attestation_missing". Every code here needs a message in the control's YAML.
package shoko.lib.attestation

import data.shoko.lib

kind := "attestations"

records := lib.rows(kind)

# findings_for is the set of findings of control `id` (e.g. input.control.id). Without any
# attestations item it is empty, so the control has no verdict and is `error`, never `pass`.
findings_for(id) := {f |
	some r in records
	r.row.control == id
	some f in record_findings(r)
} if {
	has_record(id)
}

findings_for(id) := {lib.fail("attestation_missing", {"control": id}, id, lib.whole_ref(item)) |
	some item in lib.items(kind)
} if {
	not has_record(id)
}

has_record(id) if {
	some r in records
	r.row.control == id
}

# The problems a record can have, in the order they are reported. Written as {"code": …}
# objects so that the catalog loader sees these codes and checks each control words them.
checks := [
	{"code": "attestation_unapproved"},
	{"code": "attestation_not_yet_approved"},
	{"code": "attestation_no_expiry"},
	{"code": "attestation_expired"},
	{"code": "document_missing"},
	{"code": "document_digest_mismatch"},
]

problems(row) := [c.code | some c in checks; problem(row, c.code)]

record_findings(r) := {lib.fail(code, params(r.row), resource(r.row), lib.row_ref(r.item, r.index)) |
	some code in problems(r.row)
} if {
	count(problems(r.row)) > 0
} else := {lib.pass("attestation_valid", params(r.row), resource(r.row), lib.row_ref(r.item, r.index))}

problem(row, "attestation_unapproved") if not approver_named(row)

problem(row, "attestation_unapproved") if not time_ns(row.approved_at)

problem(row, "attestation_not_yet_approved") if time_ns(row.approved_at) > lib.now_ns

problem(row, "attestation_no_expiry") if not time_ns(row.expires_at)

problem(row, "attestation_expired") if time_ns(row.expires_at) <= lib.now_ns

problem(row, "document_missing") if object.get(row, ["document", "found"], false) != true

problem(row, "document_digest_mismatch") if {
	row.document.found == true
	not digest_matches(row.document)
}

approver_named(row) if {
	is_string(row.approver)
	trim_space(row.approver) != ""
}

# time_ns reads an RFC 3339 time; undefined for null. (An unreadable time is refused by the
# collector; were one to reach here, the engine's strict builtin errors make the control `error`.)
time_ns(t) := time.parse_rfc3339_ns(t) if is_string(t)

# Digests compare as lower-case hex, with or without a "sha256:" prefix.
digest_matches(doc) if {
	declared := hex_digest(doc.sha256)
	declared != ""
	declared == hex_digest(doc.actual_sha256)
}

hex_digest(d) := trim_prefix(lower(trim_space(d)), "sha256:") if is_string(d)

resource(row) := object.get(row, "file", null)

params(row) := {
	"control": object.get(row, "control", null),
	"file": object.get(row, "file", null),
	"document": object.get(row, ["document", "path"], null),
	"sha256": object.get(row, ["document", "sha256"], null),
	"actual_sha256": object.get(row, ["document", "actual_sha256"], null),
	"approver": object.get(row, "approver", null),
	"approved_at": object.get(row, "approved_at", null),
	"expires_at": object.get(row, "expires_at", null),
}
