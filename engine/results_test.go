package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
		{"with remediations", &Results{Controls: []ControlResult{}, Exceptions: []ExceptionResult{}, Evidence: []EvidenceRef{},
			Remediations: []RemediationResult{{Control: "TLS-01", Summary: Text{JA: "更新<します>", EN: "update & fix"}, TargetDate: "2027-01-15", State: RemediationOpen}}}},
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
		// The control's parameters fill what the finding's params lack; the finding's win.
		{"TLS {min_version}, {a}", "TLS 1.2, x", ""},
		{"{a} {min_versoin}", "", "template needs {min_versoin}"},
		// A text parameter ({ja, en}) gives the template's language, never both as JSON.
		{"{service_name} offers no utilities", "Sonar Service offers no utilities", ""},
	}
	controlParams := map[string]any{"min_version": "1.2", "a": "not this", "service_name": map[string]any{"ja": "ソナーサービス", "en": "Sonar Service"}}
	for _, tc := range cases {
		got, err := e.render(tc.tmpl, "en", params, controlParams)
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

// The hand-written fast paths of Marshal give encoding/json's bytes for every value they take,
// including the strings, numbers and times they must hand back to encoding/json.
func TestMarshalFastPathsMatchEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "plain", "日本語の文", "<&>", "quote\"d", `back\slash`, "tab\tnew\nline", "nul\x00", "del\x7f",
		"bad utf8 \xff\xfe", "sep\u2028para\u2029", "emoji 😀", "\ufffd literal", "/data/12"}
	nums := []json.Number{"0", "-1", "3.25", "1e3", "-0.5E-7", "42"}
	var value func(depth int) any
	value = func(depth int) any {
		switch k := rng.IntN(9); {
		case k == 0:
			return nil
		case k == 1:
			return rng.IntN(2) == 0
		case k == 2:
			return nums[rng.IntN(len(nums))]
		case k == 3 && depth < 3:
			l := make([]any, rng.IntN(3))
			for i := range l {
				l[i] = value(depth + 1)
			}
			return l
		case k == 4 && depth < 3:
			m := map[string]any{}
			for i := rng.IntN(3); i > 0; i-- {
				m[strs[rng.IntN(len(strs))]] = value(depth + 1)
			}
			return m
		case k == 5:
			return 1.5 // a type the fast path leaves to encoding/json
		default:
			return strs[rng.IntN(len(strs))]
		}
	}
	str := func() string { return strs[rng.IntN(len(strs))] }
	times := []time.Time{{}, time.Date(2026, 11, 27, 3, 0, 0, 123456789, time.UTC),
		time.Date(2026, 4, 1, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))}
	for round := 0; round < 200; round++ {
		var findings []Finding
		for i := rng.IntN(4); i > 0; i-- {
			f := Finding{Status: str(), Code: str(), Resource: str(), Message: Text{JA: str(), EN: str()}}
			if rng.IntN(4) > 0 {
				f.Params = map[string]any{}
				for j := rng.IntN(4); j > 0; j-- {
					f.Params[str()] = value(0)
				}
			}
			if rng.IntN(2) == 0 {
				f.Evidence = &FindingRef{Kind: str(), Digest: str(), Path: str(), Pointer: str()}
				if rng.IntN(3) > 0 {
					f.Evidence.Scope = map[string]string{str(): str(), str(): str()}
				}
			}
			if rng.IntN(3) == 0 {
				n := rng.IntN(3)
				f.Exception = &n
			}
			findings = append(findings, f)
		}
		var refs []EvidenceRef
		for i := rng.IntN(3); i > 0; i-- {
			refs = append(refs, EvidenceRef{Kind: str(), Path: str(), Digest: str(), Scope: map[string]string{"source": str()},
				CollectedAt: times[rng.IntN(len(times))], Status: str()})
		}
		res := &Results{Schema: str(), Controls: []ControlResult{{ID: str(), Findings: findings, Evidence: refs,
			Title: Text{JA: str(), EN: str()}, Counts: map[string]int{"pass": rng.IntN(5)}}}, Evidence: refs}
		got, err := res.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if want := wholeEncoding(t, res); !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Fatalf("round %d differs at byte %d:\ngot  …%q\nwant …%q", round, i, got[max(0, i-60):min(len(got), i+60)], want[max(0, i-60):min(len(want), i+60)])
		}
	}
}

func TestValidNumber(t *testing.T) {
	for s, want := range map[string]bool{"0": true, "-0": true, "12": true, "1.5": true, "1e9": true, "-2.5E+3": true,
		"": false, "01": false, "1.": false, ".5": false, "+1": false, "1e": false, "Inf": false, "0x10": false, "1_000": false, "- 1": false} {
		if validNumber(s) != want {
			t.Errorf("validNumber(%q) = %v, want %v", s, !want, want)
		}
	}
}

// failAfter is a writer that takes n bytes, then fails, as a full disk does.
type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, errors.New("no space left on device")
	}
	f.n -= len(p)
	return len(p), nil
}

// Write streams exactly Marshal's bytes, in pieces; a writer that fails part-way is an error,
// never a silently short results.json.
func TestWriteStreamsMarshalsBytes(t *testing.T) {
	var findings []Finding
	for i := 0; i < 2000; i++ { // a few hundred kilobytes: several pieces
		findings = append(findings, Finding{Status: "pass", Code: "c", Resource: fmt.Sprintf("r%04d", i),
			Params: map[string]any{"i": json.Number(fmt.Sprint(i))}, Message: Text{JA: "適合", EN: "ok"}})
	}
	res := &Results{Schema: ResultsSchema, Controls: []ControlResult{{ID: "A", Findings: findings}, {ID: "B", Findings: []Finding{}}}}
	var pieces int
	counting := writerFunc(func(p []byte) (int, error) { pieces++; return len(p), nil })
	if err := res.Write(counting); err != nil {
		t.Fatal(err)
	}
	var streamed bytes.Buffer
	if err := res.Write(&streamed); err != nil {
		t.Fatal(err)
	}
	if want := wholeEncoding(t, res); !bytes.Equal(streamed.Bytes(), want) || pieces < 3 {
		t.Fatalf("streamed %d bytes in %d pieces, want %d bytes in several", streamed.Len(), pieces, len(want))
	}
	if err := res.Write(&failAfter{n: 100 << 10}); err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("error %v, want the writer's", err)
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
