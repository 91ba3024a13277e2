// Package synth writes synthetic evidence for benchmarks: training records at a chosen size plus
// the other records kinds of the committed demo, so every records control has evidence and the
// one whose work grows with the workforce (TRN-01) has n rows.
package synth

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shoko-audit/shoko/evidence"
)

// CollectedAt is when the synthetic evidence claims to have been collected; evaluate it as of
// this time so max_evidence_age never makes a control stale.
var CollectedAt = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// Training writes n training rows into dir, perFile rows per evidence file (so the number of files
// is n/perFile), one in seven overdue, and copies every other kind from demoDir (the records demo).
func Training(dir, demoDir string, n, perFile int) error {
	if perFile <= 0 {
		return fmt.Errorf("synth: perFile must be positive, got %d", perFile)
	}
	var items []evidence.Item
	for f := 0; f*perFile < n; f++ {
		rows := make([]map[string]any, 0, perFile)
		for i := f * perFile; i < n && i < (f+1)*perFile; i++ {
			last := "2026-06-12"
			if i%7 == 0 {
				last = "2025-01-10"
			}
			rows = append(rows, map[string]any{"employee_id": fmt.Sprintf("E%07d", i), "status": "active",
				"hired_on": "2019-04-01", "onboarding_completed_on": "2019-04-05", "last_completed_on": last, "line": i%perFile + 2})
		}
		it, err := evidence.NewOK("records.training", map[string]string{"source": "records", "file": fmt.Sprintf("training-%06d.csv", f)},
			CollectedAt, evidence.CollectorInfo{Name: "records"}, nil, rows)
		if err != nil {
			return fmt.Errorf("synth: training file %d: %w", f, err)
		}
		items = append(items, it)
	}
	if _, err := evidence.WriteDir(dir, items); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	demo, err := evidence.LoadDir(demoDir)
	if err != nil {
		return fmt.Errorf("synth: demo evidence: %w", err)
	}
	for _, st := range demo {
		if st.Kind == "records.training" {
			continue
		}
		raw, err := evidence.Encode(st.Item)
		if err != nil {
			return fmt.Errorf("synth: %s: %w", st.Path, err)
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(st.Path)), 0o755); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, st.Path), raw, 0o644); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
	}
	return nil
}

// Items loads what Training wrote into dir, as the evidence items of a run shard.
func Items(dir string) ([]evidence.Item, error) {
	stored, err := evidence.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	items := make([]evidence.Item, len(stored))
	for i, st := range stored {
		items[i] = st.Item
	}
	return items, nil
}
