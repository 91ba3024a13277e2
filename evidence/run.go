package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"
)

// The layout of a run in a store:
//
//	runs/<id>/INCOMPLETE             the plan, while the run is in progress (removed when complete)
//	runs/<id>/catalog/controls/*     the exact control files used
//	runs/<id>/catalog/policies/*     the exact policy files used
//	runs/<id>/evidence/<shard>/...   evidence items, one directory per collecting shard
//	runs/<id>/shards/<shard>.json    a shard's manifest, written after its last item
//	runs/<id>/results.json           the verdicts
//	runs/<id>/reports/...            reports
//	runs/<id>/run.json               run metadata, written last: its presence completes the run
//	runs/<id>/statement.intoto.json  the DSSE envelope over all of the above
const (
	RunsDir       = "runs"
	MarkerFile    = "INCOMPLETE"
	CatalogDir    = "catalog"
	EvidenceDir   = "evidence"
	ShardsDir     = "shards"
	ResultsFile   = "results.json"
	ReportsDir    = "reports"
	RunFile       = "run.json"
	StatementFile = "statement.intoto.json"
	// DefaultShard is the shard of a run collected by one process (`shoko audit`).
	DefaultShard = "main"
	// RunSchema names the format of run.json and of the plan.
	RunSchema = "shoko.run/v1"
)

var (
	runIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	shardRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
)

// CheckRunID refuses ids that are not safe as one path element.
func CheckRunID(id string) error {
	if !runIDRE.MatchString(id) || id == "." || id == ".." {
		return fmt.Errorf("run id %q: want letters, digits, '.', '_' or '-' (at most 128)", id)
	}
	return nil
}

// CheckShardName refuses shard names that are not safe as one path element.
func CheckShardName(s string) error {
	if !shardRE.MatchString(s) {
		return fmt.Errorf("shard name %q: want lower-case letters, digits, '_' or '-'", s)
	}
	return nil
}

// NewRunID returns an id for a run starting at t: its UTC time and random bits, so two runs
// started in the same second in one store do not collide.
func NewRunID(t time.Time, random []byte) string {
	return fmt.Sprintf("%s-%x", t.UTC().Format("20060102T150405Z"), random)
}

// RunPath is the store name of a file of a run.
func RunPath(id, name string) string { return path.Join(RunsDir, id, name) }

// Scope is what a run looked at, from the config: shown to auditors in run.json.
type Scope struct {
	Organization string   `json:"organization"`
	Sources      []string `json:"sources"`
	// Services maps a configured service's name to its evidence API's base URL.
	Services map[string]string `json:"services,omitempty"`
	// Databases maps a configured database's name to its driver and the host/database its DSN
	// points at (no user, password or parameters).
	Databases map[string]string `json:"databases,omitempty"`
	// Controls is the run's scope of controls (shoko.yaml controls.include/exclude); nil: all.
	// It is fixed with the plan, so every shard and the replay judge the same controls.
	Controls *ControlScope `json:"controls,omitempty"`
}

// ControlScope selects the controls a run audits: Include (empty: every control of the
// catalog), less Exclude. A control out of scope is reported not_in_scope, never judged.
type ControlScope struct {
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
}

// InScope says whether the control id is in the scope; a nil scope holds every control.
func (s *ControlScope) InScope(id string) bool {
	if s == nil {
		return true
	}
	in := len(s.Include) == 0
	for _, x := range s.Include {
		in = in || x == id
	}
	for _, x := range s.Exclude {
		in = in && x != id
	}
	return in
}

// Plan is what a run sets out to do, fixed when it starts: kept in the INCOMPLETE marker while
// the run is in progress and copied into run.json when it completes.
type Plan struct {
	Schema       string    `json:"schema"`
	RunID        string    `json:"run_id"`
	Tool         string    `json:"tool"`
	ConfigDigest string    `json:"config_digest"`
	Scope        Scope     `json:"scope"`
	Shards       []string  `json:"shards"`
	StartedAt    time.Time `json:"started_at"`
	// Overrides are the catalog parameters the config changed (service_name, parameters), as
	// the run's catalog/parameters.yaml holds them; left out when there are none.
	Overrides map[string]any `json:"overrides,omitempty"`
	// Partitions is how many partitions the run is split into (shoko runs start --partitions
	// N); 0 for a run that is not. Its shards are then PartitionShard(1, N) … PartitionShard(N, N).
	Partitions int `json:"partitions,omitempty"`
	// Units are the run's work units, listed once when it started (the organisation's accounts
	// and each account's regions as they were then), sorted, each with the partition that
	// collects it. Only a partitioned run has them.
	Units []Unit `json:"units,omitempty"`
}

