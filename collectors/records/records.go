// Package records turns an organisation's own records into evidence items: records files
// exported from HR, the audit programme, the vulnerability-assessment log and the certificate
// register (CSV or JSON); attestations (one YAML file per signed statement, with the SHA-256 of
// the document it rests on); and the exceptions file (approved, expiring waivers).
//
// The files are read strictly. A typo in a records file must not turn into a silently missing
// training date or an exception that never expires, so every problem is an error naming the
// file, the line and the column or field. Nothing is judged here: rows are kept as written and
// the Rego policies decide what they mean. See docs/records.md for the formats.
package records

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The evidence kinds of records files. The names are the contract with the policies.
const (
	KindTraining                 = "records.training"
	KindInternalAudits           = "records.internal_audits"
	KindVulnerabilityAssessments = "records.vulnerability_assessments"
	KindCertificates             = "records.certificates"
)

// File is one configured records file: its evidence kind and its path.
type File struct {
	Kind string
	Path string
}

// valueType is what a column's non-empty values must look like.
type valueType int

const (
	typeString valueType = iota // any text that is not only whitespace
	typeDate                    // a real calendar date, YYYY-MM-DD
	typeEnum                    // one of column.values, exactly (case matters)
	typeSHA256                  // 64 lowercase hexadecimal digits
)

// column is one field of a records kind.
type column struct {
	name     string
	typ      valueType
	required bool
	values   []string // the allowed values of an enum
}

// rowRule checks a rule between columns of one decoded row. It returns the column at fault and
// what is wrong, or "" when the row is fine.
type rowRule func(row map[string]any) (column, msg string)

// schema describes one records kind.
type schema struct {
	kind    string
	columns []column
	rules   []rowRule
	// unique lists the columns that identify a row. Two rows with the same identity would leave
	// the policy to pick one of them, so a repeat is an error. Empty: rows need not be unique
	// (a certificate register may list a renewed certificate under its old number).
	unique []string
	// Rows with the same value in group describe one thing (an assessment, one row per finding)
	// and must agree on groupCols; otherwise "the assessment's date" would depend on the row.
	group     string
	groupCols []string
}

func (s *schema) column(name string) (column, bool) {
	for _, c := range s.columns {
		if c.name == name {
			return c, true
		}
	}
	return column{}, false
}

