package aws_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/calendar"
	"github.com/shoko-audit/shoko/collectors"
	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/controls"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/policies"
)

// sectionA are the AWS-evidenced controls (claims.md section A).
var sectionA = []string{"GEO-01", "ENC-01", "ENC-02", "TLS-01", "TLS-03", "BAK-01", "BAK-02", "BAK-03",
	"LOG-01", "LOG-02", "LOG-03", "LOG-04", "EVD-01", "RST-01", "MON-01", "NET-01", "PRIV-01", "SEC-01",
	"CAP-01", "RED-01", "TMP-01", "PII-01"}

// evaluate writes the items as a run would and evaluates the section-A controls on them.
func evaluate(t *testing.T, items []evidence.Item) map[string]engine.ControlResult {
	t.Helper()
	return evaluateAt(t, items, testNow)
}

// evaluateAt evaluates the section-A controls as of now, over the year before it.
func evaluateAt(t *testing.T, items []evidence.Item, now time.Time) map[string]engine.ControlResult {
	t.Helper()
	dir := t.TempDir()
	stored, err := evidence.WriteDir(dir, items)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := engine.LoadCatalog(engine.CatalogSource{Controls: controls.FS, ControlsName: "controls",
		Policies: policies.FS, PoliciesName: "policies", KnownKinds: collectors.KnownKinds()})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), cat, engine.WithCalendar(calendar.Default()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Evaluate(context.Background(), stored, engine.Run{Now: now,
		Period: engine.Period{Start: now.AddDate(-1, 0, 0), End: now}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]engine.ControlResult{}
	for _, c := range res.Controls {
		out[c.ID] = c
	}
	return out
}

func failing(c engine.ControlResult) []string {
	var out []string
	for _, f := range c.Findings {
		if f.Status == engine.StatusFail {
			out = append(out, f.Resource+" — "+f.Message.EN)
		}
	}
	sort.Strings(out)
	return out
}

// The compliant estate passes every section-A control; the same estate with one violation
// per control fails each of them, naming the resource the violation was seeded on.
func TestSectionAControlsAgainstMoto(t *testing.T) {
	cases := []struct {
		name    string
		violate bool
	}{
		{"compliant estate passes", false},
		{"violating estate fails naming the resource", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			o := awsestate.Options{}
			if tc.violate {
				o.Violate = map[string]bool{}
				for _, id := range sectionA {
					o.Violate[id] = true
				}
			}
			e.seed(t, o)
			start := time.Now()
			items := e.collect(t, shokoaws.Options{})
			t.Logf("collected %d items in %s", len(items), time.Since(start).Round(time.Millisecond))
			results := evaluate(t, items)
			for _, id := range sectionA {
				c, ok := results[id]
				if !ok {
					t.Errorf("%s: no result", id)
					continue
				}
				if !tc.violate {
					if c.Status != engine.StatusPass {
						t.Errorf("%s: status %s, want pass: %s %v", id, c.Status, c.Reason.EN, failing(c))
					}
					continue
				}
				want := awsestate.Violations[id]
				if c.Status != engine.StatusFail {
					t.Errorf("%s: status %s, want fail naming %s: %s", id, c.Status, want, c.Reason.EN)
					continue
				}
				named := false
				for _, f := range failing(c) {
					named = named || strings.Contains(f, want)
				}
				if !named {
					t.Errorf("%s: no failing finding names %s: %v", id, want, failing(c))
				}
			}
		})
	}
}
