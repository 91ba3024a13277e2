package main

import (
	"context"
	"crypto/ed25519"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/history"
	"github.com/shoko-audit/shoko/internal/synthruns"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// TestHistoryCommandWritesAVerifiablePeriod: shoko history over a synthetic signed history (made
// by the test, with its own clock) names the tampered run and the failing control, signs the
// period directory, and shoko verify accepts it until a covered run is removed from the store.
func TestHistoryCommandWritesAVerifiablePeriod(t *testing.T) {
	privPath, pubPath := keyPair(t)
	priv, err := evidence.LoadPrivateKey(privPath)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	start := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC) // 09:00 JST: inside the period's first day
	runs, err := synthruns.SignedRuns(context.Background(), synthruns.NewFastDir(root), priv, synthruns.HistorySpec{
		Start: start, Every: 24 * time.Hour, Runs: 30,
		Controls: []synthruns.HistoryControl{{ID: "ACC-01", Frequency: "weekly"}, {ID: "LOG-01", Frequency: "daily"}},
		Status: func(i int, c string) string {
			if c == "LOG-01" && i >= 10 && i < 13 {
				return engine.StatusFail
			}
			return ""
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	tampered := runs[20].ID
	p := filepath.Join(root, "runs", tampered, evidence.ResultsFile)
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 1
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "period")
	args := []string{"history", "--store", root, "--period", "2026-04-01..2026-04-30", "--pubkey", pubPath, "--key", privPath, "--out", out}
	code, stdout, stderr := shoko(t, args...)
	if code != exitError {
		t.Fatalf("history: exit %d, want %d (a tampered run)\n%s%s", code, exitError, stdout, stderr)
	}
	for _, want := range []string{
		"runs 30, trusted 29, problems 1",
		"tampered      " + tampered + ": results.json changed after signing",
		"LOG-01   1 failing interval(s)",
		"(signed, key " + evidence.KeyID(priv.Public().(ed25519.PublicKey)) + ")",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("history output lacks %q:\n%s", want, stdout)
		}
	}
	hb, err := os.ReadFile(filepath.Join(out, history.FileName))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := history.Parse(history.FileName, hb)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Controls {
		if c.ID == "LOG-01" && (len(c.Intervals) != 1 || c.Intervals[0].FirstFailingIn != runs[10].ID || c.Intervals[0].FixedIn != runs[13].ID) {
			t.Errorf("LOG-01 intervals %+v, want runs[10]..runs[13]", c.Intervals)
		}
	}

	// A second history into the same directory is refused: a signed period is written once.
	if code, _, stderr := shoko(t, args...); code != exitUsage || !strings.Contains(stderr, "already holds history.json") {
		t.Errorf("history into a used directory: exit %d, %s", code, stderr)
	}

	code, stdout, stderr = shoko(t, "verify", out, "--pubkey", pubPath, "--store", root)
	if code != exitOK || !strings.Contains(stdout, "VERIFIED: period "+out) || !strings.Contains(stdout, "30 covered runs") {
		t.Fatalf("verify period: exit %d\n%s%s", code, stdout, stderr)
	}
	// Without --store, the store history.json names.
	if code, stdout, stderr := shoko(t, "verify", out, "--pubkey", pubPath); code != exitOK {
		t.Fatalf("verify period (store from history.json): exit %d\n%s%s", code, stdout, stderr)
	}
	removed := runs[5].ID
	if err := os.RemoveAll(filepath.Join(root, "runs", removed)); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = shoko(t, "verify", out, "--pubkey", pubPath, "--store", root)
	if code != exitFail || !strings.Contains(stdout, "run "+removed+" is covered by the period but its statement is not in the store") {
		t.Errorf("verify period after removing run %s: exit %d\n%s", removed, code, stdout)
	}
}

// TestHistoryCommandUsageErrors: each missing or bad input is exit 3 naming it.
func TestHistoryCommandUsageErrors(t *testing.T) {
	_, pubPath := keyPair(t)
	store := t.TempDir()
	out := filepath.Join(t.TempDir(), "p")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"history", "--store", store, "--period", "2026-04-01..2026-04-30", "--pubkey", pubPath}, "needs --out"},
		{[]string{"history", "--store", store, "--pubkey", pubPath, "--out", out}, "needs --period"},
		{[]string{"history", "--store", store, "--period", "2026-04-30..2026-04-01", "--pubkey", pubPath, "--out", out}, "the end is not after the start"},
		{[]string{"history", "--store", store, "--period", "2026-04-01..2026-04-30", "--out", out}, "needs --pubkey"},
		{[]string{"history", "--period", "2026-04-01..2026-04-30", "--pubkey", pubPath, "--out", out}, "no store"},
	} {
		code, _, stderr := shoko(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 3 saying %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestOpenSSLVerifiesAPeriod runs the auditors' recipe for a period directory
// (docs/verify-period-with-openssl.sh): the signature, the output files, the covered runs in the
// store; a covered run removed from the store fails it.
func TestOpenSSLVerifiesAPeriod(t *testing.T) {
	for _, tool := range []string{"openssl", "jq", "base64", "sha256sum", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, tool, err)
		}
	}
	if out, err := exec.Command("openssl", "list", "-public-key-algorithms").CombinedOutput(); err != nil || !strings.Contains(strings.ToUpper(string(out)), "ED25519") {
		testenv.Missing(t, "openssl with ed25519", err)
	}
	privPath, pubPath := keyPair(t)
	priv, err := evidence.LoadPrivateKey(privPath)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	runs, err := synthruns.SignedRuns(context.Background(), synthruns.NewFastDir(root), priv, synthruns.HistorySpec{
		Start: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Every: 24 * time.Hour, Runs: 5,
		Controls: []synthruns.HistoryControl{{ID: "LOG-01", Frequency: "daily"}}})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "period")
	if code, stdout, stderr := shoko(t, "history", "--store", root, "--period", "2026-04-01..2026-04-05", "--pubkey", pubPath, "--key", privPath, "--out", out); code == exitUsage {
		t.Fatalf("history: exit %d\n%s%s", code, stdout, stderr)
	}
	script := filepath.Join(testenv.RepoRoot(), "docs", "verify-period-with-openssl.sh")
	got, err := exec.Command("bash", script, out, root, pubPath).CombinedOutput()
	if err != nil || !strings.Contains(string(got), "Signature Verified Successfully") || !strings.Contains(string(got), "All 5 covered runs' statements match") {
		t.Fatalf("untouched period: %v\n%s", err, got)
	}
	if err := os.RemoveAll(filepath.Join(root, "runs", runs[2].ID)); err != nil {
		t.Fatal(err)
	}
	got, err = exec.Command("bash", script, out, root, pubPath).CombinedOutput()
	if err == nil || !strings.Contains(string(got), "runs/"+runs[2].ID+"/statement.intoto.json: FAILED") {
		t.Fatalf("covered run removed: err %v\n%s", err, got)
	}
}
