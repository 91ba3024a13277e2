// Package synthruns generates synthetic histories of signed runs for tests and benchmarks. It is
// apart from internal/synth because it builds results with the engine, whose own benchmarks use
// synth (one package would be an import cycle).
package synthruns

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
)

// HistoryControl is a control of a synthetic history: its id and declared frequency.
type HistoryControl struct {
	ID        string
	Frequency string
}

// HistorySpec describes a synthetic history of signed runs, one every Every from Start.
type HistorySpec struct {
	Start    time.Time
	Every    time.Duration
	Runs     int
	Controls []HistoryControl
	// Status is a control's status in run i; nil or "" is pass. A failing control has one
	// finding per resource Resources returns.
	Status func(i int, control string) string
	// Resources are the failing resources of a failing control in run i (nil: one, "res-<id>").
	Resources func(i int, control string) []string
	// Skip leaves run i out: a hole in the history.
	Skip func(i int) bool
	// Unsigned completes run i without a statement; Incomplete leaves it with its INCOMPLETE
	// marker and no run.json.
	Unsigned, Incomplete func(i int) bool
}

// HistoryRun is a run a synthetic history wrote.
type HistoryRun struct {
	Index     int
	ID        string
	StartedAt time.Time
	EndedAt   time.Time
	State     string
}

// HistoryRunID is the id of run i of a history starting at start: its time and its index, so
// the same spec always gives the same ids.
func HistoryRunID(start time.Time, i int) string {
	return evidence.NewRunID(start, []byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)})
}

// SignedRuns writes a synthetic history into st, signed with priv and chained as `shoko audit`
// chains runs: each signed run links to the previous signed one. Each run holds run.json,
// results.json, the catalog copies of the controls, one evidence item with its shard manifest
// and the statement. Times come from the spec only, never from the clock.
func SignedRuns(ctx context.Context, st evidence.Store, priv ed25519.PrivateKey, spec HistorySpec) ([]HistoryRun, error) {
	if spec.Every <= time.Minute {
		return nil, fmt.Errorf("synth: runs every %s: want more than a minute (each run lasts one)", spec.Every)
	}
	catalog := map[string][]byte{}
	for _, c := range spec.Controls {
		catalog["controls/"+c.ID+".yaml"] = []byte(fmt.Sprintf(`id: %s
title:
  ja: 統制 %s
  en: Control %s
section:
  ja: 合成
  en: Synthetic
mappings:
- framework: ISO/IEC 27017:2015
  ref: 12.3.1
severity: high
frequency: %s
`, c.ID, c.ID, c.ID, c.Frequency))
	}
	var out []HistoryRun
	var prev *evidence.ChainLink
	for i := 0; i < spec.Runs; i++ {
		if spec.Skip != nil && spec.Skip(i) {
			continue
		}
		started := spec.Start.Add(time.Duration(i) * spec.Every).UTC()
		run := HistoryRun{Index: i, ID: HistoryRunID(started, i), StartedAt: started, EndedAt: started.Add(time.Minute)}
		files, err := historyRunFiles(spec, i, run, catalog)
		if err != nil {
			return nil, err
		}
		incomplete := spec.Incomplete != nil && spec.Incomplete(i)
		unsigned := spec.Unsigned != nil && spec.Unsigned(i)
		run.State = evidence.StateSigned
		switch {
		case incomplete:
			run.State = evidence.StateIncomplete
			delete(files, evidence.RunFile)
			delete(files, evidence.ResultsFile)
			plan, _ := json.Marshal(evidence.Plan{Schema: evidence.RunSchema, RunID: run.ID, Tool: "synth", Shards: []string{evidence.DefaultShard}, StartedAt: started})
			if err := st.PutMarker(ctx, evidence.RunPath(run.ID, evidence.MarkerFile), plan); err != nil {
				return nil, fmt.Errorf("synth: %w", err)
			}
		case unsigned:
			run.State = evidence.StateComplete
		default:
			env, err := evidence.BuildStatement(run.ID, files, prev, priv)
			if err != nil {
				return nil, fmt.Errorf("synth: run %d: %w", i, err)
			}
			files[evidence.StatementFile] = env
			prev = &evidence.ChainLink{RunID: run.ID, Digest: evidence.DigestSet(env)}
		}
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if err := st.Put(ctx, evidence.RunPath(run.ID, n), files[n]); err != nil {
				return nil, fmt.Errorf("synth: %w", err)
			}
		}
		out = append(out, run)
	}
	return out, nil
}

