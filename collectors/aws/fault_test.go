package aws_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/motofront"
)

// matrixOpts keep the run over every fault kind short: one attempt per call (the collector
// handles an exhausted retryer the same after one attempt as after five; the adaptive retryer's
// backoff would make this run take minutes), a tight call timeout, since a stalled call costs
// all of it, and a short wait before a unit's second pass (nearly every unit has one here).
var matrixOpts = shokoaws.Options{MaxAttempts: 1, CallTimeout: time.Second, RetryBackoff: 10 * time.Millisecond}

// collectUnder collects the seeded estate with the faults injected, evaluates it, and returns
// the results, the items and the calls the front answered.
func (e *env) collectUnder(t *testing.T, o shokoaws.Options, seed uint64, faults ...motofront.Fault) (map[string]engine.ControlResult, []evidence.Item, motofront.CallStats) {
	t.Helper()
	if err := e.front.InjectFaults(seed, faults...); err != nil {
		t.Fatal(err)
	}
	defer e.front.InjectFaults(0) //nolint:errcheck // no faults is always valid
	items := e.collect(t, o)
	calls := e.front.Calls()
	return evaluate(t, items), items, calls
}

// verdicts is a control's status and its findings (status, code, resource), comparable across runs.
func verdicts(c engine.ControlResult) string {
	fs := make([]string, 0, len(c.Findings))
	for _, f := range c.Findings {
		fs = append(fs, f.Status+" "+f.Code+" "+f.Resource)
	}
	sort.Strings(fs)
	return c.Status + " [" + strings.Join(fs, "; ") + "]"
}

// Transient faults — throttling (400, 429, 503), 500 and connection resets on 20 % of calls, each
// failing once — are retried: the results are exactly the fault-free ones. The fault-free run
// also repeats no call but a polled one (calls made ÷ calls needed = 1.0).
func TestTransientAWSFaultsChangeNothing(t *testing.T) {
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	start := time.Now()
	base, _, calls := e.collectUnder(t, shokoaws.Options{}, 0)
	t.Logf("fault-free: %d calls made, %d distinct, collected and evaluated in %s", calls.Made, calls.Distinct, time.Since(start).Round(time.Millisecond))
	made, needed, unexpected := calls.Needed(shokoaws.Polled)
	for op, n := range unexpected {
		t.Errorf("%s called %d more time(s) than needed", op, n)
	}
	t.Logf("calls made ÷ calls needed = %d ÷ %d (polling of %v not counted)", made, needed, keys(shokoaws.Polled))
	for _, kind := range []motofront.FaultKind{motofront.Throttle400, motofront.Throttle429, motofront.SlowDown503,
		motofront.Internal500, motofront.ConnReset} {
		t.Run(string(kind), func(t *testing.T) {
			got, _, calls := e.collectUnder(t, shokoaws.Options{}, 20, motofront.Fault{Operation: "*", Kind: kind, Rate: 0.2, Transient: true})
			t.Logf("%s at 20%%: %d calls made, %d distinct", kind, calls.Made, calls.Distinct)
			if calls.Made == calls.Distinct {
				t.Fatalf("no call was faulted (%d calls)", calls.Made)
			}
			for _, id := range sectionA {
				if verdicts(got[id]) != verdicts(base[id]) {
					t.Errorf("%s: %s under transient %s, %s fault-free (%s)", id, verdicts(got[id]), kind, verdicts(base[id]), got[id].Reason.EN)
				}
			}
		})
	}
}

