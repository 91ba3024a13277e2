package records

import (
	"github.com/shoko-audit/shoko/internal/testenv"

	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func ptr(s string) *string { return &s }

const (
	hashOrganisation = "8b8f704949abf695c84a8d99de9b97f4bc0cbd958d4c573bd5977b4af5a90bfe"
	hashSubprocessor = "3f77f8da8f0f8e1d8603bd4a924605cb5a6f0830556c10811f6aa8bbc0f7859e"
	hashTerms        = "accd4928578cbc90ab275cb4a241a317bb9fafe559693c2a8272eb7ee71c6141"
)

func TestReadAttestationsExampleDirectory(t *testing.T) {
	got, err := ReadAttestations("testdata/attestations", "attestations")
	if err != nil {
		t.Fatal(err)
	}
	want := []Attestation{
		{
			File: "LAW-01.yml", Line: 2, Control: "LAW-01",
			Statement: Statement{
				JA: "利用規約は日本法を準拠法とし、東京地方裁判所を第一審の専属的合意管轄裁判所と定めている。",
				EN: "The terms of service are governed by Japanese law, with the Tokyo District Court as the exclusive court of first instance.",
			},
			Document:  Document{Path: "documents/terms-of-service.txt", SHA256: hashTerms, ActualSHA256: ptr(hashTerms), Found: true},
			ExpiresAt: ptr("2027-10-31T14:59:59Z"),
		},
		{
			File: "ORG-01.yaml", Line: 2, Control: "ORG-01",
			Statement: Statement{
				JA: "情報セキュリティの統括責任者として取締役を任命し、情報セキュリティ委員会を設置している。",
				EN: "A director is appointed as chief information security officer and a security committee is in place.",
			},
			Document:   Document{Path: "documents/isms-organisation.txt", SHA256: hashOrganisation, ActualSHA256: ptr(hashOrganisation), Found: true},
			Approver:   ptr("置田 富士夫（取締役）"),
			ApprovedAt: ptr("2026-04-01T00:00:00Z"),
			ExpiresAt:  ptr("2027-03-31T14:59:59Z"),
		},
		{
			File: "SUB-01.yaml", Line: 1, Control: "SUB-01",
			Statement: Statement{
				JA: "ソナーサービスにおけるお客様データの再委託先は Amazon Web Services のみである。",
				EN: "Amazon Web Services is the only sub-processor of customer data in the Sonar service.",
			},
			// Declared in uppercase (PowerShell's Get-FileHash); recorded lowercased.
			Document:   Document{Path: "documents/subprocessors.txt", SHA256: hashSubprocessor, ActualSHA256: ptr(hashSubprocessor), Found: true},
			Approver:   ptr("情報セキュリティ委員会"),
			ApprovedAt: ptr("2026-05-12T05:30:00Z"),
			ExpiresAt:  ptr("2027-05-11T14:59:59Z"),
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("attestations differ\n got: %+v\nwant: %+v", got, want)
	}
}

// document is the content of documents/policy.txt in every attestation test directory.
const document = "クラウドセキュリティ方針\n"

var policyHash = func() string {
	sum := sha256.Sum256([]byte(document))
	return hex.EncodeToString(sum[:])
}()

// attestation renders a valid attestation with one line replaced or removed: edit maps a
// field's line prefix ("approver:") to its new line ("" removes it).
func attestation(edit map[string]string) string {
	lines := []string{
		"control: POL-01",
		"statement:",
		"  ja: クラウドセキュリティ方針を策定し、ウェブサイトで公開している。",
		"  en: A cloud security policy is established and published on the website.",
		"document:",
		"  path: documents/policy.txt",
		"  sha256: " + policyHash,
		"approver: 置田 富士夫（取締役）",
		"approved_at: 2026-04-01T09:00:00+09:00",
		"expires_at: 2027-03-31T23:59:59+09:00",
	}
	var out []string
	for _, l := range lines {
		replaced := false
		for prefix, with := range edit {
			if strings.HasPrefix(l, prefix) {
				replaced = true
				if with != "" {
					out = append(out, with)
				}
			}
		}
		if !replaced {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n") + "\n"
}

// attestationDir writes POL-01.yaml with content, and documents/policy.txt, in a new directory.
func attestationDir(t *testing.T, content string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "documents"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"POL-01.yaml": content, "documents/policy.txt": document} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type attestationCase struct {
	name    string
	content string
	wantErr string                        // "" → must load; else each line must be in the error
	check   func(*testing.T, Attestation) // for a case that loads
}

func runAttestationCases(t *testing.T, cases []attestationCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			dir := attestationDir(t, tt.content)
			got, err := ReadAttestations(dir, "attestations")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if len(got) != 1 {
					t.Fatalf("got %d attestations", len(got))
				}
				if tt.check != nil {
					tt.check(t, got[0])
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; got %+v", got)
			}
			for _, want := range strings.Split(tt.wantErr, "\n") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error\n%v\ndoes not contain\n%s", err, want)
				}
			}
		})
	}
}

