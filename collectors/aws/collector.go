// Package aws collects evidence from AWS accounts with aws-sdk-go-v2: every enabled region
// (found with ec2:DescribeRegions AllRegions), read-only operations only, one evidence item per
// kind, account and region. A call that fails becomes an item with status error for exactly that
// kind and scope, so the controls that need it go `error` and the rest carry on.
//
// One file per AWS service holds that service's tasks; this file holds the scheduling.
package aws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/shoko-audit/shoko/evidence"
)

// Name is the collector name recorded in every item.
const Name = "aws"

// GlobalRegion is the scope region of global services (IAM, Organizations, S3 ListBuckets,
// CloudFront, account-level S3 settings) and of the region list itself.
const GlobalRegion = "global"

// Account is one AWS account to audit.
type Account struct {
	// ID is the expected account id; empty means "whatever the credentials belong to"
	// (the id is then read with sts:GetCallerIdentity).
	ID string
	// RoleARN, when set, is assumed (with ExternalID) from the base credentials.
	RoleARN    string
	ExternalID string
}

// Options configure a collection.
type Options struct {
	// Profile is the shared-config profile of the base credentials ("" = default chain).
	Profile string
	// HomeRegion is where global calls and region discovery are made (default ap-northeast-1).
	HomeRegion string
	// EndpointURL overrides every service endpoint (a local moto); empty = the SDK's own
	// resolution, which honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>.
	EndpointURL string
	// Accounts to audit; none means the account of the base credentials.
	Accounts []Account
	// OrganizationRole, when set, audits every ACTIVE account of the organization
	// (organizations:ListAccounts) through arn:aws:iam::<id>:role/<OrganizationRole>.
	OrganizationRole string
	// Regions limits collection to these regions (for tests and partial runs); empty = every
	// enabled region. Regions left out are still listed in the region evidence, so a control
	// that must look everywhere sees they were not inspected.
	Regions []string
	// DeniedRegions are the regions the organization declares closed by a service control policy
	// (aws.denied_regions). They are collected like every other region; only when every call
	// there is answered with an SCP's explicit deny is the region recorded as denied as declared
	// (in the region item's row, with the SCP's answer) instead of as error items.
	DeniedRegions []string
	// TempBuckets are the buckets (optionally "bucket/prefix") whose objects TMP-01 lists.
	TempBuckets []string
	// Concurrency bounds the tasks (a service in a region) in flight (default 8).
	Concurrency int
	// CallTimeout bounds one operation, retries included (default 60s); TaskTimeout bounds one
	// service in one region, every page and per-resource call included (default 15m).
	CallTimeout time.Duration
	TaskTimeout time.Duration
	// AttemptTimeout bounds one attempt of an operation (default 20s, and never more than
	// CallTimeout), so a stalled connection is retried instead of using up the whole call.
	AttemptTimeout time.Duration
	// MaxAttempts of the adaptive retryer (default 5).
	MaxAttempts int
	// RetryBackoff bounds the wait before a unit's second pass (default 2s; see retry.go).
	RetryBackoff time.Duration
	// Recorder, when set, hears every operation called (the IAM policy test uses it).
	Recorder *Recorder
	// Units, when set, is the run's unit list fixed when it started (see ListUnits): accounts
	// and regions are not discovered again, and only the units Select picks (nil: all) are
	// collected. Used by the partitions of a run (shoko collect --partition).
	Units  []Unit
	Select func(Unit) bool
	// Progress, when set, hears about each account/region/service as it finishes.
	Progress func(account, region, service string, items, errors int)
	Log      *slog.Logger
}

// Collector is the AWS evidence collector.
type Collector struct {
	Opts Options
}

// New returns a collector with defaults filled in.
func New(o Options) *Collector {
	if o.HomeRegion == "" {
		o.HomeRegion = "ap-northeast-1"
	}
	if o.Concurrency < 1 {
		o.Concurrency = 8
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 60 * time.Second
	}
	if o.TaskTimeout <= 0 {
		o.TaskTimeout = 15 * time.Minute
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 20 * time.Second
	}
	if o.AttemptTimeout > o.CallTimeout {
		o.AttemptTimeout = o.CallTimeout
	}
	if o.MaxAttempts < 1 {
		o.MaxAttempts = 5
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = 2 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Collector{Opts: o}
}

func (c *Collector) Name() string    { return Name }
func (c *Collector) Kinds() []string { return Kinds() }

// Collect audits every account. It returns an error only when it cannot start at all (no base
// credentials configuration can be loaded); everything after that becomes evidence.
func (c *Collector) Collect(ctx context.Context, now time.Time) ([]evidence.Item, error) {
	base, err := c.baseConfig(ctx)
	if err != nil {
		return nil, err
	}
	if c.Opts.Units != nil {
		return c.collectUnits(ctx, base, now)
	}
	out := &sink{}
	accounts, orgItem := c.accounts(ctx, base, now)
	if orgItem != nil {
		out.add(*orgItem)
	}
	sem := make(chan struct{}, c.Opts.Concurrency)
	var wg sync.WaitGroup
	for _, acct := range accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.collectAccount(ctx, base, acct, now, sem, out, nil)
		}()
	}
	wg.Wait()
	items := out.sorted()
	return items, nil
}

