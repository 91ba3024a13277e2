package records

import (
	"fmt"
	"os"
	"regexp"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shoko-audit/shoko/calendar"
)

// KindRemediations is the evidence kind of the remediations file.
const KindRemediations = "remediations"

// Remediation is the vendor's approved plan to fix a claim that is not currently met: what will
// be done (in words a customer can read, both languages), by when, and who approved it. It
// changes no verdict; the customer white paper prints it beside the unmet claim.
type Remediation struct {
	Control   string `json:"control"`
	SummaryJA string `json:"summary_ja"`
	SummaryEN string `json:"summary_en"`
	// Since is when the vendor first saw the claim unmet ("" when not recorded); TargetDate and
	// ApprovedOn are dates (YYYY-MM-DD, Japan time) as written in the file.
	Since      string `json:"since,omitempty"`
	TargetDate string `json:"target_date"`
	Approver   string `json:"approver"`
	ApprovedOn string `json:"approved_on"`
	Line       int    `json:"line"` // where the remediation starts in the file
}

type remediationsYAML struct {
	// A pointer, to tell a file without the list (refused: probably the wrong file) from an
	// empty list (fine: nothing is being remedied).
	Remediations *[]remediationYAML `yaml:"remediations"`
}

type remediationYAML struct {
	Control string `yaml:"control"`
	Summary struct {
		JA string `yaml:"ja"`
		EN string `yaml:"en"`
	} `yaml:"summary"`
	Since      string `yaml:"since"`
	TargetDate string `yaml:"target_date"`
	Approver   string `yaml:"approver"`
	ApprovedOn string `yaml:"approved_on"`
}

// controlIDRE is the shape of a control id (the catalog's rule); a typo here would attach the
// plan to nothing.
var controlIDRE = regexp.MustCompile(`^[A-Z]{2,5}-[0-9]{2}$`)

// ReadRemediations reads the remediations file at path; displayName names it in errors. Every
// entry is checked and every problem reported with its line; one bad entry refuses the whole
// file, so a plan is never silently dropped from what customers are told.
func ReadRemediations(path, displayName string) ([]Remediation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, readError(displayName, err)
	}
	return parseRemediations(displayName, data)
}

func parseRemediations(file string, data []byte) ([]Remediation, error) {
	var y remediationsYAML
	top, err := decodeStrict(file, data, &y)
	if err != nil {
		return nil, err
	}
	if y.Remediations == nil {
		return nil, &Error{File: file, Line: fieldLine(top, "remediations"), Column: "field remediations",
			Msg: "required: the list of remediations (write \"remediations: []\" when there are none)"}
	}
	var items []*yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "remediations" {
			items = top.Content[i+1].Content
		}
	}
	errs := &errorList{file: file}
	out := make([]Remediation, 0, len(*y.Remediations))
	for i, r := range *y.Remediations {
		node := &yaml.Node{Kind: yaml.MappingNode, Line: 1}
		if i < len(items) {
			node = items[i]
		}
		where := fmt.Sprintf("remediation %d", i+1)
		ok := true
		problem := func(field, format string, args ...any) {
			errs.add(fieldLine(node, field), where+": field "+field, format, args...)
			ok = false
		}
		for _, f := range []struct{ name, value, why string }{
			{"control", r.Control, "the id of the control whose claim is not met"},
			{"summary.ja", r.Summary.JA, "what will be done, for customers, in Japanese"},
			{"summary.en", r.Summary.EN, "what will be done, for customers, in English"},
			{"target_date", r.TargetDate, "the date by which the claim will be met again"},
			{"approver", r.Approver, "a plan nobody approved is not a commitment"},
			{"approved_on", r.ApprovedOn, "when the plan was approved"},
		} {
			if blank(f.value) {
				problem(f.name, "required (%s)", f.why)
			}
		}
		if !blank(r.Control) && !controlIDRE.MatchString(r.Control) {
			problem("control", "%s is not a control id like TLS-01", quote(r.Control))
		}
		dates := map[string]time.Time{}
		for _, d := range []struct{ field, value string }{
			{"since", r.Since}, {"target_date", r.TargetDate}, {"approved_on", r.ApprovedOn},
		} {
			if blank(d.value) {
				continue
			}
			t, err := time.ParseInLocation("2006-01-02", d.value, calendar.JST)
			if err != nil {
				problem(d.field, "%s is not a date like 2027-01-31", quote(d.value))
				continue
			}
			dates[d.field] = t
		}
		// Order checks catch a mistyped year, which would otherwise print a plan that ended
		// before it was approved.
		if a, ok1 := dates["approved_on"]; ok1 {
			if tg, ok2 := dates["target_date"]; ok2 && tg.Before(a) {
				problem("target_date", "%s is before approved_on %s", quote(r.TargetDate), quote(r.ApprovedOn))
			}
			if s, ok2 := dates["since"]; ok2 && s.After(a) {
				problem("since", "%s is after approved_on %s: the plan cannot predate the problem", quote(r.Since), quote(r.ApprovedOn))
			}
		}
		if ok {
			out = append(out, Remediation{Control: r.Control, SummaryJA: r.Summary.JA, SummaryEN: r.Summary.EN,
				Since: r.Since, TargetDate: r.TargetDate, Approver: r.Approver, ApprovedOn: r.ApprovedOn, Line: max(node.Line, 1)})
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return out, nil
}
