package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// partitionRows measures a partitioned run against one process on the collection's estate
// (collection.go): `shoko runs start`, the collection, `shoko evaluate` — once with one shard
// collected by one process, once with --partitions 4 collected by four processes at once. The
// figure is the wall time of the whole sequence, four partitions ÷ one process; withLatency adds
// the front's latency to every answer, as over a network to AWS, where the partitions' extra
// calls in flight are what pays.
func partitionRows(bin, work, cfgPath string, setLatency func(time.Duration)) ([]row, error) {
	measure := func(label string, partitions int) (time.Duration, error) {
		store := filepath.Join(work, "partitions-"+label)
		id := label
		start := time.Now()
		startArgs := []string{"runs", "start", "--store", store, "--config", cfgPath, "--run-id", id}
		if partitions == 1 {
			startArgs = append(startArgs, "--shard", "main")
		} else {
			startArgs = append(startArgs, "--partitions", fmt.Sprint(partitions))
		}
		if _, err := timed(bin, startArgs); err != nil {
			return 0, err
		}
		collect := func(extra ...string) error {
			_, err := timed(bin, append([]string{"collect", "--store", store, "--run", id, "--config", cfgPath}, extra...))
			return err
		}
		if partitions == 1 {
			if err := collect("--shard", "main"); err != nil {
				return 0, err
			}
		} else {
			errs := make([]error, partitions)
			var wg sync.WaitGroup
			for i := range partitions {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = collect("--partition", fmt.Sprintf("%d/%d", i+1, partitions))
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					return 0, err
				}
			}
		}
		if _, err := timed(bin, []string{"evaluate", "--store", store, "--run", id, "--config", cfgPath, "--reports", "", "--lang", "en"}, 0, 1, 2); err != nil {
			return 0, err
		}
		return time.Since(start), nil
	}
	var rows []row
	for _, lat := range []time.Duration{0, latency} {
		setLatency(lat)
		suffix := fmt.Sprintf("-%dms", lat.Milliseconds())
		one, err := measure("one"+suffix, 1)
		if err != nil {
			return nil, err
		}
		four, err := measure("four"+suffix, 4)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "  partitions (latency %s): one process %s, 4 partitions %s\n", lat, one.Round(time.Millisecond), four.Round(time.Millisecond))
		figure := "partitions: runs start + collect + evaluate, 4 partitions (4 processes at once) ÷ 1 process, wall, same estate"
		if lat > 0 {
			figure += fmt.Sprintf(", %s added to every answer", lat)
		}
		rows = append(rows, row{figure + " (`go run ./bench -only collection`)",
			fmt.Sprintf("%.2f (%s ÷ %s; %d CPUs)", float64(four)/float64(one), four.Round(time.Millisecond), one.Round(time.Millisecond), numCPU()),
			"—", "(info)"})
	}
	setLatency(0)
	return rows, nil
}
