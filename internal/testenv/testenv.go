// Package testenv starts the real services tests run against (moto_server for AWS), and
// decides what a test does when one is missing: skip on a developer's machine, fail under
// CI=true, so CI can never pass by silently skipping.
package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// InCI reports whether tests run under CI (CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing stops a test that needs a service it cannot have: a failure under CI, a skip elsewhere.
func Missing(t testing.TB, service string, err error) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s is required under CI=true: %v", service, err)
	}
	t.Skipf("%s not available (%v); under CI=true this fails", service, err)
}

// FreePort returns a free TCP port on the loopback interface.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// RepoRoot is the module root (the directory holding go.mod).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Moto is a running moto_server.
type Moto struct {
	// URL is the endpoint, e.g. http://127.0.0.1:41234.
	URL string
	cmd *exec.Cmd
	log *bytes.Buffer
}

// motoCommand finds moto_server: on PATH, or in the project's .venv (where `make demo` installs it).
func motoCommand() (string, error) {
	if p, err := exec.LookPath("moto_server"); err == nil {
		return p, nil
	}
	venv := filepath.Join(RepoRoot(), ".venv", "bin", "moto_server")
	if _, err := os.Stat(venv); err == nil {
		return venv, nil
	}
	return "", fmt.Errorf("moto_server not found on PATH or in .venv (pip install 'moto[server]')")
}

// StartMoto starts moto_server on a free loopback port and waits until it answers.
func StartMoto() (*Moto, error) {
	bin, err := motoCommand()
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	m := &Moto{URL: "http://127.0.0.1:" + strconv.Itoa(port), log: &bytes.Buffer{}}
	m.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	m.cmd.Stdout, m.cmd.Stderr = m.log, m.log
	// moto loads thousands of public AMIs into every region on first use of EC2 (seconds per
	// region); tests create the images they need, so the catalogue is turned off.
	m.cmd.Env = append(os.Environ(), "MOTO_EC2_LOAD_DEFAULT_AMIS=false")
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(m.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	m.Stop()
	return nil, fmt.Errorf("moto_server did not answer on %s within 30s: %s", m.URL, m.log.String())
}

// Stop ends the server.
func (m *Moto) Stop() {
	if m == nil || m.cmd == nil || m.cmd.Process == nil {
		return
	}
	_ = m.cmd.Process.Kill()
	_ = m.cmd.Wait()
}

// Reset clears every resource, so a test starts from an empty estate.
func (m *Moto) Reset(t testing.TB) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, m.URL+"/moto-api/reset", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset moto: %s", resp.Status)
	}
}

// SharedMoto starts one moto_server per test binary, on first use. Stop it from TestMain with
// StopSharedMoto after m.Run.
var shared struct {
	once sync.Once
	moto *Moto
	err  error
}

// NeedMoto returns the binary's moto_server, reset to empty; a missing moto skips the test, or
// fails it under CI=true.
func NeedMoto(t testing.TB) *Moto {
	t.Helper()
	shared.once.Do(func() { shared.moto, shared.err = StartMoto() })
	if shared.err != nil {
		Missing(t, "moto_server", shared.err)
	}
	shared.moto.Reset(t)
	return shared.moto
}

// StopSharedMoto stops the moto_server NeedMoto started, if any.
func StopSharedMoto() { shared.moto.Stop() }
