package reports

import (
	"bytes"
	"testing"

	"github.com/shoko-audit/shoko/engine"
)

// withConsistentCounts recounts each control's findings (syntheticInput leaves an attestation's
// finding uncounted, which ReadResultsStream refuses).
func withConsistentCounts(in *Input) *Input {
	for i := range in.Results.Controls {
		c := &in.Results.Controls[i]
		for s := range c.Counts {
			c.Counts[s] = 0
		}
		for _, f := range c.Findings {
			c.Counts[f.Status]++
		}
	}
	return in
}

// The audit PDF and the text summary made from results read a finding at a time, keeping only
// what they print (KeepFindings), are byte for byte those made from the results decoded whole:
// the totals come from the counts, the sample and every failing, waived and attestation finding
// are kept. (The records demo has no control with more passing findings than the sample; the
// synthetic results have hundreds.)
func TestReportsFromKeptFindingsAreByteIdentical(t *testing.T) {
	inputs := map[string]func(lang string) *Input{
		"records demo": func(lang string) *Input { return demoInput(t, lang) },
		"synthetic":    func(lang string) *Input { return withConsistentCounts(syntheticInput(14, 600, lang)) },
	}
	for name, mk := range inputs {
		for _, lang := range []string{"ja", "en"} {
			t.Run(name+" "+lang, func(t *testing.T) {
				full := mk(lang)
				b, err := full.Results.Marshal()
				if err != nil {
					t.Fatal(err)
				}
				full.ResultsJSON = b
				slimRes, err := engine.ReadResultsStream(bytes.NewReader(b), KeepFindings(full.Catalog), nil)
				if err != nil {
					t.Fatal(err)
				}
				dropped := 0
				for i, c := range slimRes.Controls {
					dropped += len(full.Results.Controls[i].Findings) - len(c.Findings)
				}
				if dropped == 0 && name == "synthetic" {
					t.Fatal("KeepFindings dropped nothing: the comparison proves nothing")
				}
				slim := *full
				slim.Results = slimRes
				for _, r := range []Renderer{AuditPDF{}, Text{}} {
					want, got := render(t, r, full), render(t, r, &slim)
					if !bytes.Equal(want, got) {
						t.Fatalf("%s from kept findings differs from the whole results (%d bytes, want %d)", r.Format(), len(got), len(want))
					}
				}
				slim.ResultsJSON = nil
				if err := (AuditPDF{}).Render(&bytes.Buffer{}, &slim); err == nil && dropped > 0 {
					t.Fatal("the audit report attached results.json encoded from kept findings only")
				}
			})
		}
	}
}

// A report that writes, prints or checks every finding needs them all; the audit PDF needs the
// results.json file to attach.
func TestNeedsAllFindings(t *testing.T) {
	cases := []struct {
		formats   []string
		all, file bool
	}{
		{[]string{"pdf", "text"}, false, true},
		{[]string{"text"}, false, false},
		{[]string{"pdf", "json"}, true, true},
		{[]string{"text", "oscal"}, true, true},
		{[]string{"whitepaper"}, true, true},
		{nil, false, false},
	}
	for _, tc := range cases {
		if got := NeedsAllFindings(tc.formats); got != tc.all {
			t.Errorf("NeedsAllFindings(%v) = %v, want %v", tc.formats, got, tc.all)
		}
		if got := NeedsResultsJSON(tc.formats); got != tc.file {
			t.Errorf("NeedsResultsJSON(%v) = %v, want %v", tc.formats, got, tc.file)
		}
	}
}
