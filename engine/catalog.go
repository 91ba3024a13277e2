package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"go.yaml.in/yaml/v3"

	"github.com/shoko-audit/shoko/internal/yamlx"
)

// Text is a sentence in both report languages.
type Text struct {
	JA string `yaml:"ja" json:"ja"`
	EN string `yaml:"en" json:"en"`
}

// Lang returns the text in lang ("ja" or "en"); Japanese is the default.
func (t Text) Lang(lang string) string {
	if lang == "en" {
		return t.EN
	}
	return t.JA
}

// Mapping ties a control to a clause of a framework.
type Mapping struct {
	Framework string `yaml:"framework" json:"framework"`
	Ref       string `yaml:"ref" json:"ref"`
}

// Automation says how a control is evidenced.
const (
	AutomationAutomated     = "automated"
	AutomationRecords       = "records"
	AutomationAttestation   = "attestation"
	AutomationNotApplicable = "not_applicable"
)

// Control is one claim of the white paper with how it is checked. Loaded strictly from
// controls/<ID>.yaml; see controls/schema.json for the same rules in JSON Schema form.
type Control struct {
	ID             string    `yaml:"id" json:"id"`
	Title          Text      `yaml:"title" json:"title"`
	Section        Text      `yaml:"section" json:"section"`
	Claim          Text      `yaml:"claim" json:"claim"`
	Mappings       []Mapping `yaml:"mappings" json:"mappings"`
	Automation     string    `yaml:"automation" json:"automation"`
	Severity       string    `yaml:"severity" json:"severity"`
	Frequency      string    `yaml:"frequency" json:"frequency"`
	MaxEvidenceAge Age       `yaml:"max_evidence_age" json:"max_evidence_age"`
	Evidence       []string  `yaml:"evidence" json:"evidence"`
	// OptionalEvidence are kinds the policy reads when they were collected (a source not every
	// deployment has). Absent, the policy decides without them; collected with an error, or stale,
	// they still make the control `error`: a source that was asked and failed is never skipped.
	OptionalEvidence []string `yaml:"optional_evidence,omitempty" json:"optional_evidence,omitempty"`
	// PerRecord names a kind of Evidence whose records the policy judges one by one: a finding
	// about a record depends only on that record, the parameters and the other kinds. The engine
	// then evaluates `findings` on parts of that kind's records in parallel (each part sees a
	// slice of the items) and unites them; checks of the population as a whole (such as "there
	// is at least one record") belong in the policy's `population_findings`, evaluated once on
	// everything.
	PerRecord string `yaml:"per_record,omitempty" json:"per_record,omitempty"`
	// Parameters are the values of the parameters (what policies read as
	// input.control.parameters); ParamDecls are the parameters as declared, with their types.
	Parameters          map[string]any        `yaml:"-" json:"parameters"`
	ParamDecls          map[string]*ParamDecl `yaml:"parameters" json:"-"`
	Messages            map[string]Text       `yaml:"messages" json:"messages"`
	NotApplicableReason *Text                 `yaml:"not_applicable_reason,omitempty" json:"not_applicable_reason,omitempty"`
	// Customer is how the customer white paper words the control for a customer's security
	// officer: plainly, without the audit's jargon. Optional; without it the white paper prints
	// the claim.
	Customer *CustomerText `yaml:"customer,omitempty" json:"customer,omitempty"`

	// File is the control's YAML path as loaded (for errors and docs).
	File string `yaml:"-" json:"-"`
	// Package is the Rego package of its policy, e.g. "shoko.controls.aud_01".
	Package string `yaml:"-" json:"-"`
	// HasPopulationFindings is set when the policy defines `population_findings`.
	HasPopulationFindings bool `yaml:"-" json:"-"`
}

// CustomerText is a control's wording for customers. Numbers are {parameter} placeholders, as
// in the claim, so the wording and the check cannot drift apart.
type CustomerText struct {
	// Claim restates the claim in a sentence about one thing, so that the stamp under it is
	// about that thing only.
	Claim Text `yaml:"claim" json:"claim"`
	// Unmet says in one sentence what is not met when the control fails, without naming any
	// resource, account, host or tenant. Not needed for a not_applicable control.
	Unmet *Text `yaml:"unmet,omitempty" json:"unmet,omitempty"`
}

// Age is a freshness limit written as "<n>d" or "<n>h".
type Age struct{ time.Duration }

