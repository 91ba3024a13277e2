package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/shoko-audit/shoko/evidence"
)

// maxClockSkew is how far in the future of the evaluation time an item may have been collected
// before it is treated as a clock problem rather than evidence.
const maxClockSkew = 5 * time.Minute

// setItem is an evidence item converted once to the OPA value every policy reads: evidence is
// never re-serialised per control. An item of a lazy kind (the records a per_record control
// judges part by part) is not: each job that reads it converts it again, so the whole kind is
// never held as OPA values while the parts are evaluated.
type setItem struct {
	ref   EvidenceRef
	err   string
	value *ast.Term // {"kind","digest","scope","collected_at","data"}; nil for a lazy kind
	data  ast.Value // the item's data, for resolving finding pointers; nil for a lazy kind
	raw   []byte    // the item's data as stored
}

type evidenceSet struct {
	items    []*setItem
	byKind   map[string][]*setItem
	kindTerm map[string]*ast.Term // array of the ok items of a kind (not of a lazy kind)
	byDigest map[string]*setItem
	lazy     map[string]bool
}

// newEvidenceSet converts the items to OPA values, those of the lazy kinds excepted (their data
// is only checked to be JSON here, so bad data is still an error of the whole evaluation).
func newEvidenceSet(items []evidence.Stored, lazy map[string]bool) (*evidenceSet, error) {
	s := &evidenceSet{byKind: map[string][]*setItem{}, kindTerm: map[string]*ast.Term{}, byDigest: map[string]*setItem{}, lazy: lazy}
	sorted := append([]evidence.Stored(nil), items...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	interned := newStringInterner()
	for _, st := range sorted {
		it := &setItem{
			ref: EvidenceRef{Kind: st.Kind, Path: st.Path, Digest: st.Digest, Scope: st.Scope,
				CollectedAt: st.CollectedAt.UTC(), Status: st.Status},
			raw: st.Data,
		}
		if !lazy[st.Kind] || !json.Valid(st.Data) {
			var err error
			if it.value, it.data, err = it.decode(interned); err != nil {
				return nil, fmt.Errorf("evidence %s: data: %w", st.Path, err)
			}
		}
		if st.Error != nil {
			it.err = *st.Error
		}
		s.items = append(s.items, it)
		s.byKind[st.Kind] = append(s.byKind[st.Kind], it)
		s.byDigest[st.Digest] = it
	}
	for k, its := range s.byKind {
		if lazy[k] {
			continue
		}
		terms := make([]*ast.Term, 0, len(its))
		for _, it := range its {
			if it.ref.Status == evidence.StatusOK {
				terms = append(terms, it.value)
			}
		}
		s.kindTerm[k] = ast.ArrayTerm(terms...)
	}
	return s, nil
}

// decode converts the item to its OPA value and its data, sharing the strings of the other
// items in decodes (one goroutine's).
func (it *setItem) decode(interned *stringInterner) (*ast.Term, ast.Value, error) {
	var data any
	if err := util.UnmarshalJSON(it.raw, &data); err != nil {
		return nil, nil, err
	}
	dv, err := interned.value(data)
	if err != nil {
		return nil, nil, err
	}
	scope := ast.NewObject()
	for k, v := range it.ref.Scope {
		scope.Insert(ast.StringTerm(k), ast.StringTerm(v))
	}
	return ast.ObjectTerm(
		[2]*ast.Term{ast.StringTerm("kind"), ast.StringTerm(it.ref.Kind)},
		[2]*ast.Term{ast.StringTerm("digest"), ast.StringTerm(it.ref.Digest)},
		[2]*ast.Term{ast.StringTerm("scope"), ast.NewTerm(scope)},
		[2]*ast.Term{ast.StringTerm("collected_at"), ast.StringTerm(it.ref.CollectedAt.Format(time.RFC3339))},
		[2]*ast.Term{ast.StringTerm("data"), ast.NewTerm(dv)},
	), dv, nil
}

// decoded is the item's OPA value and data: kept ones, or converted now for a lazy kind.
func (it *setItem) decoded(interned *stringInterner) (*ast.Term, ast.Value, error) {
	if it.value != nil {
		return it.value, it.data, nil
	}
	return it.decode(interned)
}

// kind is the array of the ok items of a kind, and (for a lazy kind, converted now) the data of
// each item by digest, for the job's finding pointers.
func (s *evidenceSet) kind(k string) (*ast.Term, map[string]ast.Value, error) {
	if t, ok := s.kindTerm[k]; ok || !s.lazy[k] || len(s.byKind[k]) == 0 {
		return t, nil, nil
	}
	its := s.okItems(k)
	terms := make([]*ast.Term, 0, len(its))
	data := make(map[string]ast.Value, len(its))
	interned := newStringInterner()
	for _, it := range its {
		v, d, err := it.decoded(interned)
		if err != nil {
			return nil, nil, fmt.Errorf("evidence %s: data: %w", it.ref.Path, err)
		}
		terms, data[it.ref.Digest] = append(terms, v), d
	}
	return ast.ArrayTerm(terms...), data, nil
}

// okItems are the collected (not error) items of a kind, in path order.
func (s *evidenceSet) okItems(kind string) []*setItem {
	var out []*setItem
	for _, it := range s.byKind[kind] {
		if it.ref.Status == evidence.StatusOK {
			out = append(out, it)
		}
	}
	return out
}

// withData is the item's OPA value with its data replaced (a part of its records).
func withData(value *ast.Term, data ast.Value) *ast.Term {
	obj := value.Value.(ast.Object)
	return ast.ObjectTerm(
		[2]*ast.Term{ast.StringTerm("kind"), obj.Get(ast.StringTerm("kind"))},
		[2]*ast.Term{ast.StringTerm("digest"), obj.Get(ast.StringTerm("digest"))},
		[2]*ast.Term{ast.StringTerm("scope"), obj.Get(ast.StringTerm("scope"))},
		[2]*ast.Term{ast.StringTerm("collected_at"), obj.Get(ast.StringTerm("collected_at"))},
		[2]*ast.Term{ast.StringTerm("data"), ast.NewTerm(data)},
	)
}

func text(ja, en string, args ...any) Text {
	return Text{JA: fmt.Sprintf(ja, args...), EN: fmt.Sprintf(en, args...)}
}

// evaluation is what every control of one Evaluate call shares.
type evaluation struct {
	set      *evidenceSet
	runValue ast.Object
	run      Run
	jobSlots chan struct{} // bounds the policy evaluations running at once, parts included
	waivers  *exceptionPlan
	spool    *findingSpool // nil: findings are kept in memory
}

// evaluateControl judges one control.
func (e *Engine) evaluateControl(ctx context.Context, c *Control, ev *evaluation) ControlResult {
	set, run := ev.set, ev.run
	r := ControlResult{ID: c.ID, Title: c.FilledTitle(), Automation: c.Automation, Severity: c.Severity,
		Parameters: effectiveParameters(c), Counts: map[string]int{}, Findings: []Finding{}, Evidence: []EvidenceRef{}}
	for _, s := range []string{StatusPass, StatusFail, StatusNotApplicable, StatusWaived} {
		r.Counts[s] = 0
	}
	fail := func(reason Text) ControlResult {
		r.Status, r.Reason, r.Findings = StatusError, reason, []Finding{}
		for s := range r.Counts {
			r.Counts[s] = 0
		}
		return r
	}

	// Fail closed before the policy runs: every declared kind present, collected, and fresh.
	kinds := map[string]bool{}
	for _, k := range c.Evidence {
		kinds[k] = true
		for _, it := range set.byKind[k] {
			r.Evidence = append(r.Evidence, it.ref)
		}
	}
	for _, k := range c.Evidence {
		if len(set.byKind[k]) == 0 {
			return fail(text("証跡 %s がありません（収集されていません）。", "no evidence of kind %s was collected", k))
		}
	}
	for _, k := range c.OptionalEvidence {
		kinds[k] = true
		for _, it := range set.byKind[k] {
			r.Evidence = append(r.Evidence, it.ref)
		}
	}
	for _, ref := range r.Evidence {
		it := set.byDigest[ref.Digest]
		if ref.Status != evidence.StatusOK {
			return fail(text("証跡 %s を収集できませんでした: %s", "evidence %s could not be collected: %s", ref.Path, it.err))
		}
		if c.MaxEvidenceAge.Duration > 0 && run.Now.Sub(ref.CollectedAt) > c.MaxEvidenceAge.Duration {
			return fail(text("証跡 %s は %s に収集されたもので、許容される古さ %s を超えています（stale）。",
				"evidence %s collected at %s is older than max_evidence_age %s (stale)",
				ref.Path, ref.CollectedAt.Format(time.RFC3339), c.MaxEvidenceAge))
		}
		if ref.CollectedAt.Sub(run.Now) > maxClockSkew {
			return fail(text("証跡 %s の収集時刻 %s が評価時刻 %s より後です。",
				"evidence %s was collected at %s, after the evaluation time %s",
				ref.Path, ref.CollectedAt.Format(time.RFC3339), run.Now.UTC().Format(time.RFC3339)))
		}
	}

	// A per_record control is evaluated on parts of its records, in parallel; any other control
	// in one evaluation. population_findings, when the policy has it, sees everything once.
	// The parts are cut as their jobs start (a part converts its items to OPA values then), so
	// a per_record kind is in memory a few parts at a time. The population job, which sees the
	// whole kind, runs before them, alone, so the two are never in memory together; its findings
	// come after the parts' (its job index is the last), as when it was the last job.
	var outs []*jobResult
	var wg sync.WaitGroup
	launch := func(job evalJob, index int) {
		out := &jobResult{}
		outs = append(outs, out)
		wg.Add(1)
		ev.jobSlots <- struct{}{}
		go func() {
			defer func() { <-ev.jobSlots; wg.Done() }()
			*out = e.runJob(ctx, c, job, index, ev, kinds)
		}()
	}
	var population *jobResult
	if pq, ok := e.population[c.ID]; ok {
		launch(evalJob{query: pq}, populationJob)
		wg.Wait()
		population, outs = outs[0], nil
	}
	if c.PerRecord == "" {
		launch(evalJob{query: e.queries[c.ID]}, 0)
	} else {
		err := splitRecords(c.PerRecord, set.okItems(c.PerRecord), e.partRows, func(p recordPart) {
			launch(evalJob{query: e.queries[c.ID], part: &p}, len(outs))
		})
		if err != nil {
			wg.Wait()
			return fail(text("ポリシーへの入力を作れませんでした: %v", "could not build the policy input: %v", err))
		}
	}
	wg.Wait()
	if population != nil {
		outs = append(outs, population)
	}
	var st findingStats
	for _, o := range outs {
		if o.failure != nil {
			return fail(*o.failure)
		}
		st.add(o.stats)
	}
	if st.n == 0 {
		return fail(text("ポリシーが判定を出しませんでした（判定なし）。", "the policy yielded no finding (no verdict)"))
	}
	if ev.spool != nil {
		r.Findings = nil
		for _, o := range outs {
			if o.run.count > 0 {
				r.spooled = append(r.spooled, o.run)
			}
		}
	} else {
		// Each job's findings are sorted; sorted again as one, they are in the order one sort
		// of them all gives (a stable sort, on the keys the findings had before any waiver).
		r.Findings = make([]Finding, 0, st.n)
		keys := make([]string, 0, st.n)
		runs := 0
		for _, o := range outs {
			r.Findings = append(r.Findings, o.findings...)
			keys = append(keys, o.keys...)
			if len(o.findings) > 0 {
				runs++
			}
		}
		if runs > 1 {
			sortFindings(r.Findings, keys)
		}
	}
	sort.Slice(st.waived, func(i, j int) bool { return st.waived[i].rank.before(st.waived[j].rank) })
	r.waived = st.waived
	finish(c, &r, st)
	return r
}

// populationJob is the job index of population_findings: after every part's.
const populationJob = 1 << 30

// evalJob is one evaluation of a policy rule: on the whole evidence, or (part set) with the
// per_record kind replaced by a part of its records.
type evalJob struct {
	query rego.PreparedEvalQuery
	part  *recordPart
}

// jobResult is the findings of one job, or why the control is `error`. The findings are sorted
// and exceptions applied; they are in findings (with their sort keys), or in the spool (run).
type jobResult struct {
	findings []Finding
	keys     []string
	run      spoolRun
	stats    findingStats
	failure  *Text
}

// rank is a finding's place in its control's sorted findings: its sort key (before any waiver),
// its params as sortFindings encodes them, then the job it came from and its place there.
type rank struct {
	key, params string
	job, pos    int
}

func (a rank) before(b rank) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	if a.params != b.params {
		return a.params < b.params
	}
	if a.job != b.job {
		return a.job < b.job
	}
	return a.pos < b.pos
}

