//go:build !unix

package testenv

import "os/exec"

// killGroup: without process groups, the context kills the process itself.
func killGroup(*exec.Cmd) {}
