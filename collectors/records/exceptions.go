package records

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shoko-audit/shoko/internal/yamlx"
)

// KindExceptions is the evidence kind of the exceptions file.
const KindExceptions = "exceptions"

// Exception is one approved, expiring waiver of a control's failing findings for the resources
// its pattern matches. Whether it applies (unexpired, matching) is the engine's decision.
type Exception struct {
	Control  string `json:"control"`
	Resource string `json:"resource"` // a path.Match pattern over finding resource ids
	Reason   string `json:"reason"`
	Approver string `json:"approver"`
	// ApprovedAt and ExpiresAt are RFC 3339 in UTC ("2026-09-30T15:00:00Z").
	ApprovedAt string `json:"approved_at"`
	ExpiresAt  string `json:"expires_at"`
	Line       int    `json:"line"` // where the exception starts in the file
	// Problems, when there are any, say why the entry is invalid, each "FILE:LINE: exception N:
	// field F: …"; the fields then hold what the file says, as far as it could be read. An
	// invalid entry waives nothing, and the engine makes the control it names `error`.
	Problems []string `json:"problems,omitempty"`
}

// exceptionFields are the fields of an entry, all required, with what each is for (said when it
// is missing).
var exceptionFields = []struct{ name, why string }{
	{"control", "the control id it waives"},
	{"resource", "a pattern over resource ids; \"*\" waives every resource of the control"},
	{"reason", "why the failure is accepted"},
	{"approver", "an exception nobody approved cannot waive anything"},
	{"approved_at", "when it was approved"},
	{"expires_at", "an exception without an expiry would waive the control forever"},
}

// ReadExceptions reads the exceptions file at path; displayName names it in errors. The error is
// for the file as a whole (unreadable, not YAML, no exceptions list). Each entry is checked on
// its own: every field is required, since an exception without an approver or an expiry would be
// a permanent, unaccountable waiver, and an entry that breaks a rule is returned with its
// Problems rather than dropped, so the good entries still apply and the bad one is reported.
func ReadExceptions(path, displayName string) ([]Exception, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, readError(displayName, err)
	}
	return parseExceptions(displayName, data)
}

func parseExceptions(file string, data []byte) ([]Exception, error) {
	// Decoded as a node tree: the entries are read one by one, so that one bad entry does not
	// take the good ones down with it.
	var doc yaml.Node
	top, err := decodeStrict(file, data, &doc)
	if err != nil {
		return nil, err
	}
	fileErr := func(line int, column, format string, args ...any) error {
		return &Error{File: file, Line: max(line, 1), Column: column, Msg: fmt.Sprintf(format, args...)}
	}
	if top.Kind != yaml.MappingNode {
		return nil, fileErr(top.Line, "", "want the key exceptions with the list of exceptions (found %s)", nodeKind(top))
	}
	// The list is required, to tell a file without it (refused: probably the wrong file) from
	// an empty list (fine: nothing is waived).
	var list *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch {
		case k.Value != "exceptions":
			hint := "the file has only the key exceptions"
			if s := yamlx.Suggest(k.Value, []string{"exceptions"}); s != "" {
				hint = "did you mean " + s + "?"
			}
			return nil, fileErr(k.Line, "field "+k.Value, "unknown field (%s)", hint)
		case list != nil:
			return nil, fileErr(k.Line, "field exceptions", "given twice (keep one list)")
		}
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		list = v
	}
	if list == nil || list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
		return nil, &Error{File: file, Line: fieldLine(top, "exceptions"), Column: "field exceptions",
			Msg: "required: the list of exceptions (write \"exceptions: []\" when there are none)"}
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fileErr(list.Line, "field exceptions", "want a list of exceptions, each starting with \"- control:\" (found %s)", nodeKind(list))
	}
	out := make([]Exception, 0, len(list.Content))
	for i, entry := range list.Content {
		out = append(out, parseException(file, i+1, entry))
	}
	return out, nil
}