// rankedText is a finding's message with its place among the control's findings.
type rankedText struct {
	rank rank
	text Text
}

// waivedFinding is a failing finding an exception waived.
type waivedFinding struct {
	rank      rank
	exception int
	resource  string
}

// findingStats is what a control's status and reason are made of, without its findings: how
// many there are of each status, the first finding and the first failing one in the control's
// order, and the waivers.
type findingStats struct {
	n         int
	counts    map[string]int
	first     *rankedText
	firstFail *rankedText
	waived    []waivedFinding
}

// add merges another job's stats into st.
func (st *findingStats) add(o findingStats) {
	st.n += o.n
	for s, k := range o.counts {
		if st.counts == nil {
			st.counts = map[string]int{}
		}
		st.counts[s] += k
	}
	if o.first != nil && (st.first == nil || o.first.rank.before(st.first.rank)) {
		st.first = o.first
	}
	if o.firstFail != nil && (st.firstFail == nil || o.firstFail.rank.before(st.firstFail.rank)) {
		st.firstFail = o.firstFail
	}
	st.waived = append(st.waived, o.waived...)
}

func (e *Engine) runJob(ctx context.Context, c *Control, job evalJob, jobIndex int, ev *evaluation, kinds map[string]bool) jobResult {
	set := ev.set
	failed := func(t Text) jobResult { return jobResult{failure: &t} }
	input, data, err := controlInput(c, set, ev.runValue, job.part)
	if err != nil {
		return failed(text("ポリシーへの入力を作れませんでした: %v", "could not build the policy input: %v", err))
	}
	// The findings stay OPA values (keepTerm) and are read field by field: converting the whole
	// set to Go maps first doubled the memory of a control with 100,000 findings.
	rs, err := job.query.Eval(ctx, append(EvalOptions(input), rego.EvalGenerateJSON(keepTerm))...)
	if err != nil {
		return failed(text("ポリシーの評価に失敗しました: %v", "policy evaluation failed: %v", err))
	}
	var out ast.Set
	if len(rs) == 1 && len(rs[0].Expressions) == 1 {
		if t, ok := rs[0].Expressions[0].Value.(*ast.Term); ok {
			out, _ = t.Value.(ast.Set)
		}
	}
	if out == nil {
		return jobResult{}
	}
	var offsets map[string]int
	if job.part != nil {
		offsets = job.part.offsets
	}
	findings := make([]Finding, 0, out.Len())
	for i, t := range out.Slice() {
		fd, err := e.finding(c, t, set, kinds, offsets, data)
		if err != nil {
			return failed(text("ポリシーの出力 %d 件目が不正です: %v", "finding %d from the policy is invalid: %v", i+1, err))
		}
		findings = append(findings, fd)
	}
	res := jobResult{keys: make([]string, len(findings))}
	for i := range findings {
		res.keys[i] = findingKey(&findings[i])
	}
	sortFindings(findings, res.keys)
	res.stats = settleFindings(c, findings, res.keys, jobIndex, ev.waivers)
	if ev.spool == nil {
		res.findings = findings
		return res
	}
	if res.run, err = spoolFindings(ev.spool, findings, res.keys); err != nil {
		return failed(text("判定を一時ファイルに書けませんでした: %v", "could not write the findings to the spool: %v", err))
	}
	res.keys = nil
	return res
}

