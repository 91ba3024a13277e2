package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/controls"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/synth"
	"github.com/shoko-audit/shoko/policies"
)

// syntheticEvidence writes n training rows (in files of 1,000 rows) and the rest of the records
// demo's kinds, so every records control has work and TRN-01's grows with n.
func syntheticEvidence(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	if err := synth.Training(dir, filepath.Join("..", "testdata", "records-demo"), n, 1000); err != nil {
		b.Fatal(err)
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
