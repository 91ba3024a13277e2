package aws_test

import (
	"fmt"
	"regexp"
	"sort"
	"testing"
	"time"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/motofront"
)

// secondPassOpts make every fault that outlasts the SDK's retries reach the collector's second
// pass at once: one attempt per call, and a short wait before the second pass.
var secondPassOpts = shokoaws.Options{MaxAttempts: 1, RetryBackoff: 10 * time.Millisecond}

// answers maps each item (kind, account, region) to what it says: its status, and its data
// when ok, its error when not. Two collections of the same estate answer alike when nothing was
// lost. The times moto stamps with its own clock at each call (a trail's latest delivery, a
// database's latest restorable time) are left out.
func answers(items []evidence.Item) map[string]string {
	out := map[string]string{}
	for _, it := range items {
		key := it.Kind + " " + it.Scope["account"] + " " + it.Scope["region"]
		switch {
		case it.Status == evidence.StatusOK:
			out[key] = "ok " + motoClock.ReplaceAllString(string(it.Data), `"$1":"(moto's clock)"`)
		case it.Error != nil:
			out[key] = it.Status + " " + *it.Error
		default:
			out[key] = it.Status
		}
	}
	return out
}

var motoClock = regexp.MustCompile(`"(Latest[A-Za-z]*Time)":"[^"]*"`)

// passes counts the items by request.attempts (0: one pass).
func passes(items []evidence.Item) map[int]int {
	out := map[int]int{}
	for _, it := range items {
		n := 0
		if it.Request != nil {
			n = it.Request.Attempts
		}
		out[n]++
	}
	return out
}

func findItem(t *testing.T, items []evidence.Item, kind, region string) evidence.Item {
	t.Helper()
	for _, it := range items {
		if it.Kind == kind && it.Scope["region"] == region {
			return it
		}
	}
	t.Fatalf("no %s item in %s", kind, region)
	return evidence.Item{}
}

// A unit (a service in a region) whose first pass ended in a transient fault is collected once
// more, whole, and its items record attempts 2; a permanent fault is asked once. With one SDK
// attempt per call, the first attempt of kms:ListKeys failing is lost without the second pass.
func TestUnitIsCollectedAgainAfterATransientFault(t *testing.T) {
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	o := secondPassOpts
	o.Regions = []string{awsestate.Region}
	base, baseItems, _ := e.collectUnder(t, o, 0)
	if got := passes(baseItems); len(got) != 1 || got[0] == 0 {
		t.Fatalf("fault-free, items by attempts: %v; want every item of one pass (attempts omitted)", got)
	}
	const listKeys = "kms:ListKeys " + awsestate.Region
	tests := []struct {
		name  string
		fault motofront.Fault
		// want: ENC-02 as fault-free, or error; the kms unit's attempts; calls of kms:ListKeys.
		asBefore     bool
		wantAttempts int
		wantCalls    int
	}{
		{"a throttled first attempt is recovered by the second pass",
			motofront.Fault{Operation: "kms:ListKeys", Kind: motofront.Throttle400, Rate: 1, Transient: true}, true, 2, 2},
		{"a reset connection is recovered by the second pass",
			motofront.Fault{Operation: "kms:ListKeys", Kind: motofront.ConnReset, Rate: 1, Transient: true}, true, 2, 2},
		{"a 500 on every attempt is an error after two passes",
			motofront.Fault{Operation: "kms:ListKeys", Kind: motofront.Internal500, Rate: 1}, false, 2, 2},
		{"access denied is asked once and is an error",
			motofront.Fault{Operation: "kms:ListKeys", Kind: motofront.AccessDenied, Rate: 1}, false, 0, 1},
		{"an unparsable answer is asked once and is an error",
			motofront.Fault{Operation: "kms:ListKeys", Kind: motofront.Garbled, Rate: 1}, false, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, items, calls := e.collectUnder(t, o, 1, tt.fault)
			keys := findItem(t, items, shokoaws.KindKeys, awsestate.Region)
			if tt.asBefore {
				if keys.Status != evidence.StatusOK {
					t.Errorf("kms keys: %s (%s), want ok", keys.Status, *keys.Error)
				}
				if verdicts(got["ENC-02"]) != verdicts(base["ENC-02"]) {
					t.Errorf("ENC-02 %s, fault-free %s (%s)", verdicts(got["ENC-02"]), verdicts(base["ENC-02"]), got["ENC-02"].Reason.EN)
				}
			} else if got["ENC-02"].Status != engine.StatusError {
				t.Errorf("ENC-02 %s (%s), want error", got["ENC-02"].Status, got["ENC-02"].Reason.EN)
			}
			// Every item of the kms unit was passed again (or none was); no other unit was.
			for _, it := range items {
				n := 0
				if it.Request != nil {
					n = it.Request.Attempts
				}
				want := 0
				if it.Collector.Name == "aws/kms" && it.Scope["region"] == awsestate.Region {
					want = tt.wantAttempts
				}
				if n != want {
					t.Errorf("%s in %s: attempts %d, want %d", it.Kind, it.Scope["region"], n, want)
				}
			}
			if made := 1 + calls.Repeated[listKeys]; made != tt.wantCalls {
				t.Errorf("kms:ListKeys was called %d times, want %d", made, tt.wantCalls)
			}
		})
	}
}