// settleFindings applies the exceptions to a job's sorted findings and counts them.
func settleFindings(c *Control, findings []Finding, keys []string, job int, waivers *exceptionPlan) findingStats {
	st := findingStats{n: len(findings), counts: map[string]int{}}
	rankOf := func(i int) rank {
		p, _ := json.Marshal(findings[i].Params)
		return rank{key: keys[i], params: string(p), job: job, pos: i}
	}
	for i := range findings {
		f := &findings[i]
		if f.Status == StatusFail {
			if idx, ok := waivers.waiver(c.ID, f.Resource); ok {
				f.Status, f.Exception = StatusWaived, &idx
				st.waived = append(st.waived, waivedFinding{rank: rankOf(i), exception: idx, resource: f.Resource})
			}
		}
		st.counts[f.Status]++
		if i == 0 {
			st.first = &rankedText{rank: rankOf(i), text: f.Message}
		}
		if st.firstFail == nil && f.Status == StatusFail {
			st.firstFail = &rankedText{rank: rankOf(i), text: f.Message}
		}
	}
	return st
}

// spoolFindings writes a job's sorted findings to the spool as one run.
func spoolFindings(s *findingSpool, findings []Finding, keys []string) (spoolRun, error) {
	rw := &runWriter{spool: s}
	w := &resultsWriter{}
	for i := range findings {
		w.buf.Reset()
		w.value(findingIndent, findings[i])
		if w.err != nil {
			return spoolRun{}, w.err
		}
		if err := rw.add(keys[i], w.buf.Bytes()); err != nil {
			return spoolRun{}, err
		}
	}
	return rw.finish()
}

