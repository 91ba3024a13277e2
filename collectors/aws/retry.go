package aws

import (
	"context"
	"hash/fnv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/shoko-audit/shoko/evidence"
)

// A unit — one task (a service in one region), or one of the single calls every account needs
// (who am I, which regions) — is collected a second time, whole, when its first pass left an item
// in a transient fault (see transient.go). The SDK's retryer already retries each call up to
// MaxAttempts; over thousands of calls a few still run out of attempts on a flaky network or a
// throttling service, and each such call would turn the controls reading it into `error`. The
// second pass starts after the first has ended and the unit has waited a while, with fresh
// clients (fresh retry quotas and rate limiters), and its items replace the first pass's: every
// item of the unit then records request.attempts 2. Permanent failures (an access denial, a
// validation error, an unparsable answer) are not passed again: asking again would get the same
// answer, a second time in the audited account's CloudTrail. Two passes at most: a unit still
// failing after both is recorded as `error`, as it always was.

// collectUnit runs task t in region on cfg (the region's configuration), twice if it must. The
// caller holds one of the collection's slots for the unit; the unit keeps it while it waits to pass
// again, which also slows the collection down while AWS throttles it.
func (c *Collector) collectUnit(ctx context.Context, cfg aws.Config, t task, account, region string, now time.Time, slots chan struct{}) *emitter {
	return c.passTwice(ctx, account+" "+region+" "+t.service, func() (*emitter, bool) {
		tctx, cancel := context.WithTimeout(ctx, c.Opts.TaskTimeout)
		defer cancel()
		tctx, reqs := withRequestLog(tctx)
		e := &emitter{account: account, region: region, now: now, opts: &c.Opts, requests: reqs, slots: slots}
		t.run(tctx, cfg, e)
		e.checkComplete(t)
		// A unit that ran out of its whole TaskTimeout would run out of it again.
		return e, e.transient > 0 && tctx.Err() == nil
	})
}

// discoverRegions lists the account's regions (see describeRegions), twice if it must: without the
// list every regional kind of the account is an error.
func (c *Collector) discoverRegions(ctx context.Context, cfg aws.Config, account string, now time.Time) ([]string, []ec2types.Region, evidence.Item) {
	var enabled []string
	var listed []ec2types.Region
	e := c.passTwice(ctx, account+" regions", func() (*emitter, bool) {
		e := &emitter{account: account, region: GlobalRegion, now: now}
		enabled, listed = describeRegions(ctx, cfg, e, c.Opts.CallTimeout)
		return e, e.transient > 0
	})
	return enabled, listed, e.items[0]
}

// identify reads the account id of cfg's credentials, twice if it must: without it nothing of the
// account can be scoped.
func (c *Collector) identify(ctx context.Context, cfg aws.Config) (string, error) {
	var id string
	_, err := c.callTwice(ctx, "identity", func() (err error) {
		id, err = callerAccount(ctx, cfg)
		return err
	})
	return id, err
}

// passTwice runs pass, and runs it once more after a backoff when it says a second pass may help
// (an item failed transiently). The second pass's items replace the first's and record attempts 2.
func (c *Collector) passTwice(ctx context.Context, unit string, pass func() (e *emitter, again bool)) *emitter {
	first, again := pass()
	if !again || !c.waitToPassAgain(ctx, unit, first.transient) {
		return first
	}
	second, _ := pass()
	for i := range second.items {
		if second.items[i].Request == nil {
			second.items[i].Request = &evidence.Request{}
		}
		second.items[i].Request.Attempts = 2
	}
	return second
}

// callTwice makes call, and makes it once more after a backoff when it failed transiently. It
// returns the passes made (1 or 2) and the last error.
func (c *Collector) callTwice(ctx context.Context, unit string, call func() error) (int, error) {
	err := call()
	if !isTransient(err) || !c.waitToPassAgain(ctx, unit, 1) {
		return 1, err
	}
	return 2, call()
}

// waitToPassAgain waits the unit's backoff before its second pass; false when the collection was
// cancelled first (or before), and there is no second pass.
func (c *Collector) waitToPassAgain(ctx context.Context, unit string, failed int) bool {
	if ctx.Err() != nil {
		return false
	}
	wait := secondPassBackoff(c.Opts.RetryBackoff, unit)
	c.Opts.Log.Info("aws unit collected again after a transient fault", "unit", unit, "transient_errors", failed, "backoff", wait)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// secondPassBackoff is the wait before a unit's second pass: between half of max and max. The
// jitter spreads the second passes of units that failed together (a throttling burst) over the
// window; it is drawn from a hash of the unit's name, not from a random source, so a run can be
// repeated exactly. Waits never reach the evidence.
func secondPassBackoff(max time.Duration, unit string) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(unit))
	share := float64(h.Sum64()>>11) / (1 << 53) // in [0, 1)
	return max/2 + time.Duration(share*float64(max/2))
}

// attemptsField is request.attempts for the passes made: omitted (0) for one, so a first-pass
// item is byte-identical to one collected before passes were counted.
func attemptsField(passes int) int {
	if passes < 2 {
		return 0
	}
	return passes
}
