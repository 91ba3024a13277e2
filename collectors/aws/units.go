package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/shoko-audit/shoko/evidence"
)

// A run split into partitions (shoko runs start --partitions N) lists its work units once, when
// it starts, and each `shoko collect --partition I/N` collects only its own. The AWS units are:
//
//   - (organization account, global, UnitOrganization): the organization's account list
//     (organizations:ListAccounts), in organization mode only;
//   - (account, global, UnitAccount): the account's identity, its region list
//     (ec2:DescribeRegions, which GEO-01 and the other "every enabled region" controls read)
//     and every global task (S3, S3 account settings, CloudFront, IAM, Organizations);
//   - (account, region, service group): the tasks of one service (ec2 holds three) in one
//     enabled region;
//   - (account, "all", UnitRegionsUnknown): an account whose regions could not be listed when
//     the run started: its owner writes every regional kind as an error for region "all", as one
//     process does when DescribeRegions fails.
//
// The region list of a partitioned run is the one read when the run started: the partition
// owning an account's UnitAccount reads DescribeRegions again for the evidence, but the regions
// collected are the listed units, so the split never changes under a running run.
const (
	UnitAccount        = "account"
	UnitOrganization   = "organization"
	UnitRegionsUnknown = "regional"
	// AllRegions is the region of the error items written when an account's regions are unknown.
	AllRegions = "all"
)

// Unit is one piece of an AWS collection: an account, a region (GlobalRegion for the global
// units) and a service group (a task's service name, or one of the Unit* names above).
type Unit struct {
	Account, Region, Service string
}

func (u Unit) String() string { return u.Account + "/" + u.Region + "/" + u.Service }

// regionalServices are the service groups collected in each region, in task order, unique.
func regionalServices() []string {
	var out []string
	for _, t := range regionalTasks() {
		if !slices.Contains(out, t.service) {
			out = append(out, t.service)
		}
	}
	return out
}

// ListUnits resolves what the collection would cover now: the organization's accounts (in
// organization mode), each account's id and enabled regions (limited to Options.Regions), and
// returns the units, sorted. It fails when the organization's account list cannot be read, or
// the account of the base credentials cannot be identified: the accounts are what the unit list
// is for, and a run must not silently audit fewer. A configured account
// that cannot be identified, or whose regions cannot be listed, still gets its UnitAccount (its
// collection then records the failure as error items, as one process does) and the
// UnitRegionsUnknown unit; it is named in the returned problems so the operator can see it.
func (c *Collector) ListUnits(ctx context.Context, now time.Time) (units []Unit, problems []string, err error) {
	base, err := c.baseConfig(ctx)
	if err != nil {
		return nil, nil, err
	}
	accounts, orgItem := c.accounts(ctx, base, now)
	if orgItem != nil {
		if orgItem.Status != evidence.StatusOK {
			return nil, nil, fmt.Errorf("list the organization's accounts: %s", errText(orgItem))
		}
		units = append(units, Unit{Account: orgItem.Scope["account"], Region: GlobalRegion, Service: UnitOrganization})
	}
	type listed struct {
		units   []Unit
		problem string
		err     error
	}
	results := make([]listed, len(accounts))
	sem := make(chan struct{}, c.Opts.Concurrency)
	done := make(chan struct{})
	for i, acct := range accounts {
		go func() {
			defer func() { done <- struct{}{} }()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i].units, results[i].problem, results[i].err = c.accountUnits(ctx, base, acct, now)
		}()
	}
	for range accounts {
		<-done
	}
	for _, r := range results {
		if r.err != nil {
			return nil, nil, r.err
		}
		units = append(units, r.units...)
		if r.problem != "" {
			problems = append(problems, r.problem)
		}
	}
	SortUnits(units)
	return units, problems, nil
}