// recordPart is a slice of the records of a per_record kind: the items as the policy sees them
// (data cut to the part's rows) and, per item digest, the index in the stored item of the part's
// first row, so finding pointers are turned back into pointers into the stored item, and the
// item's whole data, to check them against.
type recordPart struct {
	kind    string
	items   *ast.Term
	offsets map[string]int
	data    map[string]ast.Value
}

// splitRecords cuts items into parts of at most maxRows records, in item order, and calls part
// with each as soon as it is cut; an item longer than a part is sliced. An item whose data is
// not an array, or is empty, goes whole. Items are converted to OPA values one at a time, as
// their rows are reached.
func splitRecords(kind string, items []*setItem, maxRows int, part func(recordPart)) error {
	var cur []*ast.Term
	offsets, data, rows := map[string]int{}, map[string]ast.Value{}, 0
	interned := newStringInterner()
	flush := func() {
		if len(cur) > 0 {
			part(recordPart{kind: kind, items: ast.ArrayTerm(cur...), offsets: offsets, data: data})
		}
		cur, offsets, data, rows = nil, map[string]int{}, map[string]ast.Value{}, 0
	}
	for _, it := range items {
		value, dv, err := it.decoded(interned)
		if err != nil {
			return fmt.Errorf("evidence %s: data: %w", it.ref.Path, err)
		}
		arr, ok := dv.(*ast.Array)
		if !ok || arr.Len() == 0 {
			cur = append(cur, value)
			data[it.ref.Digest] = dv
			continue
		}
		for start := 0; start < arr.Len(); {
			if rows == maxRows {
				flush()
			}
			end := min(arr.Len(), start+maxRows-rows)
			if start == 0 && end == arr.Len() {
				cur = append(cur, value)
			} else {
				cur = append(cur, withData(value, arr.Slice(start, end)))
			}
			offsets[it.ref.Digest] = start
			data[it.ref.Digest] = dv
			rows += end - start
			start = end
		}
	}
	flush()
	return nil
}

