package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// chromiumNames are the names headless Chromium is installed under (Debian's package, Chromium
// elsewhere, Chrome).
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// ChromiumPath finds Chromium: $CHROMIUM when set, else /usr/bin/chromium, else one of the usual
// names on PATH.
func ChromiumPath() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("chromium not found (/usr/bin/chromium, or %s on PATH; set CHROMIUM to its path; apt-get install chromium)",
		strings.Join(chromiumNames, ", "))
}

// NeedChromium returns the path of Chromium; a missing Chromium skips the test, or fails it under
// CI=true.
func NeedChromium(t testing.TB) string {
	t.Helper()
	p, err := ChromiumPath()
	if err != nil {
		Missing(t, "chromium", err)
	}
	return p
}

// ChromiumPage is what headless Chromium made of a page: the DOM after its scripts ran, and
// every console message (console.log/error and uncaught exceptions), as Chromium logs them.
type ChromiumPage struct {
	DOM     string
	Console []string
}

// LoadInChromium opens url in a fresh headless Chromium (its own profile in a temporary
// directory), lets the page's scripts run, and returns the DOM and the console. Chromium logs
// console messages to stderr as "...:CONSOLE(n)] "message", source: ..." lines under
// --enable-logging=stderr --v=0; those are collected.
func LoadInChromium(t testing.TB, chromium, url string) ChromiumPage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--dump-dom", url)
	killGroup(cmd)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium --dump-dom %s: %v\n%s", url, err, stderr.String())
	}
	page := ChromiumPage{DOM: stdout.String()}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			page.Console = append(page.Console, line)
		}
	}
	return page
}
