package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"testing/fstest"
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
				if _, err := newEvidenceSet(items, nil); err != nil {
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
	benchmarkEvaluation(b, e, []int{1000, 10000, 100000}, func(res *Results, _ int) error {
		if c, _ := findResult(res, "TRN-01"); c.Status != StatusFail {
			return fmt.Errorf("TRN-01 %s: %s", c.Status, c.Reason.EN)
		}
		return nil
	})
}

// benchmarkEvaluation times reading plus evaluating the synthetic evidence at each size; check
// says whether the results are what the benchmark is about.
func benchmarkEvaluation(b *testing.B, e *Engine, sizes []int, check func(res *Results, n int) error) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for _, n := range sizes {
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
				if err := check(res, n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// minimalCatalog is one control over records.training whose policy does the least a per-row
// policy can: one finding per row built inline, no helper calls. BenchmarkEvaluateMinimalPolicy
// is therefore the floor of any per-row Rego policy under OPA's evaluator, beside the decoding
// floor: it says how much of TRN-01's time is its logic and how much is evaluating Rego at all.
func minimalCatalog(b *testing.B) *Catalog {
	b.Helper()
	cfs := fstest.MapFS{"MIN-01.yaml": {Data: []byte(`id: MIN-01
title: {ja: 最小, en: Minimal}
section: {ja: 試験, en: Test}
claim: {ja: 最小のポリシー, en: the least a per-row policy does}
mappings: [{framework: "ISO/IEC 27002:2013", ref: "7.2.2"}]
automation: records
severity: low
frequency: daily
max_evidence_age: 400d
evidence: [records.training]
per_record: records.training
messages:
  seen: {ja: "{employee_id}", en: "{employee_id}"}
`)}}
	pfs := fstest.MapFS{"min_01.rego": {Data: []byte(`package shoko.controls.min_01
findings contains {"status": "pass", "code": "seen", "params": {"employee_id": row.employee_id}, "resource": row.employee_id,
	"evidence": {"kind": item.kind, "digest": item.digest, "pointer": sprintf("/data/%d", [i])}} if {
	some item in input.evidence["records.training"]
	some i, row in item.data
}
`)}}
	cat, err := LoadCatalog(CatalogSource{Controls: cfs, ControlsName: "controls", Policies: pfs, PoliciesName: "policies",
		KnownKinds: collectors.KnownKinds()})
	if err != nil {
		b.Fatal(err)
	}
	return cat
}

func BenchmarkEvaluateMinimalPolicy(b *testing.B) {
	e, err := New(context.Background(), minimalCatalog(b))
	if err != nil {
		b.Fatal(err)
	}
	benchmarkEvaluation(b, e, []int{100000}, func(res *Results, n int) error {
		if c, _ := findResult(res, "MIN-01"); c.Status != StatusPass || len(c.Findings) != n {
			return fmt.Errorf("MIN-01 %s with %d findings: %s", c.Status, len(c.Findings), c.Reason.EN)
		}
		return nil
	})
}

func findResult(res *Results, id string) (ControlResult, bool) {
	for _, c := range res.Controls {
		if c.ID == id {
			return c, true
		}
	}
	return ControlResult{}, false
}
