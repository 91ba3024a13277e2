package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/internal/testenv"
)

func TestInputCheckRefusesBadInput(t *testing.T) {
	cases := []struct {
		name   string
		change func(in *Input)
		want   string // "" means the input is fine
	}{
		{"a real evaluation is fine", func(*Input) {}, ""},
		{"english is fine", func(in *Input) { in.Lang = "en" }, ""},
		{"no results", func(in *Input) { in.Results = nil }, "no results"},
		{"no catalog", func(in *Input) { in.Catalog = nil }, "no catalog"},
		{"unknown language", func(in *Input) { in.Lang = "fr" }, `language "fr"`},
		{"no generation time", func(in *Input) { in.GeneratedAt = time.Time{} }, "generated-at is not set"},
		{"wrong results schema", func(in *Input) { in.Results.Schema = "other/v9" }, `results schema "other/v9"`},
		{"bad evaluation time", func(in *Input) { in.Results.Now = "yesterday" }, `now "yesterday"`},
		{"unknown status", func(in *Input) { in.Results.Controls[0].Status = "great" }, `unknown status "great"`},
		{"control missing from the catalog", func(in *Input) { in.Results.Controls[0].ID = "ZZZ-99" }, "ZZZ-99 is in the results but not in the catalog"},
		{"control listed twice", func(in *Input) { in.Results.Controls[1].ID = in.Results.Controls[0].ID }, "twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := demoInput(t, "ja")
			tc.change(in)
			for _, r := range append(Renderers(), Text{}) {
				err := r.Render(&bytes.Buffer{}, in)
				switch {
				case tc.want == "" && err != nil:
					t.Fatalf("%s: %v", r.Format(), err)
				case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
					t.Fatalf("%s: error %v, want one containing %q", r.Format(), err, tc.want)
				}
			}
		})
	}
}

// Two renders of the same input are byte-identical, in every format and language, for a real
// evaluation and for the large synthetic one.
func TestRendersAreByteIdentical(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		for name, in := range map[string]*Input{"demo": demoInput(t, lang), "synthetic": syntheticInput(12, 200, lang)} {
			for _, r := range append(Renderers(), Text{Written: []string{"out/a.pdf"}}) {
				a, b := render(t, r, in), render(t, r, in)
				if !bytes.Equal(a, b) {
					t.Errorf("%s %s %s: two renders differ", name, lang, r.Format())
				}
			}
		}
	}
	// The generation time is the only clock a PDF carries: another time gives another PDF.
	in := demoInput(t, "ja")
	a := render(t, AuditPDF{}, in)
	in.GeneratedAt = in.GeneratedAt.Add(time.Hour)
	if bytes.Equal(a, render(t, AuditPDF{}, in)) {
		t.Error("the PDF does not change with the generation time: its creation date is not the input's")
	}
}

func TestJSONIsTheCanonicalResults(t *testing.T) {
	in := demoInput(t, "ja")
	want, err := in.Results.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got := render(t, JSON{}, in); !bytes.Equal(got, want) {
		t.Fatal("json differs from results.json")
	}
}

