package config

import (
	"strings"
	"testing"
)

func TestStoreAndSigningSections(t *testing.T) {
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"a directory store", "store:\n  location: out/\nsigning:\n  key: keys/shoko.key\n", ""},
		{"an S3 store with Object Lock", "store:\n  location: s3://b/p\n  region: ap-northeast-1\n  object_lock: {mode: COMPLIANCE, retention_days: 365}\n", ""},
		{"an unknown lock mode", "store:\n  location: s3://b/p\n  object_lock: {mode: STRICT, retention_days: 1}\n", `"STRICT" is not GOVERNANCE or COMPLIANCE`},
		{"a mode without days", "store:\n  location: s3://b/p\n  object_lock: {mode: GOVERNANCE}\n", "mode and retention_days go together"},
		{"a lock on a directory", "store:\n  location: out/\n  object_lock: {mode: GOVERNANCE, retention_days: 1}\n", "only an s3:// location can be locked"},
		{"a misspelt key", "store:\n  locaton: out/\n", "field locaton not found"},
		{"a signing key inline", "signing:\n  private_key: abc\n", "field private_key not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("shoko.yaml", []byte(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(c.Digest, "sha256:") {
					t.Fatalf("digest %q", c.Digest)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "shoko.yaml") {
				t.Fatalf("err %v, want the file and %q", err, tt.wantErr)
			}
		})
	}
}
