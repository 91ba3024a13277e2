package records

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// row builds an expected output row: the given columns, and line.
func row(line int, kv ...any) map[string]any {
	r := map[string]any{"line": line}
	for i := 0; i < len(kv); i += 2 {
		r[kv[i].(string)] = kv[i+1]
	}
	return r
}

const (
	hashIA2025 = "9819d278277b5b3f62b77982e28f7f87610657ec96f4b78d4e5f5e61f22af8ae"
	hashIA2026 = "253c70db83bf4dd85ddfb2d083f87f45da6ea81bc103f25d5590fe92244a64e2"
	hashVA01   = "88f42b6ba4df4e87b927e728728854347ee19a6fe5d16fe47b83ccee0e2c8fb4"
	hashVA02   = "bf009779a798a9061ff8357bf29392fa9af69cbfe3a11ea943846dd95e8f486d"
)

// expectedExample is what the testdata example of each kind holds, in order, without "line"
// (the CSV and JSON versions hold the same records on different lines).
var expectedExample = map[string][]map[string]any{
	KindTraining: {
		{"employee_id": "E0001", "status": "active", "hired_on": "2019-04-01", "onboarding_completed_on": "2019-04-05", "last_completed_on": "2026-06-12"},
		{"employee_id": "E0002", "status": "active", "hired_on": "2026-10-01", "onboarding_completed_on": "2026-10-08", "last_completed_on": nil},
		{"employee_id": "E0003", "status": "left", "hired_on": "2020-07-01", "onboarding_completed_on": "2020-07-03", "last_completed_on": "2025-06-10"},
		{"employee_id": "E0004", "status": "active", "hired_on": "2026-11-16", "onboarding_completed_on": nil, "last_completed_on": nil},
	},
	KindInternalAudits: {
		{"audit_id": "IA-2025", "scope": "ISMS全体（本社, データセンター）", "status": "completed", "started_on": "2025-02-03", "completed_on": "2025-02-21", "report_sha256": hashIA2025},
		{"audit_id": "IA-2026", "scope": "ISMS全体（本社, データセンター）", "status": "completed", "started_on": "2026-02-02", "completed_on": "2026-02-18", "report_sha256": hashIA2026},
		{"audit_id": "IA-2026-X1", "scope": "ソナーサービス開発プロセス（組織変更に伴う臨時監査）", "status": "in_progress", "started_on": "2026-11-10", "completed_on": nil, "report_sha256": nil},
		{"audit_id": "IA-2027", "scope": "ISMS全体", "status": "planned", "started_on": nil, "completed_on": nil, "report_sha256": nil},
	},
	KindVulnerabilityAssessments: {
		{"assessment_id": "VA-2026-01", "assessor": "株式会社セキュアテスト研究所", "phase": "pre_release", "assessed_on": "2026-03-10", "report_sha256": hashVA01,
			"finding_id": "VA-2026-01-001", "severity": "high", "finding_status": "fixed", "found_on": "2026-03-10", "fixed_on": "2026-03-24"},
		{"assessment_id": "VA-2026-01", "assessor": "株式会社セキュアテスト研究所", "phase": "pre_release", "assessed_on": "2026-03-10", "report_sha256": hashVA01,
			"finding_id": "VA-2026-01-002", "severity": "low", "finding_status": "accepted", "found_on": "2026-03-10", "fixed_on": nil},
		{"assessment_id": "VA-2026-02", "assessor": "株式会社セキュアテスト研究所", "phase": "post_release", "assessed_on": "2026-09-15", "report_sha256": hashVA02,
			"finding_id": nil, "severity": nil, "finding_status": nil, "found_on": nil, "fixed_on": nil},
	},
	KindCertificates: {
		{"standard": "ISO/IEC 27001", "certificate_id": "IS 600123", "issuer": "一般財団法人 日本規格審査機構（架空）", "scope": "本社及びデータセンター",
			"issued_on": "2024-09-25", "expires_on": "2027-09-24", "last_surveillance_on": "2026-09-10"},
		{"standard": "ISO/IEC 27017", "certificate_id": "CLOUD 700456", "issuer": "一般財団法人 日本規格審査機構（架空）", "scope": "ソナーサービスの提供に係るクラウドサービスプロバイダとしてのシステム構築・運用",
			"issued_on": "2023-11-04", "expires_on": "2026-11-03", "last_surveillance_on": "2025-10-20"},
		{"standard": "ISO/IEC 27018", "certificate_id": "PII 800789", "issuer": "一般財団法人 日本規格審査機構（架空）", "scope": "クラウド型名刺情報管理システムのサービス提供・運用",
			"issued_on": "2026-11-04", "expires_on": "2029-11-03", "last_surveillance_on": nil},
	},
}

