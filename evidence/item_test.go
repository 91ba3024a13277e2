package evidence

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var at = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

func TestEncodeIsCanonicalAndRoundTrips(t *testing.T) {
	it, err := NewOK("aws.rds.DescribeDBInstances", map[string]string{"source": "aws", "region": "ap-northeast-1", "account": "123456789012"},
		at, CollectorInfo{Name: "aws/rds", Version: "0.1.0"}, &Request{Operation: "DescribeDBInstances", Pages: 2},
		[]map[string]any{{"DBInstanceIdentifier": "db-1", "StorageEncrypted": true, "Note": "<&>"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := Encode(it)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(a)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Encode(back)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatalf("decode+encode changed the bytes:\n%s\n%s", a, b)
	}
	if !strings.Contains(string(a), `"<&>"`) {
		t.Fatalf("HTML characters were escaped; evidence must be stored as the source said it:\n%s", a)
	}
	if Digest(a) != Digest(b) || !strings.HasPrefix(Digest(a), "sha256:") || len(Digest(a)) != 71 {
		t.Fatalf("digest %q", Digest(a))
	}
}

func TestDecodeRejectsMalformedItems(t *testing.T) {
	good := `{"kind":"k","scope":{},"collected_at":"2026-11-27T03:00:00Z","collector":{"name":"c","version":"1"},"status":"ok","error":null,"data":[]}`
	cases := []struct {
		name, in, want string
	}{
		{"unknown field", strings.Replace(good, `"data"`, `"extra":1,"data"`, 1), "unknown field"},
		{"missing kind", strings.Replace(good, `"kind":"k"`, `"kind":""`, 1), "field kind: missing"},
		{"bad status", strings.Replace(good, `"status":"ok"`, `"status":"fine"`, 1), `"fine" is not ok or error`},
		{"missing time", strings.Replace(good, `"collected_at":"2026-11-27T03:00:00Z",`, ``, 1), "collected_at: missing"},
		{"error without message", strings.Replace(good, `"status":"ok"`, `"status":"error"`, 1), "must say what went wrong"},
		{"trailing data", good + "{}", "trailing data"},
		{"not json", "{", "unexpected EOF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := Decode([]byte(good)); err != nil {
		t.Fatalf("good item: %v", err)
	}
}

func TestWriteDirAndLoadDir(t *testing.T) {
	dir := t.TempDir()
	ok, _ := NewOK("records.training", map[string]string{"source": "records", "file": "hr/training.csv"}, at, CollectorInfo{Name: "records"}, nil, []int{1})
	bad := NewError("records.certificates", map[string]string{"source": "records", "file": "certs.csv"}, at, CollectorInfo{Name: "records"}, nil, errors.New("certs.csv:2: bad date"))
	written, err := WriteDir(dir, []Item{ok, bad})
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 2 || loaded[0].Digest != written[0].Digest || loaded[1].Digest != written[1].Digest {
		t.Fatalf("loaded %+v\nwritten %+v", loaded, written)
	}
	if loaded[0].Status != StatusError || *loaded[0].Error != "certs.csv:2: bad date" {
		t.Fatalf("the error item must survive as evidence: %+v", loaded[0])
	}
	if strings.Contains(loaded[1].Path, "/hr/") {
		t.Fatalf("a scope value with a slash must not create directories: %s", loaded[1].Path)
	}
	if _, err := WriteDir(t.TempDir(), []Item{ok, ok}); err == nil || !strings.Contains(err.Error(), "same scope") {
		t.Fatalf("two items with one kind and scope must be refused, got %v", err)
	}
	if _, err := LoadDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no evidence items") {
		t.Fatalf("an empty directory is not evidence, got %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stray.json"), []byte(`{"kind":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "stray.json") {
		t.Fatalf("a malformed file must be named, got %v", err)
	}
}

func TestWriteFileAtomicLeavesNoTempFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "f.json")
	for _, content := range []string{"one", "two"} {
		if err := WriteFileAtomic(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(p)
	entries, _ := os.ReadDir(filepath.Dir(p))
	fi, _ := os.Stat(p)
	if string(b) != "two" || len(entries) != 1 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("content %q, %d entries, mode %v", b, len(entries), fi.Mode())
	}
	if err := WriteFileAtomic(filepath.Join(p, "under-a-file"), []byte("x"), 0o644); err == nil {
		t.Fatal("writing below a regular file must fail")
	}
}
