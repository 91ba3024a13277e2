package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/engine"
)

func (a *app) controlsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "controls",
		Short: "List, show, validate and document the control catalog",
	}
	var format, lang, cfgPath string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the controls",
		Example: `  shoko controls list
  shoko controls list --lang en --format json | jq '.[].id'
  shoko controls list --config shoko.yaml   # with the config's service_name and parameters`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkLang(lang); err != nil {
				return err
			}
			cat, err := a.catalogWithConfig(cfgPath)
			if err != nil {
				return err
			}
			switch format {
			case "json":
				return writeJSON(a.stdout, controlSummaries(cat))
			case "table":
				tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tAUTOMATION\tSEVERITY\tTITLE")
				for _, c := range cat.Controls {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Automation, c.Severity, c.Fill(c.Title, lang))
				}
				return tw.Flush()
			default:
				return usageErr("--format %q: want table or json", format)
			}
		},
	}
	list.Flags().StringVar(&format, "format", "table", "output format: table or json")
	list.Flags().StringVar(&lang, "lang", "ja", "language: ja or en")
	list.Flags().StringVar(&cfgPath, "config", "", "config whose service_name and parameters to apply (the effective values)")

	var showLang string
	show := &cobra.Command{
		Use:     "show ID",
		Short:   "Show one control: claim, parameters, evidence, finding codes",
		Example: "  shoko controls show DEL-01 --lang en\n  shoko controls show BAK-01 --config shoko.yaml",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkLang(showLang); err != nil {
				return err
			}
			cat, err := a.catalogWithConfig(cfgPath)
			if err != nil {
				return err
			}
			c, ok := cat.Control(strings.ToUpper(args[0]))
			if !ok {
				return usageErr("no control %q (see shoko controls list)", args[0])
			}
			writeControl(a.stdout, c, showLang, 2)
			return nil
		},
	}
	show.Flags().StringVar(&showLang, "lang", "ja", "language: ja or en")
	show.Flags().StringVar(&cfgPath, "config", "", "config whose service_name and parameters to apply (the effective values)")

	validate := &cobra.Command{
		Use:   "validate",
		Short: "Check the catalog: strict YAML, JSON Schema, policies, finding codes, Rego formatting",
		Example: `  shoko controls validate
  shoko controls validate --controls ./my-controls --policies ./my-policies
  shoko controls validate --config shoko.yaml   # also the config's service_name and parameters`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			src := a.catalogSource()
			cat, err := a.catalogWithConfig(cfgPath)
			if err != nil {
				return err
			}
			problems, err := engine.ValidateAgainstSchema(src.Controls, src.ControlsName)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			if cfgPath != "" { // the config's own controls (controls_dir), against the catalog's schema
				cfg, err := config.Load(cfgPath)
				if err != nil {
					return &exitErr{code: exitUsage, err: err}
				}
				if own := a.catalogSourceFor(cfg); own.ExtraControls != nil {
					more, err := engine.ValidateWithSchema(src.Controls, src.ControlsName, own.ExtraControls, own.ExtraControlsName)
					if err != nil {
						return &exitErr{code: exitUsage, err: err}
					}
					problems = append(problems, more...)
				}
			}
			unformatted, err := engine.UnformattedPolicies(cat)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			for _, f := range unformatted {
				problems = append(problems, f+": not opa fmt-formatted")
			}
			if len(problems) > 0 {
				return usageErr("catalog: %d problems:\n  %s", len(problems), strings.Join(problems, "\n  "))
			}
			fmt.Fprintf(a.stdout, "ok: %d controls, %d policies, %d test files\n", len(cat.Controls), len(cat.Policies), len(cat.Tests))
			return nil
		},
	}

	var docsOut string
	docs := &cobra.Command{
		Use:     "docs",
		Short:   "Write the catalog as Markdown (docs/controls.md)",
		Example: "  shoko controls docs --out docs/controls.md",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := a.loadCatalog()
			if err != nil {
				return err
			}
			md := ControlsMarkdown(cat)
			if docsOut == "" || docsOut == "-" {
				_, err = io.WriteString(a.stdout, md)
				return err
			}
			return os.WriteFile(docsOut, []byte(md), 0o644)
		},
	}
	docs.Flags().StringVar(&docsOut, "out", "", "file to write (default: standard output)")
	validate.Flags().StringVar(&cfgPath, "config", "", "config whose service_name and parameters to check against the declared types")

	cmd.AddCommand(list, show, validate, docs)
	return cmd
}

