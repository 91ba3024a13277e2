package engine

import (
	"strings"
	"testing"
	"testing/fstest"
)

// Each class of bad catalog input gives an error naming the file and line.
func TestCatalogRejectsBadInput(t *testing.T) {
	good := control("ROW-01", "records", rowsControlTail)
	cases := []struct {
		name     string
		controls map[string]string
		policies map[string]string
		want     string
	}{
		{"unknown key", map[string]string{"ROW-01.yaml": good + "colour: blue\n"}, nil,
			"controls/ROW-01.yaml:15: field colour not found"},
		{"wrong type", map[string]string{"ROW-01.yaml": strings.Replace(good, "evidence: [test.rows]", "evidence: {a: b}", 1)}, nil,
			"controls/ROW-01.yaml:11: cannot unmarshal !!map into []string"},
		{"duplicate key", map[string]string{"ROW-01.yaml": good + "severity: high\n"}, nil,
			`controls/ROW-01.yaml:15: mapping key "severity" already defined at line 7`},
		{"duplicate id", map[string]string{"ROW-02.yaml": good}, nil,
			"duplicate control id ROW-01"},
		{"file named for another id", map[string]string{"ROW-01.yaml": strings.Replace(good, "id: ROW-01", "id: ROW-09", 1)}, nil,
			"controls/ROW-01.yaml:1: control ROW-09 must be in a file named ROW-09.yaml"},
		{"control without policy", map[string]string{"NEW-01.yaml": control("NEW-01", "records", rowsControlTail)}, nil,
			"controls/NEW-01.yaml:1: control NEW-01 has no policy (expected package shoko.controls.new_01"},
		{"policy without control", nil, map[string]string{"orphan_01.rego": rowsPolicyFor("ORPHAN-01")},
			"policies/orphan_01.rego:1: policy package shoko.controls.orphan_01 has no control"},
		{"evidence kind no collector provides", map[string]string{"ROW-01.yaml": strings.Replace(good, "[test.rows]", "[aws.nothing.Here]", 1)}, nil,
			`controls/ROW-01.yaml:11: field evidence: no collector provides evidence kind "aws.nothing.Here"`},
		{"code used by policy without message", map[string]string{"ROW-01.yaml": strings.Replace(good, "  row_bad:", "  row_worse:", 1)}, nil,
			`policies/row_01.rego:8: finding code "row_bad" has no message in controls/ROW-01.yaml`},
		{"optional kind also required", map[string]string{"ROW-01.yaml": strings.Replace(good, "evidence: [test.rows]", "evidence: [test.rows]\noptional_evidence: [test.rows]", 1)}, nil,
			"controls/ROW-01.yaml:12: field optional_evidence: kind test.rows is listed twice or also in evidence"},
		{"optional kind no collector provides", map[string]string{"ROW-01.yaml": strings.Replace(good, "evidence: [test.rows]", "evidence: [test.rows]\noptional_evidence: [nope.kind]", 1)}, nil,
			`controls/ROW-01.yaml:12: field optional_evidence: no collector provides evidence kind "nope.kind"`},
		{"per_record kind the control does not read", map[string]string{"ROW-01.yaml": strings.Replace(good, "evidence: [test.rows]", "evidence: [test.rows]\nper_record: test.other", 1)}, nil,
			`controls/ROW-01.yaml:12: field per_record: "test.other" is not one of the control's evidence kinds`},
		{"bad enum", map[string]string{"ROW-01.yaml": strings.Replace(good, "severity: low", "severity: dire", 1)}, nil,
			`controls/ROW-01.yaml:7: field severity: "dire" is not one of low, medium, high, critical`},
		{"bad age", map[string]string{"ROW-01.yaml": strings.Replace(good, "max_evidence_age: 2d", "max_evidence_age: 2 weeks", 1)}, nil,
			`controls/ROW-01.yaml:9: max_evidence_age "2 weeks"`},
		{"claim placeholder that is no parameter", map[string]string{"ROW-01.yaml": strings.Replace(good, `"limit is {limit}"`, `"limit is {limt}"`, 1)}, nil,
			"controls/ROW-01.yaml:4: field claim: placeholder {limt} is not a parameter"},
		{"title placeholder that is no parameter", map[string]string{"ROW-01.yaml": strings.Replace(good, "title: {ja: 試験, en: Test}", "title: {ja: 試験, en: 'Test {limt}'}", 1)}, nil,
			"controls/ROW-01.yaml:2: field title: placeholder {limt} is not a parameter"},
		{"title writing a parameter's value", map[string]string{"ROW-01.yaml": strings.Replace(good, "title: {ja: 試験, en: Test}", "title: {ja: 試験, en: Test within 3 days}", 1)}, nil,
			"controls/ROW-01.yaml:2: field title.en: writes 3, the value of parameter limit, as a literal: write {limit}"},
		{"claim writing a parameter's value", map[string]string{"ROW-01.yaml": strings.Replace(good, `"上限は{limit}"`, `"上限は3日"`, 1)}, nil,
			"controls/ROW-01.yaml:4: field claim.ja: writes 3, the value of parameter limit, as a literal: write {limit}"},
		{"message writing a parameter's value", map[string]string{"ROW-01.yaml": strings.Replace(good, "is over the limit of {limit}", "is over the limit of 3.", 1)}, nil,
			"field messages.row_bad.en: writes 3, the value of parameter limit, as a literal: write {limit}"},
		{"message missing a language", map[string]string{"ROW-01.yaml": strings.Replace(good, `row_ok: {ja: "{name} は適合", en: "{name} is fine"}`, `row_ok: {en: "{name} is fine"}`, 1)}, nil,
			"controls/ROW-01.yaml:13: field messages.row_ok: both ja and en are required"},
		{"parameter of the wrong type", map[string]string{"ROW-01.yaml": strings.Replace(good, "value: 3}", `value: "seven"}`, 1)}, nil,
			`controls/ROW-01.yaml:10: parameters.limit: want an integer (0 or more), found "seven"`},
		{"parameter without a declared type", map[string]string{"ROW-01.yaml": strings.Replace(good, "{limit: {type: integer, value: 3}}", "{limit: 3}", 1)}, nil,
			"controls/ROW-01.yaml:10: parameters.limit: declare its type and value, like {type: integer, value: 8}"},
		{"parameter of an unknown type", map[string]string{"ROW-01.yaml": strings.Replace(good, "type: integer", "type: days", 1)}, nil,
			`controls/ROW-01.yaml:10: parameters.limit: type "days" is not one of integer, boolean, string, strings, integers, regions`},
		{"region list with a name that is no region", map[string]string{"ROW-01.yaml": strings.Replace(good, "{type: integer, value: 3}", "{type: regions, value: [ap-northeast-1, tokyo]}", 1)}, nil,
			`controls/ROW-01.yaml:10: parameters.limit: want a list of AWS regions (like ap-northeast-1), found "tokyo" at [1]`},
		{"policy syntax error", nil, map[string]string{"row_01.rego": "package shoko.controls.row_01\nfindings contains x if {\n"},
			"policies/row_01.rego:3: rego_parse_error"},
		{"policy without findings", nil, map[string]string{"row_01.rego": "package shoko.controls.row_01\nverdict := 1\n"},
			"policies/row_01.rego:1: policy shoko.controls.row_01 defines no `findings` rule"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfs := fstest.MapFS{"ROW-01.yaml": {Data: []byte(good)}}
			pfs := fstest.MapFS{"lib/lib.rego": {Data: []byte(libRego)}, "row_01.rego": {Data: []byte(rowsPolicyFor("ROW-01"))}}
			for k, v := range tc.controls {
				cfs[k] = &fstest.MapFile{Data: []byte(v)}
			}
			for k, v := range tc.policies {
				pfs[k] = &fstest.MapFile{Data: []byte(v)}
			}
			_, err := LoadCatalog(CatalogSource{Controls: cfs, ControlsName: "controls", Policies: pfs, PoliciesName: "policies", KnownKinds: []string{"test.rows"}})
			if err == nil {
				t.Fatalf("loaded; want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error:\n%v\nwant it to contain %q", err, tc.want)
			}
		})
	}
	t.Run("the good catalog loads", func(t *testing.T) {
		testCatalog(t, nil, nil)
	})
}

