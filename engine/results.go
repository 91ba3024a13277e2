package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/shoko-audit/shoko/evidence"
)

// Statuses of a control.
const (
	StatusPass          = "pass"
	StatusFail          = "fail"
	StatusError         = "error"
	StatusAttested      = "attested"
	StatusWaived        = "waived"
	StatusNotApplicable = "not_applicable"
	// StatusNotInScope: the control is outside the audit's scope (shoko.yaml controls.include
	// and exclude). It was not evaluated: it is neither a pass nor a failure, and every
	// report says so rather than leaving the control out, so that no reader takes a control
	// missing from the list for one that was forgotten.
	StatusNotInScope = "not_in_scope"
)

// AllStatuses in report order.
var AllStatuses = []string{StatusPass, StatusFail, StatusError, StatusAttested, StatusWaived, StatusNotApplicable, StatusNotInScope}

// ResultsSchema names the format of results.json.
const ResultsSchema = "shoko.results/v1"

// Results is what an evaluation found: written as results.json, read by reports and verify.
type Results struct {
	Schema string `json:"schema"`
	RunID  string `json:"run_id"`
	Tool   string `json:"tool"`
	Now    string `json:"now"`
	Period Period `json:"period"`
	// Scope is the controls the run was asked to audit, when it was asked for fewer than all
	// (the others are not_in_scope); left out otherwise, so unscoped results keep their bytes.
	Scope   *evidence.ControlScope `json:"scope,omitempty"`
	Catalog struct {
		Digest   string `json:"digest"`
		Controls int    `json:"controls"`
		// Overrides are the parameters shoko.yaml changed, as written there (none: left out).
		Overrides *Overrides `json:"overrides,omitempty"`
	} `json:"catalog"`
	Calendar   CalendarInfo      `json:"calendar"`
	Summary    map[string]int    `json:"summary"`
	Controls   []ControlResult   `json:"controls"`
	Exceptions []ExceptionResult `json:"exceptions"`
	// Remediations are the vendor's plans for unmet claims; left out when none were collected,
	// so results of runs without a remediations file keep their bytes.
	Remediations []RemediationResult `json:"remediations,omitempty"`
	Evidence     []EvidenceRef       `json:"evidence"`

	// spool holds the findings of a spooled evaluation (EvaluateSpooled); nil otherwise.
	spool *findingSpool
}

// Close releases the findings file of a spooled evaluation; for other results it does nothing.
func (r *Results) Close() error {
	if r.spool == nil {
		return nil
	}
	return r.spool.close()
}

// EachFinding calls fn with every finding of the control at index ci, in order: from memory,
// or read back from the findings file of a spooled evaluation (an error if it cannot be read
// whole).
func (r *Results) EachFinding(ci int, fn func(Finding) error) error {
	c := &r.Controls[ci]
	if c.spooled == nil {
		for _, f := range c.Findings {
			if err := fn(f); err != nil {
				return err
			}
		}
		return nil
	}
	return r.spool.eachSpooled(c.spooled, func(body []byte) error {
		f, err := decodeFinding(body)
		if err != nil {
			return err
		}
		return fn(f)
	})
}

// Period is the audit period; policies that look at events (incidents, changes) read it.
type Period struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// CalendarInfo records the company closures the business-day builtin used, so a replay uses the same.
type CalendarInfo struct {
	Closures []string `json:"closures"`
}

// ControlResult is the verdict on one control.
type ControlResult struct {
	ID         string `json:"id"`
	Title      Text   `json:"title"`
	Automation string `json:"automation"`
	Severity   string `json:"severity"`
	// Parameters are the values the control was judged with, overrides applied (left out for a
	// control without parameters).
	Parameters map[string]any `json:"parameters,omitempty"`
	Status     string         `json:"status"`
	Reason     Text           `json:"reason"`
	Counts     map[string]int `json:"counts"`
	Findings   []Finding      `json:"findings"`
	Evidence   []EvidenceRef  `json:"evidence"`

	// spooled are the control's sorted runs of findings in the results' spool (EvaluateSpooled),
	// merged into one order when written; Findings is nil then.
	spooled []spoolRun
	// waived are the findings exceptions waived, in the control's order (exceptionPlan.settle).
	waived []waivedFinding
}