// estateRegions are the regions the seeded estate has resources in; the random-fault test collects
// only these (every other region answers empty lists, ten calls each, and would only add time).
var estateRegions = []string{awsestate.Region, "ap-northeast-3", "us-east-1"}

// Faults drawn at random on 20 % of all attempts — connection resets, 500, 503 and throttling,
// a retry as likely to be hit as a first try — change no verdict and no answer, over five seeds.
// The SDK's retryer is as in production (5 attempts). On top, 1 % of calls meet an outage that
// outlasts the retryer (their first 5 attempts fail): only the second pass of their unit
// recovers them, so the second pass is exercised in every run and the test fails without it.
func TestRandomTransientAWSFaultsChangeNoVerdict(t *testing.T) {
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	o := shokoaws.Options{Regions: estateRegions, RetryBackoff: 10 * time.Millisecond}
	base, baseItems, _ := e.collectUnder(t, o, 0)
	want := answers(baseItems)
	faults := []motofront.Fault{
		{Operation: "*", Kind: motofront.SlowDown503, Rate: 0.01, Transient: true, Attempts: 5},
		{Operation: "*", Kind: motofront.ConnReset, Rate: 0.05, PerAttempt: true},
		{Operation: "*", Kind: motofront.Internal500, Rate: 0.05, PerAttempt: true},
		{Operation: "*", Kind: motofront.SlowDown503, Rate: 0.05, PerAttempt: true},
		{Operation: "*", Kind: motofront.Throttle429, Rate: 0.05, PerAttempt: true},
	}
	passedAgain := 0
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			start := time.Now()
			got, items, calls := e.collectUnder(t, o, seed, faults...)
			byAttempts := passes(items)
			passedAgain += byAttempts[2]
			t.Logf("%d calls made for %d distinct in %s; items by passes (0 = one): %v", calls.Made, calls.Distinct, time.Since(start).Round(time.Millisecond), byAttempts)
			for _, id := range sectionA {
				if verdicts(got[id]) != verdicts(base[id]) {
					t.Errorf("%s: %s under random faults, %s fault-free (%s)", id, verdicts(got[id]), verdicts(base[id]), got[id].Reason.EN)
				}
			}
			have := answers(items)
			var diff []string
			for k, w := range want {
				if have[k] != w {
					diff = append(diff, k)
				}
			}
			for k := range have {
				if _, ok := want[k]; !ok {
					diff = append(diff, k)
				}
			}
			sort.Strings(diff)
			for _, k := range diff {
				t.Errorf("%s answers differently from the fault-free run: %.300s", k, have[k])
			}
		})
	}
	if passedAgain == 0 {
		t.Errorf("no unit was collected twice in five seeds: the test does not exercise the second pass")
	}
}
