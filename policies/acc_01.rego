# ACC-01: customers manage their accounts: roles are within allowed_roles, each active tenant
# has at least min_admins active administrators, no login id is used by two accounts, and no
# account was used after it was disabled.
package shoko.controls.acc_01

import data.shoko.lib
import data.shoko.lib.service

p := input.control.parameters

accounts := lib.rows("service.accounts")

active_tenants := [r | some r in lib.rows("service.tenants"); r.row.status == "active"]

# Indexes, each built once over the accounts (a per-tenant or per-login scan of every account
# would be quadratic): the active administrators of each tenant, the accounts of each login.
active_admins := {tenant: group |
	some tenant in {k |
		some a in accounts
		a.row.status == "active"
		a.row.role == p.admin_role
		k := a.row.tenant_id
	}
	group := {a |
		some a in accounts
		a.row.status == "active"
		a.row.role == p.admin_role
		a.row.tenant_id == tenant
	}
}

accounts_by_login := {login: group |
	some login in {k |
		some a in accounts
		k := a.row.login_id_sha256
	}
	group := {a |
		some a in accounts
		a.row.login_id_sha256 == login
	}
}

admins(tenant) := count(object.get(active_admins, [tenant], set()))

acct(r) := {"account": r.row.account_id, "tenant": r.row.tenant_id, "role": r.row.role, "status": r.row.status}

account_problems contains lib.fail("role_unknown", object.union(acct(r), {"allowed_roles": concat(", ", p.allowed_roles)}), r.row.account_id, lib.row_ref(r.item, r.index)) if {
	some r in accounts
	not r.row.role in p.allowed_roles
}

account_problems contains lib.fail("activity_after_disable", object.union(acct(r), {"disabled_at": r.row.disabled_at, "last_activity_at": r.row.last_activity_at}), r.row.account_id, lib.row_ref(r.item, r.index)) if {
	some r in accounts
	r.row.status == "disabled"
	r.row.disabled_at != null
	r.row.last_activity_at != null
	service.ns(r.row.last_activity_at) > service.ns(r.row.disabled_at)
}

account_problems contains lib.fail("disabled_without_time", acct(r), r.row.account_id, lib.row_ref(r.item, r.index)) if {
	some r in accounts
	r.row.status == "disabled"
	r.row.disabled_at == null
}

# A login id (hashed) shared by several accounts: one finding per login, at its first account.
account_problems contains lib.fail("login_reused", {"login": substring(login, 0, 12), "accounts": concat(", ", ids)}, first.row.account_id, lib.row_ref(first.item, first.index)) if {
	some login, same in accounts_by_login
	count(same) > 1
	ids := sort([a.row.account_id | some a in same])
	some first in same
	first.row.account_id == ids[0]
}

problem_accounts := {f.resource | some f in account_problems}

findings contains f if some f in account_problems

findings contains lib.pass("account_ok", acct(r), r.row.account_id, lib.row_ref(r.item, r.index)) if {
	some r in accounts
	not r.row.account_id in problem_accounts
}

findings contains lib.pass("tenant_has_admin", {"tenant": t.row.tenant_id, "admins": admins(t.row.tenant_id), "min_admins": p.min_admins}, t.row.tenant_id, lib.row_ref(t.item, t.index)) if {
	some t in active_tenants
	admins(t.row.tenant_id) >= p.min_admins
}

findings contains lib.fail("no_active_admin", {"tenant": t.row.tenant_id, "admins": admins(t.row.tenant_id), "min_admins": p.min_admins}, t.row.tenant_id, lib.row_ref(t.item, t.index)) if {
	some t in active_tenants
	admins(t.row.tenant_id) < p.min_admins
}
