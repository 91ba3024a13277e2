package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseStrictly(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"unknown key names its line", "organization: x\nrecord:\n  training: [a.csv]\n", "shoko.yaml:2: field record not found"},
		{"wrong type names its line", "records:\n  training: a.csv\n", "shoko.yaml:2: cannot unmarshal !!str"},
		{"duplicate key", "attestations: a\nattestations: b\n", `shoko.yaml:2: mapping key "attestations" already defined`},
		{"bad closure names its line", "calendar:\n  closures: [\"12-29..13-03\"]\n", "shoko.yaml:2: calendar.closures[0]"},
		{"empty file", "", "empty config"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("shoko.yaml", []byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestPathsAndCalendar(t *testing.T) {
	c, err := Parse("conf/shoko.yaml", []byte("records:\n  training: [hr/t.csv]\ncalendar:\n  closures: [\"08-13..08-16\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Path(c.Records.Training[0]); got != "conf/hr/t.csv" {
		t.Fatalf("relative paths resolve against the config's directory: %s", got)
	}
	if c.Path("/abs/x") != "/abs/x" {
		t.Fatal("absolute paths stay")
	}
	obon := time.Date(2026, 8, 14, 12, 0, 0, 0, time.UTC) // a Friday
	if c.BusinessCalendar().IsBusinessDay(obon) {
		t.Fatal("the configured closure is not a business day")
	}
	d, _ := Parse("shoko.yaml", []byte("organization: x\n"))
	if d.BusinessCalendar().IsBusinessDay(time.Date(2026, 12, 30, 3, 0, 0, 0, time.UTC)) || !d.BusinessCalendar().IsBusinessDay(obon) {
		t.Fatal("without closures configured, the default Dec 29 - Jan 3 closure applies")
	}
}

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
