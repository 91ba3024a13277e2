package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/shoko-audit/shoko/reports"
)

// checkIssuer is run before any work by the commands that write reports: the customer white
// paper is never written without the issuer's name (config key `organization`). When the white
// paper was asked for explicitly, a missing name is a usage error naming the key; when it is only
// among the default formats, it is left out with a note on stderr, so that `shoko audit --out DIR`
// without a config still audits the account. It returns the formats to write.
func checkIssuer(formats string, explicit bool, organization string, stderr io.Writer) (string, error) {
	if strings.TrimSpace(organization) != "" {
		return formats, nil
	}
	var kept []string
	asked := false
	for _, f := range strings.Split(formats, ",") {
		if strings.TrimSpace(f) == "whitepaper" {
			asked = true
			continue
		}
		kept = append(kept, f)
	}
	if !asked {
		return formats, nil
	}
	if explicit {
		return "", &exitErr{code: exitUsage, err: reports.ErrNoIssuer}
	}
	fmt.Fprintf(stderr, "note: the customer white paper is not written: %v\n", reports.ErrNoIssuer)
	return strings.Join(kept, ","), nil
}