// collectAccount resolves the account's credentials and id, discovers its regions and runs
// every task in every region; with a unit selection (sel, see units.go) only the selected units,
// in the regions listed when the run started.
func (c *Collector) collectAccount(ctx context.Context, base aws.Config, acct Account, now time.Time, sem chan struct{}, out *sink, sel *unitSelection) {
	cfg := c.accountConfig(base, acct)
	id, err := c.identify(ctx, cfg)
	if err == nil && acct.ID != "" && id != acct.ID {
		err = fmt.Errorf("credentials belong to account %s, not the configured %s", id, acct.ID)
	}
	if err != nil && !sel.ownsAccount() {
		out.add(sel.identityFailed(acct.ID, now, err)...)
		return
	}
	if err != nil {
		// Without an account id nothing can be scoped: record the failure against the
		// configured id (or "unknown") for every kind, so every AWS control goes error.
		label := acct.ID
		if label == "" {
			label = "unknown"
		}
		err = fmt.Errorf("identify account %s: %w", label, err)
		for _, k := range Kinds() {
			out.add(newError(k, label, GlobalRegion, now, "sts:GetCallerIdentity", err))
		}
		c.Opts.Log.Warn("aws account unreachable", "account", label, "error", err)
		return
	}
	// The account's items are gathered apart, so the regions declared denied can be judged on
	// every answer they gave before anything reaches the collection.
	acc := &sink{}
	if !sel.ownsAccount() {
		// Another process owns the region list; the regions are the run's.
		defer func() { out.add(acc.items...) }()
		c.runTasks(ctx, cfg, id, now, sem, acc, sel, sel.regionList())
		return
	}
	home := cfg.Copy()
	home.Region = c.Opts.HomeRegion
	regions, listed, regionItem := c.discoverRegions(ctx, home, id, now)
	defer func() {
		items, region := c.declaredDenials(acc.items, listed, regionItem, now)
		out.add(region)
		out.add(items...)
	}()
	if regionItem.Status != evidence.StatusOK {
		// No region list: every regional kind is an error for this account (fail closed).
		for _, t := range regionalTasks() {
			for _, k := range t.kinds {
				acc.add(newError(k, id, "all", now, "ec2:DescribeRegions", fmt.Errorf("regions of account %s unknown: %s", id, *regionItem.Error)))
			}
		}
	}
	regions = c.selectRegions(regions)
	if sel != nil {
		if sel.regionsUnknown && regionItem.Status == evidence.StatusOK {
			acc.add(regionsUnknownItems(id, now)...)
		}
		regions = sel.regionList()
	}
	c.runTasks(ctx, cfg, id, now, sem, acc, sel, regions)
}

// runTasks runs the global tasks and the regional tasks in every region given (those sel
// selects, when it is set) and adds their items to acc.
func (c *Collector) runTasks(ctx context.Context, cfg aws.Config, id string, now time.Time, sem chan struct{}, acc *sink, sel *unitSelection, regions []string) {
	var wg sync.WaitGroup
	run := func(t task, region string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				for _, k := range t.kinds {
					acc.add(newError(k, id, region, now, t.service, ctx.Err()))
				}
				return
			}
			defer func() { <-sem }()
			rc := cfg.Copy()
			rc.Region = region
			if region == GlobalRegion {
				rc.Region = c.Opts.HomeRegion
			}
			e := c.collectUnit(ctx, rc, t, id, region, now, sem)
			acc.add(e.items...)
			if c.Opts.Progress != nil {
				c.Opts.Progress(id, region, t.service, len(e.items), e.errors())
			}
		}()
	}
	for _, t := range globalTasks(c.Opts.OrganizationRole != "") {
		if sel.runs(t, GlobalRegion) {
			run(t, GlobalRegion)
		}
	}
	for _, r := range regions {
		for _, t := range regionalTasks() {
			if sel.runs(t, r) {
				run(t, r)
			}
		}
	}
	wg.Wait()
}

// selectRegions keeps the enabled regions, limited to Options.Regions when set.
func (c *Collector) selectRegions(enabled []string) []string {
	if len(c.Opts.Regions) == 0 {
		return enabled
	}
	want := map[string]bool{}
	for _, r := range c.Opts.Regions {
		want[r] = true
	}
	var out []string
	for _, r := range enabled {
		if want[r] {
			out = append(out, r)
		}
	}
	return out
}

