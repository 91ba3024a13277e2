//go:build unix

package testenv

import (
	"os/exec"
	"syscall"
)

// killGroup runs cmd in its own process group and, when its context ends, kills the whole group:
// Chromium forks helpers (zygote, renderer) that would outlive a killed parent.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
