package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

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

// TestReportAfterSigningAttachesTheStatement: a report written from a signed run (report --run)
// has the run's statement attached byte for byte and prints its digest on the cover, while the
// in-run report names the statement's path instead; --out inside the signed run is refused, and
// the run still verifies.
func TestReportAfterSigningAttachesTheStatement(t *testing.T) {
	if _, err := exec.LookPath("pdfdetach"); err != nil {
		testenv.Missing(t, "pdfdetach", err)
	}
	priv, pub := keyPair(t)
	store := t.TempDir()
	if code, out, errOut := shoko(t, "audit", "--config", demoConfig, "--out", store, "--key", priv, "--lang", "en"); code != exitError {
		t.Fatalf("audit: exit %d\n%s%s", code, out, errOut)
	}
	runDir := runDirs(t, store)[0]
	id := filepath.Base(runDir)
	stmt, err := os.ReadFile(filepath.Join(runDir, evidence.StatementFile))
	if err != nil {
		t.Fatal(err)
	}
	digest := evidence.Digest(stmt)
	later := filepath.Join(t.TempDir(), "later")
	if code, out, errOut := shoko(t, "report", "--run", runDir, "--format", "pdf", "--lang", "en", "--out", later); code != exitOK {
		t.Fatalf("report --run: exit %d\n%s%s", code, out, errOut)
	}
	cases := []struct {
		name           string
		pdf            string
		wantDigest     bool
		wantAttachment bool
	}{
		{"written in the run, before signing", filepath.Join(runDir, "reports", "audit-report.en.pdf"), false, false},
		{"written after signing", filepath.Join(later, "audit-report.en.pdf"), true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cover := strings.Join(strings.Fields(pdfPageText(t, tc.pdf, 1)), "")
			if strings.Contains(cover, digest) != tc.wantDigest {
				t.Errorf("cover prints the statement digest %s: %v, want %v\n%s", digest, !tc.wantDigest, tc.wantDigest, cover)
			}
			if !tc.wantDigest && !strings.Contains(cover, "runs/"+id+"/statement.intoto.json") {
				t.Errorf("the in-run cover does not name the statement that signs it:\n%s", cover)
			}
			dir := t.TempDir()
			if out, err := exec.Command("pdfdetach", "-saveall", "-o", dir, tc.pdf).CombinedOutput(); err != nil {
				t.Fatalf("pdfdetach: %v\n%s", err, out)
			}
			got, err := os.ReadFile(filepath.Join(dir, "statement.intoto.json"))
			if (err == nil) != tc.wantAttachment || (tc.wantAttachment && string(got) != string(stmt)) {
				t.Errorf("statement attached: %v (same bytes: %v), want %v", err == nil, string(got) == string(stmt), tc.wantAttachment)
			}
		})
	}
	t.Run("--out inside the run is refused", func(t *testing.T) {
		code, out, errOut := shoko(t, "report", "--run", runDir, "--format", "pdf", "--out", filepath.Join(runDir, "reports", "more"))
		if code != exitUsage || !strings.Contains(out+errOut, "inside run") {
			t.Fatalf("exit %d, want %d\n%s%s", code, exitUsage, out, errOut)
		}
		if code, out, _ := shoko(t, "verify", runDir, "--pubkey", pub); code != exitOK {
			t.Fatalf("the run no longer verifies:\n%s", out)
		}
	})
}

// TestShardedRunCarriesSignedReports: a run collected in shards and completed by evaluate --run
// gets its reports written into it in both languages before it is signed, as audit does; with
// --reports "" it gets none; --reports on an evidence directory is refused.
func TestShardedRunCarriesSignedReports(t *testing.T) {
	priv, pub := keyPair(t)
	cfg := writeConfig(t, t.TempDir(), "all.yaml", demoSources(t))
	cases := []struct {
		name  string
		extra []string
		want  []string
	}{
		{"by default, every report in both languages", nil, []string{"assessment-results.oscal.json",
			"audit-report.en.pdf", "audit-report.ja.pdf", "whitepaper.en.pdf", "whitepaper.ja.pdf"}},
		{"none when asked for none", []string{"--reports", ""}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := t.TempDir()
			code, out, errOut := shoko(t, "runs", "start", "--store", store, "--config", cfg, "--shard", "a")
			if code != exitOK {
				t.Fatalf("runs start: exit %d\n%s%s", code, out, errOut)
			}
			id := strings.TrimSpace(out)
			if code, out, errOut := shoko(t, "collect", "--store", store, "--run", id, "--shard", "a", "--config", cfg); code != exitOK {
				t.Fatalf("collect: exit %d\n%s%s", code, out, errOut)
			}
			args := append([]string{"evaluate", "--store", store, "--run", id, "--config", cfg, "--key", priv}, tc.extra...)
			if code, out, errOut := shoko(t, args...); code != exitError {
				t.Fatalf("evaluate: exit %d\n%s%s", code, out, errOut)
			}
			runDir := filepath.Join(store, "runs", id)
			entries, _ := os.ReadDir(filepath.Join(runDir, "reports"))
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("reports %v, want %v", got, tc.want)
			}
			if len(got) > 0 && !strings.Contains(pdfPageText(t, filepath.Join(runDir, "reports", "audit-report.ja.pdf"), 1), id) {
				t.Error("the report's cover does not name the run")
			}
			if code, out, _ := shoko(t, "verify", runDir, "--pubkey", pub); code != exitOK {
				t.Fatalf("verify:\n%s", out)
			}
		})
	}
	t.Run("--reports on an evidence directory is refused", func(t *testing.T) {
		code, out, errOut := shoko(t, "evaluate", "--evidence", "../../testdata/records-demo", "--out", t.TempDir(), "--reports", "pdf")
		if code != exitUsage || !strings.Contains(out+errOut, "--reports is for --run") {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
	})
}

// The second audit into a store compares itself, in its audit report's executive summary, with
// the run its statement links to; the first says there was nothing to compare.
func TestAuditReportComparesWithThePreviousRunOfTheChain(t *testing.T) {
	priv, _ := keyPair(t)
	store := t.TempDir()
	for i := 0; i < 2; i++ {
		if i > 0 {
			// A run starts at a whole second and links to runs that ended before it started:
			// the second audit must start in a later second than the first ended.
			time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
		}
		if code, out, errOut := shoko(t, "audit", "--config", demoConfig, "--out", store, "--key", priv, "--lang", "en", "--reports", "pdf"); code != exitError {
			t.Fatalf("audit %d: exit %d\n%s%s", i+1, code, out, errOut)
		}
	}
	runs := runDirs(t, store)
	if len(runs) != 2 {
		t.Fatalf("want 2 runs, have %v", runs)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		testenv.Missing(t, "pdftotext", err)
	}
	sort.Strings(runs) // ids start with their start time
	first, second := runs[0], runs[1]
	text := func(run string) string {
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", filepath.Join(run, "reports", "audit-report.en.pdf"), "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		return strings.Join(strings.Fields(string(out)), " ")
	}
	if got := text(first); !strings.Contains(got, "No previous run's results were given") {
		t.Errorf("the first run's report claims a comparison:\n%s", got)
	}
	got := text(second)
	if strings.Contains(got, "nothing is compared") || !strings.Contains(got, filepath.Base(first)) {
		t.Errorf("the second run's report does not compare with %s:\n%s", filepath.Base(first), got)
	}
}