// task is one unit of collection for a service in one region (or globally): it may make
// several dependent calls (list, then describe each) and emits one item per kind it declares.
type task struct {
	service string
	kinds   []string
	run     func(ctx context.Context, cfg aws.Config, e *emitter)
}

// emitter turns answers and errors into items scoped to one account and region.
type emitter struct {
	account, region string
	now             time.Time
	opts            *Options
	requests        *requestLog
	items           []evidence.Item
	// slots is the collection's concurrency limit (nil: one call at a time); the task holds one.
	slots chan struct{}
	// transient counts the items failed by a transient fault (see transient.go): the unit is
	// collected once more (see retry.go).
	transient int
}

// each calls f(i) for every i in [0, n): on the task's own slot, and on every further slot of
// the collection's concurrency limit it finds free before a call — when other tasks finish, their
// slots are taken up — so a task's per-resource calls (8 per S3 bucket, 2 per DynamoDB table, up to
// 3 per KMS key) overlap without the collection ever exceeding its limit. Against AWS these calls
// wait on the network; one after another they made the S3 task the last to finish. f must write
// only its own index of any shared slice.
func (e *emitter) each(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var work func()
	work = func() {
		for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
			if e.slots != nil && int(next.Load()) < n {
				select {
				case e.slots <- struct{}{}:
					wg.Add(1)
					go func() {
						defer wg.Done()
						defer func() { <-e.slots }()
						work()
					}()
				default:
				}
			}
			f(i)
		}
	}
	work()
	wg.Wait()
}

func (e *emitter) scope() map[string]string {
	return map[string]string{"source": "aws", "account": e.account, "region": e.region}
}

// ok records the answer of an operation: data is the array of the API's own objects.
func (e *emitter) ok(kind, operation string, pages int, data any) {
	req := &evidence.Request{Operation: operation, Pages: pages, RequestIDs: e.requests.forOperations(operation)}
	it, err := evidence.NewOK(kind, e.scope(), e.now, collectorInfo(kind), req, data)
	if err != nil {
		e.fail(kind, operation, err)
		return
	}
	// An empty list is an empty array: "null" would read as "no answer".
	if string(it.Data) == "null" {
		it.Data = []byte("[]")
	}
	e.items = append(e.items, it)
}

// fail records that an operation could not be answered.
func (e *emitter) fail(kind, operation string, err error) {
	if isTransient(err) {
		e.transient++
	}
	err = fmt.Errorf("%s in account %s, region %s: %w", operation, e.account, e.region, err)
	if e.opts != nil {
		err = markSCPHint(err, deniedRegionHint(e.region, e.opts.DeniedRegions))
	}
	e.items = append(e.items, newError(kind, e.account, e.region, e.now, operation, err))
}

// failAll records the same failure for several kinds (a list call failed, so the per-resource
// kinds that depend on it cannot be known either).
func (e *emitter) failAll(kinds []string, operation string, err error) {
	for _, k := range kinds {
		e.fail(k, operation, err)
	}
}

func (e *emitter) errors() int {
	n := 0
	for _, it := range e.items {
		if it.Status == evidence.StatusError {
			n++
		}
	}
	return n
}

// checkComplete turns a kind the task forgot to emit into an error item: a missing kind must
// never look like an empty, passing one.
func (e *emitter) checkComplete(t task) {
	have := map[string]bool{}
	for _, it := range e.items {
		have[it.Kind] = true
	}
	for _, k := range t.kinds {
		if !have[k] {
			e.fail(k, t.service, errors.New("the collector produced no answer for this kind"))
		}
	}
}

func collectorInfo(kind string) evidence.CollectorInfo {
	return evidence.CollectorInfo{Name: "aws/" + serviceOf(kind), Version: "0.1.0"}
}

func newError(kind, account, region string, now time.Time, operation string, err error) evidence.Item {
	err = markSCP(err)
	return evidence.NewError(kind, map[string]string{"source": "aws", "account": account, "region": region},
		now, collectorInfo(kind), &evidence.Request{Operation: operation}, err)
}

// sink gathers items from concurrent tasks.
type sink struct {
	mu    sync.Mutex
	items []evidence.Item
}

func (s *sink) add(items ...evidence.Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = append(s.items, items...)
}

// sorted returns the items by file name (kind, then scope): the order tasks finished in never
// shows in the output.
func (s *sink) sorted() []evidence.Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]evidence.Item(nil), s.items...)
	sort.SliceStable(out, func(i, j int) bool { return evidence.FileName(out[i]) < evidence.FileName(out[j]) })
	return out
}

// sortBy sorts a slice of API objects by a key, so evidence does not depend on answer order.
func sortBy[T any](s []T, key func(T) string) []T {
	sort.SliceStable(s, func(i, j int) bool { return key(s[i]) < key(s[j]) })
	return s
}