// parseException reads entry n (1-based) of the list. Everything wrong with it goes into its
// Problems; an entry with none is a valid exception, its times in UTC.
func parseException(file string, n int, node *yaml.Node) Exception {
	if node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias // "- *trn01": the entry the anchor names
	}
	e := Exception{Line: max(node.Line, 1)}
	where := fmt.Sprintf("exception %d", n)
	problem := func(line int, field, format string, args ...any) {
		column := where
		if field != "" {
			column += ": field " + field
		}
		e.Problems = append(e.Problems, (&Error{File: file, Line: line, Column: column, Msg: fmt.Sprintf(format, args...)}).Error())
	}
	if node.Kind != yaml.MappingNode {
		problem(e.Line, "", "want the fields control, resource, reason, approver, approved_at and expires_at (found %s)", nodeKind(node))
		return e
	}
	values := map[string]string{}
	names := make([]string, 0, len(exceptionFields))
	for _, f := range exceptionFields {
		names = append(names, f.name)
	}
	keyLine := map[string]int{} // where each field was first given
	wrongKind := map[string]bool{}
	for j := 0; j+1 < len(node.Content); j += 2 {
		k, v := node.Content[j], node.Content[j+1]
		switch {
		case !slices.Contains(names, k.Value):
			hint := "the fields are " + strings.Join(names, ", ")
			if s := yamlx.Suggest(k.Value, names); s != "" {
				hint = "did you mean " + s + "?"
			}
			problem(k.Line, k.Value, "unknown field (%s)", hint)
			continue
		case keyLine[k.Value] != 0:
			problem(k.Line, k.Value, "given twice (first at line %d)", keyLine[k.Value])
			continue
		}
		keyLine[k.Value] = k.Line
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias // "approver: *committee" reads what the anchor says
		}
		switch {
		case v.Kind != yaml.ScalarNode:
			wrongKind[k.Value] = true
			problem(v.Line, k.Value, "want a text, found %s", nodeKind(v))
		case v.Tag != "!!null":
			values[k.Value] = v.Value
		}
	}
	e.Control, e.Resource, e.Reason, e.Approver = values["control"], values["resource"], values["reason"], values["approver"]
	e.ApprovedAt, e.ExpiresAt = values["approved_at"], values["expires_at"]
	at := func(field string) int { return fieldLine(node, field) }
	for _, f := range exceptionFields {
		if blank(values[f.name]) && !wrongKind[f.name] {
			problem(at(f.name), f.name, "required (%s)", f.why)
		}
	}
	if !blank(e.Resource) {
		// path.Match checks the whole pattern even when the name does not match, so matching
		// the empty name is a syntax check.
		if _, err := path.Match(e.Resource, ""); err != nil {
			problem(at("resource"), "resource", "%s is not a valid pattern (* ? [a-z] and \\ escapes, as in path.Match): %v", quote(e.Resource), err)
		}
	}
	times := 0
	for _, t := range []struct {
		field string
		value *string
	}{{"approved_at", &e.ApprovedAt}, {"expires_at", &e.ExpiresAt}} {
		if blank(*t.value) {
			continue
		}
		utc, msg := utcTime(*t.value)
		if msg != "" {
			problem(at(t.field), t.field, "%s", msg)
			continue
		}
		times++
		*t.value = utc
	}
	if times == 2 && !laterThan(e.ExpiresAt, e.ApprovedAt) {
		// Almost certainly a typo in a year; an exception that was never valid would sit in the
		// file looking like a waiver.
		problem(at("expires_at"), "expires_at", "%s is not after approved_at %s", quote(values["expires_at"]), quote(values["approved_at"]))
	}
	return e
}

// laterThan reports whether RFC 3339 time a is after b; both have been checked to parse.
func laterThan(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339, a)
	tb, errB := time.Parse(time.RFC3339, b)
	return errA == nil && errB == nil && ta.After(tb)
}

// nodeKind names what a YAML node is, for "found …" in messages.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a text " + quote(n.Value)
}