// finish sets the status, counts and reason from the findings' stats.
func finish(c *Control, r *ControlResult, st findingStats) {
	for s := range r.Counts {
		r.Counts[s] = 0
	}
	for s, k := range st.counts {
		r.Counts[s] = k
	}
	n, failing, waived := st.n, r.Counts[StatusFail], r.Counts[StatusWaived]
	switch {
	case failing > 0:
		r.Status = StatusFail
		r.Reason = Text{JA: fmt.Sprintf("%d 件中 %d 件が不適合です。", n, failing), EN: fmt.Sprintf("%d of %d findings fail", failing, n)}
		if st.firstFail != nil {
			r.Reason.JA += "最初の不適合: " + st.firstFail.text.JA
			r.Reason.EN += "; first: " + st.firstFail.text.EN
		}
		if waived > 0 {
			r.Reason.JA += fmt.Sprintf("（%d 件は例外承認済み）", waived)
			r.Reason.EN += fmt.Sprintf(" (%d covered by exceptions)", waived)
		}
	case waived > 0:
		r.Status = StatusWaived
		r.Reason = Text{JA: fmt.Sprintf("不適合 %d 件はすべて有効な例外で承認されています。", waived),
			EN: fmt.Sprintf("all %d failing findings are covered by approved, unexpired exceptions", waived)}
	case r.Counts[StatusNotApplicable] == n:
		r.Status = StatusNotApplicable
		if c.NotApplicableReason != nil {
			r.Reason = Text{JA: c.Fill(*c.NotApplicableReason, "ja"), EN: c.Fill(*c.NotApplicableReason, "en")}
		} else {
			r.Reason = st.first.text
		}
	case c.Automation == AutomationAttestation:
		r.Status = StatusAttested
		r.Reason = text("有効な証明 %d 件を確認しました。", "%d valid attestation(s) checked", r.Counts[StatusPass])
	default:
		r.Status = StatusPass
		r.Reason = text("%d 件を確認し、すべて適合です。", "%d checked, all pass", r.Counts[StatusPass])
	}
}

