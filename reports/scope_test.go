package reports

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
)

// scopedDemoInput is the records demo evaluated with a scope of two controls.
func scopedDemoInput(t *testing.T, lang string) *Input {
	t.Helper()
	in := demoInput(t, lang)
	items, err := evidence.LoadDir("../testdata/records-demo")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), in.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	now, err := time.Parse(time.RFC3339, in.Results.Now)
	if err != nil {
		t.Fatal(err)
	}
	run := engine.Run{Now: now, Period: in.Results.Period,
		Scope: &evidence.ControlScope{Include: []string{"TRN-01", "AUD-01"}}}
	if in.Results, err = eng.Evaluate(context.Background(), items, run); err != nil {
		t.Fatal(err)
	}
	return in
}

// Every report says which controls were audited, and none shows a control outside the scope as
// judged: the audit report lists them as not in scope, the white paper leaves their claims out
// (naming their sections in its appendix), OSCAL does not review them.
func TestReportsShowTheScopeOfControls(t *testing.T) {
	for _, tc := range []struct {
		name     string
		scoped   bool
		cover    []string // on the audit report's cover (whitespace removed)
		paper    []string // in the white paper (whitespace removed)
		notPaper []string
	}{
		{"a scoped run", true,
			[]string{"Scope:controls", "2of49controls;included:TRN-01,AUD-01", `the others are"not in scope"`, "Notinscope47"},
			[]string{"Statementsnotcoveredbythisverification", "2statements:", "47morestatementswereoutsidethescopeofthisverification"},
			[]string{"CERT-01", "VUL-01", "GEO-01"}},
		{"an unscoped run", false,
			[]string{"Scope:controls", "everycontrolofthecatalog(49)"},
			nil,
			[]string{"Statementsnotcoveredbythisverification", "Notinscope", "outsidethescope"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := demoInput(t, "en")
			if tc.scoped {
				in = scopedDemoInput(t, "en")
			}
			cover := coverText(t, in)
			for _, w := range tc.cover {
				if !strings.Contains(cover, squeeze(w)) {
					t.Errorf("cover lacks %q:\n%s", w, cover)
				}
			}
			paper := squeeze(pdfText(t, render(t, WhitePaperPDF{}, in)))
			for _, w := range tc.paper {
				if !strings.Contains(paper, w) {
					t.Errorf("white paper lacks %q", w)
				}
			}
			body, _, _ := strings.Cut(paper, "Appendix")
			for _, w := range tc.notPaper {
				if strings.Contains(body, w) {
					t.Errorf("white paper body has %q", w)
				}
			}
			oscal := render(t, OSCAL{}, in)
			if tc.scoped && (bytes.Contains(oscal, []byte(`"CERT-01"`)) || !bytes.Contains(oscal, []byte(`"TRN-01"`))) {
				t.Errorf("OSCAL reviews a control out of scope, or misses one in it")
			}
		})
	}
}
