package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/shoko-audit/shoko/internal/yamlx"
)

// maxKeyProblems caps how many problems one config reports: enough to fix several typos in one
// go, not a wall of text for a file of the wrong kind.
const maxKeyProblems = 10

// checkKeys walks the parsed document against the type it decodes into, before decoding, so
// that every unknown key and wrong type is reported as a person can act on it: the file and
// line, the key path (aws.accounts[1].role_arn), and the nearest valid key or the type wanted.
// yaml's own messages name Go types instead ("field organisation not found in Config",
// "cannot unmarshal !!str into []string"). It reads the Go type's yaml tags, so a key added to
// Config is checked with no change here.
func checkKeys(file string, doc *yaml.Node, t reflect.Type) []string {
	w := keyWalker{file: file}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		w.walk(doc.Content[0], t, "")
	}
	if w.more > 0 {
		w.problems = append(w.problems, fmt.Sprintf("%s: %d more problems not shown; fix the ones above first", file, w.more))
	}
	return w.problems
}

type keyWalker struct {
	file     string
	problems []string
	more     int
}

func (w *keyWalker) add(line int, path, format string, args ...any) {
	if len(w.problems) >= maxKeyProblems {
		w.more++
		return
	}
	where := path
	if where == "" {
		where = "the config"
	}
	w.problems = append(w.problems, fmt.Sprintf("%s:%d: %s: %s", w.file, line, where, fmt.Sprintf(format, args...)))
}

var (
	durationType  = reflect.TypeOf(time.Duration(0))
	unmarshalType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
)

// walk checks node n, found at key path path, against type t.
func (w *keyWalker) walk(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode {
		// Not followed: an alias can refer to itself or multiply (a billion laughs); decoding
		// resolves it with yaml's own limits, and the anchor's keys are checked where it is.
		w.decodes(n, t, path)
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value leaves the default, as decoding does; checks after decoding say when one is required
	}
	if reflect.PointerTo(t).Implements(unmarshalType) || t.Kind() == reflect.Interface {
		w.decodes(n, t, path) // the type reads itself
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == reflect.TypeOf(time.Time{}) {
			w.decodes(n, t, path)
			return
		}
		if n.Kind != yaml.MappingNode {
			w.add(n.Line, path, "want a mapping (key: value lines below it), found %s", found(n))
			return
		}
		fields, names := structKeys(t)
		w.mapping(n, path, func(key *yaml.Node, value *yaml.Node, keyPath string) {
			f, ok := fields[key.Value]
			if !ok {
				w.add(key.Line, keyPath, "unknown key (%s)", hint(key.Value, names))
				return
			}
			w.walk(value, f, keyPath)
		})
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			w.add(n.Line, path, "want a mapping (key: value lines below it), found %s", found(n))
			return
		}
		w.mapping(n, path, func(key *yaml.Node, value *yaml.Node, keyPath string) {
			w.walk(key, t.Key(), keyPath)
			w.walk(value, t.Elem(), keyPath)
		})
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			fix := ""
			if n.Kind == yaml.ScalarNode {
				fix = fmt.Sprintf(" (for one, write [%s])", n.Value)
			}
			w.add(n.Line, path, "want %s, found %s%s", typeName(t), found(n), fix)
			return
		}
		for i, item := range n.Content {
			w.walk(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	default:
		if n.Kind != yaml.ScalarNode {
			w.add(n.Line, path, "want %s, found %s", typeName(t), found(n))
			return
		}
		w.decodes(n, t, path)
	}
}

// mapping calls each for every key of mapping n, refusing repeated keys (yaml keeps the last,
// silently) and following merge keys (<<: *defaults) into the same type.
func (w *keyWalker) mapping(n *yaml.Node, path string, each func(key, value *yaml.Node, keyPath string)) {
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		keyPath := key.Value
		if path != "" {
			keyPath = path + "." + key.Value
		}
		if key.Tag == "!!merge" {
			continue // its keys are checked where the anchor is defined
		}
		if key.Kind != yaml.ScalarNode {
			w.add(key.Line, path, "a key must be a name, found %s", found(key))
			continue
		}
		if line, dup := first[key.Value]; dup {
			w.add(key.Line, keyPath, "given twice (first at line %d); keep one", line)
			continue
		}
		first[key.Value] = key.Line
		each(key, value, keyPath)
	}
}

// decodes reports a scalar that does not decode into t, saying what t wants.
func (w *keyWalker) decodes(n *yaml.Node, t reflect.Type, path string) {
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		w.add(n.Line, path, "want %s, found %s", typeName(t), found(n))
	}
}

// structKeys maps the yaml keys of struct type t to their field types, and lists them in field order.
func structKeys(t reflect.Type) (map[string]reflect.Type, []string) {
	fields := map[string]reflect.Type{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			inner, innerNames := structKeys(f.Type)
			for k, v := range inner {
				fields[k] = v
			}
			names = append(names, innerNames...)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name) // yaml's default key
		}
		fields[name] = f.Type
		names = append(names, name)
	}
	return fields, names
}

// hint is the nearest valid key, or the valid keys when none is near.
func hint(key string, valid []string) string {
	if s := yamlx.Suggest(key, valid); s != "" {
		return "did you mean " + s + "?"
	}
	const show = 12
	if len(valid) > show {
		return fmt.Sprintf("valid keys here: %s and %d more", strings.Join(valid[:show], ", "), len(valid)-show)
	}
	return "valid keys here: " + strings.Join(valid, ", ")
}

// typeName says what a Go type wants, in the words of a config file.
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		return "a duration such as 30s or 5m"
	case t == reflect.TypeOf(time.Time{}):
		return "an RFC 3339 time such as 2026-04-01T09:00:00+09:00"
	}
	switch t.Kind() {
	case reflect.String:
		return "a text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list of " + plural(typeName(t.Elem()))
	case reflect.Struct, reflect.Map:
		return "a mapping"
	}
	return "a value"
}

// plural turns "a text" into "texts" for "a list of texts"; other names read well as they are
// ("a list of a duration such as 30s" would not, but no list of durations exists yet).
func plural(name string) string {
	if rest, ok := strings.CutPrefix(name, "a "); ok && !strings.Contains(rest, " ") {
		return rest + "s"
	}
	return name
}

// found says what a node is, quoting a scalar (cut short: the message is one line).
func found(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "the alias *" + n.Value
	}
	v := n.Value
	if utf8.RuneCountInString(v) > 60 {
		v = string([]rune(v)[:60]) + "…"
	}
	return strconv.Quote(v)
}

// lineAt is the line of a key path such as "aws.accounts[1].role_arn" in the parsed document:
// of the deepest key or list item found, so a missing key is reported where it belongs (1 if
// none is found).
func lineAt(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 1
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			return line
		}
		// Each "[i]" after the key steps into a list.
		for rest != "" {
			idx, after, _ := strings.Cut(rest, "]")
			rest = strings.TrimPrefix(after, "[")
			i, err := strconv.Atoi(idx)
			if err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
		}
	}
	return line
}
