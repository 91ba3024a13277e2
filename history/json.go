package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// FileName is the name of the history in a period directory.
const FileName = "history.json"

// Marshal is history.json's bytes: indented JSON with a trailing newline, no HTML escaping.
// Every list is in a fixed order and maps are written with sorted keys, every time is UTC and
// nothing in it comes from the clock, so the same store, period and key give the same bytes.
func (r *Report) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("history: encode %s: %w", FileName, err)
	}
	return buf.Bytes(), nil
}

// WriteJSON writes history.json's bytes to w.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := r.Marshal()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Parse reads history.json strictly (unknown fields are an error, the schema must be Schema).
func Parse(name string, b []byte) (*Report, error) {
	var r Report
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: trailing data", name)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q", name, r.Schema, Schema)
	}
	return &r, nil
}
