package reports

import "github.com/shoko-audit/shoko/engine"

// FindingsTotal is how many findings a control has, from its counts: results read with
// KeepFindings hold only some of them. (A results.json whose counts disagree with its findings
// is refused by engine.ReadResultsStream; results made by hand with findings but no counts
// still show their findings.)
func FindingsTotal(r engine.ControlResult) int {
	n := 0
	for _, s := range []string{engine.StatusPass, engine.StatusFail, engine.StatusWaived, engine.StatusNotApplicable} {
		n += r.Counts[s]
	}
	return max(n, len(r.Findings))
}

// KeepFindings is the engine.ReadResultsStream filter for the reports that do not print every
// finding (the audit PDF and the text summary): every failing and waived finding, every finding
// of an attestation control (the PDF's table of attestations, which takes the automation from
// the catalog cat, as the reports do), and the first PassSampleShown others of each control (the
// PDF's sample). At 100,000 passing findings, results read so are a few kilobytes per control
// instead of ≈ 190 MB.
func KeepFindings(cat *engine.Catalog) func(c *engine.ControlResult, index int, f *engine.Finding) bool {
	sampled := 0
	return func(c *engine.ControlResult, index int, f *engine.Finding) bool {
		if index == 0 {
			sampled = 0
		}
		attestation := c.Automation == engine.AutomationAttestation
		if ctl, ok := cat.Control(c.ID); ok {
			attestation = attestation || ctl.Automation == engine.AutomationAttestation
		}
		if f.Status == engine.StatusFail || f.Status == engine.StatusWaived || attestation {
			return true
		}
		if sampled < PassSampleShown {
			sampled++
			return true
		}
		return false
	}
}

// NeedsAllFindings holds when one of formats reads every finding: json writes results.json
// encoded from the results, OSCAL lists every finding, and the white paper checks every resource
// name and parameter against what it prints. The audit PDF and the text summary need only what
// KeepFindings keeps.
func NeedsAllFindings(formats []string) bool {
	for _, f := range formats {
		if f == "json" || f == "oscal" || f == "whitepaper" {
			return true
		}
	}
	return false
}

// NeedsResultsJSON holds when one of formats embeds the results.json file itself (the audit
// PDF attaches it); the others can be made from results read straight from the file.
func NeedsResultsJSON(formats []string) bool {
	for _, f := range formats {
		if f == "pdf" {
			return true
		}
	}
	return NeedsAllFindings(formats)
}
