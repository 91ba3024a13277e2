package records

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decodeStrict decodes the one YAML document in data into out, refusing unknown fields,
// repeated keys and a second document, and returns the document's top node so that problems
// found afterwards (a missing field) can be given a line. yaml's own errors keep its
// "line N" wording and get the file name in front.
func decodeStrict(file string, data []byte, out any) (*yaml.Node, error) {
	data, err := checkText(file, data)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(out); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Msg: "empty file: no YAML document"}
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, fmt.Errorf("%s: %w", file, err)
	default:
		return nil, &Error{File: file, Line: extra.Line,
			Msg: "a second YAML document (after ---): put one per file"}
	}
	// Decoding again into a node tree only to learn where things are; the strict decode
	// above has already accepted the text, so this cannot fail differently.
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	top := &doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		top = doc.Content[0]
	}
	return top, nil
}

// fieldLine is the line to report for a dotted field ("document.sha256") below the mapping
// node m: the line of its value when it is there, else the line of the nearest enclosing key
// that is there (or of m), which is where the missing field belongs.
func fieldLine(m *yaml.Node, field string) int {
	line := max(m.Line, 1)
	parts := strings.Split(field, ".")
	for i, part := range parts {
		if m.Kind != yaml.MappingNode {
			return line
		}
		var key, val *yaml.Node
		for j := 0; j+1 < len(m.Content); j += 2 {
			if m.Content[j].Value == part {
				key, val = m.Content[j], m.Content[j+1]
				break
			}
		}
		if key == nil {
			return line
		}
		if i == len(parts)-1 {
			return val.Line
		}
		line = key.Line
		m = val
	}
	return line
}

// blank reports whether a YAML string field is absent or says nothing.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// utcTime parses an RFC 3339 time and re-emits it in UTC ("…Z"), so that policies compare
// times from files written with any offset as plain strings or parsed times alike. Fractions
// of a second are kept: RFC3339Nano prints them only when present.
func utcTime(s string) (string, string) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return "", fmt.Sprintf("%s is not an RFC 3339 time with a zone, like 2026-04-01T09:00:00+09:00", quote(s))
	}
	if u := t.UTC(); u.Year() < 1 || u.Year() > 9999 {
		// In UTC the year would not have four digits, and the result would not be RFC 3339.
		return "", fmt.Sprintf("%s is out of range", quote(s))
	}
	return t.UTC().Format(time.RFC3339Nano), ""
}