// A permanent fault on one operation makes exactly the controls that read its evidence `error`,
// naming the cause, and leaves every other control as it was.
func TestPermanentAWSFaultErrsOnlyItsControls(t *testing.T) {
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	base, _, _ := e.collectUnder(t, shokoaws.Options{}, 0)
	tests := []struct {
		op   string
		kind motofront.FaultKind
		want string // in the reason of each control it errs
	}{
		{"kms:ListKeys", motofront.AccessDenied, "AccessDenied"},
		// Rotation and key policies fail; the key list (DescribeKey) stays whole, so controls
		// reading only the keys are unchanged.
		{"kms:GetKeyRotationStatus", motofront.AccessDenied, "AccessDenied"},
		{"rds:DescribeDBInstances", motofront.Throttle400, "Throttling"},
		{"ec2:DescribeSecurityGroups", motofront.Internal500, "InternalError"},
		{"logs:DescribeLogGroups", motofront.Garbled, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s", tt.op, tt.kind), func(t *testing.T) {
			got, items, calls := e.collectUnder(t, shokoaws.Options{}, 1, motofront.Fault{Operation: tt.op, Kind: tt.kind, Rate: 1})
			if tt.kind == motofront.AccessDenied {
				// A denial is permanent: neither the SDK nor a second pass asks again.
				for op, n := range calls.Repeated {
					if strings.HasPrefix(op, tt.op+" ") {
						t.Errorf("%s was asked %d more time(s) after AccessDenied", op, n)
					}
				}
			}
			broken := map[string]bool{} // kinds with an error item
			for _, it := range items {
				if it.Status == evidence.StatusError {
					broken[it.Kind] = true
				}
			}
			if len(broken) == 0 {
				t.Fatalf("no evidence item records the fault on %s", tt.op)
			}
			errs := 0
			for _, id := range sectionA {
				c, b := got[id], base[id]
				reads := false
				for _, ref := range c.Evidence {
					reads = reads || broken[ref.Kind]
				}
				switch {
				case reads && c.Status != engine.StatusError:
					t.Errorf("%s reads broken evidence %v but is %s", id, keys(broken), c.Status)
				case reads && !strings.Contains(c.Reason.EN, tt.want):
					t.Errorf("%s: reason %q does not name the cause %q", id, c.Reason.EN, tt.want)
				case !reads && verdicts(c) != verdicts(b):
					t.Errorf("%s does not read the broken evidence but changed: %s, fault-free %s", id, verdicts(c), verdicts(b))
				}
				if reads {
					errs++
				}
			}
			if errs == 0 {
				t.Errorf("no section-A control reads the evidence of %s (%v)", tt.op, keys(broken))
			}
		})
	}
}

// Across every fault kind, on 30 % of all calls and never letting up, a control of the violating
// estate (every section-A control fails fault-free) is `fail` or `error`: a fault never passes.
func TestNoAWSFaultMakesAControlPass(t *testing.T) {
	e := newEnv(t)
	o := awsestate.Options{Violate: map[string]bool{}}
	for _, id := range sectionA {
		o.Violate[id] = true
	}
	e.seed(t, o)
	base, _, _ := e.collectUnder(t, shokoaws.Options{}, 0)
	for _, id := range sectionA {
		if base[id].Status != engine.StatusFail {
			t.Fatalf("%s is %s fault-free on the violating estate, want fail", id, base[id].Status)
		}
	}
	for _, kind := range motofront.FaultKinds {
		t.Run(string(kind), func(t *testing.T) {
			got, _, calls := e.collectUnder(t, matrixOpts, 30, motofront.Fault{Operation: "*", Kind: kind, Rate: 0.3})
			outcome := map[string]int{}
			for _, id := range sectionA {
				c := got[id]
				outcome[c.Status]++
				if c.Status != engine.StatusFail && c.Status != engine.StatusError {
					t.Errorf("%s: %s under %s (%s), fail fault-free", id, c.Status, kind, c.Reason.EN)
				}
			}
			t.Logf("%s on 30%% of %d calls: %v", kind, calls.Distinct, outcome)
		})
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// A stalled connection is one attempt that never answers: the attempt times out and is retried,
// so a transient stall changes nothing; a permanent one is an error, never a pass.
func TestStalledAttemptIsRetried(t *testing.T) {
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	o := shokoaws.Options{AttemptTimeout: time.Second, CallTimeout: 8 * time.Second}
	base, _, _ := e.collectUnder(t, o, 0)
	cases := []struct {
		name      string
		transient bool
		want      string // ENC-02's status; "" means: as fault-free
	}{
		{"transient stall is retried", true, ""},
		{"permanent stall is an error", false, engine.StatusError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, items, _ := e.collectUnder(t, o, 3, motofront.Fault{Operation: "kms:ListKeys", Kind: motofront.Stalled, Rate: 1, Transient: tc.transient})
			if tc.want == "" {
				if verdicts(got["ENC-02"]) != verdicts(base["ENC-02"]) {
					t.Fatalf("ENC-02 %s under a transient stall, %s fault-free (%s)", verdicts(got["ENC-02"]), verdicts(base["ENC-02"]), got["ENC-02"].Reason.EN)
				}
				for _, it := range items {
					if it.Kind == "aws.kms.ListKeys" && it.Status != evidence.StatusOK {
						t.Fatalf("kms ListKeys is %s after a retried stall: %v", it.Status, *it.Error)
					}
				}
				return
			}
			if got["ENC-02"].Status != tc.want {
				t.Fatalf("ENC-02 %s (%s), want %s", got["ENC-02"].Status, got["ENC-02"].Reason.EN, tc.want)
			}
		})
	}
}
