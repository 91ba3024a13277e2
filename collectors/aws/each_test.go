package aws

import (
	"sync/atomic"
	"testing"
	"time"
)

// each calls every index once and never runs more calls than the collection's free slots plus
// the task's own: per-resource calls overlap without exceeding --concurrency.
func TestEachStaysWithinTheConcurrencyLimit(t *testing.T) {
	cases := []struct {
		name           string
		limit, taken   int // slots in the limit; slots held by other tasks (this task holds one more)
		n, wantAtMost  int
		wantConcurrent bool
	}{
		{"free slots are borrowed", 4, 0, 50, 4, true},
		{"no free slot: one at a time", 4, 3, 50, 1, false},
		{"no limit given: one at a time", 0, 0, 50, 1, false},
		{"fewer items than slots", 8, 0, 3, 3, false},
		{"nothing to do", 4, 0, 0, 0, false},
		{"slots freed by other tasks are taken up", 4, 3, 50, 4, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := &emitter{}
			if tc.limit > 0 {
				e.slots = make(chan struct{}, tc.limit)
				for i := 0; i < tc.taken+1; i++ { // the others' and this task's own
					e.slots <- struct{}{}
				}
			}
			if tc.name == "slots freed by other tasks are taken up" {
				others := tc.taken
				go func() { // the other tasks finish while this one works
					time.Sleep(10 * time.Millisecond)
					for i := 0; i < others; i++ {
						<-e.slots
					}
				}()
				tc.taken = 0 // held after each: only this task's own slot
			}
			calls := make([]int32, tc.n)
			var active, peak atomic.Int32
			e.each(tc.n, func(i int) {
				now := active.Add(1)
				for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
				}
				time.Sleep(2 * time.Millisecond) // long enough for borrowed workers to overlap
				atomic.AddInt32(&calls[i], 1)
				active.Add(-1)
			})
			for i, c := range calls {
				if c != 1 {
					t.Fatalf("index %d called %d times", i, c)
				}
			}
			if p := int(peak.Load()); p > tc.wantAtMost || (tc.wantConcurrent && p < 2) {
				t.Fatalf("peak %d calls at once, want at most %d (concurrent: %v)", p, tc.wantAtMost, tc.wantConcurrent)
			}
			if tc.limit > 0 && len(e.slots) != tc.taken+1 {
				t.Fatalf("%d slots held after each, want %d: borrowed slots not returned", len(e.slots), tc.taken+1)
			}
		})
	}
}