// Unit is one work unit of a partitioned run: an AWS account × region × service group, an
// account's global unit, the organisation's account list, or a whole non-AWS collector (Source
// is then the collector's name and the other fields are empty).
type Unit struct {
	Source    string `json:"source"`
	Account   string `json:"account,omitempty"`
	Region    string `json:"region,omitempty"`
	Service   string `json:"service,omitempty"`
	Partition int    `json:"partition"`
}

// Key names a unit in messages and orders the unit list.
func (u Unit) Key() string {
	return strings.Join([]string{u.Source, u.Account, u.Region, u.Service}, "/")
}

// PartitionShard is the shard partition i (1-based) of n writes: "part-2-of-8".
func PartitionShard(i, n int) string { return fmt.Sprintf("part-%d-of-%d", i, n) }

// PartitionShards are the shards of a run split into n partitions.
func PartitionShards(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = PartitionShard(i+1, n)
	}
	return out
}

// checkPartitions refuses a plan whose partitions, shards and units do not agree: every shard
// is a partition's, every unit sorted, once, in a partition 1..N.
func checkPartitions(p Plan) error {
	if p.Partitions == 0 {
		if len(p.Units) > 0 {
			return fmt.Errorf("run %s: units listed but no partitions", p.RunID)
		}
		return nil
	}
	if p.Partitions < 0 {
		return fmt.Errorf("run %s: %d partitions", p.RunID, p.Partitions)
	}
	want := PartitionShards(p.Partitions)
	sort.Strings(want)
	got := append([]string(nil), p.Shards...)
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		return fmt.Errorf("run %s: %d partitions plan shards %v, not %v", p.RunID, p.Partitions, want, got)
	}
	for i, u := range p.Units {
		if u.Partition < 1 || u.Partition > p.Partitions {
			return fmt.Errorf("run %s: unit %s in partition %d, want 1..%d", p.RunID, u.Key(), u.Partition, p.Partitions)
		}
		if i > 0 && p.Units[i-1].Key() >= u.Key() {
			return fmt.Errorf("run %s: units not sorted or listed twice at %s", p.RunID, u.Key())
		}
	}
	return nil
}

// RunMeta is run.json: the plan, and what the evaluation was run as of, so verify can replay it.
type RunMeta struct {
	Plan
	// EvaluatedAt is the evaluation time ("now") the engine judged freshness against.
	EvaluatedAt time.Time `json:"evaluated_at"`
	Period      struct {
		Start time.Time `json:"start"`
		End   time.Time `json:"end"`
	} `json:"period"`
	// Closures are the company closures of the business-day calendar.
	Closures []string `json:"closures"`
	// Covered is what the evidence of every shard was collected from (see Coverage).
	Covered       Coverage  `json:"covered"`
	CatalogDigest string    `json:"catalog_digest"`
	ResultsDigest string    `json:"results_digest"`
	EndedAt       time.Time `json:"ended_at"`
}

// ShardManifest is shards/<name>.json: every item a shard wrote, written after the last one,
// so a shard that died mid-collection has no manifest and its run cannot be evaluated.
type ShardManifest struct {
	Shard        string          `json:"shard"`
	ConfigDigest string          `json:"config_digest"`
	StartedAt    time.Time       `json:"started_at"`
	EndedAt      time.Time       `json:"ended_at"`
	Items        []ManifestEntry `json:"items"`
}

// ManifestEntry is one evidence item of a shard: its path below evidence/<shard>/ and digest.
type ManifestEntry struct {
	Path   string `json:"path"`
	Digest string `json:"digest"`
}

// marshalJSON is the stored form of run metadata: indented, trailing newline, no HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeStrict decodes one JSON value with no unknown fields and nothing after it.
func decodeStrict(name string, b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if dec.More() {
		return fmt.Errorf("%s: trailing data", name)
	}
	return nil
}