func withLines(rows []map[string]any, lines ...int) []map[string]any {
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		c := map[string]any{"line": lines[i]}
		for k, v := range r {
			c[k] = v
		}
		out[i] = c
	}
	return out
}

func TestReadRecordsExamplesGiveTheExpectedRows(t *testing.T) {
	tests := []struct {
		kind, file string
		lines      []int // where each record starts in the file
	}{
		{KindTraining, "training.csv", []int{2, 3, 4, 5}},
		{KindTraining, "training.json", []int{2, 9, 16, 17}},
		{KindInternalAudits, "internal_audits.csv", []int{2, 3, 4, 5}},
		{KindInternalAudits, "internal_audits.json", []int{2, 3, 4, 5}},
		{KindVulnerabilityAssessments, "vulnerability_assessments.csv", []int{2, 3, 4}},
		{KindVulnerabilityAssessments, "vulnerability_assessments.json", []int{2, 9, 16}},
		{KindCertificates, "certificates.csv", []int{2, 3, 4}},
		{KindCertificates, "certificates.json", []int{2, 11, 20}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ReadRecords(tt.kind, filepath.Join("testdata", tt.file), "records/"+tt.file)
			if err != nil {
				t.Fatal(err)
			}
			want := withLines(expectedExample[tt.kind], tt.lines...)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("rows differ\n got: %v\nwant: %v", got, want)
			}
		})
	}
	// The failing side: the same file read as another kind is refused, not half-read.
	if _, err := ReadRecords(KindCertificates, "testdata/training.csv", "training.csv"); err == nil {
		t.Error("training.csv read as certificates: want an error")
	}
}

// recordsCase is one records file and what reading it must give: wantErr "" means it must be
// read without error; otherwise every line of wantErr must appear in the error.
type recordsCase struct {
	name    string
	kind    string
	file    string // the extension picks the format
	content string
	wantErr string
}

func runRecordsCases(t *testing.T, cases []recordsCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			rows, err := ReadRecords(tt.kind, p, tt.file)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				checkRowShape(t, tt.kind, rows)
				return
			}
			if err == nil {
				t.Fatalf("no error; rows %v", rows)
			}
			for _, want := range strings.Split(tt.wantErr, "\n") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error\n%v\ndoes not contain\n%s", err, want)
				}
			}
		})
	}
}

// checkRowShape: every row has exactly the kind's columns plus line; values are strings or nil.
func checkRowShape(t *testing.T, kind string, rows []map[string]any) {
	t.Helper()
	s := schemas[kind]
	for _, r := range rows {
		if len(r) != len(s.columns)+1 {
			t.Errorf("row has %d fields, want %d: %v", len(r), len(s.columns)+1, r)
		}
		if l, ok := r["line"].(int); !ok || l < 1 {
			t.Errorf("row line %v", r["line"])
		}
		for _, c := range s.columns {
			v, ok := r[c.name]
			if !ok {
				t.Errorf("row lacks %s: %v", c.name, r)
			}
			if _, isStr := v.(string); v != nil && !isStr {
				t.Errorf("%s = %#v, want string or nil", c.name, v)
			}
		}
	}
}

const trainingHeader = "employee_id,status,hired_on,onboarding_completed_on,last_completed_on\n"