// catalogWithConfig is the catalog with the overrides of the config at path applied (none
// without a path).
func (a *app) catalogWithConfig(path string) (*engine.Catalog, error) {
	if path == "" {
		return a.loadCatalog()
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	return a.loadCatalogFor(cfg)
}

type controlSummary struct {
	ID             string           `json:"id"`
	Title          engine.Text      `json:"title"`
	Section        engine.Text      `json:"section"`
	Automation     string           `json:"automation"`
	Severity       string           `json:"severity"`
	Mappings       []engine.Mapping `json:"mappings"`
	Evidence       []string         `json:"evidence"`
	Parameters     map[string]any   `json:"parameters"`
	MaxEvidenceAge string           `json:"max_evidence_age,omitempty"`
}

func controlSummaries(cat *engine.Catalog) []controlSummary {
	out := make([]controlSummary, 0, len(cat.Controls))
	for _, c := range cat.Controls {
		s := controlSummary{ID: c.ID, Title: c.FilledTitle(), Section: c.Section, Automation: c.Automation, Severity: c.Severity,
			Mappings: c.Mappings, Evidence: c.Evidence, Parameters: c.Parameters}
		if s.Mappings == nil {
			s.Mappings = []engine.Mapping{}
		}
		if c.MaxEvidenceAge.Duration > 0 {
			s.MaxEvidenceAge = c.MaxEvidenceAge.String()
		}
		out = append(out, s)
	}
	return out
}

func writeControl(w io.Writer, c *engine.Control, lang string, headingLevel int) {
	h := strings.Repeat("#", headingLevel)
	fmt.Fprintf(w, "%s %s %s\n\n", h, c.ID, c.Fill(c.Title, lang))
	label := func(ja, en string) string {
		if lang == "en" {
			return en
		}
		return ja
	}
	fmt.Fprintf(w, "- %s: %s\n", label("白書の節", "White-paper section"), c.Section.Lang(lang))
	fmt.Fprintf(w, "- %s: %s\n", label("主張", "Claim"), c.Fill(c.Claim, lang))
	var maps []string
	for _, m := range c.Mappings {
		maps = append(maps, m.Framework+" "+m.Ref)
	}
	if len(maps) == 0 {
		maps = []string{"—"}
	}
	fmt.Fprintf(w, "- %s: %s\n", label("規格の対応", "Mappings"), strings.Join(maps, "; "))
	fmt.Fprintf(w, "- %s: %s · %s: %s · %s: %s\n", label("評価方法", "Automation"), c.Automation,
		label("重要度", "Severity"), c.Severity, label("頻度", "Frequency"), c.Frequency)
	if c.MaxEvidenceAge.Duration > 0 {
		fmt.Fprintf(w, "- %s: %s\n", label("証跡の許容される古さ", "Max evidence age"), c.MaxEvidenceAge)
	}
	ev := c.Evidence
	if len(ev) == 0 {
		ev = []string{"—"}
	}
	fmt.Fprintf(w, "- %s: `%s`\n", label("証跡", "Evidence"), strings.Join(ev, "`, `"))
	if len(c.OptionalEvidence) > 0 {
		fmt.Fprintf(w, "- %s: `%s`\n", label("任意の証跡（収集されていれば使用）", "Optional evidence (used when collected)"), strings.Join(c.OptionalEvidence, "`, `"))
	}
	if c.PerRecord != "" {
		fmt.Fprintf(w, "- %s: `%s`\n", label("レコードごとに判定（並列評価）", "Judged record by record (evaluated in parallel parts)"), c.PerRecord)
	}
	fmt.Fprintf(w, "- %s: `%s.findings` (policies)\n", label("ポリシー", "Policy"), c.Package)
	if c.NotApplicableReason != nil {
		fmt.Fprintf(w, "- %s: %s\n", label("適用外の理由", "Not applicable because"), c.Fill(*c.NotApplicableReason, lang))
	}
	if len(c.Parameters) > 0 {
		fmt.Fprintf(w, "\n%s:\n\n", label("パラメータ", "Parameters"))
		for _, k := range sortedKeys(c.Parameters) {
			b, _ := json.Marshal(c.Parameters[k])
			if d := c.ParamDecls[k]; d != nil {
				was := ""
				if v, ok := c.CatalogValue(k); ok {
					wb, _ := json.Marshal(v)
					was = fmt.Sprintf(" — %s `%s`", label("shoko.yaml で変更、カタログの値", "set in shoko.yaml; the catalog's value"), wb)
				}
				fmt.Fprintf(w, "- `%s` (%s): `%s`%s\n", k, d.Type, b, was)
			} else {
				fmt.Fprintf(w, "- `%s`: `%s`\n", k, b)
			}
		}
	}
	fmt.Fprintf(w, "\n%s:\n\n", label("所見コード", "Finding codes"))
	codes := make([]string, 0, len(c.Messages))
	for k := range c.Messages {
		codes = append(codes, k)
	}
	sort.Strings(codes)
	for _, k := range codes {
		fmt.Fprintf(w, "- `%s`: %s\n", k, c.Messages[k].Lang(lang))
	}
	fmt.Fprintln(w)
}

// ControlsMarkdown renders the catalog as the committed docs/controls.md, English and Japanese.
func ControlsMarkdown(cat *engine.Catalog) string {
	var b strings.Builder
	b.WriteString("# Controls / 管理策\n\n")
	b.WriteString("Generated by `shoko controls docs --out docs/controls.md` from `controls/*.yaml`; do not edit by hand.\n\n")
	b.WriteString("| ID | Title | タイトル | Automation | Mappings |\n|---|---|---|---|---|\n")
	for _, c := range cat.Controls {
		var maps []string
		for _, m := range c.Mappings {
			maps = append(maps, m.Framework+" "+m.Ref)
		}
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s | %s |\n", c.ID, strings.ToLower(c.ID), c.Fill(c.Title, "en"), c.Fill(c.Title, "ja"), c.Automation, strings.Join(maps, "<br>"))
	}
	b.WriteString("\n")
	for _, c := range cat.Controls {
		fmt.Fprintf(&b, "<a id=\"%s\"></a>\n\n", strings.ToLower(c.ID))
		writeControl(&b, c, "en", 2)
		writeControl(&b, c, "ja", 3)
	}
	return b.String()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func checkLang(lang string) error {
	if lang != "ja" && lang != "en" {
		return usageErr("--lang %q: want ja or en", lang)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