// accountUnits lists one account's units: its id, then its enabled regions. Only the account of
// the base credentials, when it cannot be identified, is an error: there is no id to list it by.
func (c *Collector) accountUnits(ctx context.Context, base aws.Config, acct Account, now time.Time) ([]Unit, string, error) {
	cfg := c.accountConfig(base, acct)
	id, err := c.identify(ctx, cfg)
	if err == nil && acct.ID != "" && id != acct.ID {
		err = fmt.Errorf("credentials belong to account %s, not the configured %s", id, acct.ID)
	}
	if err != nil {
		if acct.ID == "" {
			return nil, "", fmt.Errorf("identify the account of the base credentials (sts:GetCallerIdentity): %w", err)
		}
		return []Unit{{acct.ID, GlobalRegion, UnitAccount}, {acct.ID, AllRegions, UnitRegionsUnknown}},
			fmt.Sprintf("account %s: %v (its collection will record the failure)", acct.ID, err), nil
	}
	home := cfg.Copy()
	home.Region = c.Opts.HomeRegion
	regions, _, regionItem := c.discoverRegions(ctx, home, id, now)
	units := []Unit{{id, GlobalRegion, UnitAccount}}
	if regionItem.Status != evidence.StatusOK {
		return append(units, Unit{id, AllRegions, UnitRegionsUnknown}),
			fmt.Sprintf("account %s: regions: %s (its regional kinds will be errors)", id, errText(&regionItem)), nil
	}
	for _, r := range c.selectRegions(regions) {
		for _, s := range regionalServices() {
			units = append(units, Unit{id, r, s})
		}
	}
	return units, "", nil
}

func errText(it *evidence.Item) string {
	if it.Error != nil {
		return *it.Error
	}
	return "status " + it.Status
}

// SortUnits sorts units by account, region and service: the order the split is made in.
func SortUnits(units []Unit) {
	sort.Slice(units, func(i, j int) bool { return units[i].String() < units[j].String() })
}

// BoundTo is the unit u must be collected together with (u itself when none). The units of a
// region declared closed (aws.denied_regions) go with their account's UnitAccount: whether the
// region is "denied as declared" is judged on every answer the region gave, and written into
// the account's region list, so both must be in one process. UnitRegionsUnknown goes with the
// UnitAccount too: only its owner knows whether the region list failed again (then the "all"
// items are already written).
func (c *Collector) BoundTo(u Unit) Unit {
	if u.Service == UnitRegionsUnknown || (u.Region != GlobalRegion && slices.Contains(c.Opts.DeniedRegions, u.Region)) {
		return Unit{u.Account, GlobalRegion, UnitAccount}
	}
	return u
}

// unitSelection is the part of Options.Units that concerns one account.
type unitSelection struct {
	account        bool                       // UnitAccount: identity, region list, global tasks
	regionsUnknown bool                       // UnitRegionsUnknown
	regions        map[string]map[string]bool // region → service groups
}