func TestReadRecordsRefusesUnknownAndMissingColumns(t *testing.T) {
	runRecordsCases(t, []recordsCase{
		{name: "all columns", kind: KindTraining, file: "t.csv",
			content: trainingHeader + "E1,active,2026-01-05,2026-01-06,\n"},
		{name: "optional columns may be left out", kind: KindTraining, file: "t.csv",
			content: "employee_id,status,hired_on\nE1,active,2026-01-05\n"},
		{name: "columns in any order", kind: KindTraining, file: "t.csv",
			content: "hired_on,employee_id,status\n2026-01-05,E1,left\n"},
		{name: "unknown column", kind: KindTraining, file: "t.csv",
			content: "employee_id,status,hired_on,department\nE1,active,2026-01-05,開発部\n",
			wantErr: `t.csv:1: unknown column "department" (the columns of records.training are: employee_id, status`},
		{name: "unknown JSON field", kind: KindTraining, file: "t.json",
			content: "[\n {\"employee_id\": \"E1\", \"status\": \"active\", \"hired_on\": \"2026-01-05\",\n  \"name\": \"山田\"}\n]",
			wantErr: `t.json:2: unknown column "name"`},
		{name: "missing required column", kind: KindTraining, file: "t.csv",
			content: "employee_id,hired_on\nE1,2026-01-05\n",
			wantErr: "t.csv:1: missing required column status"},
		{name: "missing required JSON field", kind: KindTraining, file: "t.json",
			content: `[{"employee_id": "E1", "hired_on": "2026-01-05"}]`,
			wantErr: "t.json:1: column status: required, but missing"},
		{name: "column twice", kind: KindTraining, file: "t.csv",
			content: "employee_id,status,hired_on,status\nE1,active,2026-01-05,left\n",
			wantErr: "t.csv:1: column status appears twice in the header"},
		{name: "JSON field twice", kind: KindTraining, file: "t.json",
			content: `[{"employee_id": "E1", "status": "active", "status": "left", "hired_on": "2026-01-05"}]`,
			wantErr: "t.json:1: column status: appears twice in the object"},
		{name: "header with a byte-order mark", kind: KindTraining, file: "t.csv",
			content: "\ufeff" + trainingHeader + "E1,active,2026-01-05,,\n"},
	})
}

func TestReadRecordsValidatesDates(t *testing.T) {
	row := func(hired string) string { return trainingHeader + "E1,active," + hired + ",,\n" }
	runRecordsCases(t, []recordsCase{
		{name: "real date", kind: KindTraining, file: "t.csv", content: row("2026-04-01")},
		{name: "leap day in a leap year", kind: KindTraining, file: "t.csv", content: row("2028-02-29")},
		{name: "leap day in another year", kind: KindTraining, file: "t.csv", content: row("2026-02-29"),
			wantErr: `t.csv:2: column hired_on: "2026-02-29" is not a real date`},
		{name: "thirteenth month", kind: KindTraining, file: "t.csv", content: row("2026-13-01"),
			wantErr: `t.csv:2: column hired_on: "2026-13-01" is not a real date`},
		{name: "Excel's slashes", kind: KindTraining, file: "t.csv", content: row("2026/04/01"),
			wantErr: `t.csv:2: column hired_on: "2026/04/01" is not a date in the form YYYY-MM-DD`},
		{name: "no leading zero", kind: KindTraining, file: "t.csv", content: row("2026-4-1"),
			wantErr: `column hired_on: "2026-4-1" is not a date in the form YYYY-MM-DD`},
		{name: "a time is not a date", kind: KindTraining, file: "t.csv", content: row("2026-04-01T09:00:00+09:00"),
			wantErr: `column hired_on: "2026-04-01T09:00:00+09:00" is not a date`},
		{name: "wareki", kind: KindTraining, file: "t.csv", content: row("令和8年4月1日"),
			wantErr: `column hired_on: "令和8年4月1日" is not a date`},
		{name: "bad optional date in JSON, on the object's line", kind: KindTraining, file: "t.json",
			content: "[\n  {\"employee_id\": \"E1\", \"status\": \"active\", \"hired_on\": \"2026-01-05\"},\n\n  {\"employee_id\": \"E2\",\n   \"status\": \"active\", \"hired_on\": \"2026-01-05\", \"last_completed_on\": \"2026-06-31\"}\n]\n",
			wantErr: `t.json:4: column last_completed_on: "2026-06-31" is not a real date`},
	})
}

