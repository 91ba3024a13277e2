package engine

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The types a control parameter can declare. The set is the smallest that covers the catalog:
// counts and limits are whole numbers (the unit is in the parameter's name: max_notify_minutes),
// tags, names and versions are strings, lists are of strings, of whole numbers (ports, HTTP
// statuses) or of AWS regions. A name that is written differently in Japanese and English (the
// service's: ソナーサービス, Sonar Service) is a text: {ja, en}, or one string for both.
const (
	TypeInteger  = "integer"
	TypeBoolean  = "boolean"
	TypeString   = "string"
	TypeStrings  = "strings"
	TypeIntegers = "integers"
	TypeRegions  = "regions"
	TypeText     = "text"
)

// ParamTypes lists the declarable types, in the order errors suggest them.
var ParamTypes = []string{TypeInteger, TypeBoolean, TypeString, TypeStrings, TypeIntegers, TypeRegions, TypeText}

// paramWant is how an error says what a type wants.
var paramWant = map[string]string{
	TypeInteger:  "an integer (0 or more)",
	TypeBoolean:  "true or false",
	TypeString:   "a non-empty string",
	TypeStrings:  "a list of strings",
	TypeIntegers: "a list of integers",
	TypeRegions:  "a list of AWS regions (like ap-northeast-1)",
	TypeText:     "a string, or {ja: …, en: …}",
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)

// ParamDecl is one parameter as a control file declares it: `generations: {type: integer, value: 8}`.
// The type is declared so that a value of the wrong type (in the control or in a shoko.yaml
// override) is refused when loaded, instead of reaching a policy that would judge "seven"
// generations as a failure.
type ParamDecl struct {
	Type  string
	Value any
	// Line is the value's line in the control file, for errors.
	Line int
	// shape is what is wrong with a declaration that is not {type, value}.
	shape string
	// untyped is set for a bare value (`generations: 8`), the form of catalogs stored in runs
	// before parameters declared their types; Value then holds it.
	untyped bool
}

// UnmarshalYAML reads the {type, value} mapping. A parameter of another shape is kept as a
// problem (shape) for decodeControl to report with its key path, beside every other problem.
func (p *ParamDecl) UnmarshalYAML(n *yaml.Node) error {
	p.Line = n.Line
	if n.Kind != yaml.MappingNode {
		p.shape = fmt.Sprintf("declare its type and value, like {type: integer, value: 8} (types: %s)", strings.Join(ParamTypes, ", "))
		p.untyped = n.Decode(&p.Value) == nil
		return nil
	}
	var hasType, hasValue bool
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "type":
			hasType = true
			p.Type = v.Value
		case "value":
			hasValue = true
			p.Line = v.Line
			if err := v.Decode(&p.Value); err != nil {
				p.shape = err.Error()
				return nil
			}
		default:
			p.Line = k.Line
			p.shape = fmt.Sprintf("a parameter has only type and value, not %q", k.Value)
			return nil
		}
	}
	if !hasType || !hasValue {
		p.shape = "declare both type and value, like {type: integer, value: 8}"
	}
	return nil
}

// CheckParam says whether v is a value of the declared type; the error says what is wanted and
// what was found: `want an integer (0 or more), found "seven"`.
func CheckParam(typ string, v any) error {
	want, ok := paramWant[typ]
	if !ok {
		return fmt.Errorf("type %q is not one of %s", typ, strings.Join(ParamTypes, ", "))
	}
	bad := fmt.Errorf("want %s, found %s", want, describe(v))
	switch typ {
	case TypeInteger:
		if n, ok := v.(int); !ok || n < 0 {
			return bad
		}
	case TypeBoolean:
		if _, ok := v.(bool); !ok {
			return bad
		}
	case TypeString:
		if s, ok := v.(string); !ok || strings.TrimSpace(s) == "" {
			return bad
		}
	case TypeText:
		if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
			return nil
		}
		if !isText(v) {
			return bad
		}
	case TypeStrings, TypeIntegers, TypeRegions:
		list, ok := v.([]any)
		if !ok {
			return bad
		}
		for i, e := range list {
			var good bool
			switch typ {
			case TypeStrings:
				s, ok := e.(string)
				good = ok && s != ""
			case TypeIntegers:
				_, good = e.(int)
			case TypeRegions:
				s, ok := e.(string)
				good = ok && regionRE.MatchString(s)
			}
			if !good {
				return fmt.Errorf("want %s, found %s at [%d]", want, describe(e), i)
			}
		}
	}
	return nil
}

// isText says whether v is {ja, en}, both non-empty strings and nothing else.
func isText(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 2 {
		return false
	}
	for _, k := range []string{"ja", "en"} {
		if s, ok := m[k].(string); !ok || strings.TrimSpace(s) == "" {
			return false
		}
	}
	return true
}

// describe writes a found value for an error: strings quoted, lists and maps by their shape.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		return strconv.Quote(x)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	default:
		return fmt.Sprint(x)
	}
}
