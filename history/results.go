package history

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/shoko-audit/shoko/engine"
)

// resultsHeader is what history reads of results.json besides the controls.
type resultsHeader struct {
	Schema  string
	RunID   string
	Summary map[string]int
}

// controlVerdict is what the first pass reads of each control: its findings are skipped.
type controlVerdict struct {
	ID       string `json:"id"`
	Title    Text   `json:"title"`
	Severity string `json:"severity"`
	Status   string `json:"status"`
}

// controlFindings is what the second pass reads of a control: its findings.
type controlFindings struct {
	ID       string           `json:"id"`
	Findings []engine.Finding `json:"findings"`
}

// streamResults decodes results.json one control at a time with a json.Decoder, so that a run
// with many findings is never held decoded whole: each control element of "controls" is decoded
// into a new T and passed to each; every other top-level field but the header is skipped.
func streamResults[T any](b []byte, each func(*T)) (resultsHeader, error) {
	var h resultsHeader
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := expectDelim(dec, '{'); err != nil {
		return h, err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return h, err
		}
		key, _ := tok.(string)
		switch key {
		case "schema":
			err = dec.Decode(&h.Schema)
		case "run_id":
			err = dec.Decode(&h.RunID)
		case "summary":
			err = dec.Decode(&h.Summary)
		case "controls":
			if err = expectDelim(dec, '['); err != nil {
				return h, fmt.Errorf("controls: %w", err)
			}
			for i := 0; dec.More(); i++ {
				var c T
				if err := dec.Decode(&c); err != nil {
					return h, fmt.Errorf("controls[%d]: %w", i, err)
				}
				each(&c)
			}
			err = expectDelim(dec, ']')
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return h, fmt.Errorf("%s: %w", key, err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return h, err
	}
	if _, err := dec.Token(); err == nil {
		return h, fmt.Errorf("trailing data")
	}
	return h, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, found %v", want, tok)
	}
	return nil
}