// Finding is one judgement of a policy about one resource, pointing at the record it rests on.
type Finding struct {
	Status   string         `json:"status"`
	Code     string         `json:"code"`
	Resource string         `json:"resource"`
	Params   map[string]any `json:"params"`
	Message  Text           `json:"message"`
	Evidence *FindingRef    `json:"evidence,omitempty"`
	// Exception is the index (in Results.Exceptions) of the exception that waived this finding.
	Exception *int `json:"exception,omitempty"`
}

// FindingRef points at the record a finding is about: the evidence item (by digest and path) and
// the JSON pointer of the record inside the stored item.
type FindingRef struct {
	Kind    string            `json:"kind"`
	Digest  string            `json:"digest"`
	Path    string            `json:"path"`
	Scope   map[string]string `json:"scope"`
	Pointer string            `json:"pointer"`
}

// EvidenceRef names an evidence item a control read.
type EvidenceRef struct {
	Kind        string            `json:"kind"`
	Path        string            `json:"path"`
	Digest      string            `json:"digest"`
	Scope       map[string]string `json:"scope"`
	CollectedAt time.Time         `json:"collected_at"`
	Status      string            `json:"status"`
}

// ExceptionResult reports what became of one exception: applied, expired, not_yet_valid,
// unmatched, unknown_control or invalid.
type ExceptionResult struct {
	Control    string   `json:"control"`
	Resource   string   `json:"resource"`
	Reason     string   `json:"reason"`
	Approver   string   `json:"approver"`
	ApprovedAt string   `json:"approved_at"`
	ExpiresAt  string   `json:"expires_at"`
	Source     string   `json:"source"`
	State      string   `json:"state"`
	Waived     []string `json:"waived"`
	// Problem says why the exception is invalid or names an unknown control, with the file and
	// line to fix; empty otherwise.
	Problem string `json:"problem,omitempty"`
}

