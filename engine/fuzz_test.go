package engine

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/shoko-audit/shoko/controls"
)

// FuzzLoadCatalog feeds arbitrary bytes as a control file: loading must never panic, and
// whatever loads must satisfy the invariants the engine relies on.
func FuzzLoadCatalog(f *testing.F) {
	f.Add([]byte(control("ROW-01", "records", rowsControlTail)))
	aud, err := controls.FS.ReadFile("AUD-01.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(strings.ReplaceAll(string(aud), "AUD-01", "ROW-01")))
	f.Add([]byte("id: ROW-01\nid: ROW-01\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("id: [\n"))
	// No recursive-alias seed: yaml.v3 refuses such documents, but each mutation of one spends
	// about a second in its alias-bomb guard and starves the fuzzer.
	f.Add([]byte("---\nid: ROW-01\n---\nid: ROW-02\n"))
	known := map[string]bool{"test.rows": true}
	f.Fuzz(func(t *testing.T, b []byte) {
		// The YAML decoding is the surface bad input meets; the Rego side is fixed here.
		c, problems := decodeControl("controls/ROW-01.yaml", b, known, false)
		for _, p := range problems {
			if !strings.HasPrefix(p, "controls/ROW-01.yaml") {
				t.Fatalf("problem does not name the file: %s", p)
			}
		}
		if c == nil || len(problems) > 0 {
			return
		}
		if !idRE.MatchString(c.ID) || c.Title.JA == "" || c.Title.EN == "" || len(c.Messages) == 0 || c.Parameters == nil {
			t.Fatalf("accepted a control that breaks the invariants: %+v", c)
		}
	})
}

// The seeds also go through the whole loader, Rego included.
func TestFuzzSeedsThroughLoader(t *testing.T) {
	aud, err := controls.FS.ReadFile("AUD-01.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{[]byte(control("ROW-01", "records", rowsControlTail)), []byte(strings.ReplaceAll(string(aud), "AUD-01", "ROW-01")), []byte("id: [\n")} {
		cfs := fstest.MapFS{"ROW-01.yaml": {Data: b}}
		pfs := fstest.MapFS{"lib/lib.rego": {Data: []byte(libRego)}, "row_01.rego": {Data: []byte(rowsPolicyFor("ROW-01"))}}
		_, err := LoadCatalog(CatalogSource{Controls: cfs, ControlsName: "controls", Policies: pfs, PoliciesName: "policies", KnownKinds: []string{"test.rows"}})
		if err != nil && !strings.Contains(err.Error(), "controls/ROW-01.yaml") && !strings.Contains(err.Error(), "policies/row_01.rego") {
			t.Fatalf("error does not name the file: %v", err)
		}
	}
}
