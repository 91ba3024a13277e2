package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/internal/testenv"
)

// build compiles shoko and cardsvc for the demo into dir.
func build(t *testing.T, dir string) (shokoBin, cardsvcBin string) {
	t.Helper()
	root := testenv.RepoRoot()
	shokoBin, cardsvcBin = filepath.Join(dir, "shoko"), filepath.Join(dir, "cardsvc")
	for bin, pkg := range map[string]string{shokoBin: "./cmd/shoko", cardsvcBin: "./demo/cardsvc/cmd/cardsvc"} {
		cmd := exec.Command("go", "build", "-o", bin, pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	return shokoBin, cardsvcBin
}

// The demo, non-interactively, as `make demo` runs it: every document it points at exists, the
// bundle verifies with the demo's public key, the failures are exactly the deliberate ones
// (run checks that itself; this reads results.json again), the secrets it handed out appear in
// no file it wrote, and nothing it started is left running.
func TestDemoEndToEnd(t *testing.T) {
	moto, err := findMoto(testenv.RepoRoot())
	if err != nil {
		testenv.Missing(t, "moto_server", err)
	}
	dir := t.TempDir()
	shokoBin, cardsvcBin := build(t, dir)
	var stdout bytes.Buffer
	o := options{root: testenv.RepoRoot(), out: filepath.Join(dir, "out"), shoko: shokoBin, cardsvc: cardsvcBin, moto: moto, stdout: &stdout,
		token: "demo-test-token-7f3a0c19e2b4"}
	start := time.Now()
	r, err := run(context.Background(), o)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, stdout.String())
	}
	t.Logf("demo took %s", time.Since(start).Round(100*time.Millisecond))

	for _, f := range []string{r.AuditJA, r.AuditEN, r.WhitePaperJA, r.Results, r.OSCAL, r.Bundle, r.PublicKey} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("output %s: %v", f, err)
		}
	}
	cmd := exec.Command(shokoBin, "verify", r.Bundle, "--pubkey", r.PublicKey)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "VERIFIED") {
		t.Errorf("verify the bundle: %v\n%s", err, out)
	}
	if _, err := checkResults(r.Results, StillFailing()); err != nil {
		t.Error(err)
	}
	if r.Summary["fail"] != len(Deliberate)-1 || r.Summary["error"] != 0 {
		t.Errorf("summary %v: want %d fail (the seeded ones less the fixed one), 0 error", r.Summary, len(Deliberate)-1)
	}

	// The committee's report is short enough to read, and its executive summary names every
	// seeded failure on the first two pages (after the cover).
	if out, err := exec.Command("pdfinfo", r.AuditJA).Output(); err != nil {
		testenv.Missing(t, "pdfinfo (poppler-utils)", err)
	} else if m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out); m == nil {
		t.Errorf("pdfinfo printed no page count:\n%s", out)
	} else if n, _ := strconv.Atoi(string(m[1])); n > 40 {
		t.Errorf("the ja audit report has %d pages, want at most 40", n)
	}
	if first, err := exec.Command("pdftotext", "-f", "1", "-l", "2", r.AuditJA, "-").Output(); err != nil {
		t.Errorf("pdftotext: %v", err)
	} else {
		for _, d := range StillFailing() {
			if !bytes.Contains(first, []byte(d.ID)) {
				t.Errorf("the first two pages of the ja audit report do not name %s", d.ID)
			}
		}
	}

	// Neither the evidence token nor the fake AWS secret may be written anywhere.
	token := o.token
	_ = filepath.WalkDir(o.out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(p) == "cardsvc.db" {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, secret := range []string{fakeSecretKey, token} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s contains a secret", p)
			}
		}
		return nil
	})
	if s := stdout.String(); strings.Contains(s, fakeSecretKey) || strings.Contains(s, token) {
		t.Error("the demo's output contains a secret")
	}
	assertNothingLeft(t)
}

// Interrupting the demo (Ctrl-C) once its servers are up stops them and returns an error.
func TestDemoInterruptedStopsEverything(t *testing.T) {
	moto, err := findMoto(testenv.RepoRoot())
	if err != nil {
		testenv.Missing(t, "moto_server", err)
	}
	dir := t.TempDir()
	shokoBin, cardsvcBin := build(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel as soon as the demo reports it is starting cardsvc: moto is up and the estate seeded.
	w := &cancelOn{text: "starting cardsvc", cancel: cancel}
	o := options{root: testenv.RepoRoot(), out: filepath.Join(dir, "out"), shoko: shokoBin, cardsvc: cardsvcBin, moto: moto, stdout: w}
	if _, err := run(ctx, o); err == nil {
		t.Fatal("an interrupted demo reported success")
	}
	assertNothingLeft(t)
}

type cancelOn struct {
	buf    bytes.Buffer
	text   string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.text) {
		c.cancel()
	}
	return len(p), nil
}

// assertNothingLeft checks that no process group the demo started is still alive.
func assertNothingLeft(t *testing.T) {
	t.Helper()
	if len(startedGroups()) == 0 {
		t.Error("the demo recorded no process group")
	}
	for _, pgid := range startedGroups() {
		// Signal 0 probes the group: ESRCH means no process of it is left.
		if err := syscall.Kill(-pgid, 0); err != syscall.ESRCH {
			t.Errorf("process group %d the demo started is still running (%v)", pgid, err)
		}
	}
}

// The demo records move forward by whole weeks so they never age out; weekdays are kept and
// attested documents are untouched.
func TestCopyRecordsMovesDatesByWholeWeeks(t *testing.T) {
	cases := []struct {
		name  string
		now   time.Time
		weeks int
	}{
		{"on the day they were written nothing moves", recordsWrittenOn, 0},
		{"six days later nothing moves", recordsWrittenOn.Add(6 * 24 * time.Hour), 0},
		{"a year later they move 52 weeks", recordsWrittenOn.AddDate(1, 0, 0), 52},
		{"a clock in the past never moves them back", recordsWrittenOn.AddDate(-1, 0, 0), 0},
	}
	for _, tc := range cases {
		if got := recordsShift(tc.now); got != time.Duration(tc.weeks)*7*24*time.Hour {
			t.Errorf("%s: shift %v, want %d weeks", tc.name, got, tc.weeks)
		}
	}
	src, dst := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(src, "documents"), 0o755)
	os.WriteFile(filepath.Join(src, "training.csv"), []byte("E1,active,2026-11-27,2026-11-30,\n"), 0o644)
	os.WriteFile(filepath.Join(src, "ORG-01.yaml"), []byte("approved_at: 2026-04-01T09:00:00+09:00\n"), 0o644)
	os.WriteFile(filepath.Join(src, "documents", "doc.txt"), []byte("2026-11-27\n"), 0o644)
	if err := copyRecords(src, dst, 7*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		"training.csv":      "E1,active,2026-12-04,2026-12-07,\n",
		"ORG-01.yaml":       "approved_at: 2026-04-08T09:00:00+09:00\n",
		"documents/doc.txt": "2026-11-27\n",
	} {
		b, _ := os.ReadFile(filepath.Join(dst, file))
		if string(b) != want {
			t.Errorf("%s = %q, want %q", file, b, want)
		}
	}
}
