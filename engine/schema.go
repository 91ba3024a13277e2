package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// ValidateAgainstSchema checks every control YAML in fsys against the JSON Schema (schema.json
// in the same folder): the schema editors use, kept honest against the loader.
func ValidateAgainstSchema(fsys fs.FS, name string) ([]string, error) {
	return ValidateWithSchema(fsys, name, fsys, name)
}

// ValidateWithSchema checks every control YAML in fsys against the schema.json of schemaFS: a
// deployment's own controls (controls_dir) against the catalog's schema.
func ValidateWithSchema(schemaFS fs.FS, schemaName string, fsys fs.FS, name string) ([]string, error) {
	raw, err := fs.ReadFile(schemaFS, "schema.json")
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path.Join(schemaName, "schema.json"), err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path.Join(schemaName, "schema.json"), err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		return nil, err
	}
	schema, err := c.Compile("schema.json")
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", path.Join(schemaName, "schema.json"), err)
	}
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var problems []string
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var v any
		if err := yaml.Unmarshal(b, &v); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", path.Join(name, f), err))
			continue
		}
		// Round-trip through JSON so the validator sees JSON types (YAML ints become numbers).
		j, err := json.Marshal(v)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", path.Join(name, f), err))
			continue
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			return nil, err
		}
		if err := schema.Validate(inst); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", path.Join(name, f), err))
		}
	}
	return problems, nil
}
