package records

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The fuzz targets feed arbitrary bytes to the parsers. Beyond "no panic", each checks that
// what is accepted is what the format promises (every column present, values of their type,
// times in UTC) and that every error names the file. Seeds are added here and committed under
// testdata/fuzz/<FuzzName>/.

// fuzzKind picks a records kind from a fuzzed byte.
func fuzzKind(k uint8) *schema {
	kinds := Kinds()
	return schemas[kinds[int(k)%len(kinds)]]
}

// kindIndex is the byte that fuzzKind maps to kind.
func kindIndex(kind string) uint8 {
	for i, k := range Kinds() {
		if k == kind {
			return uint8(i)
		}
	}
	panic(kind)
}

func addRecordSeeds(f *testing.F, ext string, extra ...string) {
	for _, kind := range Kinds() {
		b, err := os.ReadFile(filepath.Join("testdata", strings.TrimPrefix(kind, "records.")+ext))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(kindIndex(kind), b)
	}
	for _, s := range extra {
		f.Add(kindIndex(KindVulnerabilityAssessments), []byte(s))
	}
}

func FuzzReadRecordsCSV(f *testing.F) {
	addRecordSeeds(f, ".csv",
		"",
		"\ufeff"+vulnHeader,
		vulnHeader+"VA-1,A社,periodic,2026-02-30,,F-1,,fixed,,\n",
		vulnHeader+"VA-1,\"A\"\"社\",periodic,2026-01-05,,,,,,\nVA-1,A社,periodic,2026-01-05,,,,,,\n",
		vulnHeader+",,,,,,,,,\n\x8e\x52",
		"a,b,\"c\nd\"\n1,2\n")
	f.Fuzz(func(t *testing.T, k uint8, data []byte) {
		s := fuzzKind(k)
		rows, err := parseRecords(s, "csv", "fuzz.csv", data)
		checkFuzzRecords(t, s, "fuzz.csv", rows, err)
	})
}

func FuzzReadRecordsJSON(f *testing.F) {
	addRecordSeeds(f, ".json",
		"",
		"null",
		"[1, \"a\", null, [], {}]",
		`[{"assessment_id": "VA-1", "assessment_id": "VA-2"}]`,
		"[\n{\"assessment_id\": \"VA-1\", \"assessor\": 1e3}\n,\n{\"x\": {\"y\": [1]}}]",
		"[{}] trailing",
		"\ufeff[{\"phase\": \"\\u0000\"}]")
	f.Fuzz(func(t *testing.T, k uint8, data []byte) {
		s := fuzzKind(k)
		rows, err := parseRecords(s, "json", "fuzz.json", data)
		checkFuzzRecords(t, s, "fuzz.json", rows, err)
	})
}

func checkFuzzRecords(t *testing.T, s *schema, file string, rows []map[string]any, err error) {
	t.Helper()
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, file+":") {
				t.Fatalf("error line does not name the file: %q", line)
			}
		}
		if rows != nil {
			t.Fatal("rows returned with an error")
		}
		return
	}
	if rows == nil {
		t.Fatal("nil rows without an error: the evidence would say null, not []")
	}
	for _, r := range rows {
		if line, ok := r["line"].(int); !ok || line < 1 {
			t.Fatalf("bad line %v", r["line"])
		}
		if len(r) != len(s.columns)+1 {
			t.Fatalf("row has %d fields: %v", len(r), r)
		}
		for _, c := range s.columns {
			v, present := r[c.name]
			if !present {
				t.Fatalf("column %s missing: %v", c.name, r)
			}
			if v == nil {
				if c.required {
					t.Fatalf("required column %s is null", c.name)
				}
				continue
			}
			text := v.(string)
			if _, msg := c.decode(cell{text: text}); msg != "" {
				t.Fatalf("accepted value %q of %s fails its own check: %s", text, c.name, msg)
			}
		}
	}
	if _, err := json.Marshal(rows); err != nil {
		t.Fatal(err)
	}
}

