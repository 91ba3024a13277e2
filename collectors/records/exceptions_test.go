package records

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadExceptionsExampleFile(t *testing.T) {
	got, err := ReadExceptions("testdata/exceptions.yaml", "exceptions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Exception{
		{Control: "TRN-01", Resource: "E00*", Reason: "育児休業中のため受講を延期（復職後30日以内に受講）",
			Approver: "情報セキュリティ委員会", ApprovedAt: "2026-09-30T15:00:00Z", ExpiresAt: "2027-01-30T15:00:00Z", Line: 3},
		{Control: "VUL-01", Resource: "VA-2026-01-002", Reason: "影響が限定的な low 指摘のため、次回リリース（2027年1月）で修正することをリスク受容",
			Approver: "置田 富士夫（取締役）", ApprovedAt: "2026-04-02T01:00:00Z", ExpiresAt: "2027-01-31T14:59:59Z", Line: 9},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("exceptions differ\n got: %+v\nwant: %+v", got, want)
	}
}

// exceptionsFile renders a file of two valid exceptions, the second with fields replaced
// (value "" removes the field).
func exceptionsFile(edit map[string]string) string {
	fields := [][2]string{
		{"control", "TRN-01"},
		{"resource", `"E00*"`},
		{"reason", "育児休業中のため受講を延期"},
		{"approver", "情報セキュリティ委員会"},
		{"approved_at", "2026-10-01T00:00:00+09:00"},
		{"expires_at", "2027-01-31T00:00:00+09:00"},
	}
	var b strings.Builder
	b.WriteString("exceptions:\n")
	b.WriteString("  - control: VUL-01\n    resource: VA-1\n    reason: リスク受容\n    approver: 置田\n" +
		"    approved_at: 2026-04-02T10:00:00+09:00\n    expires_at: 2027-01-31T23:59:59+09:00\n")
	for i, f := range fields {
		v, edited := edit[f[0]]
		if !edited {
			v = f[1]
		}
		if v == "" {
			continue
		}
		if i == 0 {
			b.WriteString("  - ")
		} else {
			b.WriteString("    ")
		}
		b.WriteString(f[0] + ": " + v + "\n")
	}
	return b.String()
}

func TestExceptionsRefuseAnyMissingField(t *testing.T) {
	tests := []struct {
		name    string
		content string
		wantErr string
	}{
		{name: "complete", content: exceptionsFile(nil)},
		{name: "no exceptions", content: "exceptions: []\n"},
		{name: "without expiry", content: exceptionsFile(map[string]string{"expires_at": ""}),
			wantErr: "exceptions.yaml:8: exception 2: field expires_at: required (an exception without an expiry would waive the control forever)"},
		{name: "without approver", content: exceptionsFile(map[string]string{"approver": ""}),
			wantErr: "exceptions.yaml:8: exception 2: field approver: required"},
		{name: "blank approver", content: exceptionsFile(map[string]string{"approver": `"  "`}),
			wantErr: "exceptions.yaml:11: exception 2: field approver: required"},
		{name: "without a resource", content: exceptionsFile(map[string]string{"resource": ""}),
			wantErr: "exception 2: field resource: required"},
		{name: "without the list", content: "# 例外なし\nexceptions:\n",
			wantErr: `exceptions.yaml:2: field exceptions: required: the list of exceptions (write "exceptions: []" when there are none)`},
		{name: "unknown field", content: exceptionsFile(map[string]string{"reason": "x\n    ticket: SEC-123"}),
			wantErr: "exceptions.yaml:11: exception 2: field ticket: unknown field (the fields are control, resource, reason, approver, approved_at, expires_at)"},
		{name: "misspelt field", content: exceptionsFile(map[string]string{"approver": "x\n    expires: 2027-01-31T00:00:00+09:00"}),
			wantErr: "exceptions.yaml:12: exception 2: field expires: unknown field (did you mean expires_at?)"},
		{name: "duplicate field", content: exceptionsFile(map[string]string{"reason": "x\n    reason: y"}),
			wantErr: `exceptions.yaml:11: exception 2: field reason: given twice (first at line 10)`},
		{name: "a list where a text belongs", content: exceptionsFile(map[string]string{"approver": "[委員会, 取締役]"}),
			wantErr: `exceptions.yaml:11: exception 2: field approver: want a text, found a list`},
		{name: "an entry that is not a mapping", content: "exceptions:\n  - TRN-01\n",
			wantErr: `exceptions.yaml:2: exception 1: want the fields control, resource, reason, approver, approved_at and expires_at (found a text "TRN-01")`},
		{name: "the list's key misspelt", content: "exception:\n  - control: TRN-01\n",
			wantErr: "exceptions.yaml:1: field exception: unknown field (did you mean exceptions?)"},
		{name: "a text for the list", content: "exceptions: none\n",
			wantErr: `exceptions.yaml:1: field exceptions: want a list of exceptions, each starting with "- control:" (found a text "none")`},
		{name: "a list for the file", content: "- control: TRN-01\n",
			wantErr: "exceptions.yaml:1: want the key exceptions with the list of exceptions (found a list)"},
		{name: "empty file", content: "",
			wantErr: "exceptions.yaml: empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseExceptions("exceptions.yaml", []byte(tt.content))
			checkErr(t, withProblems(got, err), tt.wantErr, got)
		})
	}
}

