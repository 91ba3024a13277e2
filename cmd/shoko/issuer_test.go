package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/reports"
)

// Without the issuer's name the white paper is refused when asked for, left out (with a note)
// when it is only a default, and written as asked once the name is there.
func TestCheckIssuer(t *testing.T) {
	for _, tc := range []struct {
		name, formats, org string
		explicit           bool
		want, note         string
		refused            bool
	}{
		{"asked for without a name is refused", "pdf,whitepaper", "", true, "", "", true},
		{"a blank name is no name", "whitepaper", "  ", true, "", "", true},
		{"a default without a name is left out with a note", "oscal,pdf,whitepaper", "", false, "oscal,pdf", "`organization`", false},
		{"with a name everything is written", "oscal,pdf,whitepaper", "ユーソナー株式会社", true, "oscal,pdf,whitepaper", "", false},
		{"no white paper, no name needed", "oscal,pdf", "", true, "oscal,pdf", "", false},
		{"no reports at all", "", "", false, "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			got, err := checkIssuer(tc.formats, tc.explicit, tc.org, &stderr)
			if tc.refused {
				var ee *exitErr
				if !errors.As(err, &ee) || ee.code != exitUsage || !errors.Is(err, reports.ErrNoIssuer) || !strings.Contains(err.Error(), "`organization`") {
					t.Fatalf("error %v, want a usage error naming the organization key", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
			if (tc.note == "") != (stderr.Len() == 0) || !strings.Contains(stderr.String(), tc.note) {
				t.Errorf("note %q, want one containing %q", stderr.String(), tc.note)
			}
		})
	}
}
