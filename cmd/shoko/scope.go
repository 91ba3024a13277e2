package main

import (
	"log/slog"
	"slices"
	"strings"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
)

// controlScope is the config's scope of controls (controls.include/exclude) checked against the
// catalog, for the plan and the engine: nil when the config selects none (every control). An
// unknown id is a usage error naming the config's file, line and key, with the nearest id.
func controlScope(cfg *config.Config, cat *engine.Catalog) (*evidence.ControlScope, error) {
	if cfg == nil || len(cfg.Controls.Include) == 0 && len(cfg.Controls.Exclude) == 0 {
		return nil, nil
	}
	ids := make([]string, len(cat.Controls))
	for i, c := range cat.Controls {
		ids[i] = c.ID
	}
	if err := cfg.CheckControlIDs(ids); err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	s := &evidence.ControlScope{Include: cfg.Controls.Include, Exclude: cfg.Controls.Exclude}
	if err := cat.CheckScope(s); err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	return s, nil
}

// plannedCollectors keeps the collectors that produce a kind some control in scope reads (or
// the exceptions and plans the engine reads for every control): a source only out-of-scope
// controls need is not required, so an audit of the records controls needs no AWS credentials.
// What is skipped is logged, never silent.
func plannedCollectors(cs []collectors.Collector, cat *engine.Catalog, scope *evidence.ControlScope, log *slog.Logger) []collectors.Collector {
	if scope == nil {
		return cs
	}
	needed := map[string]bool{"exceptions": true, "remediations": true}
	for _, c := range cat.Controls {
		if !scope.InScope(c.ID) {
			continue
		}
		for _, k := range append(append([]string{}, c.Evidence...), c.OptionalEvidence...) {
			needed[k] = true
		}
	}
	var out []collectors.Collector
	for _, c := range cs {
		use := false
		for _, k := range c.Kinds() {
			use = use || needed[k]
		}
		if use {
			out = append(out, c)
			continue
		}
		log.Info("not collecting: no control in scope reads its evidence (controls in the config)",
			"collector", c.Name(), "kinds", strings.Join(c.Kinds(), ","))
	}
	return out
}

// sameScope refuses a config whose controls scope differs from the one a run's plan fixed.
func sameScope(cfg *config.Config, planned *evidence.ControlScope) error {
	var want evidence.ControlScope
	if planned != nil {
		want = *planned
	}
	if slices.Equal(cfg.Controls.Include, want.Include) && slices.Equal(cfg.Controls.Exclude, want.Exclude) {
		return nil
	}
	return usageErr("%s: controls (include %v, exclude %v) differ from the scope the run was started with (include %v, exclude %v, in its run.json); the scope is fixed when the run starts",
		cfg.File, cfg.Controls.Include, cfg.Controls.Exclude, want.Include, want.Exclude)
}
