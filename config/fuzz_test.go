package config

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes as a config file: Parse must never panic, every error must
// name the file, and a config it accepts must hold what the collectors rely on.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"../testdata/records-demo-src/shoko.yaml", "../testdata/service-demo.yaml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("records:\n  training: [a.csv]\ncalendar:\n  closures: [\"08-13..08-16\"]\n"))
	f.Add([]byte("store:\n  location: s3://b/p\n  object_lock: {mode: COMPLIANCE, retention_days: 7}\n"))
	f.Add([]byte("service:\n  name: x\n  base_url: http://x\n"))
	f.Add([]byte("attestations: a\nattestations: b\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse("shoko.yaml", b)
		if err != nil {
			if !strings.Contains(err.Error(), "shoko.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if c == nil || c.File != "shoko.yaml" || !strings.HasPrefix(c.Digest, "sha256:") {
			t.Fatalf("accepted config lacks its file or digest: %+v", c)
		}
		if s := c.Service; s != nil && !strings.HasPrefix(s.BaseURL, "https://") {
			t.Fatalf("accepted a service base_url that is not https: %q", s.BaseURL)
		}
	})
}
