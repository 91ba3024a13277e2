# Fixtures for the AWS policy tests: evidence items shaped as the AWS collector stores them.
package shoko.aws.fixtures

account := "123456789012"

now := "2026-11-27T03:00:00Z"

# item is an evidence item of a kind in a region ("global" for account-wide answers); the
# digest is derived from kind and region so two items never share one.
item(kind, region, rows) := {
	"kind": kind,
	"digest": sprintf("sha256:%s-%s", [kind, region]),
	"scope": {"source": "aws", "account": account, "region": region},
	"collected_at": now,
	"data": rows,
}

# input_for builds a policy input from parameters and items.
input_for(params, items) := {
	"control": {"id": "TEST", "parameters": params},
	"evidence": {k: [it | some it in items; it.kind == k] | some k in {it.kind | some it in items}},
	"run": {"now": now, "period": {"start": "2025-11-27T03:00:00Z", "end": now}},
}

# statuses maps each finding's resource to its status and code, for compact assertions.
has(findings, status, code, resource) if {
	some f in findings
	f.status == status
	f.code == code
	f.resource == resource
}

tag(k, v) := {"Key": k, "Value": v}

regions(enabled, disabled) := array.concat(
	[{"RegionName": r, "OptInStatus": "opt-in-not-required", "Endpoint": sprintf("ec2.%s.amazonaws.com", [r])} | some r in enabled],
	[{"RegionName": r, "OptInStatus": "not-opted-in", "Endpoint": sprintf("ec2.%s.amazonaws.com", [r])} | some r in disabled],
)