func TestReadRecordsValidatesEnumsAndTypes(t *testing.T) {
	runRecordsCases(t, []recordsCase{
		{name: "known status", kind: KindTraining, file: "t.csv", content: trainingHeader + "E1,left,2026-01-05,,\n"},
		{name: "capitalised status", kind: KindTraining, file: "t.csv", content: trainingHeader + "E1,Active,2026-01-05,,\n",
			wantErr: `t.csv:2: column status: "Active" is not one of active, left`},
		{name: "Japanese status", kind: KindTraining, file: "t.csv", content: trainingHeader + "E1,在籍,2026-01-05,,\n",
			wantErr: `column status: "在籍" is not one of active, left`},
		{name: "unknown severity", kind: KindVulnerabilityAssessments, file: "v.csv",
			content: vulnHeader + "VA-1,株式会社A,periodic,2026-01-05,,F-1,severe,open,,\n",
			wantErr: `v.csv:2: column severity: "severe" is not one of critical, high, medium, low, info`},
		{name: "unknown phase", kind: KindVulnerabilityAssessments, file: "v.csv",
			content: vulnHeader + "VA-1,株式会社A,yearly,2026-01-05,,,,,,\n",
			wantErr: `column phase: "yearly" is not one of pre_release, post_release, periodic`},
		{name: "number in JSON", kind: KindTraining, file: "t.json",
			content: `[{"employee_id": 1001, "status": "active", "hired_on": "2026-01-05"}]`,
			wantErr: `t.json:1: column employee_id: expected a string or null, found a number "1001"`},
		{name: "boolean in JSON", kind: KindTraining, file: "t.json",
			content: `[{"employee_id": "E1", "status": true, "hired_on": "2026-01-05"}]`,
			wantErr: `column status: expected a string or null, found a boolean`},
		{name: "uppercase report hash", kind: KindInternalAudits, file: "a.csv",
			content: "audit_id,scope,status,completed_on,report_sha256\nIA-1,ISMS,completed,2026-01-05," + strings.ToUpper(hashIA2025) + "\n",
			wantErr: `a.csv:2: column report_sha256: "9819D278`},
		{name: "short report hash", kind: KindInternalAudits, file: "a.csv",
			content: "audit_id,scope,status,completed_on,report_sha256\nIA-1,ISMS,completed,2026-01-05,abc123\n",
			wantErr: `column report_sha256: "abc123" is not a SHA-256 (64 lowercase hexadecimal digits)`},
		{name: "lowercase report hash", kind: KindInternalAudits, file: "a.csv",
			content: "audit_id,scope,status,completed_on,report_sha256\nIA-1,ISMS,completed,2026-01-05," + hashIA2025 + "\n"},
	})
}

const vulnHeader = "assessment_id,assessor,phase,assessed_on,report_sha256,finding_id,severity,finding_status,found_on,fixed_on\n"

func TestReadRecordsEnforcesConditionalFields(t *testing.T) {
	audits := "audit_id,scope,status,started_on,completed_on\n"
	runRecordsCases(t, []recordsCase{
		{name: "completed audit with its date", kind: KindInternalAudits, file: "a.csv",
			content: audits + "IA-1,ISMS全体,completed,2026-01-05,2026-01-20\n"},
		{name: "planned audit without dates", kind: KindInternalAudits, file: "a.csv",
			content: audits + "IA-1,ISMS全体,planned,,\n"},
		{name: "completed audit without its date", kind: KindInternalAudits, file: "a.csv",
			content: audits + "IA-1,ISMS全体,completed,2026-01-05,\n",
			wantErr: "a.csv:2: column completed_on: required when status is completed"},
		{name: "assessment without findings", kind: KindVulnerabilityAssessments, file: "v.csv",
			content: vulnHeader + "VA-1,株式会社A,periodic,2026-01-05,,,,,,\n"},
		{name: "open finding", kind: KindVulnerabilityAssessments, file: "v.csv",
			content: vulnHeader + "VA-1,株式会社A,periodic,2026-01-05,,F-1,critical,open,2026-01-05,\n"},
		{name: "finding without severity or status", kind: KindVulnerabilityAssessments, file: "v.csv",
			content: vulnHeader + "VA-1,株式会社A,periodic,2026-01-05,,F-1,,,2026-01-05,\n",
			wantErr: "v.csv:2: column severity: required when finding_id is set\nv.csv:2: column finding_status: required when finding_id is set"},
		{name: "fixed finding without fixed_on", kind: KindVulnerabilityAssessments, file: "v.csv",
			content: vulnHeader + "VA-1,株式会社A,periodic,2026-01-05,,F-1,high,fixed,2026-01-05,\n",
			wantErr: "v.csv:2: column fixed_on: required when finding_status is fixed"},
		{name: "severity without a finding", kind: KindVulnerabilityAssessments, file: "v.csv",
			content: vulnHeader + "VA-1,株式会社A,periodic,2026-01-05,,,high,,,\n",
			wantErr: "v.csv:2: column severity: must be empty when finding_id is empty"},
		{name: "required value empty", kind: KindCertificates, file: "c.csv",
			content: "standard,certificate_id,issuer,scope,issued_on,expires_on\nISO/IEC 27001,IS 1,,本社,2024-01-01,2027-01-01\n",
			wantErr: "c.csv:2: column issuer: required, but empty"},
	})
}

