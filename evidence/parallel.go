package evidence

import (
	"runtime"
	"sync"
)

// parallelMin is the number of tasks below which forEach runs them on the calling goroutine:
// for a handful of files, starting workers costs more than it saves.
const parallelMin = 64

// forEach calls f(i) for every i in [0, n) on at most runtime.NumCPU() goroutines and returns
// when all calls have returned. Each call must write only its own slot of any shared slice;
// callers then read the slots in index order, so results do not depend on scheduling.
func forEach(n int, f func(i int)) {
	workers := runtime.NumCPU()
	if workers > n {
		workers = n
	}
	if n < parallelMin || workers <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	// Contiguous chunks, handed out in order: neighbouring files (one directory) are read by
	// one worker, and there is no per-item channel send.
	const chunk = 32
	var (
		mu   sync.Mutex
		next int
		wg   sync.WaitGroup
	)
	take := func() (int, int) {
		mu.Lock()
		defer mu.Unlock()
		lo := next
		next = min(n, next+chunk)
		return lo, next
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo, hi := take()
				if lo >= hi {
					return
				}
				for i := lo; i < hi; i++ {
					f(i)
				}
			}
		}()
	}
	wg.Wait()
}

// ioWorkers is how many writes forEachIO keeps in flight: writes wait on the disk (fsync) or the
// network (S3), not the CPU, so more than NumCPU of them overlap usefully.
const ioWorkers = 16

// forEachIO calls f(i) for every i in [0, n) on up to ioWorkers goroutines, for tasks that
// mostly wait. The same rule as forEach: each call writes only its own slot.
func forEachIO(n int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(ioWorkers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