// BeginRun starts a run: it refuses an id already in the store and writes the INCOMPLETE
// marker holding the plan. Until FinishRun, the run is incomplete and cannot be signed.
func BeginRun(ctx context.Context, s Store, p Plan) error {
	if err := CheckRunID(p.RunID); err != nil {
		return err
	}
	if len(p.Shards) == 0 {
		return fmt.Errorf("run %s: no shards planned", p.RunID)
	}
	seen := map[string]bool{}
	for _, sh := range p.Shards {
		if err := CheckShardName(sh); err != nil {
			return fmt.Errorf("run %s: %w", p.RunID, err)
		}
		if seen[sh] {
			return fmt.Errorf("run %s: shard %s planned twice", p.RunID, sh)
		}
		seen[sh] = true
	}
	if err := checkPartitions(p); err != nil {
		return err
	}
	sort.Strings(p.Shards)
	existing, err := s.List(ctx, path.Join(RunsDir, p.RunID))
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return fmt.Errorf("run %s already exists in %s", p.RunID, s)
	}
	p.Schema = RunSchema
	b, err := marshalJSON(p)
	if err != nil {
		return err
	}
	return s.PutMarker(ctx, RunPath(p.RunID, MarkerFile), b)
}

// ReadPlan reads the plan of an incomplete run from its marker, or of a complete one from run.json.
func ReadPlan(ctx context.Context, s Store, id string) (Plan, bool, error) {
	if err := CheckRunID(id); err != nil {
		return Plan{}, false, err
	}
	b, err := s.Get(ctx, RunPath(id, MarkerFile))
	if err == nil {
		var p Plan
		if err := decodeStrict(RunPath(id, MarkerFile), b, &p); err != nil {
			return Plan{}, false, err
		}
		return p, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Plan{}, false, err
	}
	meta, err := ReadRunMeta(ctx, s, id)
	if err != nil {
		return Plan{}, false, fmt.Errorf("run %s: neither %s nor %s is readable in %s: %w", id, MarkerFile, RunFile, s, err)
	}
	return meta.Plan, true, nil
}

// ReadRunMeta reads run.json of a run.
func ReadRunMeta(ctx context.Context, s Store, id string) (RunMeta, error) {
	b, err := s.Get(ctx, RunPath(id, RunFile))
	if err != nil {
		return RunMeta{}, err
	}
	return ParseRunMeta(RunPath(id, RunFile), b)
}

// ParseRunMeta decodes run.json strictly.
func ParseRunMeta(name string, b []byte) (RunMeta, error) {
	var m RunMeta
	if err := decodeStrict(name, b, &m); err != nil {
		return RunMeta{}, err
	}
	if m.Schema != RunSchema {
		return RunMeta{}, fmt.Errorf("%s: schema %q, want %q", name, m.Schema, RunSchema)
	}
	return m, nil
}

// CatalogOverridesFile is the catalog file holding the parameters shoko.yaml overrode (see
// engine.Catalog.Override), beside controls/ and policies/; a run without overrides has none.
const CatalogOverridesFile = "parameters.yaml"

// WriteCatalog stores the catalog files a run is evaluated with, by their catalog names
// ("controls/AUD-01.yaml", "policies/aud_01.rego").
func WriteCatalog(ctx context.Context, s Store, id string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !strings.HasPrefix(n, "controls/") && !strings.HasPrefix(n, "policies/") && n != CatalogOverridesFile {
			return fmt.Errorf("catalog file %q: want controls/..., policies/... or %s", n, CatalogOverridesFile)
		}
		if err := s.Put(ctx, RunPath(id, path.Join(CatalogDir, n)), files[n]); err != nil {
			return err
		}
	}
	return nil
}