func TestReadRecordsRefusesAmbiguousRows(t *testing.T) {
	runRecordsCases(t, []recordsCase{
		{name: "different employees", kind: KindTraining, file: "t.csv",
			content: trainingHeader + "E1,active,2026-01-05,,\nE2,active,2026-01-05,,\n"},
		{name: "same employee twice", kind: KindTraining, file: "t.csv",
			content: trainingHeader + "E1,active,2026-01-05,,\nE2,active,2026-01-05,,\nE1,left,2026-01-05,,\n",
			wantErr: `t.csv:4: repeats line 2 (same employee_id "E1")`},
		{name: "same finding twice", kind: KindVulnerabilityAssessments, file: "v.csv",
			content: vulnHeader + "VA-1,A社,periodic,2026-01-05,,F-1,low,open,,\nVA-1,A社,periodic,2026-01-05,,F-1,low,open,,\n",
			wantErr: `v.csv:3: repeats line 2 (same assessment_id "VA-1", finding_id "F-1")`},
		{name: "findings of one assessment agree", kind: KindVulnerabilityAssessments, file: "v.csv",
			content: vulnHeader + "VA-1,A社,periodic,2026-01-05,,F-1,low,open,,\nVA-1,A社,periodic,2026-01-05,,F-2,info,accepted,,\n"},
		{name: "findings of one assessment disagree on the date", kind: KindVulnerabilityAssessments, file: "v.csv",
			content: vulnHeader + "VA-1,A社,periodic,2026-01-05,,F-1,low,open,,\nVA-1,A社,periodic,2026-01-06,,F-2,info,accepted,,\n",
			wantErr: `v.csv:3: column assessed_on: "2026-01-06" differs from "2026-01-05" on line 2 for the same assessment_id "VA-1"`},
		{name: "a certificate renewed under its number", kind: KindCertificates, file: "c.csv",
			content: "standard,certificate_id,issuer,scope,issued_on,expires_on\n" +
				"ISO/IEC 27001,IS 1,審査機構,本社,2021-09-25,2024-09-24\nISO/IEC 27001,IS 1,審査機構,本社,2024-09-25,2027-09-24\n"},
	})
}

func TestReadRecordsEmptyValuesAreNull(t *testing.T) {
	runRecordsCases(t, []recordsCase{
		{name: "empty cell", kind: KindTraining, file: "t.csv", content: trainingHeader + "E1,active,2026-01-05,,\n"},
		{name: "JSON null, empty string and missing field", kind: KindTraining, file: "t.json",
			content: `[{"employee_id": "E1", "status": "active", "hired_on": "2026-01-05", "onboarding_completed_on": null, "last_completed_on": ""}]`},
		{name: "cell of spaces", kind: KindTraining, file: "t.csv", content: trainingHeader + "E1,active,2026-01-05, ,\n",
			wantErr: "t.csv:2: column onboarding_completed_on: only whitespace: leave the cell empty for no value"},
		{name: "cell of ideographic spaces", kind: KindTraining, file: "t.csv", content: trainingHeader + "\u3000,active,2026-01-05,,\n",
			wantErr: "t.csv:2: column employee_id: only whitespace"},
		{name: "spreadsheet's empty row", kind: KindTraining, file: "t.csv", content: trainingHeader + "E1,active,2026-01-05,,\n,,,,\n",
			wantErr: "t.csv:3: empty row (every value is empty): delete it"},
		{name: "header only", kind: KindTraining, file: "t.csv", content: trainingHeader},
		{name: "empty JSON array", kind: KindTraining, file: "t.json", content: "[]"},
	})
	rows, err := ReadRecords(KindTraining, "testdata/training.csv", "training.csv")
	if err != nil {
		t.Fatal(err)
	}
	if rows[1]["last_completed_on"] != nil {
		t.Errorf("empty cell = %#v, want nil", rows[1]["last_completed_on"])
	}
	if _, present := rows[3]["onboarding_completed_on"]; !present {
		t.Error("an empty column must still be present on the row")
	}
}