// historyRunFiles are the files of one synthetic run, by name in the run directory.
func historyRunFiles(spec HistorySpec, i int, run HistoryRun, catalog map[string][]byte) (map[string][]byte, error) {
	files := map[string][]byte{}
	for n, b := range catalog {
		files[path.Join(evidence.CatalogDir, n)] = b
	}
	res := engine.Results{Schema: engine.ResultsSchema, RunID: run.ID, Tool: "synth", Now: run.StartedAt.Format(time.RFC3339),
		Period: engine.Period{Start: run.StartedAt.AddDate(-1, 0, 0), End: run.StartedAt}, Summary: map[string]int{},
		Exceptions: []engine.ExceptionResult{}, Evidence: []engine.EvidenceRef{}}
	res.Calendar.Closures = []string{}
	res.Catalog.Controls = len(spec.Controls)
	// One evidence item per run: the resources of the run, which every finding points into.
	type resource struct {
		Control string `json:"control"`
		ID      string `json:"id"`
	}
	var resources []resource
	statuses := map[string]string{}
	failing := map[string][]string{}
	for _, c := range spec.Controls {
		status := engine.StatusPass
		if spec.Status != nil {
			if s := spec.Status(i, c.ID); s != "" {
				status = s
			}
		}
		statuses[c.ID] = status
		if status == engine.StatusFail {
			rs := []string{"res-" + c.ID}
			if spec.Resources != nil {
				rs = spec.Resources(i, c.ID)
			}
			failing[c.ID] = rs
			for _, r := range rs {
				resources = append(resources, resource{Control: c.ID, ID: r})
			}
		}
	}
	if resources == nil {
		resources = []resource{}
	}
	item, err := evidence.NewOK("synthetic.resources", map[string]string{"source": "synth"}, run.StartedAt, evidence.CollectorInfo{Name: "synth"}, nil, resources)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	raw, err := evidence.Encode(item)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	itemPath, digest := evidence.FileName(item), evidence.Digest(raw)
	files[path.Join(evidence.EvidenceDir, evidence.DefaultShard, itemPath)] = raw
	manifest, err := json.MarshalIndent(evidence.ShardManifest{Shard: evidence.DefaultShard, StartedAt: run.StartedAt, EndedAt: run.StartedAt,
		Items: []evidence.ManifestEntry{{Path: itemPath, Digest: digest}}}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	files[path.Join(evidence.ShardsDir, evidence.DefaultShard+".json")] = manifest
	n := 0
	for _, c := range spec.Controls {
		status := statuses[c.ID]
		res.Summary[status]++
		cr := engine.ControlResult{ID: c.ID, Title: engine.Text{JA: "統制 " + c.ID, EN: "Control " + c.ID}, Automation: engine.AutomationAutomated,
			Severity: "high", Status: status, Counts: map[string]int{}, Findings: []engine.Finding{}, Evidence: []engine.EvidenceRef{}}
		for _, r := range failing[c.ID] {
			cr.Findings = append(cr.Findings, engine.Finding{Status: engine.StatusFail, Code: "synthetic_failure", Resource: r, Params: map[string]any{},
				Message:  engine.Text{JA: r + " が不適合", EN: r + " fails"},
				Evidence: &engine.FindingRef{Kind: item.Kind, Digest: digest, Path: itemPath, Scope: item.Scope, Pointer: fmt.Sprintf("/data/%d", n)}})
			cr.Counts[engine.StatusFail]++
			n++
		}
		res.Controls = append(res.Controls, cr)
	}
	results, err := res.Marshal()
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	files[evidence.ResultsFile] = results
	meta := evidence.RunMeta{Plan: evidence.Plan{Schema: evidence.RunSchema, RunID: run.ID, Tool: "synth", ConfigDigest: "sha256:synth",
		Scope: evidence.Scope{Organization: "synth", Sources: []string{}}, Shards: []string{evidence.DefaultShard}, StartedAt: run.StartedAt},
		EvaluatedAt: run.StartedAt, Closures: []string{}, ResultsDigest: evidence.Digest(results), EndedAt: run.EndedAt}
	meta.Period.Start, meta.Period.End = res.Period.Start, res.Period.End
	mb, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	files[evidence.RunFile] = append(mb, '\n')
	return files, nil
}

// FastDir is a directory store for writing synthetic histories quickly: Put writes a file
// without the fsyncs of evidence.DirStore (a crash while generating loses only test data).
// Everything else, and every read, is the DirStore's.
type FastDir struct{ *evidence.DirStore }

// NewFastDir writes into dir; read it back with evidence.NewDirStore(dir).
func NewFastDir(dir string) FastDir { return FastDir{evidence.NewDirStore(dir)} }

// Put writes name once (an existing file is an error, as in every store).
func (f FastDir) Put(ctx context.Context, name string, b []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := filepath.Join(f.Root(), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("synth: write %s: %w", name, err)
	}
	_, err = fh.Write(b)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return err
}

// PutMarker writes a marker without fsync.
func (f FastDir) PutMarker(ctx context.Context, name string, b []byte) error {
	p := filepath.Join(f.Root(), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}
