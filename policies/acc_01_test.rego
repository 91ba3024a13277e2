package shoko.controls.acc_01_test

import data.shoko.controls.acc_01

h1 := "91b93447043c126b0b6329989948eaf62480d3f8a7949480f25e456b66159edf"

h2 := "094a678249e9d65e9de26902c7c07f71b5d366eeb8011394b7b85b3bfea715af"

h3 := "5d41402abc4b2a76b9719d911017c592aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

account(id, tenant, login, role, status, disabled, last) := {
	"account_id": id, "tenant_id": tenant, "login_id_sha256": login, "role": role, "status": status,
	"created_at": "2025-04-01T00:00:00Z", "disabled_at": disabled, "last_activity_at": last,
}

tenant(id) := {"tenant_id": id, "status": "active", "notification_contacts": 1, "contract_ended_at": null, "data_purged_at": null}

run_input(accounts) := {
	"control": {"id": "ACC-01", "parameters": {"allowed_roles": ["admin", "editor", "viewer"], "admin_role": "admin", "min_admins": 1}},
	"evidence": {
		"service.accounts": [{"kind": "service.accounts", "digest": "sha256:ac", "scope": {}, "collected_at": "2026-11-27T00:00:00Z", "data": accounts}],
		"service.tenants": [{"kind": "service.tenants", "digest": "sha256:7e", "scope": {}, "collected_at": "2026-11-27T00:00:00Z", "data": [tenant("t-acme")]}],
	},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_well_managed_accounts_pass if {
	f := acc_01.findings with input as run_input([
		account("acc-1", "t-acme", h1, "admin", "active", null, "2026-11-20T01:00:00Z"),
		account("acc-2", "t-acme", h2, "editor", "disabled", "2026-03-31T09:00:00Z", "2026-03-30T08:00:00Z"),
	])
	count(f) == 3
	every x in f {
		x.status == "pass"
	}
	some t in f
	t.code == "tenant_has_admin"
	t.params.admins == 1
}

test_violations_fail_naming_account_and_tenant if {
	f := acc_01.findings with input as run_input([
		account("acc-1", "t-acme", h1, "admin", "disabled", "2026-03-31T09:00:00Z", "2026-04-02T00:00:00Z"),
		account("acc-2", "t-acme", h2, "superuser", "active", null, null),
		account("acc-3", "t-acme", h2, "viewer", "active", null, null),
		account("acc-4", "t-acme", h3, "viewer", "disabled", null, null),
	])
	codes := {x.code | some x in f; x.status == "fail"}
	codes == {"activity_after_disable", "role_unknown", "login_reused", "no_active_admin", "disabled_without_time"}
	some r in f
	r.code == "login_reused"
	r.params.accounts == "acc-2, acc-3"
	r.resource == "acc-2"
	some a in f
	a.code == "no_active_admin"
	a.resource == "t-acme"
	a.params.admins == 0
}

two_tenants_input(accounts) := object.union(run_input(accounts), {"evidence": {"service.tenants": [{
	"kind": "service.tenants", "digest": "sha256:7e", "scope": {}, "collected_at": "2026-11-27T00:00:00Z",
	"data": [tenant("t-acme"), tenant("t-beta")],
}]}})

# The indexes by login and by tenant: a login shared by three accounts is one finding, at the
# account with the smallest id, listing all three; admins are counted per tenant, active only.
test_login_of_three_accounts_is_one_finding_and_admins_count_per_tenant if {
	f := acc_01.findings with input as two_tenants_input([
		account("acc-9", "t-acme", h1, "admin", "active", null, null),
		account("acc-3", "t-acme", h1, "admin", "active", null, null),
		account("acc-7", "t-acme", h2, "admin", "disabled", "2026-03-31T09:00:00Z", null),
		account("acc-5", "t-beta", h1, "viewer", "active", null, null),
		account("acc-6", "t-beta", h3, "editor", "active", null, null),
	])
	reused := [x | some x in f; x.code == "login_reused"]
	count(reused) == 1
	reused[0].resource == "acc-3"
	reused[0].params.accounts == "acc-3, acc-5, acc-9"
	reused[0].evidence.pointer == "/data/1"
	{[x.code, x.resource, x.params.admins] | some x in f; x.params.tenant in {"t-acme", "t-beta"}; x.code in {"tenant_has_admin", "no_active_admin"}} == {
		["tenant_has_admin", "t-acme", 2],
		["no_active_admin", "t-beta", 0],
	}
}
