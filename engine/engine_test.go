package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/shoko-audit/shoko/evidence"
)

// The test catalog: one control per behaviour, against a tiny records kind "test.rows".

const libRego = `package shoko.lib
ref(item, pointer) := {"kind": item.kind, "digest": item.digest, "pointer": pointer}
pass(code, params, resource, evidence) := {"status": "pass", "code": code, "params": params, "resource": resource, "evidence": evidence}
fail(code, params, resource, evidence) := {"status": "fail", "code": code, "params": params, "resource": resource, "evidence": evidence}
`

// rowsPolicy passes rows with ok=true and fails the others, pointing at each row.
const rowsPolicy = `package shoko.controls.%s
import data.shoko.lib
findings contains lib.pass("row_ok", {"name": row.name}, row.name, lib.ref(item, sprintf("/data/%d", [i]))) if {
	some item in input.evidence["test.rows"]
	some i, row in item.data
	row.ok
}
findings contains lib.fail("row_bad", {"name": row.name, "limit": input.control.parameters.limit}, row.name, lib.ref(item, sprintf("/data/%d", [i]))) if {
	some item in input.evidence["test.rows"]
	some i, row in item.data
	not row.ok
}
`

func control(id, automation string, extra string) string {
	return `id: ` + id + `
title: {ja: 試験, en: Test}
section: {ja: 試験, en: Test}
claim: {ja: "上限は{limit}", en: "limit is {limit}"}
mappings: [{framework: "ISO/IEC 27002:2013", ref: "7.2.2"}]
automation: ` + automation + `
severity: low
frequency: daily
max_evidence_age: 2d
parameters: {limit: {type: integer, value: 3}}
` + extra
}

const rowsControlTail = `evidence: [test.rows]
messages:
  row_ok: {ja: "{name} は適合", en: "{name} is fine"}
  row_bad: {ja: "{name} は上限 {limit} を超過", en: "{name} is over the limit of {limit}"}
`

func pkg(id string) string { return strings.ToLower(strings.ReplaceAll(id, "-", "_")) }

func rowsPolicyFor(id string) string { return strings.ReplaceAll(rowsPolicy, "%s", pkg(id)) }

// testCatalog builds a catalog from extra controls/policies on top of the rows control "ROW-01".
func testCatalog(t *testing.T, controls, policies map[string]string) *Catalog {
	t.Helper()
	cfs := fstest.MapFS{"ROW-01.yaml": {Data: []byte(control("ROW-01", "records", rowsControlTail))}}
	pfs := fstest.MapFS{"lib/lib.rego": {Data: []byte(libRego)}, "row_01.rego": {Data: []byte(rowsPolicyFor("ROW-01"))}}
	for k, v := range controls {
		cfs[k] = &fstest.MapFile{Data: []byte(v)}
	}
	for k, v := range policies {
		pfs[k] = &fstest.MapFile{Data: []byte(v)}
	}
	cat, err := LoadCatalog(CatalogSource{Controls: cfs, ControlsName: "controls", Policies: pfs, PoliciesName: "policies",
		KnownKinds: []string{"test.rows", "test.other", "exceptions"}})
	if err != nil {
		t.Fatalf("load catalog: %v", err)
	}
	return cat
}

var now = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

func run() Run { return Run{Now: now, Period: Period{Start: now.AddDate(-1, 0, 0), End: now}} }

func item(t *testing.T, kind, file string, at time.Time, data any) evidence.Stored {
	t.Helper()
	it, err := evidence.NewOK(kind, map[string]string{"source": "test", "file": file}, at, evidence.CollectorInfo{Name: "test", Version: "0"}, nil, data)
	if err != nil {
		t.Fatal(err)
	}
	return stored(t, it)
}

func stored(t *testing.T, it evidence.Item) evidence.Stored {
	t.Helper()
	b, err := evidence.Encode(it)
	if err != nil {
		t.Fatal(err)
	}
	return evidence.Stored{Item: it, Path: evidence.FileName(it), Digest: evidence.Digest(b)}
}

