package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evaluateDemo evaluates the records demo into a fresh directory and returns it.
func evaluateDemo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if code, stdout, stderr := shoko(t, "evaluate", "--evidence", "../../testdata/records-demo", "--out", dir); code != exitError {
		t.Fatalf("evaluate: exit %d\n%s%s", code, stdout, stderr)
	}
	return dir
}

// `shoko report` on an evaluated run writes every format in both languages, lists what it
// wrote, and writes the same bytes when run again with the same generation time.
func TestReportWritesEveryFormatInBothLanguages(t *testing.T) {
	run := evaluateDemo(t)
	statement := writeFile(t, t.TempDir(), "statement.intoto.json", `{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}`+"\n")
	args := func(out string) []string {
		return []string{"report", "--results", filepath.Join(run, "results.json"), "--evidence", "../../testdata/records-demo",
			"--config", "../../testdata/records-demo-src/shoko.yaml", "--statement", statement,
			"--lang", "ja,en", "--generated-at", "2026-11-27T10:00:00+09:00", "--out", out}
	}
	out1, out2 := t.TempDir(), t.TempDir()
	code, stdout, stderr := shoko(t, args(out1)...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	want := []string{"results.json", "assessment-results.oscal.json", "audit-report.ja.pdf", "audit-report.en.pdf", "whitepaper.ja.pdf", "whitepaper.en.pdf"}
	for _, name := range want {
		p := filepath.Join(out1, name)
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
		if !strings.Contains(stdout, p) {
			t.Errorf("the summary does not list %s:\n%s", p, stdout)
		}
	}
	if !strings.Contains(stdout, "AUD-01") || !strings.Contains(stdout, "内部監査の年次実施") {
		t.Errorf("no summary table:\n%s", stdout)
	}
	// results.json is copied byte for byte.
	a, _ := os.ReadFile(filepath.Join(run, "results.json"))
	b, _ := os.ReadFile(filepath.Join(out1, "results.json"))
	if !bytes.Equal(a, b) {
		t.Error("results.json in the reports differs from the evaluation's")
	}
	if code, _, stderr := shoko(t, args(out2)...); code != exitOK {
		t.Fatalf("second run: exit %d\n%s", code, stderr)
	}
	for _, name := range want {
		x, _ := os.ReadFile(filepath.Join(out1, name))
		y, _ := os.ReadFile(filepath.Join(out2, name))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two reports of the same results", name)
		}
	}
}

func TestReportRefusesBadInput(t *testing.T) {
	run := evaluateDemo(t)
	results := filepath.Join(run, "results.json")
	dir := t.TempDir()
	raw, _ := os.ReadFile(results)
	otherCatalog := writeFile(t, dir, "other-catalog.json", strings.Replace(string(raw), `"digest": "sha256:`, `"digest": "sha256:0`, 1))
	unknownField := writeFile(t, dir, "unknown.json", strings.Replace(string(raw), `"run_id"`, `"colour": 1, "run_id"`, 1))
	// Cut inside the findings: read a finding at a time, it must still be refused, not summarised.
	truncated := writeFile(t, dir, "truncated.json", string(raw[:strings.Index(string(raw), `"findings": [`)+200]))
	tampered := t.TempDir()
	if err := os.CopyFS(tampered, os.DirFS("../../testdata/records-demo")); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(tampered, "records.internal_audits", "records-internal_audits.csv_records.json")
	b, _ := os.ReadFile(f)
	if err := os.WriteFile(f, append(b, ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"no results", []string{"report", "--out", dir}, "needs --results or --run, and --out"},
		{"a run and results", []string{"report", "--run", dir, "--results", results, "--out", dir}, "--run takes the results"},
		{"a run that is not one", []string{"report", "--run", dir, "--out", dir}, "expected a run directory"},
		{"missing results file", []string{"report", "--results", filepath.Join(dir, "none.json"), "--out", dir}, "read results"},
		{"unknown format", []string{"report", "--results", results, "--format", "pdf,docx", "--out", dir}, `--format "docx"`},
		{"unknown language", []string{"report", "--results", results, "--lang", "ja,fr", "--out", dir}, `--lang "fr"`},
		{"bad generation time", []string{"report", "--results", results, "--generated-at", "today", "--out", dir}, "--generated-at"},
		{"results of another catalog", []string{"report", "--results", otherCatalog, "--out", dir}, "were evaluated with catalog"},
		{"results with an unknown field", []string{"report", "--results", unknownField, "--out", dir}, `unknown field "colour"`},
		{"truncated results, text read from the file", []string{"report", "--results", truncated, "--format", "text", "--out", dir}, "unexpected EOF"},
		{"truncated results, pdf", []string{"report", "--results", truncated, "--format", "pdf", "--out", dir}, "unexpected EOF"},
		{"truncated results, every format", []string{"report", "--results", truncated, "--out", dir}, "unexpected EOF"},
		{"previous results that are not results", []string{"report", "--results", results, "--previous-results", unknownField, "--format", "pdf", "--out", dir}, `previous results`},
		{"missing previous results", []string{"report", "--results", results, "--previous-results", filepath.Join(dir, "none.json"), "--format", "pdf", "--out", dir}, "read previous results"},
		{"evidence that does not match", []string{"report", "--results", results, "--evidence", tampered, "--out", dir}, "records-internal_audits.csv_records.json has digest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := shoko(t, tc.args...)
			if code != exitUsage || !strings.Contains(stdout+stderr, tc.msg) {
				t.Fatalf("exit %d, want %d; output:\n%s%s\nwant it to contain %q", code, exitUsage, stdout, stderr, tc.msg)
			}
		})
	}
}