// UnmarshalYAML reads "35d" or "24h".
func (a *Age) UnmarshalYAML(n *yaml.Node) error {
	d, err := ParseAge(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	a.Duration = d
	return nil
}

// MarshalJSON writes the age back in its YAML form.
func (a Age) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(a.String())), nil }

func (a Age) String() string {
	if a.Duration%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", a.Duration/(24*time.Hour))
	}
	return fmt.Sprintf("%dh", a.Duration/time.Hour)
}

var ageRE = regexp.MustCompile(`^([1-9][0-9]{0,4})([dh])$`)

// ParseAge reads "<n>d" (days) or "<n>h" (hours).
func ParseAge(s string) (time.Duration, error) {
	m := ageRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("max_evidence_age %q: want a whole number of days or hours, like 35d or 24h", s)
	}
	n, _ := strconv.Atoi(m[1])
	if m[2] == "d" {
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.Duration(n) * time.Hour, nil
}

// PackageFor is the Rego package that holds a control's policy: AUD-01 → shoko.controls.aud_01.
func PackageFor(id string) string {
	return "shoko.controls." + strings.ToLower(strings.ReplaceAll(id, "-", "_"))
}

var (
	idRE          = regexp.MustCompile(`^[A-Z]{2,5}-[0-9]{2}$`)
	placeholderRE = regexp.MustCompile(`\{([^{}]*)\}`)
	paramNameRE   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	codeRE        = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	frameworks    = []string{"ISO/IEC 27002:2013", "ISO/IEC 27017:2015", "ISO/IEC 27018:2019"}
	automations   = []string{AutomationAutomated, AutomationRecords, AutomationAttestation, AutomationNotApplicable}
	severities    = []string{"low", "medium", "high", "critical"}
	frequencies   = []string{"daily", "weekly", "monthly", "quarterly", "yearly"}
)

// Catalog is the set of controls, sorted by id, each with its policy.
type Catalog struct {
	Controls []*Control
	// Policies are the policy files (non-test .rego) by path, as loaded.
	Policies map[string]string
	// Tests are the _test.rego files by path.
	Tests map[string]string
	// parsed are the Policies as parsed when the catalog was loaded, so the engine compiles
	// them without parsing every file a second time (the compiler works on its own copies).
	parsed map[string]*ast.Module
	// Sources are the bytes of every control and policy file by path, and of the overrides
	// (OverridesFile) when there are some: what Digest covers.
	Sources map[string][]byte
	// Overrides are the parameters shoko.yaml changed (nil when none): see Catalog.Override.
	Overrides *Overrides
}

// Control returns the control with the given id.
func (c *Catalog) Control(id string) (*Control, bool) {
	i := sort.Search(len(c.Controls), func(i int) bool { return c.Controls[i].ID >= id })
	if i < len(c.Controls) && c.Controls[i].ID == id {
		return c.Controls[i], true
	}
	return nil, false
}

// LoadError lists every problem found while loading a catalog, each naming file:line.
type LoadError struct{ Problems []string }

