package engine

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/yamlx"
)

// OverridesFile is the catalog file that records the parameters shoko.yaml overrode. It is a
// source of the catalog like any control: stored in a run beside controls/ and policies/, covered
// by the catalog digest and the signature, and applied again when the run is replayed. A run
// without overrides has no such file, so its catalog digest is the catalog's own.
const OverridesFile = evidence.CatalogOverridesFile

// ServiceNameParam is the parameter that names the service in titles, claims and the white
// paper ({service_name}); shoko.yaml's service_name sets it in every control that declares it.
const ServiceNameParam = "service_name"

// Overrides are a deployment's changes to the catalog's parameters, from shoko.yaml.
type Overrides struct {
	// ServiceName is the service's name, for every control declaring {service_name}: a string,
	// or {ja, en} when the name is written differently in each language (a text parameter).
	ServiceName any `yaml:"service_name,omitempty" json:"service_name,omitempty"`
	// Parameters are control id → parameter → value.
	Parameters map[string]map[string]any `yaml:"parameters,omitempty" json:"parameters,omitempty"`
}

// Empty says whether o changes nothing.
func (o Overrides) Empty() bool { return o.ServiceName == nil && len(o.Parameters) == 0 }

// Override sets the parameters o gives, each checked against the type its control declares.
// file names where o was written (shoko.yaml) and line gives the line of a key path in it, so
// an error reads `shoko.yaml:12: parameters.BAK-01.generations: want an integer (0 or more),
// found "seven"`. Every problem is reported, not only the first. Applied, the overrides become
// a source of the catalog (OverridesFile): the catalog digest changes, the run stores and signs
// them, and a replay applies them again.
func (c *Catalog) Override(o Overrides, file string, line func(path string) int) error {
	if o.Empty() {
		return nil
	}
	if line == nil {
		line = func(string) int { return 1 }
	}
	var problems []string
	addf := func(path, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s: %s", file, line(path), path, fmt.Sprintf(format, args...)))
	}
	set := func(ctl *Control, name string, v any, path string) {
		d := ctl.ParamDecls[name]
		if err := CheckParam(d.Type, v); err != nil {
			addf(path, "%v (%s declares %s as %s)", err, ctl.ID, name, d.Type)
			return
		}
		ctl.Parameters[name] = v
	}

	ids := make([]string, len(c.Controls))
	for i, ctl := range c.Controls {
		ids[i] = ctl.ID
	}
	for _, id := range sortedNames(o.Parameters) {
		ctl, ok := c.Control(id)
		if !ok {
			addf("parameters."+id, "no control %s in the catalog%s", id, didYouMean(id, ids))
			continue
		}
		names := sortedNames(ctl.ParamDecls)
		for _, name := range sortedNames(o.Parameters[id]) {
			path := "parameters." + id + "." + name
			switch {
			case name == ServiceNameParam:
				addf(path, "the service's name is set once, at the top level: service_name")
			case ctl.ParamDecls[name] == nil:
				addf(path, "%s has no parameter %s%s (its parameters: %s)", id, name, didYouMean(name, names), strings.Join(names, ", "))
			default:
				set(ctl, name, o.Parameters[id][name], path)
			}
		}
	}
	if o.ServiceName != nil {
		used := false
		for _, ctl := range c.Controls {
			if ctl.ParamDecls[ServiceNameParam] != nil {
				used = true
				set(ctl, ServiceNameParam, o.ServiceName, "service_name")
			}
		}
		if !used {
			addf("service_name", "no control of the catalog declares a %s parameter, so it would change nothing", ServiceNameParam)
		}
	}
	if len(problems) > 0 {
		return &LoadError{Problems: problems}
	}
	b, err := yaml.Marshal(o)
	if err != nil {
		return err
	}
	c.Sources[OverridesFile] = b
	c.Overrides = &o
	return nil
}

// ParseOverrides reads an OverridesFile back, strictly.
func ParseOverrides(name string, b []byte) (Overrides, error) {
	var o Overrides
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&o); err != nil {
		return o, yamlx.Error(name, err)
	}
	return o, nil
}

func didYouMean(name string, valid []string) string {
	sort.Strings(valid)
	if s := yamlx.Suggest(name, valid); s != "" {
		return fmt.Sprintf(" (did you mean %s?)", s)
	}
	return ""
}

// effectiveParameters are the parameters a control is judged with, for results.json (nil when it
// has none, so the key is left out).
func effectiveParameters(c *Control) map[string]any {
	if len(c.Parameters) == 0 {
		return nil
	}
	out := make(map[string]any, len(c.Parameters))
	for k, v := range c.Parameters {
		out[k] = v
	}
	return out
}

// CatalogValue is the value the control's file declares for a parameter, when shoko.yaml
// overrode it with another (ok false when the parameter is not overridden): reports print both,
// so a reader sees that the claim was changed by the deployment and from what.
func (c *Control) CatalogValue(name string) (v any, ok bool) {
	d := c.ParamDecls[name]
	if d == nil || reflect.DeepEqual(d.Value, c.Parameters[name]) {
		return nil, false
	}
	return d.Value, true
}