func evaluate(t *testing.T, cat *Catalog, items ...evidence.Stored) *Results {
	t.Helper()
	e, err := New(context.Background(), cat)
	if err != nil {
		t.Fatalf("new engine: %v", err)
	}
	res, err := e.Evaluate(context.Background(), items, run())
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	return res
}

func result(t *testing.T, res *Results, id string) ControlResult {
	t.Helper()
	for _, c := range res.Controls {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no result for %s", id)
	return ControlResult{}
}

type row struct {
	Name string `json:"name"`
	OK   bool   `json:"ok"`
}

func TestStatusFollowsFindings(t *testing.T) {
	cat := testCatalog(t, nil, nil)
	cases := []struct {
		name   string
		rows   []row
		status string
		pass   int
		fail   int
	}{
		{"all rows fine pass", []row{{"a", true}, {"b", true}}, StatusPass, 2, 0},
		{"one bad row fails", []row{{"a", true}, {"b", false}}, StatusFail, 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := result(t, evaluate(t, cat, item(t, "test.rows", "r.csv", now, tc.rows)), "ROW-01")
			if c.Status != tc.status || c.Counts["pass"] != tc.pass || c.Counts["fail"] != tc.fail {
				t.Fatalf("got %s pass=%d fail=%d (%s), want %s %d %d", c.Status, c.Counts["pass"], c.Counts["fail"], c.Reason.EN, tc.status, tc.pass, tc.fail)
			}
		})
	}
}

func TestFindingPointsAtEvidenceAndRendersMessage(t *testing.T) {
	cat := testCatalog(t, nil, nil)
	it := item(t, "test.rows", "r.csv", now, []row{{"a", true}, {"b", false}})
	c := result(t, evaluate(t, cat, it), "ROW-01")
	var bad Finding
	for _, f := range c.Findings {
		if f.Status == StatusFail {
			bad = f
		}
	}
	if bad.Evidence == nil || bad.Evidence.Digest != it.Digest || bad.Evidence.Pointer != "/data/1" || bad.Evidence.Path != it.Path {
		t.Fatalf("finding evidence = %+v, want digest %s pointer /data/1", bad.Evidence, it.Digest)
	}
	if bad.Message.EN != "b is over the limit of 3" || bad.Message.JA != "b は上限 3 を超過" {
		t.Fatalf("message = %+v", bad.Message)
	}
}

