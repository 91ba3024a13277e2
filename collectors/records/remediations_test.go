package records

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// remediationsFile is a file of one valid remediation (line 2) followed by a second whose
// fields are replaced by edit (value "" removes the field); the second starts on line 9.
func remediationsFile(edit map[string]string) string {
	fields := [][2]string{
		{"control", "TLS-01"},
		{"summary", "\n      ja: 古い暗号方式を許す設定を更新します。\n      en: We are updating the setting that still allows old protocols."},
		{"since", "2026-11-20"},
		{"target_date", "2027-01-15"},
		{"approver", "情報セキュリティ委員会"},
		{"approved_on", "2026-12-01"},
	}
	var b strings.Builder
	b.WriteString("remediations:\n")
	b.WriteString("  - control: GEO-01\n    summary:\n      ja: 国外のデータを移します。\n      en: We are moving the data.\n" +
		"    target_date: 2026-12-20\n    approver: 置田\n    approved_on: 2026-12-02\n")
	first := true
	for _, f := range fields {
		v, edited := edit[f[0]]
		if !edited {
			v = f[1]
		}
		if v == "" {
			continue
		}
		if first {
			b.WriteString("  - ")
			first = false
		} else {
			b.WriteString("    ")
		}
		b.WriteString(f[0] + ": " + v + "\n")
	}
	return b.String()
}

func TestRemediationsAreValidatedEntryByEntry(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  map[string]string
		extra string // a line added to the second remediation
		want  string // "" = accepted
	}{
		{"a complete plan is read", nil, "", ""},
		{"since may be left out", map[string]string{"since": ""}, "", ""},
		{"no control", map[string]string{"control": ""}, "", "r.yaml:9: remediation 2: field control: required"},
		{"control not an id", map[string]string{"control": "tls1"}, "", `r.yaml:9: remediation 2: field control: "tls1" is not a control id`},
		{"no summary", map[string]string{"summary": ""}, "", "r.yaml:9: remediation 2: field summary.ja: required"},
		{"English summary missing", map[string]string{"summary": "\n      ja: 更新します。"}, "", "remediation 2: field summary.en: required"},
		{"no target date", map[string]string{"target_date": ""}, "", "remediation 2: field target_date: required"},
		{"target date not a date", map[string]string{"target_date": "2027/01/15"}, "", `r.yaml:14: remediation 2: field target_date: "2027/01/15" is not a date`},
		{"target before approval", map[string]string{"target_date": "2026-01-15"}, "", `field target_date: "2026-01-15" is before approved_on`},
		{"since after approval", map[string]string{"since": "2026-12-24"}, "", `field since: "2026-12-24" is after approved_on`},
		{"no approver", map[string]string{"approver": ""}, "", "remediation 2: field approver: required"},
		{"no approval date", map[string]string{"approved_on": ""}, "", "remediation 2: field approved_on: required"},
		{"unknown field", nil, "    owner: x\n", "field owner not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := remediationsFile(tc.edit) + tc.extra
			got, err := parseRemediations("r.yaml", []byte(text))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused a valid file: %v\n%s", err, text)
				}
				if len(got) != 2 || got[0].Control != "GEO-01" || got[1].Control != "TLS-01" || got[1].TargetDate != "2027-01-15" || got[1].Line != 9 {
					t.Errorf("read %+v", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant it to contain %q\n%s", err, tc.want, text)
			}
		})
	}
}

func TestRemediationsFileNeedsTheList(t *testing.T) {
	if _, err := parseRemediations("r.yaml", []byte("exceptions: []\n")); err == nil {
		t.Error("an exceptions file was read as remediations")
	}
	if got, err := parseRemediations("r.yaml", []byte("remediations: []\n")); err != nil || len(got) != 0 {
		t.Errorf("an empty list: %v %v", got, err)
	}
}

func TestCollectorCollectsRemediations(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rem.yaml"), []byte(remediationsFile(nil)), 0o644); err != nil {
		t.Fatal(err)
	}
	items, err := Collector{RemediationsFile: "rem.yaml", BaseDir: dir}.Collect(t.Context(), collectNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != KindRemediations || items[0].Status != "ok" {
		t.Fatalf("items %+v", items)
	}
	var got []Remediation
	if err := json.Unmarshal(items[0].Data, &got); err != nil || !reflect.DeepEqual(got[1].Approver, "情報セキュリティ委員会") {
		t.Errorf("decoded %+v %v", got, err)
	}
}
