package records

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/evidence"
)

var collectNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.FixedZone("JST", 9*3600))

// exampleBase copies testdata into a new directory laid out like a configuration directory:
// records/*.csv|json, attestations/, exceptions.yaml.
func exampleBase(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	if err := os.CopyFS(filepath.Join(base, "records"), os.DirFS("testdata")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(base, "records", "attestations"), filepath.Join(base, "attestations")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(base, "records", "exceptions.yaml"), filepath.Join(base, "exceptions.yaml")); err != nil {
		t.Fatal(err)
	}
	return base
}

func exampleCollector(base string) Collector {
	return Collector{
		Records: []File{
			{Kind: KindTraining, Path: "records/training.csv"},
			{Kind: KindInternalAudits, Path: "records/internal_audits.csv"},
			{Kind: KindVulnerabilityAssessments, Path: "records/vulnerability_assessments.json"},
			{Kind: KindCertificates, Path: "records/certificates.json"},
		},
		AttestationsDir: "attestations",
		ExceptionsFile:  "exceptions.yaml",
		BaseDir:         base,
	}
}

func TestCollectorTurnsABrokenSourceIntoAnErrorItemAndKeepsTheOthers(t *testing.T) {
	tests := []struct {
		name    string
		breakIt func(t *testing.T, base string)
		// errors maps the index of each item expected to be an error to a part of its message.
		errors map[int]string
	}{
		{name: "all sources good", breakIt: func(*testing.T, string) {}},
		{name: "bad enum in a records file",
			breakIt: func(t *testing.T, base string) {
				write(t, base, "records/internal_audits.csv", "audit_id,scope,status,completed_on\nIA-1,ISMS,done,2026-01-05\n")
			},
			errors: map[int]string{1: `records/internal_audits.csv:2: column status: "done" is not one of planned, in_progress, completed, cancelled`}},
		{name: "missing records file",
			breakIt: func(t *testing.T, base string) { remove(t, base, "records/certificates.json") },
			errors:  map[int]string{3: "records/certificates.json: cannot read the file: no such file or directory"}},
		{name: "broken attestation",
			breakIt: func(t *testing.T, base string) {
				write(t, base, "attestations/DEV-01.yaml", "control: DEV-01\nstatment:\n  ja: x\n")
			},
			errors: map[int]string{4: "attestations/DEV-01.yaml: yaml: unmarshal errors:\n  line 2: field statment not found"}},
		// A bad entry is not a broken file: it is kept with its problems (TestOneBadExceptionKeepsTheOthers).
		{name: "exceptions file without its list",
			breakIt: func(t *testing.T, base string) {
				write(t, base, "exceptions.yaml", "exceptions:\n")
			},
			errors: map[int]string{5: "exceptions.yaml:1: field exceptions: required"}},
	}
	wantKinds := []string{KindTraining, KindInternalAudits, KindVulnerabilityAssessments, KindCertificates, KindAttestations, KindExceptions}
	wantScopes := []map[string]string{
		{"source": "records", "file": "records/training.csv"},
		{"source": "records", "file": "records/internal_audits.csv"},
		{"source": "records", "file": "records/vulnerability_assessments.json"},
		{"source": "records", "file": "records/certificates.json"},
		{"source": "attestations", "dir": "attestations"},
		{"source": "exceptions", "file": "exceptions.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := exampleBase(t)
			tt.breakIt(t, base)
			items, err := exampleCollector(base).Collect(context.Background(), collectNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != len(wantKinds) {
				t.Fatalf("got %d items, want %d", len(items), len(wantKinds))
			}
			for i, it := range items {
				if it.Kind != wantKinds[i] || !reflect.DeepEqual(it.Scope, wantScopes[i]) {
					t.Errorf("item %d: kind %s scope %v", i, it.Kind, it.Scope)
				}
				if it.Collector != (evidence.CollectorInfo{Name: "records", Version: collectors.Version}) ||
					!it.CollectedAt.Equal(collectNow) || it.CollectedAt.Location() != time.UTC {
					t.Errorf("item %d: collector %v at %v", i, it.Collector, it.CollectedAt)
				}
				file := it.Scope["file"] + it.Scope["dir"]
				if it.Request == nil || it.Request.File != file {
					t.Errorf("item %d: request %+v, want file %s", i, it.Request, file)
				}
				// Every item survives the store's strict round trip.
				b, err := evidence.Encode(it)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := evidence.Decode(b); err != nil {
					t.Errorf("item %d does not decode: %v", i, err)
				}
				want, isErr := tt.errors[i]
				switch {
				case isErr && (it.Status != evidence.StatusError || it.Error == nil || !strings.Contains(*it.Error, want)):
					t.Errorf("item %d: status %s error %v, want an error containing %q", i, it.Status, deref(it.Error), want)
				case !isErr && it.Status != evidence.StatusOK:
					t.Errorf("item %d: status %s error %v, want ok", i, it.Status, deref(it.Error))
				case !isErr && !json.Valid(it.Data):
					t.Errorf("item %d: data %s", i, it.Data)
				}
			}
		})
	}
}

