package records

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// KindAttestations is the evidence kind of the attestation directory: one item, every
// attestation in it.
const KindAttestations = "attestations"

// Attestation is one attestation as recorded in evidence. Optional fields that are missing are
// null, not empty strings, so a policy cannot mistake "no approver" for an approver.
type Attestation struct {
	File      string    `json:"file"` // the YAML file's name in the directory
	Line      int       `json:"line"` // the line where the attestation starts
	Control   string    `json:"control"`
	Statement Statement `json:"statement"`
	Document  Document  `json:"document"`
	Approver  *string   `json:"approver"`
	// ApprovedAt and ExpiresAt are RFC 3339 in UTC ("2026-04-01T00:00:00Z").
	ApprovedAt *string `json:"approved_at"`
	ExpiresAt  *string `json:"expires_at"`
}

// Statement is what is attested, in Japanese and English.
type Statement struct {
	JA string `json:"ja"`
	EN string `json:"en"`
}

// Document is the document an attestation rests on: the digest the approver declared, and what
// the collector found at the path. The policy compares the two; the collector only reports.
type Document struct {
	Path         string  `json:"path"`          // as written, relative to the attestation file
	SHA256       string  `json:"sha256"`        // declared, lowercased
	ActualSHA256 *string `json:"actual_sha256"` // the file's SHA-256, null when not found
	Found        bool    `json:"found"`
}

// attestationYAML is the file format. Required fields are plain strings: absent and empty mean
// the same (missing), and both are refused.
type attestationYAML struct {
	Control   string `yaml:"control"`
	Statement struct {
		JA string `yaml:"ja"`
		EN string `yaml:"en"`
	} `yaml:"statement"`
	Document struct {
		Path   string `yaml:"path"`
		SHA256 string `yaml:"sha256"`
	} `yaml:"document"`
	Approver   string `yaml:"approver"`
	ApprovedAt string `yaml:"approved_at"`
	ExpiresAt  string `yaml:"expires_at"`
}

var hexSHA256 = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// ReadAttestations reads every attestation (*.yaml, *.yml) directly in dir, in file-name order.
// displayDir is how the directory is named in errors. Subdirectories (where the documents
// usually live) and hidden files (editor and macOS droppings) are not attestations. Any problem
// in any file is an error, every file's problems joined: a half-read directory would make the
// missing attestations look absent rather than broken.
func ReadAttestations(dir, displayDir string) ([]Attestation, error) {
	return readAttestations(context.Background(), dir, displayDir)
}

func readAttestations(ctx context.Context, dir, displayDir string) ([]Attestation, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, readError(displayDir, err)
	}
	defer root.Close()
	entries, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		return nil, readError(displayDir, err)
	}
	out := []Attestation{}
	var errs []error
	for _, e := range entries { // fs.ReadDir sorts by name
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !isYAML(name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		file := path.Join(filepath.ToSlash(displayDir), name)
		data, err := root.ReadFile(name)
		if err != nil {
			errs = append(errs, readError(file, err))
			continue
		}
		a, err := parseAttestation(root, file, name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, a)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func isYAML(name string) bool {
	return slices.Contains([]string{".yaml", ".yml"}, filepath.Ext(name))
}

// parseAttestation decodes one attestation file and hashes its document, which is looked up
// inside root (the attestation directory). file names the file in errors, name in the record.
func parseAttestation(root *os.Root, file, name string, data []byte) (Attestation, error) {
	var y attestationYAML
	top, err := decodeStrict(file, data, &y)
	if err != nil {
		return Attestation{}, err
	}
	errs := &errorList{file: file}
	problem := func(field, format string, args ...any) {
		errs.add(fieldLine(top, field), "field "+field, format, args...)
	}
	for _, f := range []struct{ name, value string }{
		{"control", y.Control},
		{"statement.ja", y.Statement.JA},
		{"statement.en", y.Statement.EN},
		{"document.path", y.Document.Path},
		{"document.sha256", y.Document.SHA256},
	} {
		if blank(f.value) {
			problem(f.name, "required")
		}
	}
	if !blank(y.Document.SHA256) && !hexSHA256.MatchString(y.Document.SHA256) {
		problem("document.sha256", "%s is not a SHA-256 (64 hexadecimal digits)", quote(y.Document.SHA256))
	}
	if !blank(y.Document.Path) {
		if msg := checkDocumentPath(y.Document.Path); msg != "" {
			problem("document.path", "%s", msg)
		}
	}
	a := Attestation{
		File:      name,
		Line:      max(top.Line, 1),
		Control:   y.Control,
		Statement: Statement{JA: y.Statement.JA, EN: y.Statement.EN},
		Document:  Document{Path: y.Document.Path, SHA256: strings.ToLower(y.Document.SHA256)},
		// A blank approver is recorded as none, so that the policy fails it as unapproved.
		Approver: optional(y.Approver),
	}
	for _, t := range []struct {
		field string
		value string
		out   **string
	}{{"approved_at", y.ApprovedAt, &a.ApprovedAt}, {"expires_at", y.ExpiresAt, &a.ExpiresAt}} {
		if blank(t.value) {
			continue // missing: null, and the policy decides what that means
		}
		utc, msg := utcTime(t.value)
		if msg != "" {
			problem(t.field, "%s", msg)
			continue
		}
		*t.out = &utc
	}
	if err := errs.err(); err != nil {
		return Attestation{}, err
	}

	sum, found, err := hashDocument(root, y.Document.Path)
	if err != nil {
		return Attestation{}, &Error{File: file, Line: fieldLine(top, "document.path"),
			Column: "field document.path", Msg: fmt.Sprintf("cannot read the document %s: %v", quote(y.Document.Path), err)}
	}
	if found {
		a.Document.ActualSHA256 = &sum
		a.Document.Found = true
	}
	return a, nil
}

func optional(s string) *string {
	if blank(s) {
		return nil
	}
	return &s
}

// checkDocumentPath refuses a document path that could name a file outside the attestation
// directory: the evidence would then rest on a file nobody reviewing the directory sees.
// (Symbolic links that lead outside are refused when the file is opened, by os.Root.)
func checkDocumentPath(p string) string {
	if strings.Contains(p, `\`) {
		return fmt.Sprintf("%s: write the path with forward slashes (/)", quote(p))
	}
	if path.IsAbs(p) || !filepath.IsLocal(filepath.FromSlash(p)) {
		return fmt.Sprintf("%s leaves the attestation directory: give a path inside it, relative to the attestation file", quote(p))
	}
	return ""
}

// hashDocument returns the SHA-256 of the document at p inside root; found is false when there
// is no such file (the policy fails a missing document, it is not a collection error).
func hashDocument(root *os.Root, p string) (sum string, found bool, err error) {
	f, err := root.Open(filepath.FromSlash(p))
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in the message
		}
		return "", false, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return "", false, errors.New("it is a directory, not a document")
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", false, err
	}
	return hex.EncodeToString(h.Sum(nil)), true, nil
}