// The customer wording is checked like the claim: both languages, placeholders that are
// parameters, and an "unmet" sentence for every control that can fail.
func TestCatalogChecksCustomerWording(t *testing.T) {
	good := control("ROW-01", "records", rowsControlTail)
	cases := []struct {
		name, customer, want string // want "" = loads
	}{
		{"claim and unmet in both languages load", `customer:
  claim: {ja: "上限は {limit} 件です。", en: "The limit is {limit}."}
  unmet: {ja: "上限を超えています。", en: "The limit is exceeded."}
`, ""},
		{"unmet missing", `customer:
  claim: {ja: "上限は {limit} 件です。", en: "The limit is {limit}."}
`, "field customer.unmet: required"},
		{"claim missing English", `customer:
  claim: {ja: "上限は {limit} 件です。"}
  unmet: {ja: "超過", en: "exceeded"}
`, "field customer.claim: both ja and en are required"},
		{"parameter value written as a literal", `customer:
  claim: {ja: "上限は 3 件です。", en: "The limit is {limit}."}
  unmet: {ja: "超過", en: "exceeded"}
`, "field customer.claim.ja: writes 3, the value of parameter limit, as a literal: write {limit}"},
		{"placeholder that is no parameter", `customer:
  claim: {ja: "上限は {limt} 件です。", en: "The limit is {limt}."}
  unmet: {ja: "超過", en: "exceeded"}
`, "field customer.claim: placeholder {limt} is not a parameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfs := fstest.MapFS{"ROW-01.yaml": {Data: []byte(good + tc.customer)}}
			pfs := fstest.MapFS{"lib/lib.rego": {Data: []byte(libRego)}, "row_01.rego": {Data: []byte(rowsPolicyFor("ROW-01"))}}
			cat, err := LoadCatalog(CatalogSource{Controls: cfs, ControlsName: "controls", Policies: pfs, PoliciesName: "policies", KnownKinds: []string{"test.rows"}})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c, _ := cat.Control("ROW-01"); c.Customer == nil || c.Customer.Unmet == nil || c.Customer.Unmet.EN != "The limit is exceeded." {
					t.Errorf("customer wording not loaded: %+v", c.Customer)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// A title, claim or message renders its {param} placeholders from the control's parameters, and
// only a whole number equal to a parameter's value counts as writing it literally.
func TestFillAndLiteralParams(t *testing.T) {
	c := &Control{Title: Text{JA: "日次 {generations} 世代", EN: "daily, {generations} generations"},
		Parameters: map[string]any{"generations": 8, "min_version": "1.2", "classes": []any{"a", "b"}}}
	if got := c.FilledTitle(); got.JA != "日次 8 世代" || got.EN != "daily, 8 generations" {
		t.Errorf("FilledTitle = %+v", got)
	}
	if got := c.Fill(Text{JA: "{classes}", EN: "{classes}"}, "en"); got != "a, b" {
		t.Errorf("list in en = %q", got)
	}
	for _, tc := range []struct {
		text string
		want string
	}{
		{"kept 8 generations", "generations"},
		{"TLS 1.2 or higher", "min_version"},
		{"TLS 1.2.", "min_version"},
		{"kept {generations} generations", ""},
		{"ISO/IEC 27018 and 18 days", ""},
		{"TLS 1.23", ""},
		{"8.5 hours", ""},
	} {
		got := strings.Join(literalParams(tc.text, c.Parameters), ",")
		if got != tc.want {
			t.Errorf("literalParams(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