func TestAttestationIsDecodedStrictly(t *testing.T) {
	runAttestationCases(t, []attestationCase{
		{name: "valid", content: attestation(nil)},
		{name: "unknown key", content: attestation(map[string]string{"approver:": "approved_by: 置田"}),
			wantErr: "attestations/POL-01.yaml: yaml: unmarshal errors:\nline 8: field approved_by not found"},
		{name: "unknown key in the statement", content: attestation(map[string]string{"  en:": "  zh: 云安全方针"}),
			wantErr: "attestations/POL-01.yaml: yaml: unmarshal errors:\nline 4: field zh not found"},
		{name: "duplicate key", content: attestation(nil) + "control: POL-02\n",
			wantErr: `attestations/POL-01.yaml: yaml: unmarshal errors:` + "\n" + `line 11: mapping key "control" already defined at line 1`},
		{name: "a second document", content: attestation(nil) + "---\ncontrol: POL-02\n",
			wantErr: "attestations/POL-01.yaml:11: a second YAML document"},
		{name: "not a mapping", content: "- control: POL-01\n",
			wantErr: "attestations/POL-01.yaml: yaml: unmarshal errors:\nline 1: cannot unmarshal !!seq"},
		{name: "broken YAML", content: "control: POL-01\nstatement: [\n",
			wantErr: "attestations/POL-01.yaml: yaml: line 2: did not find expected node content"},
		{name: "empty file", content: "# 後で書く\n",
			wantErr: "attestations/POL-01.yaml: empty file"},
	})
}

func TestAttestationRequiredAndOptionalFields(t *testing.T) {
	runAttestationCases(t, []attestationCase{
		{name: "missing approver is recorded as null", content: attestation(map[string]string{"approver:": ""}),
			check: func(t *testing.T, a Attestation) {
				if a.Approver != nil {
					t.Errorf("approver = %q, want nil", *a.Approver)
				}
			}},
		{name: "blank approver is recorded as null", content: attestation(map[string]string{"approver:": `approver: " "`}),
			check: func(t *testing.T, a Attestation) {
				if a.Approver != nil {
					t.Errorf("approver = %q, want nil", *a.Approver)
				}
			}},
		{name: "missing times are recorded as null", content: attestation(map[string]string{"approved_at:": "", "expires_at:": "expires_at: null"}),
			check: func(t *testing.T, a Attestation) {
				if a.ApprovedAt != nil || a.ExpiresAt != nil {
					t.Errorf("times = %v %v, want nil", a.ApprovedAt, a.ExpiresAt)
				}
			}},
		{name: "missing control", content: attestation(map[string]string{"control:": ""}),
			wantErr: "attestations/POL-01.yaml:1: field control: required"},
		{name: "missing English statement", content: attestation(map[string]string{"  en:": ""}),
			wantErr: "attestations/POL-01.yaml:2: field statement.en: required"},
		{name: "empty Japanese statement", content: attestation(map[string]string{"  ja:": `  ja: ""`}),
			wantErr: "attestations/POL-01.yaml:3: field statement.ja: required"},
		{name: "missing document hash", content: attestation(map[string]string{"  sha256:": ""}),
			wantErr: "attestations/POL-01.yaml:5: field document.sha256: required"},
		{name: "missing document", content: attestation(map[string]string{"document:": "", "  path:": "", "  sha256:": ""}),
			wantErr: "attestations/POL-01.yaml:1: field document.path: required\nattestations/POL-01.yaml:1: field document.sha256: required"},
		{name: "hash that is not a SHA-256", content: attestation(map[string]string{"  sha256:": "  sha256: 3f2a..."}),
			wantErr: `attestations/POL-01.yaml:7: field document.sha256: "3f2a..." is not a SHA-256`},
	})
}

func TestAttestationTimesAreRFC3339(t *testing.T) {
	runAttestationCases(t, []attestationCase{
		{name: "offset time becomes UTC", content: attestation(nil),
			check: func(t *testing.T, a Attestation) {
				if *a.ApprovedAt != "2026-04-01T00:00:00Z" || *a.ExpiresAt != "2027-03-31T14:59:59Z" {
					t.Errorf("times = %s %s", *a.ApprovedAt, *a.ExpiresAt)
				}
			}},
		{name: "fractions of a second are kept", content: attestation(map[string]string{"approved_at:": `approved_at: "2026-04-01T09:00:00.5+09:00"`}),
			check: func(t *testing.T, a Attestation) {
				if *a.ApprovedAt != "2026-04-01T00:00:00.5Z" {
					t.Errorf("approved_at = %s", *a.ApprovedAt)
				}
			}},
		{name: "a date is not a time", content: attestation(map[string]string{"approved_at:": "approved_at: 2026-04-01"}),
			wantErr: `attestations/POL-01.yaml:9: field approved_at: "2026-04-01" is not an RFC 3339 time`},
		{name: "a time without a zone", content: attestation(map[string]string{"expires_at:": "expires_at: 2027-03-31T23:59:59"}),
			wantErr: `attestations/POL-01.yaml:10: field expires_at: "2027-03-31T23:59:59" is not an RFC 3339 time`},
		{name: "YAML's space-separated timestamp", content: attestation(map[string]string{"expires_at:": "expires_at: 2027-03-31 23:59:59 +09:00"}),
			wantErr: `field expires_at: "2027-03-31 23:59:59 +09:00" is not an RFC 3339 time`},
	})
}

