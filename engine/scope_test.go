package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/evidence"
)

// A control outside the scope is reported not_in_scope: never evaluated, so missing evidence
// cannot make it error and nothing can make it pass; its exceptions apply to nothing.
func TestScopeReportsControlsOutsideItNotInScope(t *testing.T) {
	cat := testCatalog(t, map[string]string{
		"ROW-02.yaml": control("ROW-02", "records", strings.ReplaceAll(rowsControlTail, "test.rows", "test.other")),
	}, map[string]string{"row_02.rego": strings.ReplaceAll(rowsPolicyFor("ROW-02"), "test.rows", "test.other")})
	rows := item(t, "test.rows", "r.csv", now, []row{{"emp-1", true}})
	excs := exceptionsItem(t, exc("ROW-02", "*", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"))
	tests := []struct {
		name       string
		scope      *evidence.ControlScope
		row1, row2 string
		exception  string
		wantErr    string
	}{
		// No test.other evidence: ROW-02 is error when it is judged.
		{"no scope judges every control", nil, StatusPass, StatusError, ExceptionUnmatched, ""},
		{"include judges only the listed controls", &evidence.ControlScope{Include: []string{"ROW-01"}}, StatusPass, StatusNotInScope, ExceptionNotInScope, ""},
		{"exclude leaves out the listed controls", &evidence.ControlScope{Exclude: []string{"ROW-02"}}, StatusPass, StatusNotInScope, ExceptionNotInScope, ""},
		{"an unknown id is refused with the nearest", &evidence.ControlScope{Include: []string{"ROW-1"}}, "", "", "", `controls.include: "ROW-1" is not a control of the catalog (did you mean ROW-01?)`},
		{"a scope judging nothing is refused", &evidence.ControlScope{Include: []string{"ROW-01"}, Exclude: []string{"ROW-01"}}, "", "", "", "nothing would be audited"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := New(context.Background(), cat)
			if err != nil {
				t.Fatal(err)
			}
			r := run()
			r.Scope = tc.scope
			res, err := e.Evaluate(context.Background(), []evidence.Stored{rows, excs}, r)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c1, c2 := result(t, res, "ROW-01"), result(t, res, "ROW-02")
			if c1.Status != tc.row1 || c2.Status != tc.row2 {
				t.Fatalf("ROW-01 %s, ROW-02 %s (%s); want %s, %s", c1.Status, c2.Status, c2.Reason.EN, tc.row1, tc.row2)
			}
			if got := res.Exceptions[0].State; got != tc.exception {
				t.Fatalf("exception for ROW-02: %s, want %s", got, tc.exception)
			}
			if tc.scope != nil {
				if res.Summary[StatusNotInScope] != 1 || res.Summary[StatusPass] != 1 || res.Scope != tc.scope {
					t.Fatalf("summary %v scope %v: the control out of scope is counted as not_in_scope, and the scope is recorded", res.Summary, res.Scope)
				}
				if len(c2.Findings) != 0 || len(c2.Evidence) != 0 {
					t.Fatalf("a control out of scope has no findings or evidence: %+v", c2)
				}
			}
		})
	}
}
