package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// A measured program is never started by the bench process itself. Go starts a child with
// CLONE_VM (vfork), and at the child's exec Linux carries the memory high-water mark of the mm
// it leaves — the bench's own — into the child's ru_maxrss (exec_mmap: setmax_mm_hiwater_rss).
// So every child of a bench that had grown to 400 MiB (generating a million rows, say) reported
// a peak of at least 400 MiB, whatever it used: the December 6 table showed 415.9 MiB for
// `shoko history` over 100 runs, over 1,000 runs, and for Prowler's start-up alike.
//
// Instead the bench starts itself again as a small wrapper (measureChildArg), which starts the
// program and writes the program's own peak RSS to the file named by rusageFileEnv. The
// program's exec then carries the wrapper's few MiB, not the bench's hundreds.
const (
	measureChildArg = "-measure-child"
	rusageFileEnv   = "SHOKO_BENCH_RUSAGE_FILE"
)

// measuredCommand is exec.Command(name, args...) run through the wrapper; read its peak RSS with
// peakRSS after it ends. Set the command's Env (if any) before calling it, or keep what it sets.
func measuredCommand(name string, args []string, env []string) (*exec.Cmd, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	f, err := os.CreateTemp("", "shoko-bench-rusage-")
	if err != nil {
		return nil, "", err
	}
	f.Close()
	cmd := exec.Command(self, append([]string{measureChildArg, name}, args...)...)
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(env, rusageFileEnv+"="+f.Name())
	return cmd, f.Name(), nil
}

// peakRSS reads the peak RSS in bytes the wrapper wrote to file, and removes the file.
func peakRSS(file string) (int64, error) {
	defer os.Remove(file)
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	kib, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("peak RSS of a measured program: %q: %w", b, err)
	}
	return kib * 1024, nil // Linux reports KiB
}

// measureChild is the wrapper: it runs args, writes the program's peak RSS (KiB) to the file of
// rusageFileEnv, and exits with the program's exit code.
func measureChild(args []string) int {
	out := os.Getenv(rusageFileEnv)
	if len(args) == 0 || out == "" {
		fmt.Fprintln(os.Stderr, "bench "+measureChildArg+": want a command and "+rusageFileEnv)
		return 125
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, rusageFileEnv+"=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, "bench "+measureChildArg+":", err)
		return 125
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "bench "+measureChildArg+": no resource usage")
		return 125
	}
	if err := os.WriteFile(out, []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "bench "+measureChildArg+":", err)
		return 125
	}
	return cmd.ProcessState.ExitCode()
}