// controlInput is the policy's input; data is the data of the items of lazy kinds it converted
// (by digest), which the job's finding pointers are checked against.
func controlInput(c *Control, set *evidenceSet, runValue ast.Object, part *recordPart) (input ast.Value, data map[string]ast.Value, err error) {
	params, err := ast.InterfaceToValue(jsonCompatible(c.Parameters))
	if err != nil {
		return nil, nil, fmt.Errorf("parameters: %w", err)
	}
	if part != nil {
		data = part.data
	}
	ev := ast.NewObject()
	add := func(k string) error {
		t, d, err := set.kind(k)
		if err != nil {
			return err
		}
		if t != nil {
			ev.Insert(ast.StringTerm(k), t)
		}
		for digest, v := range d {
			if data == nil {
				data = map[string]ast.Value{}
			}
			data[digest] = v
		}
		return nil
	}
	for _, k := range c.Evidence {
		if part != nil && k == part.kind {
			ev.Insert(ast.StringTerm(k), part.items)
			continue
		}
		if err := add(k); err != nil {
			return nil, nil, err
		}
	}
	for _, k := range c.OptionalEvidence {
		if err := add(k); err != nil {
			return nil, nil, err
		}
	}
	return ast.NewObject(
		[2]*ast.Term{ast.StringTerm("control"), ast.ObjectTerm(
			[2]*ast.Term{ast.StringTerm("id"), ast.StringTerm(c.ID)},
			[2]*ast.Term{ast.StringTerm("parameters"), ast.NewTerm(params)},
		)},
		[2]*ast.Term{ast.StringTerm("evidence"), ast.NewTerm(ev)},
		[2]*ast.Term{ast.StringTerm("run"), ast.NewTerm(runValue)},
	), data, nil
}

// jsonCompatible turns YAML-decoded values (map[string]any with nested maps and ints) into
// values OPA accepts, without changing them.
func jsonCompatible(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonCompatible(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonCompatible(e)
		}
		return out
	case int:
		return json.Number(strconv.Itoa(x))
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case uint64:
		return json.Number(strconv.FormatUint(x, 10))
	case float64:
		return json.Number(strconv.FormatFloat(x, 'f', -1, 64))
	default:
		return v
	}
}

// EvalOptions are the options every policy evaluation runs with: the input, and the engine's
// cache (perRowCache). With Engine.Query, a test or tool evaluates a policy exactly as a run does
// (policies/scaling_test.go counts evaluation steps this way).
func EvalOptions(input ast.Value) []rego.EvalOption {
	return []rego.EvalOption{rego.EvalParsedInput(input), rego.EvalVirtualCache(newPerRowCache())}
}

// keepTerm hands query results back as OPA values instead of converting them to Go.
func keepTerm(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil }

// finding checks one policy output against the contract and renders its message.
func (e *Engine) finding(c *Control, t *ast.Term, set *evidenceSet, kinds map[string]bool, offsets map[string]int, data map[string]ast.Value) (Finding, error) {
	obj, ok := t.Value.(ast.Object)
	if !ok {
		return Finding{}, fmt.Errorf("not an object")
	}
	var unknown error
	obj.Foreach(func(k, _ *ast.Term) {
		switch k.Value {
		case ast.String("status"), ast.String("code"), ast.String("params"), ast.String("resource"), ast.String("evidence"):
		default:
			if unknown == nil {
				unknown = fmt.Errorf("unknown field %v", k)
			}
		}
	})
	if unknown != nil {
		return Finding{}, unknown
	}
	var f Finding
	f.Status = stringField(obj, "status")
	f.Code = stringField(obj, "code")
	f.Resource = stringField(obj, "resource")
	switch f.Status {
	case StatusPass, StatusFail, StatusNotApplicable:
	default:
		return Finding{}, fmt.Errorf("status %v is not pass, fail or not_applicable", fieldText(obj, "status"))
	}
	tmpl, ok := c.Messages[f.Code]
	if !ok {
		return Finding{}, fmt.Errorf("code %v has no message in %s", fieldText(obj, "code"), c.File)
	}
	if f.Resource == "" {
		return Finding{}, fmt.Errorf("code %s: resource is missing or not a string", f.Code)
	}
	f.Params = map[string]any{}
	if p := obj.Get(ast.InternedTerm("params")); p != nil {
		if _, ok := p.Value.(ast.Object); !ok {
			return Finding{}, fmt.Errorf("code %s: params is not an object", f.Code)
		}
		pv, err := ast.JSONWithOpt(p.Value, ast.JSONOpt{SortSets: true})
		if err != nil {
			return Finding{}, fmt.Errorf("code %s: params: %w", f.Code, err)
		}
		f.Params = pv.(map[string]any)
	}
	var err error
	if f.Message.JA, err = e.render(tmpl.JA, "ja", f.Params, c.Parameters); err != nil {
		return Finding{}, fmt.Errorf("code %s: message: %w", f.Code, err)
	}
	if f.Message.EN, err = e.render(tmpl.EN, "en", f.Params, c.Parameters); err != nil {
		return Finding{}, fmt.Errorf("code %s: message: %w", f.Code, err)
	}

	ev := obj.Get(ast.InternedTerm("evidence"))
	if ev == nil {
		if f.Status != StatusNotApplicable {
			return Finding{}, fmt.Errorf("code %s: a %s finding must point at its evidence", f.Code, f.Status)
		}
		return f, nil
	}
	em, ok := ev.Value.(ast.Object)
	if !ok {
		return Finding{}, fmt.Errorf("code %s: evidence is not an object", f.Code)
	}
	digest, pointer := stringField(em, "digest"), stringField(em, "pointer")
	it, ok := set.byDigest[digest]
	if !ok || !kinds[it.ref.Kind] {
		return Finding{}, fmt.Errorf("code %s: evidence digest %q is not an item this control read", f.Code, digest)
	}
	if off := offsets[digest]; off > 0 {
		if pointer, err = shiftRow(pointer, off); err != nil {
			return Finding{}, fmt.Errorf("code %s: evidence pointer in %s: %w", f.Code, it.ref.Path, err)
		}
	}
	itemData, ok := data[digest]
	if !ok {
		if _, itemData, err = it.decoded(newStringInterner()); err != nil {
			return Finding{}, fmt.Errorf("code %s: evidence %s: %w", f.Code, it.ref.Path, err)
		}
	}
	if err := resolvePointer(itemData, pointer); err != nil {
		return Finding{}, fmt.Errorf("code %s: evidence pointer %q in %s: %w", f.Code, pointer, it.ref.Path, err)
	}
	f.Evidence = &FindingRef{Kind: it.ref.Kind, Digest: digest, Path: it.ref.Path, Scope: it.ref.Scope, Pointer: pointer}
	return f, nil
}

