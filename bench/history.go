package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"time"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/controls"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/synthruns"
	"github.com/shoko-audit/shoko/policies"
)

// historyRows times `shoko history` over synthetic signed histories of 100 and 1,000 runs (the
// catalog's 49 controls with their frequencies, one run every 6 hours, each control failing now
// and then) and compares their peak RSS: history reads one run at a time, so its memory must not
// grow with the number of runs beyond what it keeps per run (a status per control).
func historyRows(bin, work string) ([]row, error) {
	privPath, pubPath, err := evidence.GenerateKeyFiles(filepath.Join(work, "history-keys"), rand.Reader)
	if err != nil {
		return nil, err
	}
	priv, err := evidence.LoadPrivateKey(privPath)
	if err != nil {
		return nil, err
	}
	cat, err := engine.LoadCatalog(engine.CatalogSource{Controls: controls.FS, ControlsName: "controls", Policies: policies.FS,
		PoliciesName: "policies", KnownKinds: collectors.KnownKinds()})
	if err != nil {
		return nil, err
	}
	var cs []synthruns.HistoryControl
	for _, c := range cat.Controls {
		cs = append(cs, synthruns.HistoryControl{ID: c.ID, Frequency: c.Frequency})
	}
	start := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	type measured struct {
		wall time.Duration
		rss  int64
	}
	var got []measured
	sizes := []int{100, 1000}
	for _, n := range sizes {
		store := filepath.Join(work, fmt.Sprintf("history-%d", n))
		index := map[string]int{}
		for i, c := range cs {
			index[c.ID] = i
		}
		spec := synthruns.HistorySpec{Start: start, Every: 6 * time.Hour, Runs: n, Controls: cs,
			Status: func(i int, c string) string {
				if (i+7*index[c])%50 < 3 {
					return engine.StatusFail
				}
				return ""
			}}
		if _, err := synthruns.SignedRuns(context.Background(), synthruns.NewFastDir(store), priv, spec); err != nil {
			return nil, err
		}
		end := start.Add(time.Duration(n) * 6 * time.Hour)
		period := start.Format(time.RFC3339) + ".." + end.Format(time.RFC3339)
		// Exit 1: the synthetic controls fail now and then.
		wall, peak, err := timedRSS(bin, []string{"history", "--store", store, "--period", period, "--pubkey", pubPath,
			"--key", privPath, "--out", filepath.Join(work, fmt.Sprintf("period-%d", n))}, 0, 1)
		if err != nil {
			return nil, err
		}
		got = append(got, measured{wall, peak})
	}
	ratio := float64(got[1].rss) / float64(got[0].rss)
	return []row{
		{fmt.Sprintf("`shoko history` over %d signed runs × %d controls: wall, peak RSS", sizes[1], len(cs)),
			fmt.Sprintf("%s, %s (%d runs: %s, %s)", got[1].wall.Round(time.Millisecond), mib(got[1].rss), sizes[0], got[0].wall.Round(time.Millisecond), mib(got[0].rss)),
			"—", "(info)"},
		{fmt.Sprintf("`shoko history` peak RSS, %d runs ÷ %d runs", sizes[1], sizes[0]),
			fmt.Sprintf("%.2f", ratio), "≤ 2 (one run at a time)", yes(ratio <= 2)},
	}, nil
}