// WriteShard writes the items a shard collected into evidence/<shard>/, then its manifest.
// The run must be in progress and plan the shard; a shard already written is refused.
func WriteShard(ctx context.Context, s Store, id, shard, configDigest string, started time.Time, items []Item, ended time.Time) (*ShardManifest, []Stored, error) {
	plan, complete, err := ReadPlan(ctx, s, id)
	if err != nil {
		return nil, nil, err
	}
	if complete {
		return nil, nil, fmt.Errorf("run %s is complete; no more evidence can be added", id)
	}
	if !contains(plan.Shards, shard) {
		return nil, nil, fmt.Errorf("run %s plans shards %v, not %q", id, plan.Shards, shard)
	}
	manifestName := RunPath(id, path.Join(ShardsDir, shard+".json"))
	if _, err := s.Get(ctx, manifestName); err == nil {
		return nil, nil, fmt.Errorf("run %s: shard %s was already collected (%s exists)", id, shard, manifestName)
	}
	m := &ShardManifest{Shard: shard, ConfigDigest: configDigest, StartedAt: started.UTC(), EndedAt: ended.UTC(), Items: []ManifestEntry{}}
	seen := map[string]bool{}
	stored := make([]Stored, 0, len(items))
	encoded := make([][]byte, 0, len(items))
	for _, it := range items {
		name := FileName(it)
		if seen[name] {
			return nil, nil, fmt.Errorf("write evidence: two items of kind %s with the same scope (%s)", it.Kind, name)
		}
		seen[name] = true
		b, err := Encode(it)
		if err != nil {
			return nil, nil, err
		}
		encoded = append(encoded, b)
		m.Items = append(m.Items, ManifestEntry{Path: name, Digest: Digest(b)})
		stored = append(stored, Stored{Item: it, Path: name, Digest: Digest(b)})
	}
	// Each Put is durable on its own (a directory store fsyncs the file and its directory), so
	// the files are written several at a time: one after another, the fsyncs were most of an
	// audit's time beyond the collection. The manifest is written only after all of them.
	errs := make([]error, len(items))
	forEachIO(len(items), func(i int) {
		errs[i] = s.Put(ctx, RunPath(id, path.Join(EvidenceDir, shard, stored[i].Path)), encoded[i])
	})
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	sort.Slice(m.Items, func(i, j int) bool { return m.Items[i].Path < m.Items[j].Path })
	sort.Slice(stored, func(i, j int) bool { return stored[i].Path < stored[j].Path })
	b, err := marshalJSON(m)
	if err != nil {
		return nil, nil, err
	}
	if err := s.Put(ctx, manifestName, b); err != nil {
		return nil, nil, err
	}
	return m, stored, nil
}

// ReadRun reads every file of a run into memory, by its name relative to the run directory.
func ReadRun(ctx context.Context, s Store, id string) (map[string][]byte, error) {
	if err := CheckRunID(id); err != nil {
		return nil, err
	}
	files, err := readTree(ctx, s, path.Join(RunsDir, id))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("run %s: not found in %s", id, s)
	}
	return files, nil
}

// RunEvidence checks the evidence of a run against its shard manifests and decodes it. Every
// planned shard must have its manifest and exactly the items it lists; evidence of an unplanned
// shard is refused. Item paths are relative to their shard, so the same evidence collected by one
// process or by several gives the same paths (and so the same results).
func RunEvidence(files map[string][]byte, shards []string) ([]Stored, error) {
	var problems []string
	// One pass over the files: the evidence files of each shard, by name, and those of shards
	// the run does not plan.
	byShard := map[string][]string{}
	for name := range files {
		if rest, ok := strings.CutPrefix(name, EvidenceDir+"/"); ok {
			sh, _, _ := strings.Cut(rest, "/")
			if !contains(shards, sh) {
				problems = append(problems, fmt.Sprintf("%s: evidence of shard %q, which the run does not plan", name, sh))
			}
			byShard[sh] = append(byShard[sh], name)
		}
	}
	byPath := map[string]string{} // item path → shard that wrote it
	var items []Stored
	for _, sh := range shards {
		mname := path.Join(ShardsDir, sh+".json")
		mb, ok := files[mname]
		if !ok {
			problems = append(problems, fmt.Sprintf("shard %s: no manifest %s (the shard never finished collecting)", sh, mname))
			continue
		}
		var m ShardManifest
		if err := decodeStrict(mname, mb, &m); err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if m.Shard != sh {
			problems = append(problems, fmt.Sprintf("%s: names shard %q, want %q", mname, m.Shard, sh))
			continue
		}
		listed := make(map[string]string, len(m.Items))
		for _, e := range m.Items {
			listed[e.Path] = e.Digest
		}
		prefix := path.Join(EvidenceDir, sh) + "/"
		// The shard's files, in name order so that what follows does not depend on map order.
		// A shard name that is not one clean path element (never planned by BeginRun, but
		// run.json is input) matches by prefix, as it always has.
		var names []string
		if prefix == EvidenceDir+"/"+sh+"/" && !strings.Contains(sh, "/") {
			names = byShard[sh]
		} else {
			for name := range files {
				if strings.HasPrefix(name, prefix) {
					names = append(names, name)
				}
			}
		}
		sort.Strings(names)
		var todo []string // listed files, to be digested and decoded
		for _, name := range names {
			p := strings.TrimPrefix(name, prefix)
			if _, ok := listed[p]; !ok {
				problems = append(problems, fmt.Sprintf("%s: not in the manifest %s", name, mname))
				continue
			}
			todo = append(todo, name)
		}
		// Digest and decode by a bounded pool of workers, each into its own slot.
		type decoded struct {
			item    Item
			digest  string
			problem string
		}
		out := make([]decoded, len(todo))
		forEach(len(todo), func(i int) {
			name := todo[i]
			b, want := files[name], listed[strings.TrimPrefix(name, prefix)]
			d := &out[i]
			if d.digest = Digest(b); d.digest != want {
				d.problem = fmt.Sprintf("%s: digest %s, the manifest %s says %s", name, d.digest, mname, want)
				return
			}
			it, err := Decode(b)
			if err != nil {
				d.problem = fmt.Sprintf("%s: %v", name, err)
				return
			}
			d.item = it
		})
		for i, name := range todo {
			p := strings.TrimPrefix(name, prefix)
			delete(listed, p)
			if out[i].problem != "" {
				problems = append(problems, out[i].problem)
				continue
			}
			if other, dup := byPath[p]; dup {
				problems = append(problems, fmt.Sprintf("%s: shards %s and %s both collected %s", name, other, sh, p))
				continue
			}
			byPath[p] = sh
			items = append(items, Stored{Item: out[i].item, Path: p, Digest: out[i].digest})
		}
		for p := range listed {
			problems = append(problems, fmt.Sprintf("%s%s: listed in %s but missing", prefix, p, mname))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("run evidence: %s", strings.Join(problems, "; "))
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Path < items[j].Path })
	return items, nil
}