func (e *LoadError) Error() string {
	if len(e.Problems) == 1 {
		return "catalog: " + e.Problems[0]
	}
	return fmt.Sprintf("catalog: %d problems:\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// CatalogSource says where controls and policies come from. Names are shown in errors.
type CatalogSource struct {
	Controls     fs.FS
	ControlsName string
	Policies     fs.FS
	PoliciesName string
	// KnownKinds are the evidence kinds collectors provide; a control reading another kind is refused.
	KnownKinds []string
	// ExtraControls and ExtraPolicies are a deployment's own controls and policies (shoko.yaml's
	// controls_dir and policies_dir), loaded beside the catalog with the same checks; an id, a
	// package or a file name that is already the catalog's is an error naming both files.
	ExtraControls     fs.FS
	ExtraControlsName string
	ExtraPolicies     fs.FS
	ExtraPoliciesName string
	// UntypedParameters accepts parameters written without a type (`generations: 8`): only for
	// the catalog of a run stored before parameters declared their types, so that such a run
	// can still be replayed exactly as it was evaluated. Never for a catalog being edited.
	UntypedParameters bool
}

// catalogDir is one directory of control or policy files and its name in errors.
type catalogDir struct {
	fsys fs.FS
	name string
}

// controlDirs are the directories controls are read from: the catalog's, then the deployment's.
func (src CatalogSource) controlDirs() []catalogDir {
	dirs := []catalogDir{{src.Controls, src.ControlsName}}
	if src.ExtraControls != nil {
		dirs = append(dirs, catalogDir{src.ExtraControls, src.ExtraControlsName})
	}
	return dirs
}

// policyDirs are the directories policies are read from: the catalog's, then the deployment's.
func (src CatalogSource) policyDirs() []catalogDir {
	dirs := []catalogDir{{src.Policies, src.PoliciesName}}
	if src.ExtraPolicies != nil {
		dirs = append(dirs, catalogDir{src.ExtraPolicies, src.ExtraPoliciesName})
	}
	return dirs
}

// LoadCatalog reads and cross-checks controls and policies. It reports every problem it finds,
// not just the first, so one run of `shoko controls validate` shows all that needs fixing.
func LoadCatalog(src CatalogSource) (*Catalog, error) {
	var problems []string
	addf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	type controlFile struct {
		fsys fs.FS
		dir  string
		f    string
	}
	var files []controlFile
	for _, d := range src.controlDirs() {
		fs_, err := fs.Glob(d.fsys, "*.yaml")
		if err != nil {
			return nil, fmt.Errorf("list controls in %s: %w", d.name, err)
		}
		if len(fs_) == 0 {
			return nil, &LoadError{Problems: []string{fmt.Sprintf("%s: no control files (*.yaml)", d.name)}}
		}
		for _, f := range fs_ {
			files = append(files, controlFile{d.fsys, d.name, f})
		}
	}
	known := map[string]bool{}
	for _, k := range src.KnownKinds {
		known[k] = true
	}
	cat := &Catalog{Policies: map[string]string{}, Tests: map[string]string{}, Sources: map[string][]byte{}}
	byID := map[string]string{}
	for _, cf := range files {
		f, name := cf.f, path.Join(cf.dir, cf.f)
		if _, dup := cat.Sources[name]; dup {
			addf("%s: read twice (the catalog's controls and controls_dir name the same file): give controls_dir another directory", name)
			continue
		}
		b, err := fs.ReadFile(cf.fsys, f)
		if err != nil {
			addf("%s: %v", name, err)
			continue
		}
		cat.Sources[name] = b
		c, errs := decodeControl(name, b, known, src.UntypedParameters)
		problems = append(problems, errs...)
		if c == nil {
			continue
		}
		if want := c.ID + ".yaml"; c.ID != "" && f != want {
			addf("%s:1: control %s must be in a file named %s", name, c.ID, want)
		}
		if prev, dup := byID[c.ID]; dup {
			addf("%s: duplicate control id %s (also in %s)", name, c.ID, prev)
			continue
		}
		byID[c.ID] = name
		cat.Controls = append(cat.Controls, c)
	}
	sort.Slice(cat.Controls, func(i, j int) bool { return cat.Controls[i].ID < cat.Controls[j].ID })

	problems = append(problems, loadPolicies(src, cat)...)
	if len(problems) > 0 {
		return nil, &LoadError{Problems: problems}
	}
	return cat, nil
}

// decodeControl decodes one control strictly, then checks what YAML typing cannot.
func decodeControl(name string, b []byte, known map[string]bool, untypedOK bool) (*Control, []string) {
	var problems []string
	addf := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var c Control
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []string{name + ":1: empty file"}
		}
		return nil, yamlx.Problems(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, []string{fmt.Sprintf("%s:%d: a control file holds one YAML document", name, extra.Line)}
	}
	var root yaml.Node
	_ = yaml.Unmarshal(b, &root) // decoded above; only used for line numbers
	line := func(keys ...string) int { return yamlx.LineOf(&root, keys...) }

	c.File = name
	c.Package = PackageFor(c.ID)
	switch {
	case c.ID == "":
		addf(1, "field id: missing")
	case !idRE.MatchString(c.ID):
		addf(line("id"), "field id: %q is not like ABC-01", c.ID)
	}
	for _, f := range []struct {
		key  string
		text Text
	}{{"title", c.Title}, {"section", c.Section}, {"claim", c.Claim}} {
		if strings.TrimSpace(f.text.JA) == "" || strings.TrimSpace(f.text.EN) == "" {
			addf(line(f.key), "field %s: both ja and en are required", f.key)
		}
	}
	for i, m := range c.Mappings {
		if !contains(frameworks, m.Framework) {
			addf(line("mappings"), "field mappings[%d].framework: %q is not one of %s", i, m.Framework, strings.Join(frameworks, ", "))
		}
		if strings.TrimSpace(m.Ref) == "" {
			addf(line("mappings"), "field mappings[%d].ref: missing", i)
		}
	}
	checkEnum := func(key, v string, allowed []string) {
		if !contains(allowed, v) {
			addf(line(key), "field %s: %q is not one of %s", key, v, strings.Join(allowed, ", "))
		}
	}
	checkEnum("automation", c.Automation, automations)
	checkEnum("severity", c.Severity, severities)
	checkEnum("frequency", c.Frequency, frequencies)
	if c.MaxEvidenceAge.Duration == 0 && c.Automation != AutomationNotApplicable {
		addf(1, "field max_evidence_age: missing")
	}
	if c.Evidence == nil {
		addf(1, "field evidence: missing (write [] for a control that reads none)")
	}
	seenKind := map[string]bool{}
	for _, k := range c.Evidence {
		if seenKind[k] {
			addf(line("evidence"), "field evidence: kind %s listed twice", k)
		}
		seenKind[k] = true
		if !known[k] {
			addf(line("evidence"), "field evidence: no collector provides evidence kind %q", k)
		}
	}
	for _, k := range c.OptionalEvidence {
		if seenKind[k] {
			addf(line("optional_evidence"), "field optional_evidence: kind %s is listed twice or also in evidence", k)
		}
		seenKind[k] = true
		if !known[k] {
			addf(line("optional_evidence"), "field optional_evidence: no collector provides evidence kind %q", k)
		}
	}
	if c.PerRecord != "" && !slices.Contains(c.Evidence, c.PerRecord) {
		addf(line("per_record"), "field per_record: %q is not one of the control's evidence kinds", c.PerRecord)
	}
	if c.Automation == AutomationNotApplicable {
		if c.NotApplicableReason == nil || c.NotApplicableReason.JA == "" || c.NotApplicableReason.EN == "" {
			addf(1, "field not_applicable_reason: required (ja and en) when automation is not_applicable")
		}
	} else if c.NotApplicableReason != nil {
		addf(line("not_applicable_reason"), "field not_applicable_reason: only for automation not_applicable")
	}
	c.Parameters = map[string]any{}
	for _, p := range sortedNames(c.ParamDecls) {
		d := c.ParamDecls[p]
		if !paramNameRE.MatchString(p) {
			addf(line("parameters", p), "field parameters.%s: names are lower_snake_case", p)
		}
		if d == nil {
			addf(line("parameters", p), "field parameters.%s: declare its type and value, like {type: integer, value: 8}", p)
			continue
		}
		// Kept even when wrong, so the placeholder checks below do not report it a second time;
		// the catalog is refused anyway.
		c.Parameters[p] = d.Value
		if d.untyped && untypedOK {
			continue
		}
		if d.shape != "" {
			addf(d.Line, "parameters.%s: %s", p, d.shape)
		} else if err := CheckParam(d.Type, d.Value); err != nil {
			addf(d.Line, "parameters.%s: %v", p, err)
		}
	}
	filled := []struct {
		key  string
		text Text
	}{{"title", c.Title}, {"claim", c.Claim}}
	if c.NotApplicableReason != nil {
		filled = append(filled, struct {
			key  string
			text Text
		}{"not_applicable_reason", *c.NotApplicableReason})
	}
	for _, f := range filled {
		for _, ph := range placeholders(f.text.JA + f.text.EN) {
			if _, ok := c.Parameters[ph]; !ok {
				addf(line(f.key), "field %s: placeholder {%s} is not a parameter", f.key, ph)
			}
		}
		// A number of the claim lives in one place, the parameters: a title or claim that writes
		// the value itself goes stale the day the parameter changes (BAK-01 at 7 generations
		// still titled "8 generations").
		for _, lang := range []string{"ja", "en"} {
			for _, p := range literalParams(f.text.Lang(lang), c.Parameters) {
				addf(line(f.key), "field %s.%s: writes %s, the value of parameter %s, as a literal: write {%s}",
					f.key, lang, FormatValue(c.Parameters[p], lang), p, p)
			}
		}
	}
	if cu := c.Customer; cu != nil {
		texts := []struct {
			key  string
			text *Text
		}{{"claim", &cu.Claim}, {"unmet", cu.Unmet}}
		if cu.Unmet == nil && c.Automation != AutomationNotApplicable {
			addf(line("customer"), "field customer.unmet: required (ja and en): what the customer reads when the claim is not met")
		}
		for _, f := range texts {
			if f.text == nil {
				continue
			}
			if strings.TrimSpace(f.text.JA) == "" || strings.TrimSpace(f.text.EN) == "" {
				addf(line("customer", f.key), "field customer.%s: both ja and en are required", f.key)
			}
			for _, ph := range placeholders(f.text.JA + f.text.EN) {
				if _, ok := c.Parameters[ph]; !ok {
					addf(line("customer", f.key), "field customer.%s: placeholder {%s} is not a parameter", f.key, ph)
				}
			}
			for _, lang := range []string{"ja", "en"} {
				for _, p := range literalParams(f.text.Lang(lang), c.Parameters) {
					addf(line("customer", f.key), "field customer.%s.%s: writes %s, the value of parameter %s, as a literal: write {%s}",
						f.key, lang, FormatValue(c.Parameters[p], lang), p, p)
				}
			}
		}
	}
	if len(c.Messages) == 0 {
		addf(1, "field messages: at least one finding code is required")
	}
	for code, t := range c.Messages {
		if !codeRE.MatchString(code) {
			addf(line("messages", code), "field messages.%s: codes are lower_snake_case", code)
		}
		if t.JA == "" || t.EN == "" {
			addf(line("messages", code), "field messages.%s: both ja and en are required", code)
		}
		for _, lang := range []string{"ja", "en"} {
			for _, p := range literalParams(t.Lang(lang), c.Parameters) {
				addf(line("messages", code), "field messages.%s.%s: writes %s, the value of parameter %s, as a literal: write {%s}",
					code, lang, FormatValue(c.Parameters[p], lang), p, p)
			}
		}
		ja, en := placeholders(t.JA), placeholders(t.EN)
		sort.Strings(ja)
		sort.Strings(en)
		if t.JA != "" && t.EN != "" && strings.Join(ja, ",") != strings.Join(en, ",") {
			addf(line("messages", code), "field messages.%s: ja uses {%s} but en uses {%s}", code, strings.Join(ja, "},{"), strings.Join(en, "},{"))
		}
	}
	return &c, problems
}

// numericRE matches a parameter value written as a number ("8", "1.2", "31536000").
var numericRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// literalParams returns, sorted, the parameters whose numeric value a title or claim writes as a
// literal number instead of its {placeholder}. Only whole numbers count: "10" is found in
// "within 10 business days" but not in "ISO/IEC 27010" or "10.5".
func literalParams(s string, params map[string]any) []string {
	s = placeholderRE.ReplaceAllString(s, " ")
	var out []string
	for _, name := range sortedNames(params) {
		lit := FormatValue(params[name], "en")
		if !numericRE.MatchString(lit) {
			continue
		}
		re := regexp.MustCompile(`(^|[^0-9.])` + regexp.QuoteMeta(lit) + `($|[^0-9.]|\.[^0-9]|\.$)`)
		if re.MatchString(s) {
			out = append(out, name)
		}
	}
	return out
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// FormatValue writes a parameter value for a reader: a list becomes "a、b、c" in Japanese and
// "a, b, c" in English, a whole float prints without a fraction.
func FormatValue(v any, lang string) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = FormatValue(e, lang)
		}
		if lang == "en" {
			return strings.Join(parts, ", ")
		}
		return strings.Join(parts, "、")
	case map[string]any:
		if isText(x) { // a text parameter: the reader's language
			return FormatValue(x[lang], lang)
		}
		keys := sortedNames(x)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + FormatValue(x[k], lang)
		}
		return strings.Join(parts, "; ")
	default:
		return fmt.Sprint(x)
	}
}

// Fill puts the control's parameters into one of its texts (title or claim) in lang: "{max_days}"
// becomes "365". A placeholder that is no parameter is left as written; the catalog loader
// refuses those, so only a hand-built control can have one.
func (c *Control) Fill(t Text, lang string) string {
	return placeholderRE.ReplaceAllStringFunc(t.Lang(lang), func(m string) string {
		v, ok := c.Parameters[m[1:len(m)-1]]
		if !ok {
			return m
		}
		return FormatValue(v, lang)
	})
}

// FilledTitle is the control's title with its parameters in, in both languages: what every
// report, results.json and `shoko controls` print.
func (c *Control) FilledTitle() Text {
	return Text{JA: c.Fill(c.Title, "ja"), EN: c.Fill(c.Title, "en")}
}

// placeholders returns the distinct {name} placeholders of a template.
func placeholders(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
