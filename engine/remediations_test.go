package engine

import (
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/evidence"
)

func remediationsItem(t *testing.T, recs ...map[string]any) evidence.Stored {
	t.Helper()
	it, err := evidence.NewOK("remediations", map[string]string{"source": "remediations", "file": "remediations.yaml"}, now, evidence.CollectorInfo{Name: "records"}, nil, recs)
	if err != nil {
		t.Fatal(err)
	}
	return stored(t, it)
}

func rem(control, target string) map[string]any {
	return map[string]any{"control": control, "summary_ja": "設定を更新します。", "summary_en": "We are updating the setting.",
		"target_date": target, "approver": "委員会", "approved_on": "2026-11-01", "line": 2}
}

// now is 2026-11-27 12:00 JST: a plan due on the 27th is still open, one due on the 26th is overdue.
func TestRemediationsAreCarriedWithTheirState(t *testing.T) {
	cat := testCatalog(t, nil, nil)
	failing := item(t, "test.rows", "r.csv", now, []row{{"emp-1", false}, {"ok", true}})
	passing := item(t, "test.rows", "r.csv", now, []row{{"ok", true}})
	cases := []struct {
		name  string
		rows  evidence.Stored
		rem   evidence.Stored
		state string
	}{
		{"a plan for a failing control due today is open", failing, remediationsItem(t, rem("ROW-01", "2026-11-27")), RemediationOpen},
		{"a plan for a failing control due yesterday is overdue", failing, remediationsItem(t, rem("ROW-01", "2026-11-26")), RemediationOverdue},
		{"a plan for a passing control is closed", passing, remediationsItem(t, rem("ROW-01", "2026-11-26")), RemediationClosed},
		{"a plan for a control the catalog lacks is reported", failing, remediationsItem(t, rem("NOPE-01", "2027-01-01")), RemediationUnknownControl},
		{"an unreadable file is reported, not dropped", failing,
			stored(t, evidence.NewError("remediations", map[string]string{"file": "remediations.yaml"}, now, evidence.CollectorInfo{Name: "records"}, nil,
				errString("remediations.yaml:4: remediation 1: field target_date: required"))), RemediationInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := evaluate(t, cat, tc.rows, tc.rem)
			if len(res.Remediations) != 1 || res.Remediations[0].State != tc.state {
				t.Fatalf("remediations %+v, want one %s", res.Remediations, tc.state)
			}
			if tc.state == RemediationInvalid && !strings.Contains(res.Remediations[0].Reason, "remediations.yaml:4") {
				t.Errorf("reason %q does not name the file and line", res.Remediations[0].Reason)
			}
			want := StatusFail
			if tc.state == RemediationClosed {
				want = StatusPass
			}
			if c := result(t, res, "ROW-01"); c.Status != want {
				t.Errorf("a plan changed the verdict: %s, want %s", c.Status, want)
			}
		})
	}
	t.Run("results without a remediations file have no remediations key", func(t *testing.T) {
		b, err := evaluate(t, cat, failing).Marshal()
		if err != nil || strings.Contains(string(b), `"remediations"`) {
			t.Errorf("results.json names remediations (%v)", err)
		}
		b, err = evaluate(t, cat, failing, remediationsItem(t, rem("ROW-01", "2027-01-01"))).Marshal()
		if err != nil || !strings.Contains(string(b), `"target_date": "2027-01-01"`) {
			t.Errorf("results.json lacks the plan (%v)", err)
		}
	})
}
