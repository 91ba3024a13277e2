package reports

import (
	"fmt"
	"io"
)

// JSON writes results.json in its canonical encoding (engine.Results.Marshal): the results as
// the evaluation wrote them, so a report directory is complete on its own.
type JSON struct{}

// Format implements Renderer.
func (JSON) Format() string { return "json" }

// FileName implements Renderer. The results do not depend on the language.
func (JSON) FileName(string) string { return "results.json" }

// Render implements Renderer.
func (JSON) Render(w io.Writer, in *Input) error {
	if err := in.Check(); err != nil {
		return err
	}
	b, err := in.Results.Marshal()
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	_, err = w.Write(b)
	return err
}
