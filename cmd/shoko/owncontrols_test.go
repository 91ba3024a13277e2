package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ownControlsConfig writes a shoko.yaml whose controls_dir and policies_dir are given (absolute,
// or "" to leave the key out), with extra appended.
func ownControlsConfig(t *testing.T, controlsDir, policiesDir, extra string) string {
	t.Helper()
	cfg := "organization: Example\n"
	if controlsDir != "" {
		cfg += "controls_dir: " + controlsDir + "\n"
	}
	if policiesDir != "" {
		cfg += "policies_dir: " + policiesDir + "\n"
	}
	return writeFile(t, t.TempDir(), "shoko.yaml", cfg+extra)
}

// A deployment's own controls (controls_dir, policies_dir) load beside the catalog with the same
// checks: the worked example of docs/own-controls.md validates and its Rego tests run; an id
// that is already the catalog's, a wrong parameter type or a directory without its partner is
// an error naming the file.
func TestOwnControlsBesideTheCatalog(t *testing.T) {
	exampleControls, _ := filepath.Abs("../../docs/examples/own-controls/controls")
	examplePolicies, _ := filepath.Abs("../../docs/examples/own-controls/policies")
	bak, err := os.ReadFile("../../controls/BAK-01.yaml")
	if err != nil {
		t.Fatal(err)
	}
	exp, err := os.ReadFile(filepath.Join(exampleControls, "EXP-01.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dirWith := func(name, content string) string {
		dir := t.TempDir()
		writeFile(t, dir, name, content)
		return dir
	}
	cases := []struct {
		name               string
		controls, policies string
		want               string // in stdout for exit 0, else in stderr with exit 3
		ok                 bool
	}{
		{"the worked example loads and validates", exampleControls, examplePolicies, "ok: 50 controls", true},
		{"an id the catalog already has", dirWith("BAK-01.yaml", string(bak)), examplePolicies,
			"BAK-01.yaml: duplicate control id BAK-01 (also in controls/BAK-01.yaml)", false},
		{"a parameter of the wrong type in an own control", dirWith("EXP-01.yaml", strings.Replace(string(exp), "value: CSV}", "value: [CSV]}", 1)), examplePolicies,
			"EXP-01.yaml:31: parameters.export_format: want a non-empty string, found a list", false},
		{"controls_dir without policies_dir", exampleControls, "", "controls_dir: controls_dir and policies_dir go together", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ownControlsConfig(t, tc.controls, tc.policies, "")
			code, stdout, stderr := shoko(t, "controls", "validate", "--config", cfg)
			if tc.ok {
				if code != 0 || !strings.Contains(stdout, tc.want) {
					t.Fatalf("exit %d, want 0 and %q\n%s%s", code, tc.want, stdout, stderr)
				}
				return
			}
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, want %d and %q in:\n%s", code, exitUsage, tc.want, stderr)
			}
		})
	}

	cfg := ownControlsConfig(t, exampleControls, examplePolicies, "")
	if code, stdout, stderr := shoko(t, "policy", "test", "--config", cfg, "-v"); code != 0 || !strings.Contains(stdout, "PASS shoko.controls.exp_01_test.test_no_export_fails") {
		t.Fatalf("policy test --config: exit %d\n%s%s", code, stdout, stderr)
	}
}

// A run audited with own controls stores them in its catalog beside the built-in ones, and
// `shoko verify` replays it.
func TestOwnControlsAreStoredAndReplayed(t *testing.T) {
	exampleControls, _ := filepath.Abs("../../docs/examples/own-controls/controls")
	examplePolicies, _ := filepath.Abs("../../docs/examples/own-controls/policies")
	training, _ := filepath.Abs("../../testdata/records-demo-src/records/training.csv")
	cfg := ownControlsConfig(t, exampleControls, examplePolicies, "records:\n  training: ["+training+"]\n")
	dir := t.TempDir()
	if code, out, errOut := shoko(t, "keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatalf("keygen: exit %d\n%s%s", code, out, errOut)
	}
	store := filepath.Join(dir, "store")
	if code, out, errOut := shoko(t, "audit", "--config", cfg, "--out", store, "--key", filepath.Join(dir, "keys", "shoko.key"),
		"--reports", "", "--lang", "en"); code != exitError { // records only: the AWS and service controls (EXP-01 too) are error
		t.Fatalf("audit: exit %d\n%s%s", code, out, errOut)
	}
	run := onlyRun(t, store)
	for _, f := range []string{"catalog/controls/EXP-01.yaml", "catalog/policies/exp_01.rego", "catalog/controls/BAK-01.yaml"} {
		if _, err := os.Stat(filepath.Join(run, f)); err != nil {
			t.Errorf("the run's catalog lacks %s: %v", f, err)
		}
	}
	res := readResults(t, filepath.Join(run, "results.json"))
	if res.Catalog.Controls != 50 {
		t.Errorf("results.json catalog.controls = %d, want 50 (the catalog's 49 and EXP-01)", res.Catalog.Controls)
	}
	code, out, errOut := shoko(t, "verify", run, "--pubkey", filepath.Join(dir, "keys", "shoko.pub"))
	if code != 0 || !strings.Contains(out, "results.json identical") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
}
