package collectors

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/shoko-audit/shoko/evidence"
)

// Progress hears about collection as it goes (a terminal display, or log lines).
type Progress interface {
	Started(collector string)
	Finished(collector string, items, errors int, took time.Duration)
}

// LogProgress reports progress as log lines.
type LogProgress struct{ Log *slog.Logger }

func (p LogProgress) Started(c string) { p.Log.Info("collecting", "collector", c) }
func (p LogProgress) Finished(c string, items, errors int, took time.Duration) {
	p.Log.Info("collected", "collector", c, "items", items, "errors", errors, "took", took.Round(time.Millisecond))
}

// Run runs the collectors, at most concurrency at once, and returns every item in a
// deterministic order (by kind, then scope), whatever order they finished in. A collector that
// cannot start (bad configuration) stops the run: a smaller audit must never pass for a whole one.
func Run(ctx context.Context, cs []Collector, now time.Time, concurrency int, progress Progress) ([]evidence.Item, error) {
	if concurrency < 1 {
		concurrency = 1
	}
	type result struct {
		items []evidence.Item
		err   error
	}
	results := make([]result, len(cs))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i].err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			start := time.Now()
			if progress != nil {
				progress.Started(c.Name())
			}
			items, err := c.Collect(ctx, now)
			results[i] = result{items: items, err: err}
			if progress != nil {
				errs := 0
				for _, it := range items {
					if it.Status == evidence.StatusError {
						errs++
					}
				}
				progress.Finished(c.Name(), len(items), errs, time.Since(start))
			}
		}()
	}
	wg.Wait()
	var all []evidence.Item
	for i, r := range results {
		if r.err != nil {
			return nil, fmt.Errorf("collector %s: %w", cs[i].Name(), r.err)
		}
		all = append(all, r.items...)
	}
	sort.SliceStable(all, func(i, j int) bool { return evidence.FileName(all[i]) < evidence.FileName(all[j]) })
	return all, nil
}
