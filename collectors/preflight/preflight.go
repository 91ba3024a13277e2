// Package preflight is what `shoko doctor` (and `shoko audit` before it starts a run) reports:
// one check per line, each saying what was tried, what was found and, when it failed, what to do.
// Every source's checks live beside its collector (collectors/aws, service, sql, records, each a
// preflight.go); this package only holds the shape they share, so none imports another.
package preflight

import (
	"fmt"
	"io"
	"strings"
)

// Status of one check.
type Status string

const (
	// OK: the source answered as an audit needs it to.
	OK Status = "ok"
	// Fail: an audit would not get this evidence (or would get it wrong); doctor exits non-zero.
	Fail Status = "FAIL"
	// Note: worth knowing, not a failure (a source not configured, a check that could not apply).
	Note Status = "note"
)

// Check is one line of the preflight.
type Check struct {
	Source string // "aws", "service", "database", "records", "signing", "config"
	Name   string // what was checked: "caller identity", "GET /evidence/v1/tenants"
	Status Status
	Detail string // what was found, or the cause of the failure
	Fix    string // what to do about a failure
	// Access marks a failure to read the source at all (no credentials, a refused token, an
	// unreachable host): an audit would collect nothing but errors from it, so `shoko audit`
	// stops before creating a run. Other failures (a contract breach, a record file that does not
	// parse, a region an SCP denies) are what the audit records and judges: it warns and goes on.
	Access bool
}

// Pass, Failed and Noted build checks.
func Pass(source, name, detail string) Check {
	return Check{Source: source, Name: name, Status: OK, Detail: detail}
}

func Failed(source, name, cause, fix string) Check {
	return Check{Source: source, Name: name, Status: Fail, Detail: cause, Fix: fix}
}

// Unreachable is a failure to read the source at all (see Check.Access).
func Unreachable(source, name, cause, fix string) Check {
	c := Failed(source, name, cause, fix)
	c.Access = true
	return c
}

func Noted(source, name, detail string) Check {
	return Check{Source: source, Name: name, Status: Note, Detail: detail}
}

// Line is the check on one line: status, source, what, the finding and the fix.
func (c Check) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-4s  %-8s  %s", c.Status, c.Source, c.Name)
	if c.Detail != "" {
		b.WriteString(": ")
		b.WriteString(oneLine(c.Detail))
	}
	if c.Fix != "" {
		b.WriteString(" — fix: ")
		b.WriteString(oneLine(c.Fix))
	}
	return b.String()
}

// oneLine keeps a check on its line: SDK and driver errors may carry newlines.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Failures counts the failed checks.
func Failures(cs []Check) int {
	n := 0
	for _, c := range cs {
		if c.Status == Fail {
			n++
		}
	}
	return n
}

// AccessFailures counts the failures that leave a source unreadable.
func AccessFailures(cs []Check) int {
	n := 0
	for _, c := range cs {
		if c.Status == Fail && c.Access {
			n++
		}
	}
	return n
}

// Write prints one line per check.
func Write(w io.Writer, cs []Check) {
	for _, c := range cs {
		fmt.Fprintln(w, c.Line())
	}
}
