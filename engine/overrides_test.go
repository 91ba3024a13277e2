package engine

import (
	"strings"
	"testing"
	"testing/fstest"
)

// A run stored before parameters declared their types (`limit: 3`) is still replayed as it was
// evaluated; a catalog being edited must declare them.
func TestUntypedParametersOnlyInStoredRuns(t *testing.T) {
	untyped := strings.Replace(control("ROW-01", "records", rowsControlTail), "{limit: {type: integer, value: 3}}", "{limit: 3}", 1)
	files := map[string][]byte{
		"catalog/controls/ROW-01.yaml":  []byte(untyped),
		"catalog/policies/lib/lib.rego": []byte(libRego),
		"catalog/policies/row_01.rego":  []byte(rowsPolicyFor("ROW-01")),
	}
	cat, err := LoadRunCatalog(files, []string{"test.rows"})
	if err != nil {
		t.Fatalf("the catalog of an old run: %v", err)
	}
	if c, _ := cat.Control("ROW-01"); c.Parameters["limit"] != 3 {
		t.Fatalf("limit = %v, want 3", c.Parameters["limit"])
	}
	_, err = LoadCatalog(CatalogSource{Controls: fstest.MapFS{"ROW-01.yaml": {Data: []byte(untyped)}}, ControlsName: "controls",
		Policies:     fstest.MapFS{"lib/lib.rego": {Data: []byte(libRego)}, "row_01.rego": {Data: []byte(rowsPolicyFor("ROW-01"))}},
		PoliciesName: "policies", KnownKinds: []string{"test.rows"}})
	if err == nil || !strings.Contains(err.Error(), "parameters.limit: declare its type and value") {
		t.Fatalf("an edited catalog with an untyped parameter: got %v", err)
	}
}

// Overrides change the catalog digest (what a run signs) and are checked against the declared
// type; an empty override changes nothing, digest included.
func TestOverrideChangesTheDigest(t *testing.T) {
	load := func() *Catalog {
		cat, err := LoadCatalog(CatalogSource{Controls: fstest.MapFS{"ROW-01.yaml": {Data: []byte(control("ROW-01", "records", rowsControlTail))}},
			ControlsName: "controls", Policies: fstest.MapFS{"lib/lib.rego": {Data: []byte(libRego)}, "row_01.rego": {Data: []byte(rowsPolicyFor("ROW-01"))}},
			PoliciesName: "policies", KnownKinds: []string{"test.rows"}})
		if err != nil {
			t.Fatal(err)
		}
		return cat
	}
	base := load().Digest()
	cases := []struct {
		name       string
		overrides  Overrides
		wantErr    string
		sameDigest bool
	}{
		{"no override", Overrides{}, "", true},
		{"a value of the declared type", Overrides{Parameters: map[string]map[string]any{"ROW-01": {"limit": 4}}}, "", false},
		{"a value of another type", Overrides{Parameters: map[string]map[string]any{"ROW-01": {"limit": 4.5}}},
			"shoko.yaml:1: parameters.ROW-01.limit: want an integer (0 or more), found 4.5", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cat := load()
			err := cat.Override(tc.overrides, "shoko.yaml", nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if same := cat.Digest() == base; same != tc.sameDigest {
				t.Fatalf("digest unchanged: %v, want %v", same, tc.sameDigest)
			}
			want := "limit is 3"
			if tc.overrides.Parameters != nil {
				want = "limit is 4"
			}
			if c, _ := cat.Control("ROW-01"); c.Fill(c.Claim, "en") != want {
				t.Fatalf("claim %q, want %q", c.Fill(c.Claim, "en"), want)
			}
		})
	}
}
