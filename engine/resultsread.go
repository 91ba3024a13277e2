package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ReadResultsStream reads a results.json from r a control at a time and a finding at a time,
// as strictly as decoding it whole (unknown fields, a wrong schema, a truncated file, anything
// after the closing brace: all errors), without holding all its findings: a run of 100,000
// findings is ≈ 100 MB of results.json and ≈ 190 MB decoded.
//
// keep is asked about each finding of a control, with the control's fields read so far (those
// before "findings" in results.json: id, title, automation, severity, parameters, status,
// reason, counts) and the finding's index in it; only the findings it keeps are kept in the
// control's Findings (nil keep: all). A reader that drops findings counts them from Counts, not
// len(Findings).
//
// control, when not nil, is called with each control once it is read whole, and the control is
// not kept in the returned Results (whose Controls is then empty); when nil, the controls are
// kept. An error from control stops the reading and is returned.
func ReadResultsStream(r io.Reader, keep func(c *ControlResult, index int, f *Finding) bool, control func(c *ControlResult) error) (*Results, error) {
	d := json.NewDecoder(r)
	d.DisallowUnknownFields()
	rd := &resultsReader{d: d}
	res, err := rd.results(keep, control)
	if err != nil {
		return nil, fmt.Errorf("results.json: %w", err)
	}
	return res, nil
}

type resultsReader struct{ d *json.Decoder }

// delim reads one token and checks it is the delimiter want.
func (rd *resultsReader) delim(want json.Delim) error {
	t, err := rd.d.Token()
	if err != nil {
		return noEOF(err)
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("at byte %d: want %q, found %v", rd.d.InputOffset(), want, t)
	}
	return nil
}

// key reads the next key of an object, or "" at its end (the closing brace is read).
func (rd *resultsReader) key() (string, error) {
	t, err := rd.d.Token()
	if err != nil {
		return "", noEOF(err)
	}
	switch x := t.(type) {
	case string:
		return x, nil
	case json.Delim:
		if x == '}' {
			return "", nil
		}
	}
	return "", fmt.Errorf("at byte %d: want a key, found %v", rd.d.InputOffset(), t)
}

// value decodes the next value into v.
func (rd *resultsReader) value(name string, v any) error {
	if err := rd.d.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, noEOF(err))
	}
	return nil
}

// noEOF turns the end of the input inside the document into the error it is.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (rd *resultsReader) results(keep func(*ControlResult, int, *Finding) bool, control func(*ControlResult) error) (*Results, error) {
	res := &Results{}
	if err := rd.delim('{'); err != nil {
		return nil, err
	}
	fields := map[string]any{"schema": &res.Schema, "run_id": &res.RunID, "tool": &res.Tool, "now": &res.Now,
		"period": &res.Period, "scope": &res.Scope, "catalog": &res.Catalog, "calendar": &res.Calendar,
		"summary": &res.Summary, "exceptions": &res.Exceptions, "remediations": &res.Remediations, "evidence": &res.Evidence}
	seen := map[string]bool{}
	for {
		k, err := rd.key()
		if err != nil {
			return nil, err
		}
		if k == "" {
			break
		}
		if seen[k] {
			return nil, fmt.Errorf("field %q appears twice", k)
		}
		seen[k] = true
		if k == "controls" {
			if err := rd.controls(res, keep, control); err != nil {
				return nil, err
			}
			continue
		}
		v, ok := fields[k]
		if !ok {
			return nil, fmt.Errorf("unknown field %q", k)
		}
		if err := rd.value(k, v); err != nil {
			return nil, err
		}
		if k == "schema" && res.Schema != ResultsSchema {
			return nil, fmt.Errorf("schema %q, want %q", res.Schema, ResultsSchema)
		}
	}
	if !seen["schema"] {
		return nil, fmt.Errorf("no schema: not a results.json")
	}
	// Nothing may follow the document: a results.json with two documents, or garbage after
	// one, is not a results.json.
	if t, err := rd.d.Token(); err != io.EOF {
		return nil, fmt.Errorf("at byte %d: data after the end of the results (%v)", rd.d.InputOffset(), t)
	}
	return res, nil
}

func (rd *resultsReader) controls(res *Results, keep func(*ControlResult, int, *Finding) bool, control func(*ControlResult) error) error {
	t, err := rd.d.Token()
	if err != nil {
		return noEOF(err)
	}
	if t == nil {
		return nil // "controls": null
	}
	if d, ok := t.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("controls: want an array, found %v", t)
	}
	res.Controls = []ControlResult{}
	for rd.d.More() {
		var c ControlResult
		if err := rd.control(&c, keep); err != nil {
			return fmt.Errorf("controls[%d] %s: %w", len(res.Controls), c.ID, err)
		}
		if control != nil {
			if err := control(&c); err != nil {
				return err
			}
			continue
		}
		res.Controls = append(res.Controls, c)
	}
	return rd.delim(']')
}

func (rd *resultsReader) control(c *ControlResult, keep func(*ControlResult, int, *Finding) bool) error {
	if err := rd.delim('{'); err != nil {
		return err
	}
	fields := map[string]any{"id": &c.ID, "title": &c.Title, "automation": &c.Automation, "severity": &c.Severity,
		"parameters": &c.Parameters, "status": &c.Status, "reason": &c.Reason, "counts": &c.Counts, "evidence": &c.Evidence}
	seen := map[string]bool{}
	for {
		k, err := rd.key()
		if err != nil {
			return err
		}
		if k == "" {
			return nil
		}
		if seen[k] {
			return fmt.Errorf("field %q appears twice", k)
		}
		seen[k] = true
		if k == "findings" {
			if err := rd.findings(c, keep); err != nil {
				return err
			}
			continue
		}
		v, ok := fields[k]
		if !ok {
			return fmt.Errorf("unknown field %q", k)
		}
		if err := rd.value(k, v); err != nil {
			return err
		}
	}
}

func (rd *resultsReader) findings(c *ControlResult, keep func(*ControlResult, int, *Finding) bool) error {
	t, err := rd.d.Token()
	if err != nil {
		return noEOF(err)
	}
	if t == nil {
		return nil // "findings": null
	}
	if d, ok := t.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("findings: want an array, found %v", t)
	}
	c.Findings = []Finding{}
	n := 0
	for ; rd.d.More(); n++ {
		var f Finding
		if err := rd.value(fmt.Sprintf("findings[%d]", n), &f); err != nil {
			return err
		}
		if keep == nil || keep(c, n, &f) {
			c.Findings = append(c.Findings, f)
		}
	}
	// A reader that keeps some findings counts the others from the counts (written before the
	// findings): they must agree with the findings, as every results.json shoko writes does.
	counted := 0
	for _, k := range c.Counts {
		counted += k
	}
	if counted != n {
		return fmt.Errorf("counts add up to %d findings, but the control holds %d", counted, n)
	}
	return rd.delim(']')
}