// CatalogFiles returns the catalog files of a run by catalog name ("controls/AUD-01.yaml").
func CatalogFiles(files map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for name, b := range files {
		if rest, ok := strings.CutPrefix(name, CatalogDir+"/"); ok {
			out[rest] = b
		}
	}
	return out
}

// FinishRun completes a run: results.json, then run.json, then (with a key) the signed
// statement, and only then is the INCOMPLETE marker removed. A crash at any point before that
// leaves the run incomplete: listed as such, refused by evaluate and bundle, failed by verify.
// With priv nil the run completes unsigned.
func FinishRun(ctx context.Context, s Store, meta RunMeta, results []byte, priv ed25519.PrivateKey) error {
	id := meta.RunID
	plan, complete, err := ReadPlan(ctx, s, id)
	if err != nil {
		return err
	}
	if complete {
		return fmt.Errorf("run %s is already complete", id)
	}
	meta.Plan = plan
	meta.ResultsDigest = Digest(results)
	if err := s.Put(ctx, RunPath(id, ResultsFile), results); err != nil {
		return err
	}
	b, err := marshalJSON(meta)
	if err != nil {
		return err
	}
	if err := s.Put(ctx, RunPath(id, RunFile), b); err != nil {
		return err
	}
	if priv != nil {
		files, err := ReadRun(ctx, s, id)
		if err != nil {
			return err
		}
		delete(files, MarkerFile) // the marker goes once the statement is written; it is not signed
		if _, err := signFiles(ctx, s, id, meta.StartedAt, files, priv); err != nil {
			return err
		}
	}
	return s.DeleteMarker(ctx, RunPath(id, MarkerFile))
}

// RunInfo is a run as listed: its state and times.
type RunInfo struct {
	ID        string    `json:"id"`
	State     string    `json:"state"` // incomplete, complete (unsigned) or signed
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	Shards    []string  `json:"shards"`
	Problem   string    `json:"problem,omitempty"`
}

// Run states.
const (
	StateIncomplete = "incomplete"
	StateComplete   = "complete"
	StateSigned     = "signed"
)