// Marshal encodes results as the canonical results.json bytes: the same results give the same bytes.
//
// The bytes are those of a json.Encoder with two-space indentation and no HTML escaping over the
// whole Results, but written field by field and finding by finding: encoding the whole value at
// once holds it compact and indented at the same time, which at 100,000 findings was the peak of
// a run's memory. TestMarshalMatchesWholeEncoding keeps the two identical.
func (r *Results) Marshal() ([]byte, error) {
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Write writes the bytes of Marshal to out as they are made, a few tens of kilobytes at a time,
// so a large results.json is never whole in memory (shoko evaluate writes it so).
func (r *Results) Write(out io.Writer) error {
	w := &resultsWriter{out: out}
	w.buf.WriteString("{")
	w.field("  ", "schema", r.Schema)
	w.field("  ", "run_id", r.RunID)
	w.field("  ", "tool", r.Tool)
	w.field("  ", "now", r.Now)
	w.field("  ", "period", r.Period)
	if r.Scope != nil {
		w.field("  ", "scope", r.Scope)
	}
	w.field("  ", "catalog", r.Catalog)
	w.field("  ", "calendar", r.Calendar)
	w.field("  ", "summary", r.Summary)
	w.key("  ", "controls")
	if r.Controls == nil {
		w.buf.WriteString("null")
	} else {
		w.array("  ", len(r.Controls), func(i int) {
			w.control("    ", &r.Controls[i], r.spool)
			w.flush(flushAt)
		})
	}
	w.field("  ", "exceptions", r.Exceptions)
	if len(r.Remediations) > 0 {
		w.field("  ", "remediations", r.Remediations)
	}
	w.field("  ", "evidence", r.Evidence)
	w.buf.WriteString("\n}\n")
	w.flush(0)
	return w.err
}

// resultsWriter writes indented JSON piece by piece; the first error sticks.
type resultsWriter struct {
	out     io.Writer
	buf     bytes.Buffer  // what is made and not yet written to out
	last    byte          // the last byte written to out, for key's comma
	enc     *json.Encoder // writes into buf; one for all values, so its scratch buffers are reused
	scratch [64]byte
	err     error
}

// flushAt is how much is made before it is written out.
const flushAt = 64 << 10

// flush writes buf to out once it holds at least min bytes.
func (w *resultsWriter) flush(min int) {
	if w.buf.Len() == 0 || w.buf.Len() < min {
		return
	}
	if w.err == nil {
		w.last = w.buf.Bytes()[w.buf.Len()-1]
		_, w.err = w.out.Write(w.buf.Bytes())
	}
	w.buf.Reset()
}

// lastByte is the last byte made so far, written out or not.
func (w *resultsWriter) lastByte() byte {
	if b := w.buf.Bytes(); len(b) > 0 {
		return b[len(b)-1]
	}
	return w.last
}

// newline starts a line at indent and writes then (without building a string per line).
func (w *resultsWriter) newline(indent, then string) {
	w.buf.WriteByte('\n')
	w.buf.WriteString(indent)
	w.buf.WriteString(then)
}

// key writes `,\n<indent>"name": ` (the comma unless first).
func (w *resultsWriter) key(indent, name string) {
	if last := w.lastByte(); last != 0 && last != '{' {
		w.buf.WriteString(",")
	}
	w.newline(indent, "")
	if !w.fastString(name) {
		w.value(indent, name)
	}
	w.buf.WriteString(": ")
}

func (w *resultsWriter) field(indent, name string, v any) {
	w.key(indent, name)
	w.value(indent, v)
}

// value writes v as the whole-value encoder would at this indentation.
func (w *resultsWriter) value(indent string, v any) {
	if w.err != nil || w.fastValue(indent, v) {
		return
	}
	if w.enc == nil {
		w.enc = json.NewEncoder(&w.buf)
		w.enc.SetEscapeHTML(false)
	}
	w.enc.SetIndent(indent, "  ")
	if err := w.enc.Encode(v); err != nil {
		w.err = err
		return
	}
	w.buf.Truncate(w.buf.Len() - 1) // the Encoder's newline
}

// array writes n elements, each by elem at indent+"  ", as an indented JSON array.
func (w *resultsWriter) array(indent string, n int, elem func(i int)) {
	if n == 0 {
		w.buf.WriteString("[]")
		return
	}
	w.buf.WriteString("[")
	for i := 0; i < n; i++ {
		if i > 0 {
			w.buf.WriteString(",")
		}
		w.newline(indent, "  ")
		elem(i)
	}
	w.newline(indent, "]")
}

func (w *resultsWriter) control(indent string, c *ControlResult, spool *findingSpool) {
	in := indent + "  "
	w.buf.WriteString("{")
	w.field(in, "id", c.ID)
	w.field(in, "title", c.Title)
	w.field(in, "automation", c.Automation)
	w.field(in, "severity", c.Severity)
	if len(c.Parameters) > 0 {
		w.field(in, "parameters", c.Parameters)
	}
	w.field(in, "status", c.Status)
	w.field(in, "reason", c.Reason)
	w.field(in, "counts", c.Counts)
	w.key(in, "findings")
	if c.spooled != nil {
		w.spooledFindings(in, c, spool)
	} else if c.Findings == nil {
		w.buf.WriteString("null")
	} else {
		elem := in + "  "
		w.array(in, len(c.Findings), func(i int) {
			w.value(elem, c.Findings[i])
			w.flush(flushAt)
		})
	}
	w.field(in, "evidence", c.Evidence)
	w.newline(indent, "}")
}

// spooledFindings writes a spooled control's findings as array would write them from memory:
// each one's bytes were made by value at the same indentation when it was spooled.
func (w *resultsWriter) spooledFindings(in string, c *ControlResult, spool *findingSpool) {
	if w.err != nil {
		return
	}
	w.buf.WriteString("[")
	first := true
	err := spool.eachSpooled(c.spooled, func(body []byte) error {
		if !first {
			w.buf.WriteString(",")
		}
		first = false
		w.newline(in, "  ")
		w.buf.Write(body)
		w.flush(flushAt)
		return w.err
	})
	if err != nil {
		if w.err == nil {
			w.err = fmt.Errorf("control %s: %w", c.ID, err)
		}
		return
	}
	w.newline(in, "]")
}

// decodeFinding reads one finding's results.json bytes back, numbers as json.Number (as the
// evaluation made them).
func decodeFinding(body []byte) (Finding, error) {
	var f Finding
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&f); err != nil {
		return Finding{}, fmt.Errorf("%w: a finding is not JSON: %v", errSpoolDamaged, err)
	}
	return f, nil
}