func TestCollectorItemData(t *testing.T) {
	items, err := exampleCollector(exampleBase(t)).Collect(context.Background(), collectNow)
	if err != nil {
		t.Fatal(err)
	}
	var training []map[string]any
	if err := json.Unmarshal(items[0].Data, &training); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"employee_id": "E0002", "status": "active", "hired_on": "2026-10-01",
		"onboarding_completed_on": "2026-10-08", "last_completed_on": nil, "line": float64(3)}
	if !reflect.DeepEqual(training[1], want) {
		t.Errorf("training row 1 = %v, want %v", training[1], want)
	}
	var attestations []map[string]any
	if err := json.Unmarshal(items[4].Data, &attestations); err != nil {
		t.Fatal(err)
	}
	if len(attestations) != 3 || attestations[0]["file"] != "LAW-01.yml" || attestations[0]["approver"] != nil ||
		attestations[0]["document"].(map[string]any)["found"] != true {
		t.Errorf("attestations = %v", attestations)
	}
	var exceptions []map[string]any
	if err := json.Unmarshal(items[5].Data, &exceptions); err != nil {
		t.Fatal(err)
	}
	if len(exceptions) != 2 || exceptions[0]["expires_at"] != "2027-01-30T15:00:00Z" || exceptions[0]["line"] != float64(3) {
		t.Errorf("exceptions = %v", exceptions)
	}
	// The items can all be stored side by side: no two share a file name.
	if _, err := evidence.WriteDir(t.TempDir(), items); err != nil {
		t.Error(err)
	}
}

func TestCollectorRefusesABadConfiguration(t *testing.T) {
	tests := []struct {
		name    string
		records []File
		wantErr string
	}{
		{name: "good", records: []File{{KindTraining, "training.csv"}, {KindCertificates, "certificates.csv"}}},
		{name: "one file under two kinds", records: []File{{KindTraining, "x.csv"}, {KindCertificates, "x.csv"}}},
		{name: "unknown kind", records: []File{{"records.payroll", "payroll.csv"}},
			wantErr: `records file payroll.csv: unknown kind "records.payroll"`},
		{name: "file configured twice", records: []File{{KindTraining, "training.csv"}, {KindTraining, "training.csv"}},
			wantErr: "records file training.csv is configured twice as records.training"},
		{name: "no path", records: []File{{KindTraining, ""}},
			wantErr: "records file 1 (records.training): no path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Collector{Records: tt.records, BaseDir: t.TempDir()}.Collect(context.Background(), collectNow)
			if tt.wantErr == "" {
				// The files do not exist: that is evidence (error items), not a bad configuration.
				if err != nil || len(items) != len(tt.records) || items[0].Status != evidence.StatusError {
					t.Errorf("items %v, err %v", items, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestCollectorKindsFollowTheConfiguration(t *testing.T) {
	c := Collector{Records: []File{{KindTraining, "a.csv"}, {KindTraining, "b.csv"}, {KindCertificates, "c.json"}}}
	if got, want := c.Kinds(), []string{KindCertificates, KindTraining}; !reflect.DeepEqual(got, want) {
		t.Errorf("Kinds() = %v, want %v", got, want)
	}
	c.AttestationsDir, c.ExceptionsFile = "attestations", "exceptions.yaml"
	if got, want := c.Kinds(), []string{KindAttestations, KindExceptions, KindCertificates, KindTraining}; !reflect.DeepEqual(got, want) {
		t.Errorf("Kinds() = %v, want %v", got, want)
	}
	if c.Name() != "records" {
		t.Errorf("Name() = %q", c.Name())
	}
	// Every kind this package produces is one the catalog knows.
	known := collectors.KnownKinds()
	for _, k := range append(Kinds(), KindAttestations, KindExceptions, KindRemediations) {
		if !contains(known, k) {
			t.Errorf("kind %s is not in collectors.KnownKinds()", k)
		}
	}
}

func TestCollectorHonoursCancellation(t *testing.T) {
	base := exampleBase(t)
	ctx, cancel := context.WithCancel(context.Background())
	if items, err := exampleCollector(base).Collect(ctx, collectNow); err != nil || len(items) != 6 {
		t.Fatalf("before cancelling: %d items, %v", len(items), err)
	}
	cancel()
	items, err := exampleCollector(base).Collect(ctx, collectNow)
	if !errors.Is(err, context.Canceled) || items != nil {
		t.Errorf("after cancelling: %d items, %v", len(items), err)
	}
	// Only attestations configured: the check inside the directory walk is what stops it.
	items, err = Collector{AttestationsDir: "attestations", BaseDir: base}.Collect(ctx, collectNow)
	if !errors.Is(err, context.Canceled) || items != nil {
		t.Errorf("attestations after cancelling: %d items, %v", len(items), err)
	}
}

func write(t *testing.T, base, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(base, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, base, name string) {
	t.Helper()
	if err := os.Remove(filepath.Join(base, name)); err != nil {
		t.Fatal(err)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
