package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
)

// The interner gives the very OPA values ast.InterfaceToValue gives, whatever the JSON, and
// shares one string between equal keys and short values (not between long ones, nor beyond
// its cap).
func TestInternerMatchesInterfaceToValue(t *testing.T) {
	docs := []string{
		`[]`, `{}`, `null`, `true`, `0`, `-1.5e300`, `12345678901234567890`, `"x"`,
		`[{"employee_id":"E1","status":"active","line":2},{"employee_id":"E2","status":"active","line":3}]`,
		`{"a":{"b":[1,"2",null,false,{"c":"日本語\u2028"}]},"d":[],"e":{}}`,
		`[["same","same"],{"same":"same"}]`,
	}
	for _, doc := range docs {
		var x any
		if err := util.UnmarshalJSON([]byte(doc), &x); err != nil {
			t.Fatal(err)
		}
		want, err := ast.InterfaceToValue(x)
		if err != nil {
			t.Fatal(err)
		}
		got, err := newStringInterner().value(x)
		if err != nil {
			t.Fatal(err)
		}
		if got.Compare(want) != 0 || got.Hash() != want.Hash() || got.String() != want.String() {
			t.Errorf("%s: interned %v, want %v", doc, got, want)
		}
	}

	in := newStringInterner()
	long := strings.Repeat("y", internedLength+1)
	if in.str("active", false) != in.str("active", false) || len(in.strings) != 1 {
		t.Error("a short value is not shared")
	}
	in.str(long, false)
	if _, kept := in.strings[long]; kept {
		t.Error("a value longer than internedLength is kept")
	}
	for i := range internedValues + 10 {
		in.str(fmt.Sprint("v", i), false)
	}
	if in.values != internedValues {
		t.Errorf("%d values kept, want the cap %d", in.values, internedValues)
	}
	in.str("a key past the cap", true)
	if _, kept := in.strings["a key past the cap"]; !kept {
		t.Error("a key is not kept once the values reached their cap")
	}
}
