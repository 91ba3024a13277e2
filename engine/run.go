package engine

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing/fstest"

	"github.com/shoko-audit/shoko/calendar"
	"github.com/shoko-audit/shoko/evidence"
)

// RunSpec is how a stored run is evaluated: its planned shards, the evaluation time and period,
// and the company closures of its calendar. The same spec on the same files gives the same
// results, which is what lets `shoko verify` replay a run.
type RunSpec struct {
	Shards   []string
	Run      Run
	Closures []string
}

// LoadRunCatalog loads the catalog stored in a run (files below catalog/), under the names
// "controls" and "policies", so its digest does not depend on where the run was evaluated from.
func LoadRunCatalog(files map[string][]byte, knownKinds []string) (*Catalog, error) {
	ctl, pol := fstest.MapFS{}, fstest.MapFS{}
	var overrides []byte
	for name, b := range evidence.CatalogFiles(files) {
		switch {
		case strings.HasPrefix(name, "controls/"):
			ctl[strings.TrimPrefix(name, "controls/")] = &fstest.MapFile{Data: b, Mode: 0o644}
		case strings.HasPrefix(name, "policies/"):
			pol[strings.TrimPrefix(name, "policies/")] = &fstest.MapFile{Data: b, Mode: 0o644}
		case name == OverridesFile:
			overrides = b
		default:
			return nil, fmt.Errorf("run catalog: %s/%s is neither a control nor a policy", evidence.CatalogDir, name)
		}
	}
	if len(ctl) == 0 || len(pol) == 0 {
		return nil, fmt.Errorf("run catalog: the run holds no %s/controls or no %s/policies", evidence.CatalogDir, evidence.CatalogDir)
	}
	// A run stored before parameters declared their types is replayed as it was evaluated.
	cat, err := LoadCatalog(CatalogSource{Controls: fs.FS(ctl), ControlsName: "controls", Policies: fs.FS(pol),
		PoliciesName: "policies", KnownKinds: knownKinds, UntypedParameters: true})
	if err != nil || overrides == nil {
		return cat, err
	}
	// The run was evaluated with shoko.yaml's overrides: apply them again, as recorded.
	name := evidence.CatalogDir + "/" + OverridesFile
	o, err := ParseOverrides(name, overrides)
	if err != nil {
		return nil, err
	}
	if err := cat.Override(o, name, nil); err != nil {
		return nil, err
	}
	return cat, nil
}

// CatalogRunFiles maps the files of a loaded catalog to their names in a run
// ("controls/AUD-01.yaml", "policies/aud_01.rego"), whatever directory they were read from.
func CatalogRunFiles(cat *Catalog, src CatalogSource) (map[string][]byte, error) {
	out := map[string][]byte{}
	from := map[string]string{} // run name → source name, to name both files of a collision
	// Sources are named path.Join(dir, file), which cleans "./controls" to "controls". A
	// deployment's own controls and policies join the catalog's under the same names in the run.
	prefixes := [][2]string{{path.Clean(src.ControlsName) + "/", "controls/"}, {path.Clean(src.PoliciesName) + "/", "policies/"}}
	if src.ExtraControls != nil {
		prefixes = append(prefixes, [2]string{path.Clean(src.ExtraControlsName) + "/", "controls/"})
	}
	if src.ExtraPolicies != nil {
		prefixes = append(prefixes, [2]string{path.Clean(src.ExtraPoliciesName) + "/", "policies/"})
	}
	// The longest prefix first: a deployment's directory may lie inside the catalog's.
	sort.Slice(prefixes, func(i, j int) bool { return len(prefixes[i][0]) > len(prefixes[j][0]) })
	names := make([]string, 0, len(cat.Sources))
	for name := range cat.Sources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		runName := ""
		if name == OverridesFile {
			runName = OverridesFile
		}
		for _, p := range prefixes {
			if runName == "" && strings.HasPrefix(name, p[0]) {
				runName = p[1] + strings.TrimPrefix(name, p[0])
			}
		}
		if runName == "" {
			return nil, fmt.Errorf("catalog file %s is under none of the catalog's directories", name)
		}
		if prev, dup := from[runName]; dup {
			return nil, fmt.Errorf("%s and %s would both be %s/%s in the run: rename one", prev, name, evidence.CatalogDir, runName)
		}
		out[runName], from[runName] = cat.Sources[name], name
	}
	return out, nil
}

// EvaluateRun evaluates a stored run: the evidence of every planned shard (checked against the
// shard manifests; a missing shard is an error) with the catalog stored in the run.
func EvaluateRun(ctx context.Context, files map[string][]byte, spec RunSpec, knownKinds []string) (*Results, error) {
	items, err := evidence.RunEvidence(files, spec.Shards)
	if err != nil {
		return nil, err
	}
	cat, err := LoadRunCatalog(files, knownKinds)
	if err != nil {
		return nil, err
	}
	closures := make([]calendar.Closure, 0, len(spec.Closures))
	for _, s := range spec.Closures {
		c, err := calendar.ParseClosure(s)
		if err != nil {
			return nil, fmt.Errorf("run calendar: %w", err)
		}
		closures = append(closures, c)
	}
	eng, err := New(ctx, cat, WithCalendar(calendar.New(closures)))
	if err != nil {
		return nil, err
	}
	return eng.Evaluate(ctx, items, spec.Run)
}

// Replayer returns the function `shoko verify` replays runs with: EvaluateRun as run.json says.
func Replayer(knownKinds []string) evidence.Replayer {
	return func(ctx context.Context, files map[string][]byte, meta evidence.RunMeta) ([]byte, error) {
		res, err := EvaluateRun(ctx, files, RunSpec{Shards: meta.Shards,
			Run: Run{ID: meta.RunID, Now: meta.EvaluatedAt, Period: Period{Start: meta.Period.Start, End: meta.Period.End},
				Scope: meta.Scope.Controls},
			Closures: meta.Closures}, knownKinds)
		if err != nil {
			return nil, err
		}
		return res.Marshal()
	}
}
