package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// pdfPageText is the text of one page of a PDF file (pdftotext -f n -l n).
func pdfPageText(t *testing.T, file string, page int) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		testenv.Missing(t, "pdftotext", err)
	}
	n := strconv.Itoa(page)
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", "-f", n, "-l", n, file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s page %d: %v", file, page, err)
	}
	return string(out)
}

// derivedRunID is the form of the id the engine derives for a plain evidence directory
// (r<time>-<12 hex>): inside a store it must appear nowhere, or an auditor holding the bundle
// finds a different id in the PDF than on the bundle.
var derivedRunID = regexp.MustCompile(`r\d{8}T\d{6}Z-[0-9a-f]{12}`)

// TestOneRunIDEverywhere audits into a store and finds the run's id — its directory name — in
// every artefact an auditor matches: results.json, OSCAL, the bundle's entries and the bundle
// command's output, verify's and runs list's output, and the cover and page footer of the audit
// report in both languages; and the id derived from the evidence in none of them.
func TestOneRunIDEverywhere(t *testing.T) {
	priv, pub := keyPair(t)
	store := t.TempDir()
	if code, out, errOut := shoko(t, "audit", "--config", demoConfig, "--out", store, "--key", priv, "--lang", "ja,en"); code != exitError {
		t.Fatalf("audit: exit %d\n%s%s", code, out, errOut)
	}
	dirs := runDirs(t, store)
	if len(dirs) != 1 {
		t.Fatalf("runs: %v", dirs)
	}
	runDir := dirs[0]
	id := filepath.Base(runDir)

	var res struct {
		RunID string `json:"run_id"`
	}
	b, err := os.ReadFile(filepath.Join(runDir, evidence.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	oscal, err := os.ReadFile(filepath.Join(runDir, "reports", "assessment-results.oscal.json"))
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(t.TempDir(), id+".tar.gz")
	_, bundleOut, _ := shoko(t, "bundle", runDir, "-o", bundle)
	f, err := os.Open(bundle)
	if err != nil {
		t.Fatal(err)
	}
	bundleID, _, err := evidence.ReadBundle(f, bundle)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, verifyDir, _ := shoko(t, "verify", runDir, "--pubkey", pub)
	_, verifyBundle, _ := shoko(t, "verify", bundle, "--pubkey", pub)
	_, list, _ := shoko(t, "runs", "list", "--store", store)

	artefacts := []struct {
		name, text string
	}{
		{"results.json run_id", res.RunID},
		{"OSCAL", string(oscal)},
		{"bundle entries", bundleID},
		{"bundle output", bundleOut},
		{"verify of the directory", verifyDir},
		{"verify of the bundle", verifyBundle},
		{"runs list", list},
	}
	for _, lang := range []string{"ja", "en"} {
		pdf := filepath.Join(runDir, "reports", "audit-report."+lang+".pdf")
		artefacts = append(artefacts,
			struct{ name, text string }{"audit report cover (" + lang + ")", pdfPageText(t, pdf, 1)},
			struct{ name, text string }{"audit report footer of page 2 (" + lang + ")", pdfPageText(t, pdf, 2)})
	}
	if res.RunID != id {
		t.Errorf("results.json run_id %q, want the run directory's %q", res.RunID, id)
	}
	for _, a := range artefacts {
		if !strings.Contains(a.text, id) {
			t.Errorf("%s does not name run %s:\n%s", a.name, id, a.text)
		}
		if other := derivedRunID.FindString(a.text); other != "" {
			t.Errorf("%s names a second run id %s beside %s", a.name, other, id)
		}
	}
}

// TestEvaluateEvidenceDirKeepsDerivedRunID: outside a store there is no run directory, so the id
// is derived from the evidence and two evaluations of the same evidence give the same bytes.
func TestEvaluateEvidenceDirKeepsDerivedRunID(t *testing.T) {
	var got [2][]byte
	for i := range got {
		out := t.TempDir()
		shoko(t, "evaluate", "--evidence", "../../testdata/records-demo", "--out", out)
		b, err := os.ReadFile(filepath.Join(out, "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		got[i] = b
	}
	if string(got[0]) != string(got[1]) {
		t.Fatal("the same evidence gave different results.json")
	}
	if !derivedRunID.Match(got[0]) {
		t.Fatalf("results.json of an evidence directory has no derived run id:\n%.400s", got[0])
	}
}

// TestAuditSignsBothLanguages: audit, by default, writes every report in Japanese and English
// into the run before signing, so verify covers both: changing either language's PDF fails it.
func TestAuditSignsBothLanguages(t *testing.T) {
	priv, pub := keyPair(t)
	store := t.TempDir()
	if code, out, errOut := shoko(t, "audit", "--config", demoConfig, "--out", store, "--key", priv); code != exitError {
		t.Fatalf("audit: exit %d\n%s%s", code, out, errOut)
	}
	runDir := runDirs(t, store)[0]
	for _, name := range []string{"audit-report.ja.pdf", "audit-report.en.pdf", "whitepaper.ja.pdf", "whitepaper.en.pdf", "assessment-results.oscal.json"} {
		if _, err := os.Stat(filepath.Join(runDir, "reports", name)); err != nil {
			t.Errorf("the run has no reports/%s: %v", name, err)
		}
	}
	cases := []struct {
		name   string
		tamper string // a file of the run to change one byte of; "" for none
		code   int
	}{
		{"untouched verifies", "", exitOK},
		{"changed English report fails", "reports/audit-report.en.pdf", exitFail},
		{"changed Japanese report fails", "reports/audit-report.ja.pdf", exitFail},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "runs", filepath.Base(runDir))
			if err := os.CopyFS(dir, os.DirFS(runDir)); err != nil {
				t.Fatal(err)
			}
			if tc.tamper != "" {
				p := filepath.Join(dir, tc.tamper)
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				b[len(b)/2] ^= 1
				if err := os.WriteFile(p, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, out, _ := shoko(t, "verify", dir, "--pubkey", pub)
			if code != tc.code || (tc.tamper != "" && !strings.Contains(out, tc.tamper)) {
				t.Fatalf("exit %d, want %d (naming %q):\n%s", code, tc.code, tc.tamper, out)
			}
		})
	}
}

// readCovered is run.json's coverage: what the run's evidence was collected from.
func readCovered(t *testing.T, runDir string) evidence.Coverage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(runDir, evidence.RunFile))
	if err != nil {
		t.Fatal(err)
	}
	meta, err := evidence.ParseRunMeta(evidence.RunFile, b)
	if err != nil {
		t.Fatal(err)
	}
	return meta.Covered
}

// assertListed fails unless every wanted entry is in the list.
func assertListed(t *testing.T, what string, list []string, want ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, s := range list {
		have[s] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("run.json covered.%s %q lacks %q", what, list, w)
		}
	}
}
