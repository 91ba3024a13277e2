package engine

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
)

// stringInterner converts decoded JSON to OPA values as ast.InterfaceToValue does, but with
// one ast.String for every equal object key and for equal short values seen so far (dates,
// statuses), instead of one per occurrence. An OPA string is immutable, so terms may share it.
// A records item repeats its column names on every row: at 100,000 training rows this is about a
// third of the evidence's OPA values, which the population check of a per_record control holds
// whole.
type stringInterner struct {
	strings map[string]ast.Value
	values  int // how many of strings are values, not keys
}

// internedValues caps the distinct values an interner keeps, so that a column of unique values
// (ids) costs a bounded map and not one entry per row; keys are always kept.
const internedValues = 1 << 14

// internedLength is the longest value interned: longer values rarely repeat.
const internedLength = 64

func newStringInterner() *stringInterner { return &stringInterner{strings: map[string]ast.Value{}} }

func (in *stringInterner) str(s string, key bool) ast.Value {
	if v, ok := in.strings[s]; ok {
		return v
	}
	v := ast.Value(ast.String(s))
	if key || (len(s) <= internedLength && in.values < internedValues) {
		in.strings[s] = v
		if !key {
			in.values++
		}
	}
	return v
}

// value converts x (from util.UnmarshalJSON: nil, bool, json.Number, string, []any,
// map[string]any) to an OPA value.
func (in *stringInterner) value(x any) (ast.Value, error) {
	switch x := x.(type) {
	case string:
		return in.str(x, false), nil
	case []any:
		terms := util.NewPtrSlice[ast.Term](len(x))
		for i, e := range x {
			v, err := in.value(e)
			if err != nil {
				return nil, err
			}
			terms[i].Value = v
		}
		return ast.NewArray(terms...), nil
	case map[string]any:
		terms := util.NewPtrSlice[ast.Term](len(x) * 2)
		tuples := make([][2]*ast.Term, 0, len(x))
		i := 0
		for k, e := range x {
			v, err := in.value(e)
			if err != nil {
				return nil, err
			}
			terms[i].Value, terms[i+1].Value = in.str(k, true), v
			tuples = append(tuples, [2]*ast.Term{terms[i], terms[i+1]})
			i += 2
		}
		return ast.NewObject(tuples...), nil
	default:
		return ast.InterfaceToValue(x)
	}
}