// stringField is obj[key] when it is a string, "" otherwise.
func stringField(obj ast.Object, key string) string {
	if v := obj.Get(ast.InternedTerm(key)); v != nil {
		if s, ok := v.Value.(ast.String); ok {
			return string(s)
		}
	}
	return ""
}

// fieldText shows obj[key] in an error message: a string as it is, anything else in Rego
// syntax, <nil> when absent.
func fieldText(obj ast.Object, key string) string {
	if v := obj.Get(ast.InternedTerm(key)); v != nil {
		if s, ok := v.Value.(ast.String); ok {
			return string(s)
		}
		return v.String()
	}
	return "<nil>"
}

// shiftRow turns a pointer into a part's slice of an item (/data/<i>/…) into the pointer into the
// stored item (/data/<i+off>/…). A pointer at the whole item (/data) stays as it is.
func shiftRow(pointer string, off int) (string, error) {
	if pointer == "/data" {
		return pointer, nil
	}
	rest, ok := strings.CutPrefix(pointer, "/data/")
	if !ok {
		return "", fmt.Errorf("%q must start with /data", pointer)
	}
	tok, tail, nested := strings.Cut(rest, "/")
	i, err := strconv.Atoi(tok)
	if err != nil || i < 0 || (len(tok) > 1 && tok[0] == '0') {
		return "", fmt.Errorf("%q does not name a record of a per_record kind", pointer)
	}
	out := "/data/" + strconv.Itoa(i+off)
	if nested {
		out += "/" + tail
	}
	return out, nil
}

// resolvePointer checks that a JSON pointer (RFC 6901) into the stored item names a value under /data.
func resolvePointer(data ast.Value, pointer string) error {
	if pointer != "/data" && !strings.HasPrefix(pointer, "/data/") {
		return fmt.Errorf("must start with /data")
	}
	v := data
	rest := strings.TrimPrefix(pointer, "/data")
	if rest == "" {
		return nil
	}
	for _, tok := range strings.Split(rest[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case ast.Object:
			t := x.Get(ast.StringTerm(tok))
			if t == nil {
				return fmt.Errorf("no key %q", tok)
			}
			v = t.Value
		case *ast.Array:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= x.Len() || (len(tok) > 1 && tok[0] == '0') {
				return fmt.Errorf("no element %q", tok)
			}
			v = x.Elem(i).Value
		default:
			return fmt.Errorf("%q goes below a scalar", tok)
		}
	}
	return nil
}

// messageTemplate is a finding message split at its {name} placeholders once, when the engine
// is built, rather than matched with a regular expression for every finding.
type messageTemplate struct {
	literals []string // len(names)+1 pieces of text around the placeholders
	names    []string
}

