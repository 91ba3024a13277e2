package records

import (
	"fmt"
	"os"
	"path"
	"time"

	"go.yaml.in/yaml/v3"
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
}

type exceptionsYAML struct {
	// A pointer, to tell a file without the list (refused: probably the wrong file) from an
	// empty list (fine: nothing is waived).
	Exceptions *[]exceptionYAML `yaml:"exceptions"`
}

type exceptionYAML struct {
	Control    string `yaml:"control"`
	Resource   string `yaml:"resource"`
	Reason     string `yaml:"reason"`
	Approver   string `yaml:"approver"`
	ApprovedAt string `yaml:"approved_at"`
	ExpiresAt  string `yaml:"expires_at"`
}

// ReadExceptions reads the exceptions file at path; displayName names it in errors. Every
// field of every exception is required: an exception without an approver or an expiry would be
// a permanent, unaccountable waiver, so the whole file is refused instead.
func ReadExceptions(path, displayName string) ([]Exception, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, readError(displayName, err)
	}
	return parseExceptions(displayName, data)
}

func parseExceptions(file string, data []byte) ([]Exception, error) {
	var y exceptionsYAML
	top, err := decodeStrict(file, data, &y)
	if err != nil {
		return nil, err
	}
	if y.Exceptions == nil {
		return nil, &Error{File: file, Line: fieldLine(top, "exceptions"), Column: "field exceptions",
			Msg: "required: the list of exceptions (write \"exceptions: []\" when there are none)"}
	}
	// The sequence node gives each exception its line.
	var items []*yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "exceptions" {
			items = top.Content[i+1].Content
		}
	}
	errs := &errorList{file: file}
	out := make([]Exception, 0, len(*y.Exceptions))
	for i, e := range *y.Exceptions {
		node := &yaml.Node{Kind: yaml.MappingNode, Line: 1}
		if i < len(items) {
			node = items[i]
		}
		where := fmt.Sprintf("exception %d", i+1)
		problem := func(field, format string, args ...any) {
			errs.add(fieldLine(node, field), where+": field "+field, format, args...)
		}
		ok := true
		for _, f := range []struct {
			name, value, why string
		}{
			{"control", e.Control, "the control id it waives"},
			{"resource", e.Resource, "a pattern over resource ids; \"*\" waives every resource of the control"},
			{"reason", e.Reason, "why the failure is accepted"},
			{"approver", e.Approver, "an exception nobody approved cannot waive anything"},
			{"approved_at", e.ApprovedAt, "when it was approved"},
			{"expires_at", e.ExpiresAt, "an exception without an expiry would waive the control forever"},
		} {
			if blank(f.value) {
				problem(f.name, "required (%s)", f.why)
				ok = false
			}
		}
		if !blank(e.Resource) {
			// path.Match checks the whole pattern even when the name does not match, so
			// matching the empty name is a syntax check.
			if _, err := path.Match(e.Resource, ""); err != nil {
				problem("resource", "%s is not a valid pattern (* ? [a-z] and \\ escapes, as in path.Match): %v", quote(e.Resource), err)
				ok = false
			}
		}
		var approved, expires string
		for _, t := range []struct {
			field, value string
			out          *string
		}{{"approved_at", e.ApprovedAt, &approved}, {"expires_at", e.ExpiresAt, &expires}} {
			if blank(t.value) {
				continue
			}
			utc, msg := utcTime(t.value)
			if msg != "" {
				problem(t.field, "%s", msg)
				ok = false
				continue
			}
			*t.out = utc
		}
		if ok && !laterThan(e.ExpiresAt, e.ApprovedAt) {
			// Almost certainly a typo in a year; an exception that was never valid would sit
			// in the file looking like a waiver.
			problem("expires_at", "%s is not after approved_at %s", quote(e.ExpiresAt), quote(e.ApprovedAt))
			ok = false
		}
		if ok {
			out = append(out, Exception{Control: e.Control, Resource: e.Resource, Reason: e.Reason,
				Approver: e.Approver, ApprovedAt: approved, ExpiresAt: expires, Line: max(node.Line, 1)})
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// laterThan reports whether RFC 3339 time a is after b; both have been checked to parse.
func laterThan(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339, a)
	tb, errB := time.Parse(time.RFC3339, b)
	return errA == nil && errB == nil && ta.After(tb)
}