// audit writes the reports into the run (runs/<id>/reports) by default, in its --lang, before the
// run is signed, and none with --reports "". A signed run with its reports verifies.
func TestAuditWritesReports(t *testing.T) {
	cases := []struct {
		name    string
		extra   []string
		written []string
	}{
		{"by default", nil, []string{"assessment-results.oscal.json", "audit-report.en.pdf", "whitepaper.en.pdf"}},
		{"only those asked for", []string{"--reports", "whitepaper"}, []string{"whitepaper.en.pdf"}},
		{"none", []string{"--reports", ""}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, keys := t.TempDir(), t.TempDir()
			if code, _, stderr := shoko(t, "keygen", "--out", keys); code != exitOK {
				t.Fatalf("keygen: %s", stderr)
			}
			args := append([]string{"audit", "--config", "../../testdata/records-demo-src/shoko.yaml", "--out", out, "--lang", "en",
				"--key", filepath.Join(keys, "shoko.key")}, tc.extra...)
			if code, stdout, stderr := shoko(t, args...); code != exitError {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, exitError, stdout, stderr)
			}
			runs, _ := filepath.Glob(filepath.Join(out, "runs", "*"))
			if len(runs) != 1 {
				t.Fatalf("runs: %v", runs)
			}
			if code, stdout, _ := shoko(t, "verify", runs[0], "--pubkey", filepath.Join(keys, "shoko.pub")); code != exitOK {
				t.Fatalf("the run with its reports does not verify:\n%s", stdout)
			}
			entries, _ := os.ReadDir(filepath.Join(runs[0], "reports"))
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			if strings.Join(got, ",") != strings.Join(tc.written, ",") {
				t.Fatalf("reports written: %v, want %v", got, tc.written)
			}
		})
	}
}

// TestReportEvidenceOfARunSaysWhichDirectoryToGive: a run's evidence/ holds one directory per
// shard, so --evidence RUN/evidence once failed with one line listing every file of the run.
// It now names the shard directory to give, or report --run, in one short line; and the shard
// directory it names is accepted.
func TestReportEvidenceOfARunSaysWhichDirectoryToGive(t *testing.T) {
	key, _ := keyPair(t)
	store := t.TempDir()
	if code, out, errOut := shoko(t, "audit", "--config", demoConfig, "--out", store, "--key", key, "--reports", ""); code != exitError {
		t.Fatalf("audit: exit %d\n%s%s", code, out, errOut)
	}
	run := onlyRun(t, store)
	results, evDir := filepath.Join(run, "results.json"), filepath.Join(run, "evidence")
	cases := []struct {
		name     string
		evidence string
		code     int
		msg      string
	}{
		{"the run's evidence directory is refused with the directory to give", evDir, exitUsage,
			"shoko: --evidence " + evDir + " holds the evidence one directory down, in main/ (a run's evidence/ has one directory per shard): " +
				"give --evidence " + filepath.Join(evDir, "main") + ", or use report --run " + run + " (it reads every shard of the run)\n"},
		{"the run's directory is refused with what to give", run, exitUsage,
			"shoko: --evidence " + run + " is a run's directory, not a directory of evidence items: use report --run " + run +
				", or give --evidence " + filepath.Join(evDir, "main") + "\n"},
		{"the shard's directory is accepted", filepath.Join(evDir, "main"), exitOK, ""},
	}
	t.Run("evaluate refuses the run's directory with what to give", func(t *testing.T) {
		code, _, errOut := shoko(t, "evaluate", "--evidence", run, "--out", t.TempDir())
		want := "shoko: --evidence " + run + " is a run's directory, not a directory of evidence items: use evaluate --run " + run +
			", or give --evidence " + filepath.Join(evDir, "main") + "\n"
		if code != exitUsage || errOut != want {
			t.Fatalf("exit %d, stderr\n%q\nwant exit %d, stderr\n%q", code, errOut, exitUsage, want)
		}
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := shoko(t, "report", "--results", results, "--evidence", tc.evidence, "--format", "oscal", "--out", t.TempDir())
			if code != tc.code || tc.msg != "" && errOut != tc.msg {
				t.Fatalf("exit %d, stderr\n%q\nwant exit %d, stderr\n%q", code, errOut, tc.code, tc.msg)
			}
		})
	}
}

func TestCapListKeepsErrorMessagesShort(t *testing.T) {
	id := func(s string) string { return s }
	cases := []struct {
		name string
		list []string
		want string
	}{
		{"a list within the cap is whole", []string{"a", "b"}, "a, b"},
		{"a longer list says how many more", []string{"a", "b", "c", "d"}, "a, b, and 2 more"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := capList(tc.list, 2, id); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
