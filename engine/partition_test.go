package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/controls"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/policies"
)

// perRecordTail is the rows control judged record by record, with a population check.
const perRecordTail = `evidence: [test.rows]
per_record: test.rows
messages:
  row_ok: {ja: "{name} は適合", en: "{name} is fine"}
  row_bad: {ja: "{name} は上限 {limit} を超過", en: "{name} is over the limit of {limit}"}
  no_rows: {ja: "行がありません", en: "no rows at all"}
`

// populationPolicy adds to the rows policy a finding about the population as a whole.
const populationPolicy = `
population_findings contains lib.fail("no_rows", {}, "all", lib.ref(item, "/data")) if {
	not any_row
	some item in input.evidence["test.rows"]
}
any_row if {
	some item in input.evidence["test.rows"]
	some _ in item.data
}
`

func rowsItems(t *testing.T, sizes ...int) []evidence.Stored {
	var items []evidence.Stored
	n := 0
	for f, size := range sizes {
		rows := []row{}
		for i := 0; i < size; i++ {
			rows = append(rows, row{Name: fmt.Sprintf("r%03d", n), OK: n%4 != 0})
			n++
		}
		items = append(items, item(t, "test.rows", fmt.Sprintf("f%02d.csv", f), now, rows))
	}
	return items
}

// Evaluating a per_record control on parts of its records, whatever their size, gives exactly
// the result of one evaluation on everything, and every finding's pointer names its own record
// in the stored item (the part's row index is turned back into the item's).
func TestPerRecordPartsMatchOneEvaluation(t *testing.T) {
	whole := testCatalog(t, map[string]string{"PR-01.yaml": control("PR-01", "records", strings.Replace(perRecordTail, "per_record: test.rows\n", "", 1))},
		map[string]string{"pr_01.rego": rowsPolicyFor("PR-01") + populationPolicy})
	parted := testCatalog(t, map[string]string{"PR-01.yaml": control("PR-01", "records", perRecordTail)},
		map[string]string{"pr_01.rego": rowsPolicyFor("PR-01") + populationPolicy})
	items := rowsItems(t, 10, 0, 23, 1, 5)
	want := controlJSON(t, evaluateWith(t, whole, items), "PR-01")
	for i, partRows := range []int{1, 2, 3, 7, 10, 39, 4096} {
		par := 1 + i%3*3 // 1, 4, 7: parts evaluated in any order
		t.Run(fmt.Sprintf("parts of %d, parallelism %d", partRows, par), func(t *testing.T) {
			res := evaluateWith(t, parted, items, withPartRows(partRows), WithParallelism(par))
			if got := controlJSON(t, res, "PR-01"); got != want {
				t.Fatalf("differs from one evaluation:\ngot  %.600s\nwant %.600s", got, want)
			}
			c := result(t, res, "PR-01")
			if c.Status != StatusFail || len(c.Findings) != 39 {
				t.Fatalf("status %s with %d findings, want fail with 39", c.Status, len(c.Findings))
			}
			for _, f := range c.Findings {
				if got := recordName(t, items, f.Evidence); got != f.Resource {
					t.Fatalf("finding about %s points at %s (%s)", f.Resource, got, f.Evidence.Pointer)
				}
			}
		})
	}
}

// population_findings sees every record once: a workforce of empty files fails as a whole (not
// `error`), and has no such finding when any part has a record.
func TestPopulationFindings(t *testing.T) {
	cat := testCatalog(t, map[string]string{"PR-01.yaml": control("PR-01", "records", perRecordTail)},
		map[string]string{"pr_01.rego": rowsPolicyFor("PR-01") + populationPolicy})
	cases := []struct {
		name      string
		sizes     []int
		want      string
		wantCodes string
	}{
		{"only empty files fail as a population", []int{0, 0}, StatusFail, "no_rows,no_rows"},
		{"a record in the last file", []int{0, 0, 1}, StatusFail, "row_bad"},
		{"records in several parts", []int{3, 3}, StatusFail, "row_bad,row_ok,row_ok,row_ok,row_bad,row_ok"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := result(t, evaluateWith(t, cat, rowsItems(t, tc.sizes...), withPartRows(2)), "PR-01")
			var codes []string
			for _, f := range c.Findings {
				codes = append(codes, f.Code)
			}
			if c.Status != tc.want || strings.Join(codes, ",") != tc.wantCodes {
				t.Fatalf("status %s codes %v (%s), want %s %s", c.Status, codes, c.Reason.EN, tc.want, tc.wantCodes)
			}
		})
	}
}

