// Package collectors gathers evidence. Each source (records files, attestations, AWS, the
// service's evidence API, probes, SQL) has a collector that turns what the source says into
// evidence items, as collected, and nothing more: judging them is the engine's job.
package collectors

import (
	"context"
	"sort"
	"time"

	awscollector "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/evidence"
)

// Collector produces evidence items of the kinds it declares.
//
// A source that cannot be read yields an item with status error for the affected kind and scope
// (the controls that need it become `error`); Collect itself returns an error only when it cannot
// even start (bad configuration), so one broken source never hides the others.
type Collector interface {
	// Name is the collector's stable name, recorded in every item ("records", "aws/rds").
	Name() string
	// Kinds are the evidence kinds this collector can produce.
	Kinds() []string
	// Collect gathers evidence. now is the collection time stamped on every item.
	Collect(ctx context.Context, now time.Time) ([]evidence.Item, error)
}

// Version is the collector version recorded in evidence items.
const Version = "0.1.0"

// kindsBySource lists every evidence kind a shoko collector provides. The catalog refuses a
// control that reads a kind not listed here: it could never get evidence and would always error.
var kindsBySource = map[string][]string{
	"records": {
		"records.training",
		"records.internal_audits",
		"records.vulnerability_assessments",
		"records.certificates",
	},
	"attestations": {"attestations"},
	"exceptions":   {"exceptions"},
	"remediations": {"remediations"},
	// The service's evidence API (collectors/service), one kind per path.
	"service": {
		"service.tenants",
		"service.accounts",
		"service.incidents",
		"service.changes",
		"service.disclosures",
		"service.capabilities",
	},
	// Live probes of the running service (collectors/service).
	"probes": {"probe.tls", "probe.http", "probe.cross_tenant"},
	// Read-only SQL on the service database (collectors/sql).
	"sql": {"sql.catalog", "sql.query"},
	"aws": awscollector.Kinds(),
}

// KnownKinds returns every evidence kind some collector provides, sorted.
func KnownKinds() []string {
	var out []string
	for _, ks := range kindsBySource {
		out = append(out, ks...)
	}
	sort.Strings(out)
	return out
}