func (s *schema) names() string {
	names := make([]string, len(s.columns))
	for i, c := range s.columns {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

func str(name string, required bool) column { return column{name: name, required: required} }
func date(name string, required bool) column {
	return column{name: name, typ: typeDate, required: required}
}
func enum(name string, required bool, values ...string) column {
	return column{name: name, typ: typeEnum, required: required, values: values}
}
func sha(name string) column { return column{name: name, typ: typeSHA256} }

// requiredWhen: col must be set when other has the value want.
func requiredWhen(col, other, want string) rowRule {
	return func(row map[string]any) (string, string) {
		if row[other] == want && row[col] == nil {
			return col, fmt.Sprintf("required when %s is %s", other, want)
		}
		return "", ""
	}
}

// requiredWith: col must be set when other is set.
func requiredWith(col, other string) rowRule {
	return func(row map[string]any) (string, string) {
		if row[other] != nil && row[col] == nil {
			return col, fmt.Sprintf("required when %s is set", other)
		}
		return "", ""
	}
}

// emptyWithout: col must be empty when other is. A severity with no finding id describes
// nothing a policy could point at, and is most likely a shifted cell.
func emptyWithout(col, other string) rowRule {
	return func(row map[string]any) (string, string) {
		if row[other] == nil && row[col] != nil {
			return col, fmt.Sprintf("must be empty when %s is empty (a row without a finding)", other)
		}
		return "", ""
	}
}

var schemas = map[string]*schema{
	KindTraining: {
		kind: KindTraining,
		columns: []column{
			str("employee_id", true),
			enum("status", true, "active", "left"),
			date("hired_on", true),
			date("onboarding_completed_on", false),
			date("last_completed_on", false),
		},
		unique: []string{"employee_id"},
	},
	KindInternalAudits: {
		kind: KindInternalAudits,
		columns: []column{
			str("audit_id", true),
			str("scope", true),
			enum("status", true, "planned", "in_progress", "completed", "cancelled"),
			date("started_on", false),
			date("completed_on", false),
			sha("report_sha256"),
		},
		rules:  []rowRule{requiredWhen("completed_on", "status", "completed")},
		unique: []string{"audit_id"},
	},
	KindVulnerabilityAssessments: {
		kind: KindVulnerabilityAssessments,
		columns: []column{
			str("assessment_id", true),
			str("assessor", true),
			enum("phase", true, "pre_release", "post_release", "periodic"),
			date("assessed_on", true),
			sha("report_sha256"),
			str("finding_id", false),
			enum("severity", false, "critical", "high", "medium", "low", "info"),
			enum("finding_status", false, "open", "fixed", "accepted"),
			date("found_on", false),
			date("fixed_on", false),
		},
		rules: []rowRule{
			emptyWithout("severity", "finding_id"),
			emptyWithout("finding_status", "finding_id"),
			emptyWithout("found_on", "finding_id"),
			emptyWithout("fixed_on", "finding_id"),
			requiredWith("severity", "finding_id"),
			requiredWith("finding_status", "finding_id"),
			requiredWhen("fixed_on", "finding_status", "fixed"),
		},
		unique:    []string{"assessment_id", "finding_id"},
		group:     "assessment_id",
		groupCols: []string{"assessor", "phase", "assessed_on", "report_sha256"},
	},
	KindCertificates: {
		kind: KindCertificates,
		columns: []column{
			str("standard", true),
			str("certificate_id", true),
			str("issuer", true),
			str("scope", true),
			date("issued_on", true),
			date("expires_on", true),
			date("last_surveillance_on", false),
		},
	},
}

// Kinds returns the records kinds, sorted.
func Kinds() []string {
	out := make([]string, 0, len(schemas))
	for k := range schemas {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// ReadRecords reads the records file at path as rows of kind. displayName is how the file is
// named in errors (a path relative to the configuration). The format follows the extension:
// .csv (a header row, then one row per record) or .json (an array of objects).
//
// Every row holds every column of the kind (null when empty) plus "line", the line of the
// source where the row starts. Any problem is an error; no partial result is returned, because
// a policy judging the rows that happened to parse would judge a different population.
func ReadRecords(kind, path string, displayName string) ([]map[string]any, error) {
	s, ok := schemas[kind]
	if !ok {
		return nil, &Error{File: displayName, Msg: fmt.Sprintf("unknown records kind %q (known: %s)",
			kind, strings.Join(Kinds(), ", "))}
	}
	format, err := formatOf(path, displayName)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, readError(displayName, err)
	}
	return parseRecords(s, format, displayName, data)
}

// readError words a failure to read a file without the absolute path of the machine that ran
// the collection: the display name already says which file.
func readError(displayName string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Error{File: displayName, Msg: "cannot read the file: " + err.Error()}
}

func formatOf(path, displayName string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv", ".json":
		return ext[1:], nil
	default:
		return "", &Error{File: displayName, Msg: fmt.Sprintf(
			"unknown file format %q: a records file ends in .csv or .json", ext)}
	}
}

// parseRecords decodes the bytes of a records file; format is "csv" or "json".
func parseRecords(s *schema, format, file string, data []byte) ([]map[string]any, error) {
	data, err := checkText(file, data)
	if err != nil {
		return nil, err
	}
	if format == "csv" {
		return parseCSV(s, file, data)
	}
	return parseJSON(s, file, data)
}

// cell is one value as found in the file. CSV cells are always text (empty = no value); JSON
// values are text or null.
type cell struct {
	text string
	null bool
}

// rowBuilder decodes rows and checks the rules that span rows (repeats, group agreement).
type rowBuilder struct {
	s      *schema
	errs   *errorList
	seen   map[string]int        // identity → line of the first row with it
	groups map[string]groupFirst // group value → the first row of the group
	rows   []map[string]any
}

type groupFirst struct {
	line int
	row  map[string]any
}

func newRowBuilder(s *schema, errs *errorList) *rowBuilder {
	return &rowBuilder{s: s, errs: errs, seen: map[string]int{}, groups: map[string]groupFirst{},
		rows: []map[string]any{}}
}

// add decodes one row found at line. cells holds the columns the source had; a column it did
// not have (an optional CSV column left out of the header, a JSON field left out) is null.
func (b *rowBuilder) add(line int, cells map[string]cell) {
	if allEmpty(cells) {
		// Spreadsheets export formatted-but-empty rows as ",,,,": say so rather than list
		// every required column as missing.
		b.errs.add(line, "", "empty row (every value is empty): delete it")
		return
	}
	row := make(map[string]any, len(b.s.columns)+1)
	ok := true
	for _, c := range b.s.columns {
		raw, present := cells[c.name]
		v, problem := c.decode(raw)
		if problem == "" && v == nil && c.required {
			problem = "required, but empty"
			if !present {
				problem = "required, but missing" // a JSON object without the field
			}
		}
		if problem != "" {
			b.errs.add(line, "column "+c.name, "%s", problem)
			ok = false
		}
		row[c.name] = v
	}
	if !ok {
		return // rules over a half-decoded row would only repeat the problem
	}
	for _, rule := range b.s.rules {
		if col, msg := rule(row); msg != "" {
			b.errs.add(line, "column "+col, "%s", msg)
			ok = false
		}
	}
	if !ok || !b.checkAcrossRows(line, row) {
		return
	}
	row["line"] = line
	b.rows = append(b.rows, row)
}

func allEmpty(cells map[string]cell) bool {
	for _, c := range cells {
		if !c.null && c.text != "" {
			return false
		}
	}
	return len(cells) > 0
}

func (b *rowBuilder) checkAcrossRows(line int, row map[string]any) bool {
	s := b.s
	if len(s.unique) > 0 {
		parts := make([]string, len(s.unique))
		for i, name := range s.unique {
			parts[i] = name + " " + show(row[name])
		}
		key := strings.Join(parts, ", ")
		if first, dup := b.seen[key]; dup {
			b.errs.add(line, "", "repeats line %d (same %s): each record must appear once", first, key)
			return false
		}
		b.seen[key] = line
	}
	if s.group == "" {
		return true
	}
	id := row[s.group].(string) // the group column is required, so set
	first, seen := b.groups[id]
	if !seen {
		b.groups[id] = groupFirst{line: line, row: row}
		return true
	}
	ok := true
	for _, name := range s.groupCols {
		if row[name] != first.row[name] {
			b.errs.add(line, "column "+name, "%s differs from %s on line %d for the same %s %s: the rows of one %s must agree on %s",
				show(row[name]), show(first.row[name]), first.line, s.group, quote(id),
				strings.TrimSuffix(s.group, "_id"), strings.Join(s.groupCols, ", "))
			ok = false
		}
	}
	return ok
}

// show renders a decoded value for a message.
func show(v any) string {
	if v == nil {
		return "(empty)"
	}
	return quote(v.(string))
}

var (
	dateShape   = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	sha256Shape = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// decode returns the value of a cell (a string, or nil for no value) or what is wrong with it.
func (c column) decode(v cell) (any, string) {
	if v.null || v.text == "" {
		return nil, ""
	}
	t := v.text
	if strings.TrimSpace(t) == "" {
		// A cell of spaces is neither clearly empty nor a value; make the staffer choose.
		return nil, "only whitespace: leave the cell empty for no value"
	}
	switch c.typ {
	case typeDate:
		if !dateShape.MatchString(t) {
			return nil, fmt.Sprintf("%s is not a date in the form YYYY-MM-DD", quote(t))
		}
		if _, err := time.Parse(time.DateOnly, t); err != nil {
			// The shape is right, so the date itself does not exist (2026-02-30, month 13).
			return nil, fmt.Sprintf("%s is not a real date", quote(t))
		}
	case typeEnum:
		if !slices.Contains(c.values, t) {
			return nil, fmt.Sprintf("%s is not one of %s", quote(t), strings.Join(c.values, ", "))
		}
	case typeSHA256:
		if !sha256Shape.MatchString(t) {
			return nil, fmt.Sprintf("%s is not a SHA-256 (64 lowercase hexadecimal digits)", quote(t))
		}
	}
	return t, ""
}

// parseCSV reads a header row and the rows below it.
func parseCSV(s *schema, file string, data []byte) ([]map[string]any, error) {
	errs := &errorList{file: file}
	r := csv.NewReader(bytes.NewReader(data))
	// FieldsPerRecord stays 0: every row must have as many cells as the header.
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, &Error{File: file, Msg: "empty file: expected a header row naming the columns (" + s.names() + ")"}
	}
	if err != nil {
		return nil, csvError(file, err, 0)
	}
	headerLine, _ := r.FieldPos(0)
	seen := map[string]bool{}
	for _, name := range header {
		switch _, known := s.column(name); {
		case name == "":
			errs.add(headerLine, "", "a column without a name in the header (a comma too many?)")
		case !known:
			errs.add(headerLine, "", "unknown column %s (the columns of %s are: %s)", quote(name), s.kind, s.names())
		case seen[name]:
			errs.add(headerLine, "", "column %s appears twice in the header", name)
		}
		seen[name] = true
	}
	for _, c := range s.columns {
		if c.required && !seen[c.name] {
			errs.add(headerLine, "", "missing required column %s", c.name)
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}

	b := newRowBuilder(s, errs)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				// The reader is still in step with the file: report and go on.
				errs.addErr(csvError(file, err, len(header)))
				continue
			}
			// A broken quote leaves the reader out of step: what follows would be noise.
			errs.addErr(csvError(file, err, len(header)))
			break
		}
		line, _ := r.FieldPos(0)
		cells := make(map[string]cell, len(header))
		for i, name := range header {
			cells[name] = cell{text: rec[i]}
		}
		b.add(line, cells)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return b.rows, nil
}

// csvError words an encoding/csv error as FILE:LINE; want is the header's cell count.
func csvError(file string, err error, want int) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &Error{File: file, Msg: err.Error()}
	}
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		return &Error{File: file, Line: pe.StartLine, Msg: fmt.Sprintf(
			"wrong number of cells: the header has %d (a comma inside a value needs the value in double quotes)", want)}
	}
	msg := pe.Err.Error()
	if errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote) {
		msg += ` (a value containing " must be in double quotes, with the " doubled: "say ""hi""")`
	}
	return &Error{File: file, Line: pe.Line, Msg: fmt.Sprintf("character %d: %s", pe.Column, msg)}
}

