package service

import (
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
			names = append(names, f.name)
			prop := s.Properties[f.name]
			if prop == nil {
				t.Errorf("%s.%s: no property in the schema", e.path, f.name)
				continue
			}
			nullableDoc := isNullable(prop)
			if nullableDoc != (f.typ&tNullable != 0) {
				t.Errorf("%s.%s: nullable %v in the document, %v in the collector", e.path, f.name, nullableDoc, f.typ&tNullable != 0)
			}
			if f.typ&^tNullable == tEnum {
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