func TestTextSummary(t *testing.T) {
	in := demoInput(t, "en")
	plain := string(render(t, Text{Written: []string{"out/audit-report.en.pdf"}}, in))
	for _, want := range []string{"AUD-01", "Pass", "CERT-01", "Error", "Internal audit at least once a year", "out/audit-report.en.pdf", in.Results.RunID} {
		if !strings.Contains(plain, want) {
			t.Errorf("summary lacks %q:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "\x1b[") {
		t.Error("colour codes without Color")
	}
	if colored := string(render(t, Text{Color: true}, in)); !strings.Contains(colored, "\x1b[32m") {
		t.Error("no colour with Color")
	}
	// Japanese labels are double width: the FAIL/ALL column still lines up.
	ja := string(render(t, Text{}, demoInput(t, "ja")))
	col := -1
	for _, line := range strings.Split(ja, "\n")[1:15] {
		i := strings.Index(line, "/")
		w := displayWidth(line[:i])
		if col >= 0 && w != col {
			t.Fatalf("columns do not line up:\n%s", ja)
		}
		col = w
	}
}

// The OSCAL document validates against the 1.1.3 assessment-results model's required fields and
// types (closed objects, non-empty arrays), and the validator rejects the mistakes it is there
// to catch.
func TestOSCALValidates(t *testing.T) {
	schema := compileOSCALSchema(t)
	valid := func(t *testing.T, doc []byte) error {
		t.Helper()
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		return schema.Validate(v)
	}
	for name, in := range map[string]*Input{"demo": demoInput(t, "ja"), "demo-en": demoInput(t, "en"), "synthetic": syntheticInput(50, 1000, "ja")} {
		t.Run(name, func(t *testing.T) {
			doc := render(t, OSCAL{}, in)
			if err := valid(t, doc); err != nil {
				t.Fatalf("invalid OSCAL: %v", err)
			}
			var d oscalDoc
			if err := json.Unmarshal(doc, &d); err != nil {
				t.Fatal(err)
			}
			res := d.AssessmentResults.Results[0]
			// One finding per control in scope: a control not in scope was not reviewed.
			inScope := len(in.Results.Controls) - in.Results.Summary[engine.StatusNotInScope]
			if len(res.Findings) != inScope || len(res.ReviewedControls.ControlSelections[0].IncludeControls) != inScope {
				t.Errorf("%d findings for %d controls in scope", len(res.Findings), inScope)
			}
			if len(res.Observations) != len(in.Results.Evidence) {
				t.Errorf("%d observations for %d evidence items", len(res.Observations), len(in.Results.Evidence))
			}
			if d.AssessmentResults.Metadata.OSCALVersion != "1.1.3" {
				t.Errorf("oscal-version %s", d.AssessmentResults.Metadata.OSCALVersion)
			}
		})
	}
	mutations := []struct {
		name   string
		mutate func(m map[string]any)
	}{
		{"an unknown property", func(m map[string]any) { result(m)["bogus"] = true }},
		{"an empty array", func(m map[string]any) { result(m)["observations"] = []any{} }},
		{"a missing required field", func(m map[string]any) { delete(result(m), "reviewed-controls") }},
		{"a state OSCAL does not have", func(m map[string]any) {
			result(m)["findings"].([]any)[0].(map[string]any)["target"].(map[string]any)["status"] = map[string]any{"state": "not-applicable"}
		}},
		{"a uuid that is not one", func(m map[string]any) { m["assessment-results"].(map[string]any)["uuid"] = "AUD-01" }},
		{"a value with surrounding spaces", func(m map[string]any) {
			result(m)["props"] = []any{map[string]any{"name": "x", "value": " padded "}}
		}},
	}
	for _, mu := range mutations {
		t.Run("rejects "+mu.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(render(t, OSCAL{}, demoInput(t, "ja")), &m); err != nil {
				t.Fatal(err)
			}
			mu.mutate(m)
			b, _ := json.Marshal(m)
			if err := valid(t, b); err == nil {
				t.Fatal("the validator accepted it")
			}
		})
	}
}

func result(m map[string]any) map[string]any {
	return m["assessment-results"].(map[string]any)["results"].([]any)[0].(map[string]any)
}

func compileOSCALSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	const path = "testdata/oscal-assessment-results-1.1.3-subset.schema.json"
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// trestle validates the OSCAL document against the complete model (compliance-trestle 3.x, the
// OSCAL 1.1.x line), where it is installed: on PATH or in the project's .venv.
func TestOSCALPassesTrestle(t *testing.T) {
	bin, err := exec.LookPath("trestle")
	if err != nil {
		venv := filepath.Join(testenv.RepoRoot(), ".venv", "bin", "trestle")
		if _, statErr := os.Stat(venv); statErr != nil {
			testenv.Missing(t, "trestle (pip install 'compliance-trestle>=3,<4')", err)
		}
		bin = venv
	}
	ws := t.TempDir()
	cmd := exec.Command(bin, "init")
	cmd.Dir = ws
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("trestle init: %v\n%s", err, out)
	}
	for name, doc := range map[string][]byte{
		"valid":   render(t, OSCAL{}, syntheticInput(20, 100, "ja")),
		"invalid": bytes.Replace(render(t, OSCAL{}, demoInput(t, "ja")), []byte(`"reviewed-controls"`), []byte(`"bogus": 1, "reviewed-controls"`), 1),
	} {
		dir := filepath.Join(ws, "assessment-results", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "assessment-results.json")
		if err := os.WriteFile(file, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "validate", "-f", file)
		cmd.Dir = ws
		out, _ := cmd.CombinedOutput()
		ok := bytes.Contains(out, []byte("VALID: Model"))
		if ok != (name == "valid") {
			t.Errorf("trestle validate on the %s document:\n%s", name, out)
		}
	}
}

func TestSectionsFollowThePaper(t *testing.T) {
	cases := []struct {
		section string
		want    string // the paper heading it is filed under; "" when the paper lacks it
	}{
		{"情報セキュリティのパフォーマンス評価", "情報セキュリティのパフォーマンス評価"},
		{"ログ (時刻同期)", "ログ"},
		{"暗号化機能に対する規制", "暗号化機能に対する規制"},
		{"PII の第三者提供", "個人識別情報 (PII) の第三者提供"},
		{"クラウドコンピューティングのための情報セキュリティ方針", "クラウドコンピューティングに関する情報セキュリティ方針"},
		{"第3者認証", "第3者認証"},
		{"宇宙ステーション", ""},
	}
	for _, tc := range cases {
		t.Run(tc.section, func(t *testing.T) {
			pos, ok := locate(tc.section)
			got := ""
			if ok {
				ch := paperStructure[pos.Chapter]
				got = ch.Title.JA
				if pos.Section >= 0 {
					got = ch.Sections[pos.Section].JA
				}
			}
			if got != tc.want {
				t.Fatalf("filed under %q, want %q", got, tc.want)
			}
		})
	}
	// The demo's controls come out in the paper's order: POL-01 (policy) before AUD-01
	// (performance evaluation) before CERT-01 (certification, the last chapter).
	var order []string
	for _, g := range bySection(demoInput(t, "ja").items(), false) {
		for _, it := range g.Items {
			order = append(order, it.Result.ID)
		}
	}
	joined := strings.Join(order, " ")
	if !(strings.Index(joined, "POL-01") < strings.Index(joined, "AUD-01") && strings.Index(joined, "AUD-01") < strings.Index(joined, "CERT-01")) {
		t.Errorf("controls not in the paper's order: %s", joined)
	}
}

func TestClaimsAreFilledFromParameters(t *testing.T) {
	in := demoInput(t, "ja")
	cert, _ := in.Catalog.Control("CERT-01")
	cases := []struct {
		lang, want string
	}{
		{"ja", "ISO/IEC 27001、ISO/IEC 27017、ISO/IEC 27018"},
		{"en", "ISO/IEC 27001, ISO/IEC 27017, ISO/IEC 27018"},
	}
	for _, tc := range cases {
		got := fillClaim(cert, tc.lang)
		if !strings.Contains(got, tc.want) || strings.Contains(got, "{") {
			t.Errorf("%s claim %q does not contain %q", tc.lang, got, tc.want)
		}
	}
}

// Results with no controls and no evidence still render in every format, and the OSCAL document
// omits its empty arrays rather than writing [].
func TestEmptyResultsRender(t *testing.T) {
	in := syntheticInput(0, 0, "ja")
	for _, r := range append(Renderers(), Text{}) {
		if len(render(t, r, in)) == 0 {
			t.Errorf("%s: empty output", r.Format())
		}
	}
	doc := render(t, OSCAL{}, in)
	if bytes.Contains(doc, []byte("[]")) {
		t.Errorf("an empty array in the OSCAL document:\n%s", doc)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := compileOSCALSchema(t).Validate(v); err != nil {
		t.Errorf("invalid OSCAL: %v", err)
	}
}

// An invalid exception shows its cause (file:line and the field) in the terminal summary, not
// only "invalid" beside a blank control: the reader fixes the entry from the summary alone.
func TestTextSummaryNamesWhyAnExceptionIsInvalid(t *testing.T) {
	in := demoInput(t, "en")
	res := *in.Results
	res.Exceptions = append([]engine.ExceptionResult{}, res.Exceptions...)
	res.Exceptions = append(res.Exceptions, engine.ExceptionResult{Control: "AUD-01", Resource: "IA-2026-01",
		State: engine.ExceptionInvalid, Source: "exceptions.yaml#line=20",
		Problem: `exceptions.yaml:20: exception 3: field expires_at: "2027/03/31" is not an RFC 3339 time`})
	in.Results = &res
	plain := string(render(t, Text{}, in))
	for _, want := range []string{"AUD-01 IA-2026-01", `exceptions.yaml:20: exception 3: field expires_at: "2027/03/31"`} {
		if !strings.Contains(plain, want) {
			t.Errorf("summary lacks %q:\n%s", want, plain)
		}
	}
}