// A per_record policy must point at records; one that points elsewhere inside an item is an
// invalid finding (error), as is a failing part among good ones.
func TestPerRecordFailsClosed(t *testing.T) {
	badPointer := strings.Replace(rowsPolicyFor("PR-01"), `sprintf("/data/%d", [i])`, `"/data/x"`, 1)
	badPart := strings.Replace(rowsPolicyFor("PR-01"), "	row.ok\n", "	row.ok\n	to_number(row.name) > 0\n", 1)
	cases := []struct{ name, policy, want string }{
		{"pointer that is no record", badPointer, "is invalid: code row_ok: evidence pointer"},
		{"runtime error in one part", badPart, "policy evaluation failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cat := testCatalog(t, map[string]string{"PR-01.yaml": control("PR-01", "records", perRecordTail)},
				map[string]string{"pr_01.rego": tc.policy})
			c := result(t, evaluateWith(t, cat, rowsItems(t, 5, 5), withPartRows(3)), "PR-01")
			if c.Status != StatusError || !strings.Contains(c.Reason.EN, tc.want) || len(c.Findings) != 0 {
				t.Fatalf("status %s (%s), %d findings; want error containing %q", c.Status, c.Reason.EN, len(c.Findings), tc.want)
			}
		})
	}
}

func TestShiftRow(t *testing.T) {
	cases := []struct {
		pointer string
		off     int
		want    string
		ok      bool
	}{
		{"/data/0", 4096, "/data/4096", true},
		{"/data/3/name", 10, "/data/13/name", true},
		{"/data/3/", 10, "/data/13/", true},
		{"/data", 10, "/data", true},
		{"/data/x", 10, "", false},
		{"/data/01", 10, "", false},
		{"/data/-1", 10, "", false},
		{"/other/1", 10, "", false},
	}
	for _, tc := range cases {
		got, err := shiftRow(tc.pointer, tc.off)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("shiftRow(%q, %d) = %q, %v; want %q (ok %v)", tc.pointer, tc.off, got, err, tc.want, tc.ok)
		}
	}
}

func evaluateWith(t *testing.T, cat *Catalog, items []evidence.Stored, opts ...Option) *Results {
	t.Helper()
	e, err := New(context.Background(), cat, opts...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Evaluate(context.Background(), items, run())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func controlJSON(t *testing.T, res *Results, id string) string {
	t.Helper()
	b, err := json.Marshal(result(t, res, id))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// recordName is the name of the record a finding points at, read from the stored item.
func recordName(t *testing.T, items []evidence.Stored, ref *FindingRef) string {
	t.Helper()
	for _, it := range items {
		if it.Digest != ref.Digest {
			continue
		}
		var data any
		if err := json.Unmarshal(it.Data, &data); err != nil {
			t.Fatal(err)
		}
		i := 0
		fmt.Sscanf(strings.TrimPrefix(ref.Pointer, "/data/"), "%d", &i)
		return data.([]any)[i].(map[string]any)["name"].(string)
	}
	t.Fatalf("no item %s", ref.Digest)
	return ""
}

// Every per_record control of the real catalog keeps its promise on the records demo: parts of
// one record give the same results as one evaluation of everything.
func TestCatalogPerRecordControlsAreRowLocal(t *testing.T) {
	cat, err := LoadCatalog(CatalogSource{Controls: controls.FS, ControlsName: "controls", Policies: policies.FS,
		PoliciesName: "policies", KnownKinds: collectors.KnownKinds()})
	if err != nil {
		t.Fatal(err)
	}
	items, err := evidence.LoadDir(filepath.Join("..", "testdata", "records-demo"))
	if err != nil {
		t.Fatal(err)
	}
	perRecord := 0
	for _, c := range cat.Controls {
		if c.PerRecord != "" {
			perRecord++
		}
	}
	if perRecord == 0 {
		t.Fatal("no per_record control in the catalog: this test checks nothing")
	}
	one := evaluateWith(t, cat, items, withPartRows(1<<30))
	parts := evaluateWith(t, cat, items, withPartRows(1))
	a, err := one.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	b, err := parts.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatal("evaluating per_record controls one record at a time changes the results")
	}
	if c := result(t, parts, "TRN-01"); len(c.Findings) < 2 {
		t.Fatalf("TRN-01 has %d findings on the records demo; want several, to compare parts", len(c.Findings))
	}
}
