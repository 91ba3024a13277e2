package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/controls"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/policies"
)

// wholeEncoding is how results.json was written before Marshal went piece by piece: the format
// auditors' earlier runs were signed in.
func wholeEncoding(t *testing.T, r *Results) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestMarshalMatchesWholeEncoding(t *testing.T) {
	cat, err := LoadCatalog(CatalogSource{Controls: controls.FS, ControlsName: "controls", Policies: policies.FS,
		PoliciesName: "policies", KnownKinds: collectors.KnownKinds()})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(context.Background(), cat)
	if err != nil {
		t.Fatal(err)
	}
	items, err := evidence.LoadDir(filepath.Join("..", "testdata", "records-demo"))
	if err != nil {
		t.Fatal(err)
	}
	demo, err := e.Evaluate(context.Background(), items, run())
	if err != nil {
		t.Fatal(err)
	}
	odd := &Results{Schema: ResultsSchema, Summary: map[string]int{"pass": 1},
		Controls: []ControlResult{
			{ID: "A<&>", Findings: []Finding{}, Reason: Text{JA: "「不適合」\u2028", EN: "a <b> & \"c\""}},
			{ID: "B", Findings: nil, Counts: map[string]int{"fail": 2, "pass": 1}},
			{ID: "C", Findings: []Finding{{Status: "pass", Params: map[string]any{"z": 1, "a": []any{"x", nil}}},
				{Status: "fail", Params: map[string]any{}, Evidence: &FindingRef{Scope: map[string]string{"k": "v"}}}}},
		}}
	cases := []struct {
		name string
		res  *Results
	}{
		{"records demo evaluation", demo},
		{"empty results", &Results{}},
		{"no controls", &Results{Controls: []ControlResult{}, Exceptions: []ExceptionResult{}, Evidence: []EvidenceRef{}}},
		{"html, unicode, nil and empty findings", odd},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.res.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if want := wholeEncoding(t, tc.res); !bytes.Equal(got, want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Fatalf("differs at byte %d:\ngot  …%q\nwant …%q", i, got[max(0, i-40):min(len(got), i+40)], want[max(0, i-40):min(len(want), i+40)])
			}
		})
	}
}

// A value JSON cannot encode is an error, not a truncated file.
func TestMarshalReportsUnencodableValues(t *testing.T) {
	r := &Results{Controls: []ControlResult{{Findings: []Finding{{Params: map[string]any{"f": func() {}}}}}}}
	if _, err := r.Marshal(); err == nil {
		t.Fatal("want an error for a function value in params")
	}
	ok := &Results{Controls: []ControlResult{{Findings: []Finding{{Params: map[string]any{"n": 1}}}}}}
	if _, err := ok.Marshal(); err != nil {
		t.Fatal(err)
	}
}

func TestRenderMessage(t *testing.T) {
	e := &Engine{templates: map[string]*messageTemplate{}}
	params := map[string]any{"a": "x", "n": json.Number("3"), "none": nil, "list": []any{"p", "q"}}
	cases := []struct{ tmpl, want, err string }{
		{"no placeholders", "no placeholders", ""},
		{"{a}{n}", "x3", ""},
		{"「{a}」は {n} 日（上限 {none}）", "「x」は 3 日（上限 —）", ""},
		{"list: {list}.", "list: p, q.", ""},
		{"{a} and {b} and {c}", "", "template needs {b}, {c}"},
		{"{}", "", "template needs {}"},
	}
	for _, tc := range cases {
		got, err := e.render(tc.tmpl, params)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("render(%q) = %q, %v; want error %q", tc.tmpl, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("render(%q) = %q, %v; want %q", tc.tmpl, got, err, tc.want)
		}
	}
}
