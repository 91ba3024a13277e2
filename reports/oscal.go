package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/shoko-audit/shoko/engine"
)

// OSCAL writes the results as an OSCAL assessment-results document (OSCAL 1.1.3): one result for
// the run, the controls it reviewed, one observation per evidence item (its digest in props) and
// one finding per control whose target is satisfied or not-satisfied.
//
// OSCAL arrays must have at least one item, so an empty list is omitted, never written as [].
// Every UUID is a version 5 UUID derived from the run id and what the element is about, so the
// same results always give the same document.
type OSCAL struct{}

// Format implements Renderer.
func (OSCAL) Format() string { return "oscal" }

// FileName implements Renderer.
func (OSCAL) FileName(string) string { return "assessment-results.oscal.json" }

// OSCALVersion is the OSCAL release the document follows.
const OSCALVersion = "1.1.3"

// oscalNS is the namespace of shoko's own OSCAL properties.
const oscalNS = "https://github.com/shoko-audit/shoko/ns/oscal"

// uuidSpace is the v5 namespace of every UUID shoko puts in an OSCAL document.
var uuidSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte(oscalNS))

// The types below are the part of the OSCAL assessment-results model shoko writes, field for
// field as the 1.1.3 JSON schema names them.
type (
	oscalDoc struct {
		AssessmentResults oscalAR `json:"assessment-results"`
	}
	oscalAR struct {
		UUID       string        `json:"uuid"`
		Metadata   oscalMetadata `json:"metadata"`
		ImportAP   oscalImportAP `json:"import-ap"`
		Results    []oscalResult `json:"results"`
		BackMatter *oscalBack    `json:"back-matter,omitempty"`
	}
	oscalMetadata struct {
		Title        string       `json:"title"`
		LastModified string       `json:"last-modified"`
		Version      string       `json:"version"`
		OSCALVersion string       `json:"oscal-version"`
		Props        []oscalProp  `json:"props,omitempty"`
		Parties      []oscalParty `json:"parties,omitempty"`
		Remarks      string       `json:"remarks,omitempty"`
	}
	oscalParty struct {
		UUID string `json:"uuid"`
		Type string `json:"type"`
		Name string `json:"name"`
	}
	oscalImportAP struct {
		Href    string `json:"href"`
		Remarks string `json:"remarks,omitempty"`
	}
	oscalProp struct {
		Name  string `json:"name"`
		NS    string `json:"ns,omitempty"`
		Value string `json:"value"`
		Class string `json:"class,omitempty"`
	}
	oscalResult struct {
		UUID             string             `json:"uuid"`
		Title            string             `json:"title"`
		Description      string             `json:"description"`
		Start            string             `json:"start"`
		End              string             `json:"end,omitempty"`
		Props            []oscalProp        `json:"props,omitempty"`
		ReviewedControls oscalReviewed      `json:"reviewed-controls"`
		Observations     []oscalObservation `json:"observations,omitempty"`
		Findings         []oscalFinding     `json:"findings,omitempty"`
	}
	oscalReviewed struct {
		ControlSelections []oscalSelection `json:"control-selections"`
	}
	oscalSelection struct {
		Description     string         `json:"description,omitempty"`
		IncludeControls []oscalControl `json:"include-controls,omitempty"`
	}
	oscalControl struct {
		ControlID string `json:"control-id"`
	}
	oscalObservation struct {
		UUID             string          `json:"uuid"`
		Title            string          `json:"title,omitempty"`
		Description      string          `json:"description"`
		Props            []oscalProp     `json:"props,omitempty"`
		Methods          []string        `json:"methods"`
		Types            []string        `json:"types,omitempty"`
		RelevantEvidence []oscalRelevant `json:"relevant-evidence,omitempty"`
		Collected        string          `json:"collected"`
	}
	oscalRelevant struct {
		Href        string      `json:"href,omitempty"`
		Props       []oscalProp `json:"props,omitempty"`
		Description string      `json:"description"`
	}
	oscalFinding struct {
		UUID                string            `json:"uuid"`
		Title               string            `json:"title"`
		Description         string            `json:"description"`
		Props               []oscalProp       `json:"props,omitempty"`
		Target              oscalTarget       `json:"target"`
		RelatedObservations []oscalRelatedObs `json:"related-observations,omitempty"`
		Remarks             string            `json:"remarks,omitempty"`
	}
	oscalTarget struct {
		Type     string            `json:"type"`
		TargetID string            `json:"target-id"`
		Title    string            `json:"title,omitempty"`
		Status   oscalTargetStatus `json:"status"`
	}
	oscalTargetStatus struct {
		State  string `json:"state"`
		Reason string `json:"reason,omitempty"`
	}
	oscalRelatedObs struct {
		ObservationUUID string `json:"observation-uuid"`
	}
	oscalBack struct {
		Resources []oscalResource `json:"resources,omitempty"`
	}
	oscalResource struct {
		UUID        string       `json:"uuid"`
		Title       string       `json:"title,omitempty"`
		Description string       `json:"description,omitempty"`
		Rlinks      []oscalRlink `json:"rlinks,omitempty"`
	}
	oscalRlink struct {
		Href   string      `json:"href"`
		Hashes []oscalHash `json:"hashes,omitempty"`
	}
	oscalHash struct {
		Algorithm string `json:"algorithm"`
		Value     string `json:"value"`
	}
)