var utcRFC3339 = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$`)

func checkUTC(t *testing.T, field, s string) {
	t.Helper()
	if !utcRFC3339.MatchString(s) {
		t.Fatalf("%s %q is not RFC 3339 UTC", field, s)
	}
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		t.Fatalf("%s %q: %v", field, s, err)
	}
}

func FuzzAttestation(f *testing.F) {
	for _, name := range []string{"ORG-01.yaml", "SUB-01.yaml", "LAW-01.yml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "attestations", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"",
		"control: ORG-01\ncontrol: ORG-02\n",
		"control: X\nstatement: {ja: あ, en: a}\ndocument: {path: ../x, sha256: " + strings.Repeat("A", 64) + "}\n",
		"control: X\nstatement: {ja: あ, en: a}\ndocument: {path: documents/policy.txt, sha256: " + strings.Repeat("0", 64) + "}\napproved_at: 0000-01-01T00:00:00+09:00\n",
		"a: &a [*a, *a]\n",
		"--- \n...\n---\ncontrol: [\n",
		"control: !!binary aGVsbG8=\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "documents"), 0o755); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "documents", "policy.txt"), []byte(document), 0o644); err != nil {
		f.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { root.Close() })

	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := parseAttestation(root, "att/X.yaml", "X.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "att/X.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for field, v := range map[string]string{"control": a.Control, "statement.ja": a.Statement.JA,
			"statement.en": a.Statement.EN, "document.path": a.Document.Path} {
			if blank(v) {
				t.Fatalf("%s accepted blank", field)
			}
		}
		if !sha256Shape.MatchString(a.Document.SHA256) {
			t.Fatalf("declared hash %q not lowercase hex", a.Document.SHA256)
		}
		if a.Document.Found != (a.Document.ActualSHA256 != nil) {
			t.Fatalf("found %v but actual %v", a.Document.Found, a.Document.ActualSHA256)
		}
		if a.Document.Found && !strings.HasPrefix(path.Clean(a.Document.Path), "documents") {
			t.Fatalf("found a document outside documents/: %q", a.Document.Path)
		}
		if a.Approver != nil && blank(*a.Approver) {
			t.Fatal("blank approver recorded")
		}
		for field, v := range map[string]*string{"approved_at": a.ApprovedAt, "expires_at": a.ExpiresAt} {
			if v != nil {
				checkUTC(t, field, *v)
			}
		}
		if a.Line < 1 {
			t.Fatalf("line %d", a.Line)
		}
	})
}

func FuzzExceptions(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "exceptions.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	for _, s := range []string{
		"",
		"exceptions: []\n",
		"exceptions:\n",
		"exceptions: {}\n",
		exceptionsFile(nil),
		exceptionsFile(map[string]string{"expires_at": ""}),
		exceptionsFile(map[string]string{"resource": `"[\\"`}),
		exceptionsFile(map[string]string{"approved_at": "9999-12-31T23:59:59-23:59"}),
		"exceptions: &x\n  - *x\n",
		"exceptions:\n  - control: A\n    control: B\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := parseExceptions("ex.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "ex.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if list == nil {
			t.Fatal("nil list without an error")
		}
		for _, e := range list {
			if e.Line < 1 {
				t.Fatalf("line %d", e.Line)
			}
			if len(e.Problems) > 0 {
				// An invalid entry is kept to be reported; each problem names the file.
				for _, p := range e.Problems {
					if !strings.HasPrefix(p, "ex.yaml:") {
						t.Fatalf("problem does not name the file and line: %s", p)
					}
				}
				continue
			}
			for field, v := range map[string]string{"control": e.Control, "resource": e.Resource, "reason": e.Reason, "approver": e.Approver} {
				if blank(v) {
					t.Fatalf("%s accepted blank", field)
				}
			}
			if _, err := path.Match(e.Resource, "x"); err != nil {
				t.Fatalf("pattern %q accepted: %v", e.Resource, err)
			}
			checkUTC(t, "approved_at", e.ApprovedAt)
			checkUTC(t, "expires_at", e.ExpiresAt)
			if e.ExpiresAt <= e.ApprovedAt && len(e.ExpiresAt) == len(e.ApprovedAt) {
				t.Fatalf("expiry %s not after approval %s", e.ExpiresAt, e.ApprovedAt)
			}
		}
	})
}
