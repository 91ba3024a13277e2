package evidence

import (
	"sort"
	"strings"
)

// Coverage is what a run's evidence was actually collected from, recorded in run.json for the
// auditor and printed on the audit report's cover. It is read from the scopes of the evidence
// items of every shard, not from a config: a sharded run is collected with several configs, and
// an organisation role finds its accounts only when it runs. Evidence scopes never hold a
// secret, so neither does this.
type Coverage struct {
	AWSAccounts []string `json:"aws_accounts"`
	AWSRegions  []string `json:"aws_regions"`
	// Endpoints are the service APIs (with the base URL the config gave them), TLS endpoints and
	// probed URLs.
	Endpoints []string `json:"endpoints"`
	// Databases are the configured database names, with the driver and host/database the DSN
	// points at when the run's config knew them (never the DSN itself: it may hold a password).
	Databases []string `json:"databases"`
	// RecordFiles are the record, attestation and exception files and directories read.
	RecordFiles []string `json:"record_files"`
}

// CoverageOf collects the coverage of a run from its evidence items; configured adds what the
// evidence names only by name (a service's base URL, a database's host and database name).
func CoverageOf(items []Stored, configured Scope) Coverage {
	sets := map[string]map[string]bool{}
	add := func(field, v string) {
		if v == "" {
			return
		}
		if sets[field] == nil {
			sets[field] = map[string]bool{}
		}
		sets[field][v] = true
	}
	for _, it := range items {
		s := it.Scope
		switch s["source"] {
		case "aws":
			add("accounts", s["account"])
			// IAM, Organizations and the like answer for the account as a whole ("global"):
			// not a region the data can live in.
			if s["region"] != "global" {
				add("regions", s["region"])
			}
		case "service":
			add("endpoints", withDetail(s["service"], configured.Services[s["service"]]))
		case "tls":
			add("endpoints", s["endpoint"])
		case "http":
			add("endpoints", s["url"])
		case "sql":
			add("databases", withDetail(s["database"], configured.Databases[s["database"]]))
		case "records", "exceptions":
			add("records", s["file"])
		case "attestations":
			add("records", s["dir"])
		}
	}
	list := func(field string) []string {
		out := []string{}
		for v := range sets[field] {
			out = append(out, v)
		}
		sort.Strings(out)
		return out
	}
	return Coverage{AWSAccounts: list("accounts"), AWSRegions: list("regions"), Endpoints: list("endpoints"),
		Databases: list("databases"), RecordFiles: list("records")}
}

// withDetail writes "name (detail)", or the name alone when there is no detail.
func withDetail(name, detail string) string {
	if name == "" || strings.TrimSpace(detail) == "" {
		return name
	}
	return name + " (" + detail + ")"
}
