package records

import (
	"context"
	"time"

	"github.com/shoko-audit/shoko/collectors/preflight"
	"github.com/shoko-audit/shoko/evidence"
)

// Preflight reads every records file, the attestations, exceptions and remediations exactly as
// an audit would, and reports each: a file that does not parse is found now, not as an `error`
// control after a whole run.
func (c Collector) Preflight(ctx context.Context) []preflight.Check {
	if err := c.validate(); err != nil {
		return []preflight.Check{preflight.Unreachable("records", "configuration", err.Error(), "correct the records section of the config")}
	}
	items, err := c.Collect(ctx, time.Now().UTC())
	if err != nil {
		return []preflight.Check{preflight.Unreachable("records", "read", err.Error(), "correct the records section of the config")}
	}
	var out []preflight.Check
	for _, it := range items {
		name := it.Kind + " " + it.Scope["file"] + it.Scope["dir"]
		if it.Status == evidence.StatusError {
			out = append(out, preflight.Failed("records", name, *it.Error,
				"correct the file (docs/records.md describes each format) or its path in the config"))
			continue
		}
		out = append(out, preflight.Pass("records", name, "parses"))
	}
	return out
}