func TestReadRecordsReportsFileProblemsWithLines(t *testing.T) {
	runRecordsCases(t, []recordsCase{
		{name: "quoted comma and line break", kind: KindInternalAudits, file: "a.csv",
			content: "audit_id,scope,status\nIA-1,\"本社,\nデータセンター\",planned\nIA-2,ISMS,planned\n"},
		{name: "too few cells", kind: KindTraining, file: "t.csv", content: trainingHeader + "E1,active,2026-01-05\n",
			wantErr: "t.csv:2: wrong number of cells: the header has 5"},
		{name: "stray quote", kind: KindTraining, file: "t.csv", content: trainingHeader + "E1,act\"ive,2026-01-05,,\n",
			wantErr: `t.csv:2: character 7: bare " in non-quoted-field`},
		{name: "Shift_JIS", kind: KindTraining, file: "t.csv", content: trainingHeader + "E1,active,2026-01-05,,\n\x8e\x52\x93\x63,active,2026-01-05,,\n",
			wantErr: `t.csv:3: character 1 is not UTF-8 text (Shift_JIS?); save the file as UTF-8`},
		{name: "empty file", kind: KindTraining, file: "t.csv", content: "",
			wantErr: "t.csv: empty file: expected a header row"},
		{name: "JSON syntax error", kind: KindTraining, file: "t.json",
			content: "[\n  {\"employee_id\": \"E1\", \"status\": \"active\", \"hired_on\": \"2026-01-05\"}\n  {\"employee_id\": \"E2\"}\n]",
			wantErr: "t.json:3: character 3: JSON syntax: invalid character '{' after array element"},
		{name: "JSON object instead of array", kind: KindTraining, file: "t.json",
			content: `{"employee_id": "E1", "status": "active", "hired_on": "2026-01-05"}`,
			wantErr: "t.json:1: expected a JSON array of objects ([{...}, ...]), found an object"},
		{name: "JSON array of arrays", kind: KindTraining, file: "t.json", content: "[\n  [\"E1\"]\n]",
			wantErr: "t.json:2: element 1 of the array is an array, expected an object"},
		{name: "unknown extension", kind: KindTraining, file: "t.xlsx", content: "PK",
			wantErr: `t.xlsx: unknown file format ".xlsx": a records file ends in .csv or .json`},
		{name: "every problem reported", kind: KindTraining, file: "t.csv",
			content: trainingHeader + "E1,Active,2026-01-05,,\nE2,active,2026-02-30,,\n",
			wantErr: "t.csv:2: column status\nt.csv:3: column hired_on"},
	})
	if _, err := ReadRecords(KindTraining, filepath.Join(t.TempDir(), "none.csv"), "records/none.csv"); err == nil ||
		err.Error() != "records/none.csv: cannot read the file: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ReadRecords("records.payroll", "testdata/training.csv", "training.csv"); err == nil ||
		!strings.Contains(err.Error(), `unknown records kind "records.payroll"`) {
		t.Errorf("unknown kind: %v", err)
	}
}

func TestReadRecordsCapsTheNumberOfErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString(trainingHeader)
	for i := 0; i < 100; i++ {
		b.WriteString("E,Active,2026-01-05,,\n")
	}
	_, err := parseRecords(schemas[KindTraining], "csv", "t.csv", []byte(b.String()))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxErrors+1 || !strings.Contains(lines[maxErrors], "more problems not shown") {
		t.Errorf("got %d lines, last %q", len(lines), lines[len(lines)-1])
	}
	// A file with a single problem reports just that one.
	_, err = parseRecords(schemas[KindTraining], "csv", "t.csv", []byte(trainingHeader+"E,Active,2026-01-05,,\n"))
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("one problem: %v", err)
	}
}