// parseJSON reads an array of objects whose fields are the columns.
func parseJSON(s *schema, file string, data []byte) ([]map[string]any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{File: file, Msg: "empty file: expected a JSON array of objects"}
	}
	// Check the syntax of the whole file first: json.Unmarshal reports the offset of a syntax
	// error from the start of the file, which the streaming decoder below does not.
	var probe json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := position(data, int(se.Offset)-1)
			return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("character %d: JSON syntax: %v", col, se)}
		}
		return nil, &Error{File: file, Msg: "JSON: " + err.Error()}
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	start := skipSpace(data, 0)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		line, _ := position(data, start)
		return nil, &Error{File: file, Line: line, Msg: "expected a JSON array of objects ([{...}, ...]), found " + jsonType(data[start:])}
	}
	errs := &errorList{file: file}
	b := newRowBuilder(s, errs)
	for n := 1; dec.More(); n++ {
		// The decoder stops right after the previous value; the object starts after the
		// separating comma and whitespace. Its line is the row's "line".
		at := skipSpace(data, int(dec.InputOffset()))
		line, _ := position(data, at)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, &Error{File: file, Line: line, Msg: "JSON: " + err.Error()} // unreachable: the syntax was checked
		}
		cells, ok := jsonCells(s, errs, line, n, raw)
		if ok {
			b.add(line, cells)
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return b.rows, nil
}