func TestExceptionsValidatePatternsAndTimes(t *testing.T) {
	tests := []struct {
		name    string
		edit    map[string]string
		wantErr string
	}{
		{name: "wildcard pattern", edit: map[string]string{"resource": `"arn:aws:s3:::tmp-*"`}},
		{name: "character class", edit: map[string]string{"resource": `"E00[1-5]"`}},
		{name: "unclosed class", edit: map[string]string{"resource": `"E00[1-5"`},
			wantErr: `exceptions.yaml:9: exception 2: field resource: "E00[1-5" is not a valid pattern`},
		{name: "date instead of time", edit: map[string]string{"expires_at": "2027-01-31"},
			wantErr: `exceptions.yaml:13: exception 2: field expires_at: "2027-01-31" is not an RFC 3339 time`},
		{name: "expiry before approval", edit: map[string]string{"expires_at": "2026-01-31T00:00:00+09:00"},
			wantErr: `exceptions.yaml:13: exception 2: field expires_at: "2026-01-31T00:00:00+09:00" is not after approved_at "2026-10-01T00:00:00+09:00"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseExceptions("exceptions.yaml", []byte(exceptionsFile(tt.edit)))
			checkErr(t, withProblems(got, err), tt.wantErr, got)
			if err == nil && (len(got) != 2 || got[1].Line != 8 || got[1].ApprovedAt != "2026-09-30T15:00:00Z") {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestReadExceptionsNamesTheFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "exceptions.yaml")
	if err := os.WriteFile(p, []byte(exceptionsFile(map[string]string{"approved_at": ""})), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadExceptions(p, "config/exceptions.yaml")
	checkErr(t, withProblems(got, err), "config/exceptions.yaml:8: exception 2: field approved_at: required", nil)
	_, err = ReadExceptions(p+".missing", "config/exceptions.yaml")
	checkErr(t, err, "config/exceptions.yaml: cannot read the file: no such file or directory", nil)
}

// withProblems is err, or else the problems of the invalid entries as one error (nil when every
// entry is valid), so that file-level and entry-level problems are checked alike.
func withProblems(list []Exception, err error) error {
	if err != nil {
		return err
	}
	var all []string
	for _, e := range list {
		all = append(all, e.Problems...)
	}
	if len(all) == 0 {
		return nil
	}
	return errors.New(strings.Join(all, "\n"))
}

// checkErr: wantErr "" → err must be nil; else every line of wantErr must be in err.
func checkErr(t *testing.T, err error, wantErr string, got any) {
	t.Helper()
	if wantErr == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error; got %+v", got)
	}
	for _, want := range strings.Split(wantErr, "\n") {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error\n%v\ndoes not contain\n%s", err, want)
		}
	}
}

// TestOneBadExceptionKeepsTheOthers: a malformed entry once made the whole file an error item,
// dropping every waiver in it. Now the good entries are read as before and the bad one is kept
// with its problems, its control and resource as written, for the engine to report.
func TestOneBadExceptionKeepsTheOthers(t *testing.T) {
	tests := []struct {
		name         string
		edit         map[string]string
		wantProblems []string
	}{
		{name: "both entries valid", edit: nil},
		{name: "second entry with a date for a time", edit: map[string]string{"expires_at": "2027/01/31", "approver": "x\n    ticket: SEC-1"},
			wantProblems: []string{
				"exceptions.yaml:12: exception 2: field ticket: unknown field (the fields are control, resource, reason, approver, approved_at, expires_at)",
				`exceptions.yaml:14: exception 2: field expires_at: "2027/01/31" is not an RFC 3339 time with a zone, like 2026-04-01T09:00:00+09:00`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseExceptions("exceptions.yaml", []byte(exceptionsFile(tt.edit)))
			if err != nil {
				t.Fatalf("the file as a whole was refused: %v", err)
			}
			if len(got) != 2 {
				t.Fatalf("got %d entries, want both: %+v", len(got), got)
			}
			first := Exception{Control: "VUL-01", Resource: "VA-1", Reason: "リスク受容", Approver: "置田",
				ApprovedAt: "2026-04-02T01:00:00Z", ExpiresAt: "2027-01-31T14:59:59Z", Line: 2}
			if !reflect.DeepEqual(got[0], first) {
				t.Errorf("the good entry changed\n got: %+v\nwant: %+v", got[0], first)
			}
			if got[1].Control != "TRN-01" || got[1].Resource != "E00*" || got[1].Line != 8 {
				t.Errorf("the second entry lost what it names: %+v", got[1])
			}
			if !reflect.DeepEqual(got[1].Problems, tt.wantProblems) {
				t.Errorf("problems\n got: %q\nwant: %q", got[1].Problems, tt.wantProblems)
			}
		})
	}
}
