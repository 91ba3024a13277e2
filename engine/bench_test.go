package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/controls"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/policies"
)

// syntheticEvidence writes n training rows (spread over files of 1,000 rows) and the rest of the
// records demo's kinds, so every records control has work proportional to n.
func syntheticEvidence(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	at := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	var items []evidence.Item
	for f := 0; f*1000 < n; f++ {
		rows := make([]map[string]any, 0, 1000)
		for i := f * 1000; i < n && i < (f+1)*1000; i++ {
			last := "2026-06-12"
			if i%7 == 0 {
				last = "2025-01-10"
			}
			rows = append(rows, map[string]any{"employee_id": fmt.Sprintf("E%07d", i), "status": "active",
				"hired_on": "2019-04-01", "onboarding_completed_on": "2019-04-05", "last_completed_on": last, "line": i%1000 + 2})
		}
		it, err := evidence.NewOK("records.training", map[string]string{"source": "records", "file": fmt.Sprintf("training-%04d.csv", f)}, at, evidence.CollectorInfo{Name: "records"}, nil, rows)
		if err != nil {
			b.Fatal(err)
		}
		items = append(items, it)
	}
	if _, err := evidence.WriteDir(dir, items); err != nil {
		b.Fatal(err)
	}
	// The other records kinds from the committed demo, so every control has evidence.
	demo, err := evidence.LoadDir(filepath.Join("..", "testdata", "records-demo"))
	if err != nil {
		b.Fatal(err)
	}
	for _, st := range demo {
		if st.Kind == "records.training" {
			continue
		}
		raw, err := evidence.Encode(st.Item)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(st.Path)), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, st.Path), raw, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkDecodeEvidence is the floor: reading and decoding the evidence at all.
// BenchmarkEvaluate is reading plus evaluating every control; compare the two at each size.
func BenchmarkDecodeEvidence(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		dir := syntheticEvidence(b, n)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			for b.Loop() {
				items, err := evidence.LoadDir(dir)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := newEvidenceSet(items); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEvaluate(b *testing.B) {
	cat, err := LoadCatalog(CatalogSource{Controls: controls.FS, ControlsName: "controls", Policies: policies.FS,
		PoliciesName: "policies", KnownKinds: collectors.KnownKinds()})
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(context.Background(), cat)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{1000, 10000, 100000} {
		dir := syntheticEvidence(b, n)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			for b.Loop() {
				items, err := evidence.LoadDir(dir)
				if err != nil {
					b.Fatal(err)
				}
				res, err := e.Evaluate(context.Background(), items, Run{Now: now, Period: Period{Start: now.AddDate(-1, 0, 0), End: now}})
				if err != nil {
					b.Fatal(err)
				}
				if c, _ := findResult(res, "TRN-01"); c.Status != StatusFail {
					b.Fatalf("TRN-01 %s: %s", c.Status, c.Reason.EN)
				}
			}
		})
	}
}

func findResult(res *Results, id string) (ControlResult, bool) {
	for _, c := range res.Controls {
		if c.ID == id {
			return c, true
		}
	}
	return ControlResult{}, false
}
