package service

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// docs/evidence-api.yaml is what service teams implement and endpoints is what the collector
// enforces: the two must list the same paths, required fields, nullability and enums.
func TestContractMatchesOpenAPI(t *testing.T) {
	b, err := os.ReadFile("../../docs/evidence-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
		Comp    struct {
			Schemas map[string]struct {
				Required   []string                  `yaml:"required"`
				Properties map[string]map[string]any `yaml:"properties"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q, want 3.1.x", doc.OpenAPI)
	}
	schemaOf := map[string]string{
		KindTenants: "Tenant", KindAccounts: "Account", KindIncidents: "Incident", KindChanges: "Change",
		KindDisclosures: "Disclosure", KindCapabilities: "Capabilities",
	}
	if len(doc.Paths) != len(endpoints) {
		t.Errorf("%d paths in the document, %d in the collector", len(doc.Paths), len(endpoints))
	}
	for _, e := range endpoints {
		if _, ok := doc.Paths[e.path]; !ok {
			t.Errorf("%s: not in docs/evidence-api.yaml", e.path)
			continue
		}
		s := doc.Comp.Schemas[schemaOf[e.kind]]
		var names []string
		for _, f := range e.fields {
			if f.typ&tOptional == 0 {
				names = append(names, f.name)
			}
			prop := s.Properties[f.name]
			if prop == nil {
				t.Errorf("%s.%s: no property in the schema", e.path, f.name)
				continue
			}
			nullableDoc := isNullable(prop)
			if nullableDoc != (f.typ&tNullable != 0) {
				t.Errorf("%s.%s: nullable %v in the document, %v in the collector", e.path, f.name, nullableDoc, f.typ&tNullable != 0)
			}
			if f.typ&^(tNullable|tOptional) == tEnum {
				var docEnum []string
				for _, v := range prop["enum"].([]any) {
					docEnum = append(docEnum, v.(string))
				}
				if !slices.Equal(docEnum, f.enum) {
					t.Errorf("%s.%s: enum %v in the document, %v in the collector", e.path, f.name, docEnum, f.enum)
				}
			}
		}
		req := append([]string{}, s.Required...)
		slices.Sort(req)
		slices.Sort(names)
		if !slices.Equal(req, names) {
			t.Errorf("%s: required %v in the document, %v in the collector", e.path, req, names)
		}
	}
}

// isNullable reads a property's nullability: a NullableTime reference or a type list with null.
func isNullable(prop map[string]any) bool {
	if ref, ok := prop["$ref"].(string); ok {
		return strings.HasSuffix(ref, "/NullableTime")
	}
	if ts, ok := prop["type"].([]any); ok {
		return slices.Contains(ts, any("null"))
	}
	return false
}

// An optional field (a change's regions) may be left out; present, it is checked like any other.
func TestOptionalFieldMayBeOmittedNotMistyped(t *testing.T) {
	var changes endpoint
	for _, e := range endpoints {
		if e.kind == KindChanges {
			changes = e
		}
	}
	const base = `{"change_id":"CHG-1","kind":"data_location","customer_impact":true,"notified_at":"2026-03-01T09:00:00+09:00","effective_at":"2026-04-01T09:00:00+09:00"%s}`
	cases := []struct{ name, extra, want string }{
		{"omitted", ``, ""},
		{"regions named", `,"regions":["ap-southeast-1"]`, ""},
		{"empty list", `,"regions":[]`, ""},
		{"a string, not a list", `,"regions":"ap-southeast-1"`, `field regions: got "ap-southeast-1", want an array of strings`},
		{"a number in the list", `,"regions":[1]`, `field regions: got [1], want an array of strings`},
		{"null", `,"regions":null`, `field regions: null, want an array of strings`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := checkItem(changes, []byte(fmt.Sprintf(base, tc.extra)))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
