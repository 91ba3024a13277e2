// Package engine turns evidence into verdicts: it loads the control catalog and the Rego
// policies, prepares one OPA query per control, and evaluates each control on only the evidence
// kinds it declares. It fails closed: a control whose evidence is missing, errored, stale, or
// whose policy errs or says nothing, is `error` — never `pass`.
package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/shoko-audit/shoko/calendar"
	"github.com/shoko-audit/shoko/evidence"
)

// ToolVersion is recorded in results.
var ToolVersion = "0.1.0"

// Engine evaluates a catalog. Build it once with New; Evaluate may be called many times.
type Engine struct {
	cat         *Catalog
	cal         *calendar.Calendar
	parallelism int
	queries     map[string]rego.PreparedEvalQuery
	population  map[string]rego.PreparedEvalQuery // controls whose policy defines population_findings
	partRows    int                               // records per part of a per_record control
	templates   map[string]*messageTemplate       // every finding message of the catalog, compiled
}

// Option configures an Engine (functional options, as OPA's rego package does).
type Option func(*Engine)

// WithCalendar sets the business-day calendar (company closures) behind
// shoko.business_days_between. The default closes Dec 29 – Jan 3.
func WithCalendar(c *calendar.Calendar) Option { return func(e *Engine) { e.cal = c } }

// WithParallelism sets how many controls are evaluated at once (default: GOMAXPROCS).
func WithParallelism(n int) Option {
	return func(e *Engine) {
		if n > 0 {
			e.parallelism = n
		}
	}
}

// defaultPartRows is how many records of a per_record control one evaluation of its policy
// sees: enough to keep the per-evaluation overhead small, few enough that the OPA values of
// one part's findings stay a few megabytes.
const defaultPartRows = 4096

// withPartRows sets the part size of per_record controls (tests use tiny parts).
func withPartRows(n int) Option {
	return func(e *Engine) {
		if n > 0 {
			e.partRows = n
		}
	}
}