// regionList is the selection's regions, sorted.
func (s *unitSelection) regionList() []string {
	out := make([]string, 0, len(s.regions))
	for r := range s.regions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// runs says whether task t runs in region r under the selection (nil: everything runs).
func (s *unitSelection) runs(t task, region string) bool {
	if s == nil {
		return true
	}
	if region == GlobalRegion {
		return s.account
	}
	return s.regions[region][t.service]
}

// selections groups the selected units of Options.Units by account; org says whether the
// organization unit is one of them.
func (c *Collector) selections() (byAccount map[string]*unitSelection, org *Unit, err error) {
	byAccount = map[string]*unitSelection{}
	known := regionalServices()
	for _, u := range c.Opts.Units {
		if c.Opts.Select != nil && !c.Opts.Select(u) {
			continue
		}
		if u.Service == UnitOrganization {
			if c.Opts.OrganizationRole == "" {
				return nil, nil, fmt.Errorf("unit %s: the config has no aws.organization_role", u)
			}
			org = &u
			continue
		}
		s := byAccount[u.Account]
		if s == nil {
			s = &unitSelection{regions: map[string]map[string]bool{}}
			byAccount[u.Account] = s
		}
		switch {
		case u.Service == UnitAccount && u.Region == GlobalRegion:
			s.account = true
		case u.Service == UnitRegionsUnknown:
			s.regionsUnknown = true
		case u.Region != GlobalRegion && slices.Contains(known, u.Service):
			if s.regions[u.Region] == nil {
				s.regions[u.Region] = map[string]bool{}
			}
			s.regions[u.Region][u.Service] = true
		default:
			return nil, nil, fmt.Errorf("unit %s: not a unit of the AWS collector (service groups: %s)", u, strings.Join(known, ", "))
		}
	}
	return byAccount, org, nil
}

// accountOf is how an account of the unit list is reached: as configured in aws.accounts, else
// through the organization role, else with the base credentials (whose account it must be).
func (c *Collector) accountOf(id string) Account {
	for _, a := range c.Opts.Accounts {
		if a.ID == id {
			return a
		}
	}
	if c.Opts.OrganizationRole != "" {
		return Account{ID: id, RoleARN: fmt.Sprintf("arn:aws:iam::%s:role/%s", id, c.Opts.OrganizationRole)}
	}
	return Account{ID: id}
}

// collectUnits is Collect for a fixed unit list (Options.Units, of which Options.Select picks
// this process's share): no account or region discovery, only the selected units.
func (c *Collector) collectUnits(ctx context.Context, base aws.Config, now time.Time) ([]evidence.Item, error) {
	byAccount, org, err := c.selections()
	if err != nil {
		return nil, err
	}
	out := &sink{}
	if org != nil {
		accounts, orgItem := c.accounts(ctx, base, now)
		if orgItem == nil {
			return nil, errors.New("organization unit: no organization listing was made")
		}
		out.add(*orgItem)
		// The run's accounts were fixed when it started; an account that joined since is not
		// audited by this run. Said, so the next run is not forgotten.
		for _, a := range accounts {
			if orgItem.Status == evidence.StatusOK && !c.unitListHas(a.ID) {
				c.Opts.Log.Warn("organization account not in the run's unit list (it joined after the run started?): not audited by this run", "account", a.ID)
			}
		}
	}
	ids := make([]string, 0, len(byAccount))
	for id := range byAccount {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	sem := make(chan struct{}, c.Opts.Concurrency)
	done := make(chan struct{})
	for _, id := range ids {
		go func() {
			defer func() { done <- struct{}{} }()
			c.collectAccount(ctx, base, c.accountOf(id), now, sem, out, byAccount[id])
		}()
	}
	for range ids {
		<-done
	}
	return out.sorted(), nil
}

// unitListHas says whether any unit of Options.Units names the account.
func (c *Collector) unitListHas(id string) bool {
	for _, u := range c.Opts.Units {
		if u.Account == id {
			return true
		}
	}
	return false
}

// regionsUnknownItems are the error items of an account whose regions could not be listed when
// the run started: every regional kind, region "all" (fail closed, as when DescribeRegions fails).
func regionsUnknownItems(account string, now time.Time) []evidence.Item {
	var out []evidence.Item
	for _, t := range regionalTasks() {
		for _, k := range t.kinds {
			out = append(out, newError(k, account, AllRegions, now, "ec2:DescribeRegions",
				fmt.Errorf("regions of account %s unknown: they could not be listed when the run started, so none was collected", account)))
		}
	}
	return out
}

// ownsAccount says whether this collection owns the account's identity, region list and
// global tasks (always, without a selection).
func (s *unitSelection) ownsAccount() bool { return s == nil || s.account }

// identityFailed are the items of a collection that does not own the account (another
// partition does, and writes every kind as an error at the global scope when the identity
// fails there too) when the account cannot be identified: each selected unit's kinds, as
// errors in its own region, so no unit is silently left without evidence.
func (s *unitSelection) identityFailed(account string, now time.Time, err error) []evidence.Item {
	err = fmt.Errorf("identify account %s: %w", account, err)
	var out []evidence.Item
	for _, r := range s.regionList() {
		for _, t := range regionalTasks() {
			if s.runs(t, r) {
				for _, k := range t.kinds {
					out = append(out, newError(k, account, r, now, "sts:GetCallerIdentity", err))
				}
			}
		}
	}
	return out
}
