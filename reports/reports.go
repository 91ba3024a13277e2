// Package reports turns what an evaluation wrote (engine.Results) and the catalog it was evaluated
// with into documents for three readers: the ISMS committee and auditors (the PDF audit report,
// OSCAL assessment-results, results.json), prospective customers (the PDF white paper) and the
// operator at a terminal (the text summary).
//
// Every format is a Renderer; Renderers lists them. A renderer reads only its Input — never the
// clock, the environment or the file system — so the same Input always renders to the same bytes.
package reports

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shoko-audit/shoko/engine"
)

// Input is everything a report is rendered from.
type Input struct {
	// Results is the evaluation, as read from results.json.
	Results *engine.Results
	// Catalog is the catalog the results were evaluated with: it supplies the claims, the
	// white-paper sections, the parameters and the ISO mappings.
	Catalog *engine.Catalog
	// Lang is "ja" (the default when empty) or "en".
	Lang string
	// GeneratedAt is printed as the report's generation time and used as the PDF creation date.
	// The caller decides it (the command uses the current time unless told otherwise), so a
	// renderer never reads the clock and a re-render with the same value is byte-identical.
	GeneratedAt time.Time
	// Run is optional metadata about the run; see RunInfo.
	Run RunInfo
	// ResultsJSON is the results.json file as it is on disk. The audit report embeds it as a file
	// attachment byte for byte; when nil, the canonical encoding of Results is embedded instead.
	ResultsJSON []byte
	// Previous is the results of the previous run in the chain (the run this run's statement
	// links to), when the caller has them: the audit report's summary then lists what changed.
	// Optional; without it the summary says nothing was compared.
	Previous *engine.Results
	// Statement is the signed in-toto statement (DSSE envelope) of the run, if there is one; the
	// audit report embeds it as statement.intoto.json.
	Statement []byte
}

// RunInfo is what the report says about the run beyond the results themselves.
type RunInfo struct {
	// Organization is the audited organisation, shown on covers.
	Organization string
	// Scope is what was audited. When empty it is derived from the evidence scopes in Results
	// (see ScopeOf).
	Scope Scope
	// StatementDigest is "sha256:…" of the signed statement, when the run is signed.
	StatementDigest string
	// InRun says the report is written inside its run before the run is signed: the statement,
	// written after it, covers the report itself, so the report cannot quote the statement's digest.
	InRun bool
	// PreviousRunID names the previous run in the chain (from run.json), when there is one.
	PreviousRunID string
}

// Scope lists what a run covered: AWS accounts, regions, service endpoints, databases and record
// files. For a run, it is run.json's coverage (what the evidence was collected from).
type Scope struct {
	Accounts    []string `json:"accounts,omitempty"`
	Regions     []string `json:"regions,omitempty"`
	Endpoints   []string `json:"endpoints,omitempty"`
	Databases   []string `json:"databases,omitempty"`
	RecordFiles []string `json:"record_files,omitempty"`
}

// Empty reports whether the scope names nothing.
func (s Scope) Empty() bool {
	return len(s.Accounts)+len(s.Regions)+len(s.Endpoints)+len(s.Databases)+len(s.RecordFiles) == 0
}

// Renderer writes one format. Each format is one type implementing it, in its own file.
type Renderer interface {
	// Format is the name used in --format, e.g. "pdf".
	Format() string
	// FileName is the name of the file the format is written to in lang, e.g. "audit-report.ja.pdf".
	FileName(lang string) string
	// Render writes the document for in to w.
	Render(w io.Writer, in *Input) error
}

// Renderers returns the file formats in the order the command writes them. The terminal summary
// (Text) is not among them: it is printed, after the files, with their paths.
func Renderers() []Renderer {
	return []Renderer{JSON{}, OSCAL{}, AuditPDF{}, WhitePaperPDF{}}
}

// Formats returns the names accepted by --format, in the order they are produced.
func Formats() []string { return []string{"json", "oscal", "pdf", "whitepaper", "text"} }

// Lookup returns the file renderer for a format name.
func Lookup(format string) (Renderer, bool) {
	for _, r := range Renderers() {
		if r.Format() == format {
			return r, true
		}
	}
	return nil, false
}

// Check validates an Input before rendering, so every format fails the same clear way on bad
// input instead of half-writing a document.
func (in *Input) Check() error {
	var problems []string
	if in.Results == nil {
		return errors.New("reports: no results")
	}
	if in.Catalog == nil {
		return errors.New("reports: no catalog")
	}
	if in.Lang != "" && in.Lang != "ja" && in.Lang != "en" {
		problems = append(problems, fmt.Sprintf("language %q: want ja or en", in.Lang))
	}
	if in.GeneratedAt.IsZero() {
		problems = append(problems, "generated-at is not set")
	}
	if in.Results.Schema != engine.ResultsSchema {
		problems = append(problems, fmt.Sprintf("results schema %q: want %q", in.Results.Schema, engine.ResultsSchema))
	}
	if in.Results.RunID == "" {
		problems = append(problems, "results have no run_id")
	}
	if _, err := time.Parse(time.RFC3339, in.Results.Now); err != nil {
		problems = append(problems, fmt.Sprintf("results now %q is not an RFC 3339 time", in.Results.Now))
	}
	seen := map[string]bool{}
	for i, c := range in.Results.Controls {
		if c.ID == "" {
			problems = append(problems, fmt.Sprintf("results control #%d has no id", i+1))
			continue
		}
		if seen[c.ID] {
			problems = append(problems, fmt.Sprintf("results list control %s twice", c.ID))
		}
		seen[c.ID] = true
		if !knownStatus(c.Status) {
			problems = append(problems, fmt.Sprintf("control %s: unknown status %q", c.ID, c.Status))
		}
		// The claims, sections and mappings come from the catalog: a control the catalog lacks
		// would be reported without its claim, so refuse rather than print a gap.
		if _, ok := in.Catalog.Control(c.ID); !ok {
			problems = append(problems, fmt.Sprintf("control %s is in the results but not in the catalog", c.ID))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("reports: bad input: %s", strings.Join(problems, "; "))
	}
	return nil
}

func knownStatus(s string) bool {
	for _, st := range engine.AllStatuses {
		if s == st {
			return true
		}
	}
	return false
}

// lang is the input's language, Japanese by default.
func (in *Input) lang() string {
	if in.Lang == "en" {
		return "en"
	}
	return "ja"
}

// resultsBytes is what the audit report attaches as results.json.
func (in *Input) resultsBytes() ([]byte, error) {
	if in.ResultsJSON != nil {
		return in.ResultsJSON, nil
	}
	for _, c := range in.Results.Controls {
		if len(c.Findings) < FindingsTotal(c) {
			// Results read with KeepFindings: encoded again they would be a shorter results.json.
			return nil, fmt.Errorf("results of control %s hold %d of its %d findings: give the results.json they were read from (Input.ResultsJSON)",
				c.ID, len(c.Findings), FindingsTotal(c))
		}
	}
	b, err := in.Results.Marshal()
	if err != nil {
		return nil, fmt.Errorf("encode results: %w", err)
	}
	return b, nil
}

// tr picks the Japanese or English wording; the two sit side by side at each use, so a reader of
// the code sees both and neither can be forgotten.
func tr(lang string) func(ja, en string) string {
	if lang == "en" {
		return func(_, en string) string { return en }
	}
	return func(ja, _ string) string { return ja }
}