// Every way evidence or a policy can let us down must give `error`, never `pass`.
func TestFailsClosed(t *testing.T) {
	good := []row{{"a", true}}
	errItem := func() evidence.Stored {
		return stored(t, evidence.NewError("test.rows", map[string]string{"source": "test", "file": "r.csv"}, now,
			evidence.CollectorInfo{Name: "test"}, nil, errString("r.csv:3: column status: \"maybe\" is not active or left")))
	}
	policies := map[string]string{
		"sil_01.rego": "package shoko.controls.sil_01\nfindings contains x if { x := 1; false }\n",
		"boom_01.rego": "package shoko.controls.boom_01\nimport data.shoko.lib\n" +
			"findings contains lib.pass(\"row_ok\", {\"name\": \"x\", \"n\": time.parse_ns(\"2006-01-02\", \"not a date\")}, \"x\", lib.ref(input.evidence[\"test.rows\"][0], \"/data\"))\n",
		"unc_01.rego": "package shoko.controls.unc_01\n" +
			"findings contains {\"status\": \"pass\", \"code\": sprintf(\"%s\", [\"surprise\"]), \"resource\": \"x\", \"evidence\": {\"digest\": input.evidence[\"test.rows\"][0].digest, \"pointer\": \"/data\"}}\n",
		"stray_01.rego": "package shoko.controls.stray_01\nimport data.shoko.lib\n" +
			"findings contains lib.pass(\"row_ok\", {\"name\": \"x\"}, \"x\", {\"digest\": \"sha256:00\", \"pointer\": \"/data\"})\n",
		"bptr_01.rego": "package shoko.controls.bptr_01\nimport data.shoko.lib\n" +
			"findings contains lib.pass(\"row_ok\", {\"name\": \"x\"}, \"x\", lib.ref(input.evidence[\"test.rows\"][0], \"/data/99\"))\n",
		"hole_01.rego": "package shoko.controls.hole_01\nimport data.shoko.lib\n" +
			"findings contains lib.pass(\"row_ok\", {}, \"x\", lib.ref(input.evidence[\"test.rows\"][0], \"/data\"))\n",
		"other_01.rego": rowsPolicyFor("OTHER-01"),
	}
	controls := map[string]string{}
	for _, id := range []string{"SIL-01", "BOOM-01", "UNC-01", "STRAY-01", "BPTR-01", "HOLE-01"} {
		tail := rowsControlTail
		if id == "SIL-01" {
			tail = strings.Replace(tail, "row_ok:", "unused:", 1)
		}
		controls[id+".yaml"] = control(id, "automated", tail)
	}
	controls["OTHER-01.yaml"] = control("OTHER-01", "automated", strings.Replace(rowsControlTail, "[test.rows]", "[test.rows, test.other]", 1))
	cat := testCatalog(t, controls, policies)

	cases := []struct {
		name    string
		control string
		items   []evidence.Stored
		reason  string
	}{
		{"missing kind", "OTHER-01", []evidence.Stored{item(t, "test.rows", "r.csv", now, good)}, "no evidence of kind test.other"},
		{"collector error item", "ROW-01", []evidence.Stored{errItem()}, "could not be collected: r.csv:3"},
		{"error item beside a good one", "ROW-01", []evidence.Stored{errItem(), item(t, "test.rows", "s.csv", now, good)}, "could not be collected"},
		{"stale evidence", "ROW-01", []evidence.Stored{item(t, "test.rows", "r.csv", now.Add(-49*time.Hour), good)}, "(stale)"},
		{"evidence from the future", "ROW-01", []evidence.Stored{item(t, "test.rows", "r.csv", now.Add(time.Hour), good)}, "after the evaluation time"},
		{"policy yields nothing", "SIL-01", []evidence.Stored{item(t, "test.rows", "r.csv", now, good)}, "no verdict"},
		{"empty population yields nothing", "ROW-01", []evidence.Stored{item(t, "test.rows", "r.csv", now, []row{})}, "no verdict"},
		{"runtime error in policy", "BOOM-01", []evidence.Stored{item(t, "test.rows", "r.csv", now, good)}, "policy evaluation failed"},
		{"finding code without message", "UNC-01", []evidence.Stored{item(t, "test.rows", "r.csv", now, good)}, "code surprise has no message"},
		{"finding pointing at unknown evidence", "STRAY-01", []evidence.Stored{item(t, "test.rows", "r.csv", now, good)}, "is not an item this control read"},
		{"finding pointer outside the record", "BPTR-01", []evidence.Stored{item(t, "test.rows", "r.csv", now, good)}, "no element \"99\""},
		{"message placeholder without param", "HOLE-01", []evidence.Stored{item(t, "test.rows", "r.csv", now, good)}, "template needs {name}"},
	}
	// Both ways of evaluating: in memory (audit, verify's replay) and with the findings spooled
	// to disk (`shoko evaluate --evidence`), whose "no verdict" rests on counts, not on findings.
	ways := map[string]func(items ...evidence.Stored) *Results{
		"in memory": func(items ...evidence.Stored) *Results { return evaluate(t, cat, items...) },
		"spooled": func(items ...evidence.Stored) *Results {
			e, err := New(context.Background(), cat)
			if err != nil {
				t.Fatalf("new engine: %v", err)
			}
			res, err := e.EvaluateSpooled(context.Background(), items, run(), t.TempDir())
			if err != nil {
				t.Fatalf("evaluate spooled: %v", err)
			}
			t.Cleanup(func() { res.Close() })
			return res
		},
	}
	for _, way := range []string{"in memory", "spooled"} {
		for _, tc := range cases {
			t.Run(way+"/"+tc.name, func(t *testing.T) {
				res := ways[way](tc.items...)
				c := result(t, res, tc.control)
				if c.Status != StatusError {
					t.Fatalf("status = %s (%s), want error", c.Status, c.Reason.EN)
				}
				if !strings.Contains(c.Reason.EN, tc.reason) {
					t.Fatalf("reason = %q, want it to contain %q", c.Reason.EN, tc.reason)
				}
				var findings int
				for i := range res.Controls {
					if res.Controls[i].ID == tc.control {
						_ = res.EachFinding(i, func(Finding) error { findings++; return nil })
					}
				}
				if c.Reason.JA == "" || findings != 0 {
					t.Fatalf("an error result has a Japanese reason and no findings: %d findings, %+v", findings, c)
				}
			})
		}
	}
	// The same evidence, good and fresh, passes: the cases above fail for the reason they name.
	if c := result(t, evaluate(t, cat, item(t, "test.rows", "r.csv", now, good), item(t, "test.other", "o.csv", now, good)), "OTHER-01"); c.Status != StatusPass {
		t.Fatalf("control with all its evidence: %s (%s), want pass", c.Status, c.Reason.EN)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestAttestedAndNotApplicable(t *testing.T) {
	controls := map[string]string{
		"ATT-01.yaml": control("ATT-01", "attestation", rowsControlTail),
		"NA-01.yaml": strings.Replace(control("NA-01", "not_applicable", "evidence: []\nmessages:\n  none: {ja: 提供なし, en: none provided}\nnot_applicable_reason: {ja: 提供していません, en: not provided}\n"),
			"max_evidence_age: 2d\n", "", 1),
	}
	policies := map[string]string{
		"att_01.rego": rowsPolicyFor("ATT-01"),
		"na_01.rego":  "package shoko.controls.na_01\nfindings contains {\"status\": \"not_applicable\", \"code\": \"none\", \"params\": {}, \"resource\": \"svc\"}\n",
	}
	cat := testCatalog(t, controls, policies)
	res := evaluate(t, cat, item(t, "test.rows", "r.csv", now, []row{{"a", true}}))
	if c := result(t, res, "ATT-01"); c.Status != StatusAttested {
		t.Errorf("attestation control with passing findings: %s, want attested", c.Status)
	}
	if c := result(t, res, "NA-01"); c.Status != StatusNotApplicable || c.Reason.EN != "not provided" {
		t.Errorf("not applicable control: %s %q", c.Status, c.Reason.EN)
	}
	res = evaluate(t, cat, item(t, "test.rows", "r.csv", now, []row{{"a", false}}))
	if c := result(t, res, "ATT-01"); c.Status != StatusFail {
		t.Errorf("attestation control with a failing finding: %s, want fail", c.Status)
	}
}

func exceptionsItem(t *testing.T, recs ...map[string]any) evidence.Stored {
	t.Helper()
	it, err := evidence.NewOK("exceptions", map[string]string{"source": "exceptions", "file": "exceptions.yaml"}, now, evidence.CollectorInfo{Name: "records"}, nil, recs)
	if err != nil {
		t.Fatal(err)
	}
	return stored(t, it)
}

func exc(control, resource, approved, expires string) map[string]any {
	return map[string]any{"control": control, "resource": resource, "reason": "r", "approver": "委員会",
		"approved_at": approved, "expires_at": expires, "line": 2}
}

func TestExceptions(t *testing.T) {
	cat := testCatalog(t, nil, nil)
	rows := item(t, "test.rows", "r.csv", now, []row{{"emp-1", false}, {"emp-2", false}, {"ok", true}})
	cases := []struct {
		name   string
		excs   []map[string]any
		status string
		waived int
		states []string
	}{
		{"pattern covering every failure waives the control", []map[string]any{exc("ROW-01", "emp-*", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")}, StatusWaived, 2, []string{ExceptionApplied}},
		{"covering one of two failures leaves it failing", []map[string]any{exc("ROW-01", "emp-1", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")}, StatusFail, 1, []string{ExceptionApplied}},
		{"expired exception waives nothing", []map[string]any{exc("ROW-01", "emp-*", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z")}, StatusFail, 0, []string{ExceptionExpired}},
		{"future approval waives nothing", []map[string]any{exc("ROW-01", "emp-*", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")}, StatusFail, 0, []string{ExceptionNotYetValid}},
		{"other resource is unmatched", []map[string]any{exc("ROW-01", "db-*", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")}, StatusFail, 0, []string{ExceptionUnmatched}},
		{"unknown control is reported", []map[string]any{exc("NOPE-01", "*", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")}, StatusFail, 0, []string{ExceptionUnknownControl}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := evaluate(t, cat, rows, exceptionsItem(t, tc.excs...))
			c := result(t, res, "ROW-01")
			if c.Status != tc.status || c.Counts[StatusWaived] != tc.waived {
				t.Fatalf("status %s waived %d (%s), want %s %d", c.Status, c.Counts[StatusWaived], c.Reason.EN, tc.status, tc.waived)
			}
			var states []string
			for _, e := range res.Exceptions {
				states = append(states, e.State)
			}
			if strings.Join(states, ",") != strings.Join(tc.states, ",") {
				t.Fatalf("exception states %v, want %v", states, tc.states)
			}
		})
	}
	t.Run("exception never turns an error into a pass", func(t *testing.T) {
		errItem := stored(t, evidence.NewError("test.rows", map[string]string{"file": "r.csv"}, now, evidence.CollectorInfo{Name: "test"}, nil, errString("denied")))
		res := evaluate(t, cat, errItem, exceptionsItem(t, exc("ROW-01", "*", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")))
		if c := result(t, res, "ROW-01"); c.Status != StatusError {
			t.Fatalf("status %s, want error", c.Status)
		}
	})
}

func TestResultsAreDeterministic(t *testing.T) {
	cat := testCatalog(t, map[string]string{"ROW-02.yaml": control("ROW-02", "records", rowsControlTail)}, map[string]string{"row_02.rego": rowsPolicyFor("ROW-02")})
	var rows []row
	for i := 0; i < 200; i++ {
		rows = append(rows, row{Name: strings.Repeat("x", i%7) + string(rune('a'+i%26)), OK: i%3 != 0})
	}
	items := []evidence.Stored{item(t, "test.rows", "b.csv", now, rows), item(t, "test.rows", "a.csv", now, rows[:50])}
	var first []byte
	for i, par := range []int{1, 4, 1, 8} {
		e, err := New(context.Background(), cat, WithParallelism(par))
		if err != nil {
			t.Fatal(err)
		}
		in := items
		if i%2 == 1 {
			in = []evidence.Stored{items[1], items[0]}
		}
		res, err := e.Evaluate(context.Background(), in, run())
		if err != nil {
			t.Fatal(err)
		}
		b, err := res.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b
			continue
		}
		if !bytes.Equal(first, b) {
			t.Fatalf("evaluation %d (parallelism %d) differs from the first", i, par)
		}
	}
	var decoded map[string]any
	if err := json.Unmarshal(first, &decoded); err != nil || decoded["run_id"] == "" {
		t.Fatalf("results.json does not decode with a run_id: %v", err)
	}
}

// Optional evidence is read when collected and not required otherwise; collected with an error or
// stale, it still makes the control error.
func TestOptionalEvidence(t *testing.T) {
	policy := `package shoko.controls.opt_01
import data.shoko.lib
findings contains lib.pass("row_ok", {"name": sprintf("%d", [count(object.get(input.evidence, "test.other", []))])}, "x", lib.ref(input.evidence["test.rows"][0], "/data"))
`
	ctrl := control("OPT-01", "automated", strings.Replace(rowsControlTail, "evidence: [test.rows]", "evidence: [test.rows]\noptional_evidence: [test.other]", 1))
	cat := testCatalog(t, map[string]string{"OPT-01.yaml": ctrl}, map[string]string{"opt_01.rego": policy})
	rows := item(t, "test.rows", "r.csv", now, []row{{"a", true}})
	otherErr := stored(t, evidence.NewError("test.other", map[string]string{"file": "o.csv"}, now, evidence.CollectorInfo{Name: "test"}, nil, errString("denied")))
	cases := []struct {
		name   string
		items  []evidence.Stored
		status string
		seen   string
	}{
		{"absent optional evidence is not required", []evidence.Stored{rows}, StatusPass, "0"},
		{"collected optional evidence reaches the policy", []evidence.Stored{rows, item(t, "test.other", "o.csv", now, []row{})}, StatusPass, "1"},
		{"optional evidence collected with an error makes the control error", []evidence.Stored{rows, otherErr}, StatusError, ""},
		{"stale optional evidence makes the control error", []evidence.Stored{rows, item(t, "test.other", "o.csv", now.Add(-72*time.Hour), []row{})}, StatusError, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := result(t, evaluate(t, cat, tc.items...), "OPT-01")
			if c.Status != tc.status {
				t.Fatalf("status %s (%s), want %s", c.Status, c.Reason.EN, tc.status)
			}
			if tc.seen != "" && c.Findings[0].Params["name"] != tc.seen {
				t.Fatalf("policy saw %v items of the optional kind, want %s", c.Findings[0].Params["name"], tc.seen)
			}
		})
	}
}

// A stored run's id is given to the engine, so results.json names the run its directory, bundle
// and statement name; without one (a plain evidence directory) the id is derived from the
// evidence, the same for the same evidence.
func TestRunIDIsTheRunsOwnOrDerived(t *testing.T) {
	cat := testCatalog(t, nil, nil)
	it := item(t, "test.rows", "r.csv", now, []row{{"a", true}})
	e, err := New(context.Background(), cat)
	if err != nil {
		t.Fatal(err)
	}
	derived := regexp.MustCompile(`^r\d{8}T\d{6}Z-[0-9a-f]{12}$`)
	cases := []struct {
		name string
		id   string
		want func(string) bool
	}{
		{"a stored run keeps its id", "20261127T030000Z-1a2b3c4d", func(got string) bool { return got == "20261127T030000Z-1a2b3c4d" }},
		{"an evidence directory gets a derived id", "", derived.MatchString},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run()
			r.ID = tc.id
			res, err := e.Evaluate(context.Background(), []evidence.Stored{it}, r)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(res.RunID) {
				t.Fatalf("run_id %q", res.RunID)
			}
		})
	}
}

// TestOneBadExceptionKeepsTheOtherWaivers: a malformed entry once discarded the whole exceptions
// file, silently turning waived controls into fail. Now each entry is judged on its own: the
// valid waivers apply, the control a bad entry names is `error` with the cause, and a bad entry
// naming no control is a run-level problem.
func TestOneBadExceptionKeepsTheOtherWaivers(t *testing.T) {
	cat := testCatalog(t, map[string]string{"ROW-02.yaml": control("ROW-02", "records", rowsControlTail)}, map[string]string{"row_02.rego": rowsPolicyFor("ROW-02")})
	rows := item(t, "test.rows", "r.csv", now, []row{{"emp-1", false}, {"emp-2", false}, {"ok", true}})
	const cause = `exceptions.yaml:14: exception 2: field expires_at: "2027/01/31" is not an RFC 3339 time with a zone`
	good := func(control string) map[string]any {
		return exc(control, "emp-*", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")
	}
	bad := func(control string) map[string]any {
		e := exc(control, "emp-*", "2026-01-01T00:00:00Z", "2027/01/31")
		e["line"], e["problems"] = 8, []string{cause}
		return e
	}
	cases := []struct {
		name             string
		excs             []map[string]any
		row01, row02     string
		states           []string
		problem          string // of the second exception
		row02Reason      string // part of ROW-02's English reason
		runLevelProblems []string
	}{
		{name: "two valid entries waive both controls", excs: []map[string]any{good("ROW-01"), good("ROW-02")},
			row01: StatusWaived, row02: StatusWaived, states: []string{ExceptionApplied, ExceptionApplied}},
		{name: "a bad entry leaves the other waiver and makes its control error", excs: []map[string]any{good("ROW-01"), bad("ROW-02")},
			row01: StatusWaived, row02: StatusError, states: []string{ExceptionApplied, ExceptionInvalid}, problem: cause,
			row02Reason: "an exception for this control is invalid, so its verdict cannot be settled; fix or remove it: " + cause + ". Verdict without it: 2 of 3 findings fail"},
		{name: "a bad entry naming no control is a run-level problem", excs: []map[string]any{good("ROW-01"), bad("")},
			row01: StatusWaived, row02: StatusFail, states: []string{ExceptionApplied, ExceptionInvalid}, problem: cause + "; it names no control",
			runLevelProblems: []string{cause + "; it names no control"}},
		{name: "a bad entry naming an unknown control suggests the nearest", excs: []map[string]any{good("ROW-01"), bad("row-02")},
			row01: StatusWaived, row02: StatusFail, states: []string{ExceptionApplied, ExceptionInvalid},
			problem:          cause + `; "row-02" is not a control of the catalog (did you mean ROW-02?)`,
			runLevelProblems: []string{cause + `; "row-02" is not a control of the catalog (did you mean ROW-02?)`}},
		{name: "an entry the collector did not check is checked here", excs: []map[string]any{good("ROW-01"), exc("ROW-02", "emp-*", "2026-01-01T00:00:00Z", "2027/01/31")},
			row01: StatusWaived, row02: StatusError, states: []string{ExceptionApplied, ExceptionInvalid},
			problem: `exceptions.yaml:2: exception: field expires_at: "2027/01/31" is not an RFC 3339 time`, row02Reason: "Verdict without it: 2 of 3 findings fail"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := evaluate(t, cat, rows, exceptionsItem(t, tc.excs...))
			if c := result(t, res, "ROW-01"); c.Status != tc.row01 {
				t.Errorf("ROW-01 %s (%s), want %s", c.Status, c.Reason.EN, tc.row01)
			}
			c := result(t, res, "ROW-02")
			if c.Status != tc.row02 || !strings.Contains(c.Reason.EN, tc.row02Reason) {
				t.Errorf("ROW-02 %s (%s), want %s with %q", c.Status, c.Reason.EN, tc.row02, tc.row02Reason)
			}
			if tc.row02 == StatusError && (len(c.Findings) != 3 || !strings.Contains(c.Reason.JA, "例外に不備")) {
				t.Errorf("ROW-02 in error lost its findings or its Japanese reason: %d findings, %s", len(c.Findings), c.Reason.JA)
			}
			var states []string
			for _, e := range res.Exceptions {
				states = append(states, e.State)
			}
			if strings.Join(states, ",") != strings.Join(tc.states, ",") {
				t.Fatalf("exception states %v, want %v", states, tc.states)
			}
			if e := res.Exceptions[1]; e.Problem != tc.problem || e.Resource != "emp-*" {
				t.Errorf("second exception: problem %q resource %q, want %q and its resource", e.Problem, e.Resource, tc.problem)
			}
			if got := res.ExceptionProblems(); strings.Join(got, "\n") != strings.Join(tc.runLevelProblems, "\n") {
				t.Errorf("run-level problems %q, want %q", got, tc.runLevelProblems)
			}
		})
	}
	t.Run("an unreadable exceptions file is a run-level problem", func(t *testing.T) {
		broken := stored(t, evidence.NewError("exceptions", map[string]string{"source": "exceptions", "file": "exceptions.yaml"}, now,
			evidence.CollectorInfo{Name: "records"}, nil, errString("exceptions.yaml:3: did not find expected key")))
		res := evaluate(t, cat, rows, broken)
		if got := res.ExceptionProblems(); len(got) != 1 || !strings.Contains(got[0], "exceptions.yaml:3: did not find expected key") {
			t.Fatalf("run-level problems %q", got)
		}
	})
}
