// Package policies holds the Rego policy of every control (package shoko.controls.<id>, the id
// lower-cased with "-" as "_"), its _test.rego beside it, and shared helpers in lib/.
// The files are embedded in the shoko binary; --policies DIR replaces them.
package policies

import "embed"

// FS holds every .rego file of this folder and lib/.
//
//go:embed *.rego lib/*.rego
var FS embed.FS
