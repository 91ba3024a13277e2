package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChromiumPathHonoursCHROMIUM(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "chromium")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     string
		want    string
		wantErr string
	}{
		{"CHROMIUM names an existing file", exe, exe, ""},
		{"CHROMIUM names nothing", filepath.Join(t.TempDir(), "nope"), "", "CHROMIUM="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CHROMIUM", tc.env)
			got, err := ChromiumPath()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ChromiumPath() = %q, %v; want an error naming %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ChromiumPath() = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestLoadInChromiumRunsThePagesScript(t *testing.T) {
	chromium := NeedChromium(t)
	page := filepath.Join(t.TempDir(), "index.html")
	html := `<!DOCTYPE html><html><body><p id="p">before</p><script>document.getElementById("p").textContent = "after " + location.hash;</script></body></html>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	got := LoadInChromium(t, chromium, "file://"+filepath.ToSlash(page)+"#x=1")
	if !strings.Contains(got.DOM, `<p id="p">after #x=1</p>`) {
		t.Errorf("the DOM is not the one after the script ran:\n%s", got.DOM)
	}
	if len(got.Console) != 0 {
		t.Errorf("console: %q", got.Console)
	}
}
