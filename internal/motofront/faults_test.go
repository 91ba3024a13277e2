package motofront

import (
	"fmt"
	"math"
	"testing"
)

// drawCalls makes n distinct calls of attempts attempts each and counts, by attempt number, the
// attempts hit per kind.
func drawCalls(t *testing.T, f *Front, n, attempts int) []map[FaultKind]int {
	t.Helper()
	hits := make([]map[FaultKind]int, attempts)
	for a := range hits {
		hits[a] = map[FaultKind]int{}
	}
	for i := range n {
		c := call{service: "kms", operation: "ListKeys", region: "ap-northeast-1", key: fmt.Sprintf("kms:ListKeys ap-northeast-1\nAKIA POST /?\n{\"Marker\":\"%d\"}", i)}
		for a := range attempts {
			if kind, ok := f.faultFor(c); ok {
				hits[a][kind]++
			}
		}
	}
	return hits
}

// Per-attempt faults hit their share of every attempt — the first, and each retry alike,
// independently of whether the attempt before was hit — and kinds sharing a call's draw split it.
func TestPerAttemptFaultsDrawEveryAttemptAnew(t *testing.T) {
	f := &Front{}
	kinds := []FaultKind{ConnReset, Internal500, SlowDown503, Throttle429}
	var faults []Fault
	for _, k := range kinds {
		faults = append(faults, Fault{Operation: "*", Kind: k, Rate: 0.05, PerAttempt: true})
	}
	if err := f.InjectFaults(7, faults...); err != nil {
		t.Fatal(err)
	}
	const n = 20000
	hits := drawCalls(t, f, n, 3)
	for a, byKind := range hits {
		total := 0
		for _, k := range kinds {
			total += byKind[k]
			if share := float64(byKind[k]) / n; math.Abs(share-0.05) > 0.01 {
				t.Errorf("attempt %d: %s hit %.3f of calls, want 0.05", a+1, k, share)
			}
		}
		if share := float64(total) / n; math.Abs(share-0.2) > 0.015 {
			t.Errorf("attempt %d: %.3f of calls hit, want 0.2", a+1, share)
		}
	}
	// Three hits in a row are 0.2³ = 0.8 % of calls when attempts are drawn independently; a draw
	// that hardly changes with the attempt's number would repeat the first attempt's fate (20 %).
	f.InjectFaults(7, faults...) //nolint:errcheck // valid above
	allThree := 0
	for i := range n {
		c := call{service: "kms", operation: "ListKeys", key: fmt.Sprintf("call %d", i)}
		hit := 0
		for range 3 {
			if _, ok := f.faultFor(c); ok {
				hit++
			}
		}
		if hit == 3 {
			allThree++
		}
	}
	if share := float64(allThree) / n; share > 0.02 {
		t.Errorf("%.3f of calls hit on all three attempts, want about 0.008 (attempts drawn independently)", share)
	}
}

// A transient fault of Attempts attempts fails exactly the first Attempts attempts of the calls it
// hits; without Attempts, only the first.
func TestTransientFaultLastsItsAttempts(t *testing.T) {
	for _, tt := range []struct{ attempts, failing int }{{0, 1}, {1, 1}, {5, 5}} {
		t.Run(fmt.Sprintf("Attempts %d", tt.attempts), func(t *testing.T) {
			f := &Front{}
			if err := f.InjectFaults(1, Fault{Operation: "kms:ListKeys", Kind: Throttle400, Rate: 1, Transient: true, Attempts: tt.attempts}); err != nil {
				t.Fatal(err)
			}
			for a := 1; a <= tt.failing+2; a++ {
				_, hit := f.faultFor(call{service: "kms", operation: "ListKeys", key: "one call"})
				if want := a <= tt.failing; hit != want {
					t.Errorf("attempt %d: faulted %v, want %v", a, hit, want)
				}
			}
		})
	}
}