func compileTemplate(tmpl string) *messageTemplate {
	t := &messageTemplate{}
	last := 0
	for _, m := range placeholderRE.FindAllStringIndex(tmpl, -1) {
		t.literals = append(t.literals, tmpl[last:m[0]])
		t.names = append(t.names, tmpl[m[0]+1:m[1]-1])
		last = m[1]
	}
	t.literals = append(t.literals, tmpl[last:])
	return t
}

// render fills {name} placeholders from params, then from the control's parameters (defaults),
// so a message says "TLS {min_version}" instead of repeating the YAML's number. A placeholder
// found in neither is an error: a message with a hole would misreport the finding. The template
// is in lang: a text value ({ja, en}, such as service_name) gives lang's.
func (e *Engine) render(tmpl, lang string, params map[string]any, defaults ...map[string]any) (string, error) {
	t, ok := e.templates[tmpl]
	if !ok {
		t = compileTemplate(tmpl)
	}
	var b strings.Builder
	var missing []string
	for i, name := range t.names {
		b.WriteString(t.literals[i])
		v, ok := params[name]
		for _, d := range defaults {
			if ok {
				break
			}
			v, ok = d[name]
		}
		if !ok {
			missing = append(missing, name)
			continue
		}
		if m, isMap := v.(map[string]any); isMap && isText(m) {
			v = m[lang]
		}
		b.WriteString(formatParam(v))
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("template needs {%s}, which the finding's params lack", strings.Join(missing, "}, {"))
	}
	b.WriteString(t.literals[len(t.names)])
	return b.String(), nil
}

func formatParam(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatParam(e)
		}
		return strings.Join(parts, ", ")
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// findingKey is what findings are sorted by first: resource, code, evidence and status.
func findingKey(f *Finding) string {
	p := ""
	if f.Evidence != nil {
		p = f.Evidence.Path + "#" + f.Evidence.Pointer
	}
	return f.Resource + "\x00" + f.Code + "\x00" + p + "\x00" + f.Status
}

// sortFindings orders findings by their keys (findingKey, built once: encoding params inside
// the comparator would cost O(n log n) JSON encodes), then params, keeping the order of findings
// that tie (a stable sort); keys is sorted with them. Params are encoded only for findings whose
// keys tie, which findings pointing at distinct records never do.
func sortFindings(fs []Finding, keys []string) {
	params := make([]*string, len(fs))
	paramsKey := func(i int) string {
		if params[i] == nil {
			b, _ := json.Marshal(fs[i].Params)
			s := string(b)
			params[i] = &s
		}
		return *params[i]
	}
	idx := make([]int, len(fs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ia, ib := idx[a], idx[b]
		if keys[ia] != keys[ib] {
			return keys[ia] < keys[ib]
		}
		return paramsKey(ia) < paramsKey(ib)
	})
	sorted := make([]Finding, len(fs))
	sortedKeys := make([]string, len(fs))
	for i, j := range idx {
		sorted[i], sortedKeys[i] = fs[j], keys[j]
	}
	copy(fs, sorted)
	copy(keys, sortedKeys)
}

// perRowCache is OPA's virtual document cache, minus the results of function calls with an
// object, array or set argument. Topdown memoises every function call for the whole evaluation;
// policies call functions per evidence row with the row (or a finding built from it) as
// argument, so at 100k rows that cache held over a gigabyte of results that are never asked for
// again. Calls with only scalar arguments (a kind, a date) are still memoised: they repeat, and
// a policy may index all evidence of a kind behind such a call. Rules (no arguments) are cached as before.
type perRowCache struct{ topdown.VirtualCache }

func newPerRowCache() *perRowCache { return &perRowCache{topdown.NewVirtualCache()} }

// skip holds for a function call (the key starts with the function's ref; a rule's key starts
// with the var data) that has a composite argument.
func (c *perRowCache) skip(key ast.Ref) bool {
	if len(key) == 0 {
		return false
	}
	if _, fn := key[0].Value.(ast.Ref); !fn {
		return false
	}
	for _, arg := range key[1:] {
		switch arg.Value.(type) {
		case ast.Object, *ast.Array, ast.Set:
			return true
		}
	}
	return false
}

func (c *perRowCache) Get(key ast.Ref) (*ast.Term, bool) {
	if c.skip(key) {
		return nil, false
	}
	return c.VirtualCache.Get(key)
}

func (c *perRowCache) Put(key ast.Ref, v *ast.Term) {
	if c.skip(key) {
		return
	}
	c.VirtualCache.Put(key, v)
}