// ListRuns lists every run of a store, oldest first. A run with its marker, or without run.json,
// is incomplete, whatever else it holds.
func ListRuns(ctx context.Context, s Store) ([]RunInfo, error) {
	names, err := s.List(ctx, RunsDir)
	if err != nil {
		return nil, err
	}
	files := map[string]map[string]bool{}
	var ids []string
	for _, n := range names {
		rest := strings.TrimPrefix(n, RunsDir+"/")
		id, f, ok := strings.Cut(rest, "/")
		if !ok {
			continue
		}
		if files[id] == nil {
			files[id] = map[string]bool{}
			ids = append(ids, id)
		}
		files[id][f] = true
	}
	var out []RunInfo
	for _, id := range ids {
		info := RunInfo{ID: id, State: StateIncomplete}
		fset := files[id]
		if fset[MarkerFile] || !fset[RunFile] {
			if p, _, err := ReadPlan(ctx, s, id); err == nil {
				info.StartedAt, info.Shards = p.StartedAt, p.Shards
			} else {
				info.Problem = err.Error()
			}
			out = append(out, info)
			continue
		}
		meta, err := ReadRunMeta(ctx, s, id)
		if err != nil {
			info.Problem = err.Error()
			out = append(out, info)
			continue
		}
		info.StartedAt, info.EndedAt, info.Shards = meta.StartedAt, meta.EndedAt, meta.Shards
		info.State = StateComplete
		if fset[StatementFile] {
			info.State = StateSigned
		}
		out = append(out, info)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].StartedAt.Equal(out[j].StartedAt) {
			return out[i].StartedAt.Before(out[j].StartedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// SignRun writes the statement of a complete run, linked to the newest signed run that ended
// before this one started (the hash chain). An incomplete run is refused: it is never signed.
func SignRun(ctx context.Context, s Store, id string, priv ed25519.PrivateKey) ([]byte, error) {
	runs, err := ListRuns(ctx, s)
	if err != nil {
		return nil, err
	}
	var self *RunInfo
	for i := range runs {
		if runs[i].ID == id {
			self = &runs[i]
		}
	}
	if self == nil {
		return nil, fmt.Errorf("run %s: not found in %s", id, s)
	}
	switch self.State {
	case StateIncomplete:
		return nil, fmt.Errorf("run %s is incomplete; an incomplete run is never signed", id)
	case StateSigned:
		return nil, fmt.Errorf("run %s is already signed", id)
	}
	files, err := ReadRun(ctx, s, id)
	if err != nil {
		return nil, err
	}
	return signFiles(ctx, s, id, self.StartedAt, files, priv)
}

// signFiles writes the statement over files, linked to the newest signed, complete run of the
// store that ended before this one started (the hash chain).
func signFiles(ctx context.Context, s Store, id string, started time.Time, files map[string][]byte, priv ed25519.PrivateKey) ([]byte, error) {
	prev, err := PreviousSignedRun(ctx, s, id, started)
	if err != nil {
		return nil, err
	}
	var link *ChainLink
	if prev != nil {
		pb, err := s.Get(ctx, RunPath(prev.ID, StatementFile))
		if err != nil {
			return nil, err
		}
		link = &ChainLink{RunID: prev.ID, Digest: DigestSet(pb)}
	}
	env, err := BuildStatement(id, files, link, priv)
	if err != nil {
		return nil, err
	}
	if err := s.Put(ctx, RunPath(id, StatementFile), env); err != nil {
		return nil, err
	}
	return env, nil
}

// PreviousSignedRun is the run that run id, started at started, links to in the hash chain: the
// newest signed, complete run of the store that ended before id started (nil for the first).
// Signing and the reports' "changes since the previous run" both use it, so the report compares
// with exactly the run the statement names.
func PreviousSignedRun(ctx context.Context, s Store, id string, started time.Time) (*RunInfo, error) {
	runs, err := ListRuns(ctx, s)
	if err != nil {
		return nil, err
	}
	return PreviousSignedIn(runs, id, started), nil
}

// PreviousSignedIn is PreviousSignedRun over a listing already made (ListRuns), so that a reader
// of many runs (history) finds each run's previous one without listing the store again per run.
func PreviousSignedIn(runs []RunInfo, id string, started time.Time) *RunInfo {
	var prev *RunInfo
	for i := range runs {
		r := &runs[i]
		if r.ID != id && r.State == StateSigned && !r.EndedAt.After(started) {
			if prev == nil || r.EndedAt.After(prev.EndedAt) || (r.EndedAt.Equal(prev.EndedAt) && r.ID > prev.ID) {
				prev = r
			}
		}
	}
	return prev
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