// skipSpace returns the offset of the first byte at or after off that is neither JSON
// whitespace nor the comma between array elements.
func skipSpace(data []byte, off int) int {
	for off < len(data) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// jsonType names the JSON type of the value that raw starts with.
func jsonType(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	default:
		return "a number"
	}
}

// jsonCells reads the fields of element n (1-based), an object starting at line. Fields are
// streamed rather than unmarshalled into a map so that a repeated field is seen: a map would
// keep the last one and drop the first without a word.
func jsonCells(s *schema, errs *errorList, line, n int, raw json.RawMessage) (map[string]cell, bool) {
	if raw[0] != '{' {
		errs.add(line, "", "element %d of the array is %s, expected an object", n, jsonType(raw))
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	_, _ = dec.Token() // the '{'
	cells := map[string]cell{}
	ok := true
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			errs.add(line, "", "JSON: %v", err)
			return nil, false
		}
		name := tok.(string) // object keys are always strings in valid JSON
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			errs.add(line, "", "JSON: %v", err)
			return nil, false
		}
		if _, known := s.column(name); !known {
			errs.add(line, "", "unknown column %s (the columns of %s are: %s)", quote(name), s.kind, s.names())
			ok = false
			continue
		}
		if _, dup := cells[name]; dup {
			errs.add(line, "column "+name, "appears twice in the object")
			ok = false
			continue
		}
		switch v[0] {
		case 'n':
			cells[name] = cell{null: true}
		case '"':
			var text string
			if err := json.Unmarshal(v, &text); err != nil {
				errs.add(line, "column "+name, "JSON: %v", err)
				ok = false
				continue
			}
			cells[name] = cell{text: text}
		default:
			// Numbers are refused rather than converted: 1e3 and 1000 would become the
			// same employee id, and leading zeros are already lost.
			errs.add(line, "column "+name, "expected a string or null, found %s %s: write it in double quotes",
				jsonType(v), quote(string(v)))
			ok = false
		}
	}
	return cells, ok
}