func TestAttestationDocumentIsHashedInsideTheDirectory(t *testing.T) {
	otherHash := strings.Repeat("ab", 32)
	runAttestationCases(t, []attestationCase{
		{name: "matching document", content: attestation(nil),
			check: func(t *testing.T, a Attestation) {
				if !a.Document.Found || a.Document.ActualSHA256 == nil || *a.Document.ActualSHA256 != policyHash || a.Document.SHA256 != policyHash {
					t.Errorf("document = %+v", a.Document)
				}
			}},
		{name: "hash mismatch is recorded, not judged", content: attestation(map[string]string{"  sha256:": "  sha256: " + otherHash}),
			check: func(t *testing.T, a Attestation) {
				if !a.Document.Found || a.Document.SHA256 != otherHash || *a.Document.ActualSHA256 != policyHash {
					t.Errorf("document = %+v, actual %v", a.Document, a.Document.ActualSHA256)
				}
			}},
		{name: "missing document is recorded as not found", content: attestation(map[string]string{"  path:": "  path: documents/old-policy.txt"}),
			check: func(t *testing.T, a Attestation) {
				if a.Document.Found || a.Document.ActualSHA256 != nil {
					t.Errorf("document = %+v", a.Document)
				}
			}},
		{name: "path leaving the directory", content: attestation(map[string]string{"  path:": "  path: ../documents/policy.txt"}),
			wantErr: `attestations/POL-01.yaml:6: field document.path: "../documents/policy.txt" leaves the attestation directory`},
		{name: "path leaving through a subdirectory", content: attestation(map[string]string{"  path:": "  path: documents/../../policy.txt"}),
			wantErr: `field document.path: "documents/../../policy.txt" leaves the attestation directory`},
		{name: "absolute path", content: attestation(map[string]string{"  path:": "  path: /etc/hostname"}),
			wantErr: `field document.path: "/etc/hostname" leaves the attestation directory`},
		{name: "Windows separators", content: attestation(map[string]string{"  path:": `  path: documents\policy.txt`}),
			wantErr: `field document.path: "documents\\policy.txt": write the path with forward slashes`},
		{name: "directory instead of a document", content: attestation(map[string]string{"  path:": "  path: documents"}),
			wantErr: `attestations/POL-01.yaml:6: field document.path: cannot read the document "documents": it is a directory`},
	})

	t.Run("symbolic link leading outside", func(t *testing.T) {
		outside := filepath.Join(t.TempDir(), "secret.txt")
		if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := attestationDir(t, attestation(map[string]string{"  path:": "  path: documents/link.txt"}))
		if err := os.Symlink(outside, filepath.Join(dir, "documents", "link.txt")); err != nil {
			testenv.Missing(t, "symbolic links", err)
		}
		_, err := ReadAttestations(dir, "attestations")
		if err == nil || !strings.Contains(err.Error(), `attestations/POL-01.yaml:6: field document.path: cannot read the document "documents/link.txt": path escapes`) {
			t.Errorf("error = %v", err)
		}
	})
}

func TestReadAttestationsReadsOnlyYAMLFilesAndReportsEveryBrokenOne(t *testing.T) {
	dir := attestationDir(t, attestation(nil))
	for name, body := range map[string]string{
		"README.md":        "# 証跡\n",
		".POL-01.yaml.swp": "\x00\x01",
		"DEV-01.yml":       attestation(map[string]string{"control:": "control: DEV-01", "approver:": "approver: [a, b]"}),
		"SUP-01.yaml":      attestation(map[string]string{"control:": "control: SUP-01", "  sha256:": ""}),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := ReadAttestations(dir, "attestations")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"attestations/DEV-01.yml: yaml: unmarshal errors:\n  line 8: cannot unmarshal !!seq into string",
		"attestations/SUP-01.yaml:5: field document.sha256: required",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error\n%v\ndoes not contain\n%s", err, want)
		}
	}
	for _, bad := range []string{"DEV-01.yml", "SUP-01.yaml"} {
		if err := os.Remove(filepath.Join(dir, bad)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadAttestations(dir, "attestations")
	if err != nil || len(got) != 1 || got[0].File != "POL-01.yaml" {
		t.Errorf("after removing the broken files: %+v, %v", got, err)
	}
	if _, err := ReadAttestations(filepath.Join(dir, "none"), "attestations/none"); err == nil ||
		err.Error() != "attestations/none: cannot read the file: no such file or directory" {
		t.Errorf("missing directory: %v", err)
	}
}