// New compiles every policy once and prepares one query per control.
func New(ctx context.Context, cat *Catalog, opts ...Option) (*Engine, error) {
	e := &Engine{cat: cat, cal: calendar.Default(), parallelism: runtime.GOMAXPROCS(0),
		queries: map[string]rego.PreparedEvalQuery{}, population: map[string]rego.PreparedEvalQuery{},
		partRows: defaultPartRows, templates: map[string]*messageTemplate{}}
	for _, o := range opts {
		o(e)
	}
	modules := map[string]*ast.Module{}
	for name, src := range cat.Policies {
		if m, ok := cat.parsed[name]; ok {
			modules[name] = m
			continue
		}
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, fmt.Errorf("parse policy %s: %w", name, err)
		}
		modules[name] = m
	}
	compiler := ast.NewCompiler().
		WithBuiltins(builtins())
	if compiler.Compile(modules); compiler.Failed() {
		return nil, fmt.Errorf("compile policies: %w", compiler.Errors)
	}
	for _, c := range cat.Controls {
		for _, m := range c.Messages {
			e.templates[m.JA], e.templates[m.EN] = compileTemplate(m.JA), compileTemplate(m.EN)
		}
		prepare := func(rule string) (rego.PreparedEvalQuery, error) {
			opts := append([]func(*rego.Rego){
				rego.Query("data." + c.Package + "." + rule),
				rego.Compiler(compiler),
				rego.StrictBuiltinErrors(true),
			}, builtinFunctions(e.cal)...)
			pq, err := rego.New(opts...).PrepareForEval(ctx)
			if err != nil {
				return pq, fmt.Errorf("prepare policy of %s (%s): %w", c.ID, rule, err)
			}
			return pq, nil
		}
		pq, err := prepare("findings")
		if err != nil {
			return nil, err
		}
		e.queries[c.ID] = pq
		if c.HasPopulationFindings {
			if e.population[c.ID], err = prepare("population_findings"); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}

// Query is the prepared query of a control's `findings` rule: the catalog's policies compiled
// once, shoko's builtins, strict builtin errors.
func (e *Engine) Query(controlID string) (rego.PreparedEvalQuery, bool) {
	q, ok := e.queries[controlID]
	return q, ok
}

// Run is what an evaluation is about: the time it judges as of, the audit period, and the run
// id the results carry.
type Run struct {
	Now    time.Time
	Period Period
	// ID is the id of the stored run being evaluated (runs/<id>/), so results.json, the reports
	// and the bundle all name the run the auditor holds. Empty for a plain evidence directory:
	// the id is then derived from the evidence (see runID), so the same evidence still gives
	// byte-identical results.
	ID string
	// Scope is the controls to judge (nil: all); the others are reported not_in_scope.
	Scope *evidence.ControlScope
}

// Evaluate judges every control of the catalog on the evidence. Errors returned are about the
// run as a whole (cancelled context, unreadable exceptions are not among them: they are reported
// in the results); a problem with one control makes that control `error`.
func (e *Engine) Evaluate(ctx context.Context, items []evidence.Stored, run Run) (*Results, error) {
	return e.evaluate(ctx, items, run, nil)
}

// EvaluateSpooled is Evaluate with the findings written to a temporary file in dir (the
// system's temporary directory when empty) as each control's parts produce them, instead of
// being held in memory: the results hold each control's status, counts and reason, and
// Results.Write copies the findings from the file into results.json, byte for byte what
// Evaluate's results give. A spooled control's Findings is nil; EachFinding reads them back.
// The caller must Close the results.
func (e *Engine) EvaluateSpooled(ctx context.Context, items []evidence.Stored, run Run, dir string) (*Results, error) {
	spool, err := newFindingSpool(dir)
	if err != nil {
		return nil, err
	}
	res, err := e.evaluate(ctx, items, run, spool)
	if err != nil {
		spool.close()
		return nil, err
	}
	return res, nil
}

func (e *Engine) evaluate(ctx context.Context, items []evidence.Stored, run Run, spool *findingSpool) (*Results, error) {
	if run.Now.IsZero() {
		return nil, fmt.Errorf("evaluate: the evaluation time (now) is not set")
	}
	if !run.Period.End.After(run.Period.Start) {
		return nil, fmt.Errorf("evaluate: period end %s is not after its start %s", run.Period.End.Format(time.RFC3339), run.Period.Start.Format(time.RFC3339))
	}
	if err := e.cat.CheckScope(run.Scope); err != nil {
		return nil, err
	}
	// The records per_record controls judge part by part are converted to OPA values by the
	// parts that read them, not all at once.
	lazy := map[string]bool{}
	for _, c := range e.cat.Controls {
		if c.PerRecord != "" {
			lazy[c.PerRecord] = true
		}
	}
	set, err := newEvidenceSet(items, lazy)
	if err != nil {
		return nil, err
	}
	runValue := ast.NewObject(
		[2]*ast.Term{ast.StringTerm("now"), ast.StringTerm(run.Now.UTC().Format(time.RFC3339))},
		[2]*ast.Term{ast.StringTerm("period"), ast.ObjectTerm(
			[2]*ast.Term{ast.StringTerm("start"), ast.StringTerm(run.Period.Start.UTC().Format(time.RFC3339))},
			[2]*ast.Term{ast.StringTerm("end"), ast.StringTerm(run.Period.End.UTC().Format(time.RFC3339))},
		)},
	)
	ids := make([]string, len(e.cat.Controls))
	for i, c := range e.cat.Controls {
		ids[i] = c.ID
	}
	ev := &evaluation{set: set, runValue: runValue, run: run, jobSlots: make(chan struct{}, e.parallelism),
		waivers: planExceptions(set, ids, run.Scope.InScope, run.Now), spool: spool}

	out := make([]ControlResult, len(e.cat.Controls))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < e.parallelism; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if c := e.cat.Controls[i]; !run.Scope.InScope(c.ID) {
					out[i] = notInScope(c)
					continue
				}
				out[i] = e.evaluateControl(ctx, e.cat.Controls[i], ev)
			}
		}()
	}
	for i := range e.cat.Controls {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	if spool != nil && spool.err != nil {
		// A control whose findings could not be spooled is `error`; but a disk that fails is
		// the run's problem, not the control's: say so rather than report a verdict.
		return nil, fmt.Errorf("evaluate: %w", spool.err)
	}

	res := &Results{Schema: ResultsSchema, Tool: "shoko " + ToolVersion,
		Now: run.Now.UTC().Format(time.RFC3339), Period: Period{Start: run.Period.Start.UTC(), End: run.Period.End.UTC()},
		Controls: out, Summary: map[string]int{}, Scope: run.Scope, spool: spool}
	res.Catalog.Digest = e.cat.Digest()
	res.Catalog.Controls = len(e.cat.Controls)
	res.Catalog.Overrides = e.cat.Overrides
	for _, c := range e.cal.Closures() {
		res.Calendar.Closures = append(res.Calendar.Closures, c.String())
	}
	res.Exceptions = ev.waivers.settle(res.Controls)
	res.Remediations = remediations(set, res.Controls, run.Now)
	for _, s := range AllStatuses {
		res.Summary[s] = 0
	}
	for _, c := range res.Controls {
		res.Summary[c.Status]++
	}
	for _, it := range set.items {
		res.Evidence = append(res.Evidence, it.ref)
	}
	res.RunID = run.ID
	if res.RunID == "" {
		res.RunID = runID(run, res.Catalog.Digest, set)
	}
	return res, nil
}

// runID is the id of an evaluation outside a store, derived from what it is about, so the same
// evidence, catalog and time give the same id: r<time>-<hash>.
func runID(run Run, catalogDigest string, set *evidenceSet) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n%s\n", run.Now.UTC().Format(time.RFC3339), run.Period.Start.UTC().Format(time.RFC3339),
		run.Period.End.UTC().Format(time.RFC3339), catalogDigest)
	if s := run.Scope; s != nil {
		// Only a scoped run hashes its scope, so unscoped ids stay as they were.
		fmt.Fprintf(h, "include %q\nexclude %q\n", s.Include, s.Exclude)
	}
	for _, it := range set.items {
		fmt.Fprintf(h, "%s %s\n", it.ref.Path, it.ref.Digest)
	}
	return "r" + run.Now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(h.Sum(nil))[:12]
}

// Digest is a SHA-256 over every control and policy file (names and contents), in name order.
func (c *Catalog) Digest() string {
	h := sha256.New()
	names := make([]string, 0, len(c.Sources))
	for n := range c.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(c.Sources[n]))
		h.Write(c.Sources[n])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
