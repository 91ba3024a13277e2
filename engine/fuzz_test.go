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
	f.Add([]byte("id: ROW-01\nparameters: {limit: &a [*a]}\n"))
	f.Add([]byte("---\nid: ROW-01\n---\nid: ROW-02\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfs := fstest.MapFS{"ROW-01.yaml": {Data: b}}
		pfs := fstest.MapFS{"lib/lib.rego": {Data: []byte(libRego)}, "row_01.rego": {Data: []byte(rowsPolicyFor("ROW-01"))}}
		cat, err := LoadCatalog(CatalogSource{Controls: cfs, ControlsName: "controls", Policies: pfs, PoliciesName: "policies", KnownKinds: []string{"test.rows"}})
		if err != nil {
			if !strings.Contains(err.Error(), "controls/ROW-01.yaml") && !strings.Contains(err.Error(), "policies/row_01.rego") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		c := cat.Controls[0]
		if c.ID != "ROW-01" || c.Title.JA == "" || c.Title.EN == "" || len(c.Messages) == 0 {
			t.Fatalf("loaded a control that breaks the invariants: %+v", c)
		}
	})
}
