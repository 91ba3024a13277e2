// Package controls holds the control catalog: one YAML file per control and schema.json.
// The files are embedded in the shoko binary; --controls DIR replaces them.
package controls

import "embed"

// FS holds every control YAML and the JSON Schema.
//
//go:embed *.yaml schema.json
var FS embed.FS