// Render implements Renderer.
func (OSCAL) Render(w io.Writer, in *Input) error {
	doc, err := buildOSCAL(in)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode OSCAL: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func buildOSCAL(in *Input) (*oscalDoc, error) {
	if err := in.Check(); err != nil {
		return nil, err
	}
	t := tr(in.lang())
	res := in.Results
	id := func(parts ...string) string {
		return uuid.NewSHA1(uuidSpace, []byte(res.RunID+"\x00"+strings.Join(parts, "\x00"))).String()
	}
	prop := func(name, value string) oscalProp {
		return oscalProp{Name: name, NS: oscalNS, Value: oscalString(value)}
	}
	resultsJSON, err := in.resultsBytes()
	if err != nil {
		return nil, err
	}

	// One observation per evidence item, keyed by path and digest so a control's evidence refs
	// find theirs.
	obsUUID := map[string]string{}
	var observations []oscalObservation
	for _, e := range res.Evidence {
		key := e.Path + "\x00" + e.Digest
		if _, dup := obsUUID[key]; dup {
			continue
		}
		u := id("observation", e.Path, e.Digest)
		obsUUID[key] = u
		props := []oscalProp{prop("evidence-digest", e.Digest), prop("evidence-kind", e.Kind),
			prop("evidence-path", e.Path), prop("evidence-status", e.Status)}
		for _, k := range sortedKeys(e.Scope) {
			if v := strings.TrimSpace(e.Scope[k]); v != "" {
				props = append(props, prop("scope-"+oscalToken(k), v))
			}
		}
		observations = append(observations, oscalObservation{
			UUID:        u,
			Title:       oscalString(e.Kind),
			Description: fmt.Sprintf(t("証跡 %s（%s）を %s に収集。状態 %s。", "Evidence item %s (%s) collected at %s; status %s."), e.Path, e.Kind, e.CollectedAt.UTC().Format(time.RFC3339), e.Status),
			Props:       props,
			Methods:     []string{methodFor(e.Kind)},
			Types:       []string{"control-objective"},
			RelevantEvidence: []oscalRelevant{{
				Href:        "evidence/" + e.Path,
				Props:       []oscalProp{prop("digest", e.Digest)},
				Description: t("収集したままの証跡ファイル", "The evidence file as collected"),
			}},
			Collected: e.CollectedAt.UTC().Format(time.RFC3339),
		})
	}

	var controls []oscalControl
	var findings []oscalFinding
	// A control outside the run's scope was not reviewed: it is left out of the reviewed
	// controls and gets no finding (OSCAL's reviewed-controls is the assessment's scope).
	judged, _ := inScope(in.items())
	for _, it := range judged {
		r := it.Result
		controls = append(controls, oscalControl{ControlID: r.ID})
		var related []oscalRelatedObs
		seen := map[string]bool{}
		for _, e := range r.Evidence {
			u, ok := obsUUID[e.Path+"\x00"+e.Digest]
			if ok && !seen[u] {
				seen[u] = true
				related = append(related, oscalRelatedObs{ObservationUUID: u})
			}
		}
		state, reason := "not-satisfied", "fail"
		switch r.Status {
		case engine.StatusPass, engine.StatusAttested:
			state, reason = "satisfied", "pass"
		case engine.StatusNotApplicable:
			// OSCAL has no "not applicable" state: the control is satisfied by not applying,
			// which the shoko-status prop and the remarks say.
			state, reason = "satisfied", "other"
		}
		props := []oscalProp{prop("shoko-status", r.Status), prop("automation", it.Control.Automation),
			prop("severity", it.Control.Severity)}
		for _, s := range []string{engine.StatusPass, engine.StatusFail, engine.StatusWaived, engine.StatusNotApplicable} {
			props = append(props, prop("findings-"+strings.ReplaceAll(s, "_", "-"), fmt.Sprint(r.Counts[s])))
		}
		for _, m := range it.Control.Mappings {
			props = append(props, prop("iso-mapping", m.Framework+" "+m.Ref))
		}
		f := oscalFinding{
			UUID:        id("finding", r.ID),
			Title:       oscalString(r.ID + " " + titleOf(it, in.lang())),
			Description: oscalString(fillClaim(it.Control, in.lang())),
			Props:       props,
			Target: oscalTarget{
				Type:     "objective-id",
				TargetID: r.ID,
				Title:    oscalString(titleOf(it, in.lang())),
				Status:   oscalTargetStatus{State: state, Reason: reason},
			},
			RelatedObservations: related,
			Remarks:             oscalString(statusLabel(r.Status, in.lang()) + ": " + r.Reason.Lang(in.lang())),
		}
		findings = append(findings, f)
	}

	ar := oscalAR{
		UUID: id("assessment-results"),
		Metadata: oscalMetadata{
			Title:        oscalString(joinNonEmpty(" — ", in.Run.Organization, t("統制証跡の評価結果", "Control evidence assessment results"))),
			LastModified: in.GeneratedAt.UTC().Format(time.RFC3339),
			Version:      res.RunID,
			OSCALVersion: OSCALVersion,
			Props:        []oscalProp{prop("run-id", res.RunID), prop("catalog-digest", res.Catalog.Digest), prop("tool", res.Tool)},
		},
		ImportAP: oscalImportAP{
			Href: "#" + id("back-matter", "catalog"),
			Remarks: oscalString(fmt.Sprintf(t("評価計画は shoko のカタログ（ダイジェスト %s）です。", "The assessment plan is the shoko catalog with digest %s."),
				res.Catalog.Digest)),
		},
		Results: []oscalResult{{
			UUID:        id("result"),
			Title:       oscalString(fmt.Sprintf(t("実行 %s", "Run %s"), res.RunID)),
			Description: oscalString(fmt.Sprintf(t("%d 件の統制を %s 時点の証跡で評価した結果。", "%d controls evaluated on the evidence as of %s."), len(res.Controls), res.Now)),
			Start:       res.Period.Start.UTC().Format(time.RFC3339),
			End:         res.Period.End.UTC().Format(time.RFC3339),
			Props:       []oscalProp{prop("evaluated-at", res.Now)},
			ReviewedControls: oscalReviewed{ControlSelections: []oscalSelection{{
				Description:     t("カタログの全統制", "Every control of the catalog"),
				IncludeControls: controls,
			}}},
			Observations: observations,
			Findings:     findings,
		}},
		BackMatter: &oscalBack{Resources: []oscalResource{
			{
				UUID:        id("back-matter", "catalog"),
				Title:       t("shoko カタログ", "shoko catalog"),
				Description: oscalString(fmt.Sprintf(t("%d 件の統制、ダイジェスト %s", "%d controls, digest %s"), res.Catalog.Controls, res.Catalog.Digest)),
			},
			{
				UUID:        id("back-matter", "results"),
				Title:       "results.json",
				Description: t("この文書の元になった評価結果", "The evaluation results this document was made from"),
				Rlinks: []oscalRlink{{Href: "results.json",
					Hashes: []oscalHash{{Algorithm: "SHA-256", Value: strings.TrimPrefix(digestOf(resultsJSON), "sha256:")}}}},
			},
		}},
	}
	if in.Run.Organization != "" {
		ar.Metadata.Parties = []oscalParty{{UUID: id("party", in.Run.Organization), Type: "organization", Name: oscalString(in.Run.Organization)}}
	}
	if in.Run.StatementDigest != "" {
		ar.Metadata.Props = append(ar.Metadata.Props, prop("statement-digest", in.Run.StatementDigest))
	}
	return &oscalDoc{AssessmentResults: ar}, nil
}

// methodFor is the OSCAL assessment method of an evidence kind: records and attestations are
// examined documents; everything else is a test of the system.
func methodFor(kind string) string {
	if strings.HasPrefix(kind, "records.") || kind == "attestations" || kind == "exceptions" || kind == "remediations" {
		return "EXAMINE"
	}
	return "TEST"
}

// oscalString makes s a valid OSCAL string: no leading or trailing whitespace, not empty
// (the schema's pattern is ^\S(.*\S)?$).
func oscalString(s string) string {
	s = strings.TrimSpace(strings.Join(strings.Fields(s), " "))
	if s == "" {
		return "—"
	}
	return s
}

// oscalToken makes s a valid OSCAL token (letters, digits, '.', '-', '_'; not starting with a
// digit).
func oscalToken(s string) string {
	var b strings.Builder
	for i, r := range s {
		ok := r == '_' || r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok || (i == 0 && (r == '-' || r == '.' || (r >= '0' && r <= '9'))) {
			r = '_'
		}
		b.WriteRune(r)
	}
	return b.String()
}
