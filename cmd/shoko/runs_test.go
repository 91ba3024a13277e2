package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// TestMain lets the test binary act as the shoko command (SHOKO_TEST_CLI=1), so subprocess
// tests (crash safety, concurrent shards) run the real CLI in a real process.
func TestMain(m *testing.M) {
	if os.Getenv("SHOKO_TEST_CLI") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	testenv.StopSharedMoto()
	testenv.StopSharedPostgres()
	os.Exit(code)
}

// cli starts the shoko command as a subprocess (the test binary itself).
func cli(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SHOKO_TEST_CLI=1")
	return cmd
}

const demoConfig = "../../testdata/records-demo-src/shoko.yaml"

// keyPair writes a key pair and returns the private and public key paths.
func keyPair(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	if code, out, errOut := shoko(t, "keygen", "--out", dir); code != 0 {
		t.Fatalf("keygen: exit %d\n%s%s", code, out, errOut)
	}
	return filepath.Join(dir, evidence.PrivateKeyFile), filepath.Join(dir, evidence.PublicKeyFile)
}

// runDirs lists the run directories of a directory store.
func runDirs(t *testing.T, store string) []string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(store, "runs", "*"))
	sort.Strings(dirs)
	return dirs
}

// auditDemo audits the records demo into store, signed with key, and returns the new run's directory.
func auditDemo(t *testing.T, store, key string) string {
	t.Helper()
	before := map[string]bool{}
	for _, d := range runDirs(t, store) {
		before[d] = true
	}
	code, out, errOut := shoko(t, "audit", "--config", demoConfig, "--out", store, "--key", key, "--lang", "en")
	if code != exitError { // the demo has one control in error by design (CERT-01)
		t.Fatalf("audit: exit %d, want %d\n%s%s", code, exitError, out, errOut)
	}
	for _, d := range runDirs(t, store) {
		if !before[d] {
			return d
		}
	}
	t.Fatal("audit wrote no new run")
	return ""
}

func bundleOf(t *testing.T, files map[string][]byte, id string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := evidence.WriteBundle(&buf, id, files); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "b.tar.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestVerifyCatchesEveryTampering flips one byte in each file of a real bundle in turn, deletes
// a file, adds one, swaps the key and edits results.json: each must fail verify and name the
// file; the untouched bundle verifies.
func TestVerifyCatchesEveryTampering(t *testing.T) {
	priv, pub := keyPair(t)
	store := t.TempDir()
	runDir := auditDemo(t, store, priv)
	bundle := filepath.Join(t.TempDir(), "run.tar.gz")
	if code, out, errOut := shoko(t, "bundle", runDir, "-o", bundle); code != 0 {
		t.Fatalf("bundle: exit %d\n%s%s", code, out, errOut)
	}
	again := filepath.Join(t.TempDir(), "again.tar.gz")
	shoko(t, "bundle", runDir, "-o", again)
	b1, _ := os.ReadFile(bundle)
	b2, _ := os.ReadFile(again)
	if !bytes.Equal(b1, b2) {
		t.Fatal("bundling the same run twice gave different bytes")
	}
	f, _ := os.Open(bundle)
	id, files, err := evidence.ReadBundle(f, bundle)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}

	for _, arg := range []string{runDir, bundle} {
		code, out, errOut := shoko(t, "verify", arg, "--pubkey", pub)
		if code != 0 || !strings.Contains(out, "VERIFIED: run "+id) {
			t.Fatalf("untouched %s: exit %d\n%s%s", arg, code, out, errOut)
		}
	}

	expectFail := func(t *testing.T, files map[string][]byte, pubKey string, wants ...string) {
		t.Helper()
		code, out, errOut := shoko(t, "verify", bundleOf(t, files, id), "--pubkey", pubKey)
		if code != exitFail || !strings.Contains(out, "NOT VERIFIED") {
			t.Fatalf("exit %d, want %d with NOT VERIFIED\n%s%s", code, exitFail, out, errOut)
		}
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Fatalf("output does not name %q:\n%s", w, out)
			}
		}
	}
	clone := func() map[string][]byte {
		c := make(map[string][]byte, len(files))
		for k, v := range files {
			c[k] = bytes.Clone(v)
		}
		return c
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run("flip a byte of "+name, func(t *testing.T) {
			c := clone()
			c[name][len(c[name])/2] ^= 0x01
			want := []string{name}
			if name != evidence.StatementFile {
				want = append(want, "expected "+evidence.Digest(files[name]), "actual   "+evidence.Digest(c[name]))
			}
			expectFail(t, c, pub, want...)
		})
	}
	t.Run("delete a file", func(t *testing.T) {
		c := clone()
		delete(c, "shards/main.json")
		expectFail(t, c, pub, "shards/main.json: signed but missing")
	})
	t.Run("add a file", func(t *testing.T) {
		c := clone()
		c["evidence/main/records.training/extra.json"] = []byte("{}\n")
		expectFail(t, c, pub, "evidence/main/records.training/extra.json: not signed: added after signing")
	})
	t.Run("--no-replay still checks every file", func(t *testing.T) {
		c := clone()
		c["evidence/main/records.training/extra.json"] = []byte("{}\n")
		code, out, _ := shoko(t, "verify", bundleOf(t, c, id), "--pubkey", pub, "--no-replay")
		if code != exitFail || !strings.Contains(out, "not signed: added after signing") || !strings.Contains(out, "NOT VERIFIED") {
			t.Fatalf("exit %d, want a files failure\n%s", code, out)
		}
	})
	t.Run("swap the key", func(t *testing.T) {
		_, otherPub := keyPair(t)
		expectFail(t, clone(), otherPub, "FAIL signature", "no signature verifies")
	})
	t.Run("edit results.json", func(t *testing.T) {
		c := clone()
		c[evidence.ResultsFile] = bytes.Replace(c[evidence.ResultsFile], []byte(`"status": "fail"`), []byte(`"status": "pass"`), 1)
		expectFail(t, c, pub, "results.json: changed after signing")
	})
}

// TestVerifyReplaysTheEvaluation signs a run whose results.json was edited before signing (as a
// dishonest operator could): every digest matches, and only the replay can tell.
func TestVerifyReplaysTheEvaluation(t *testing.T) {
	priv, pub := keyPair(t)
	store := t.TempDir()
	code, out, errOut := shoko(t, "audit", "--config", demoConfig, "--out", store, "--lang", "en") // unsigned
	if code != exitError {
		t.Fatalf("audit: exit %d\n%s%s", code, out, errOut)
	}
	runDir := runDirs(t, store)[0]
	id := filepath.Base(runDir)
	results := filepath.Join(runDir, evidence.ResultsFile)
	b, _ := os.ReadFile(results)
	edited := bytes.Replace(b, []byte(`"status": "fail"`), []byte(`"status": "pass"`), 1)
	if bytes.Equal(b, edited) {
		t.Fatal("the demo results have no failing control to edit")
	}
	if err := os.WriteFile(results, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	key, err := evidence.LoadPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evidence.SignRun(context.Background(), evidence.NewDirStore(store), id, key); err != nil {
		t.Fatal(err)
	}
	code, out, _ = shoko(t, "verify", runDir, "--pubkey", pub)
	if code != exitFail || !strings.Contains(out, "FAIL replay") || !strings.Contains(out, "gives different results") {
		t.Fatalf("exit %d, want a replay failure\n%s", code, out)
	}
	if !strings.Contains(out, "ok   files") || !strings.Contains(out, "ok   signature") {
		t.Fatalf("signature and files should pass: only the replay catches this\n%s", out)
	}
	// --no-replay is integrity only: it passes this run, and says it did not replay.
	code, out, _ = shoko(t, "verify", runDir, "--pubkey", pub, "--no-replay")
	if code != 0 || !strings.Contains(out, "skip replay") || !strings.Contains(out, "VERIFIED (integrity only, replay skipped)") {
		t.Fatalf("--no-replay: exit %d, want 0 saying the replay was skipped\n%s", code, out)
	}
	code, out, _ = shoko(t, "verify", runDir, "--pubkey", pub, "--no-replay", "--format", "json")
	if code != 0 || !strings.Contains(out, `"replayed": false`) || !strings.Contains(out, `"status": "skipped"`) {
		t.Fatalf("--no-replay --format json: exit %d\n%s", code, out)
	}
}

// TestChainLinksRunsInOrder: three signed runs in one store form a chain; swapping two run
// directories breaks it and verify says where.
func TestChainLinksRunsInOrder(t *testing.T) {
	priv, pub := keyPair(t)
	store := t.TempDir()
	a := auditDemo(t, store, priv)
	b := auditDemo(t, store, priv)
	c := auditDemo(t, store, priv)

	code, out, _ := shoko(t, "verify", c, "--pubkey", pub)
	if code != 0 || !strings.Contains(out, "previous run "+filepath.Base(b)+": statement sha256 matches") {
		t.Fatalf("c: exit %d, want the link to b checked\n%s", code, out)
	}
	code, out, _ = shoko(t, "verify", a, "--pubkey", pub)
	if code != 0 || !strings.Contains(out, "first run of its chain") {
		t.Fatalf("a: exit %d\n%s", code, out)
	}

	// Bundles: the right previous verifies, a wrong one fails.
	bundle := func(dir string) string {
		p := filepath.Join(t.TempDir(), filepath.Base(dir)+".tar.gz")
		if code, o, e := shoko(t, "bundle", dir, "-o", p); code != 0 {
			t.Fatalf("bundle: %s%s", o, e)
		}
		return p
	}
	ba, bb, bc := bundle(a), bundle(b), bundle(c)
	if code, out, _ := shoko(t, "verify", bc, "--pubkey", pub, "--previous", bb); code != 0 {
		t.Fatalf("c with previous b: exit %d\n%s", code, out)
	}
	if code, out, _ := shoko(t, "verify", bc, "--pubkey", pub, "--previous", ba); code != exitFail || !strings.Contains(out, "FAIL chain") {
		t.Fatalf("c with previous a: exit %d, want a chain failure\n%s", code, out)
	}
	if code, out, _ := shoko(t, "verify", ba, "--pubkey", pub, "--previous", bb); code != exitFail || !strings.Contains(out, "links to no previous run") {
		t.Fatalf("a with previous b: exit %d, want a chain failure\n%s", code, out)
	}

	// Reorder: a and b swap places in the store.
	tmp := a + ".tmp"
	for _, mv := range [][2]string{{a, tmp}, {b, a}, {tmp, b}} {
		if err := os.Rename(mv[0], mv[1]); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ = shoko(t, "verify", c, "--pubkey", pub)
	if code != exitFail || !strings.Contains(out, "FAIL chain") || !strings.Contains(out, "not the one this run links to") {
		t.Fatalf("c after reordering: exit %d, want a chain failure\n%s", code, out)
	}
	code, out, _ = shoko(t, "verify", a, "--pubkey", pub)
	if code != exitFail || !strings.Contains(out, "renamed or moved") {
		t.Fatalf("b found as a: exit %d, want a run id failure\n%s", code, out)
	}
}

// TestOpenSSLVerifiesTheSignature runs the auditors' recipe (docs/verify-with-openssl.sh, the
// one the README shows): shell tools rebuild the PAE and openssl checks the ed25519 signature.
func TestOpenSSLVerifiesTheSignature(t *testing.T) {
	for _, tool := range []string{"openssl", "jq", "base64", "sha256sum", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, tool, err)
		}
	}
	if out, err := exec.Command("openssl", "list", "-public-key-algorithms").CombinedOutput(); err != nil || !strings.Contains(strings.ToUpper(string(out)), "ED25519") {
		testenv.Missing(t, "openssl with ed25519", err)
	}
	priv, pub := keyPair(t)
	store := t.TempDir()
	runDir := auditDemo(t, store, priv)
	script := filepath.Join(testenv.RepoRoot(), "docs", "verify-with-openssl.sh")

	out, err := exec.Command("bash", script, runDir, pub).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Signature Verified Successfully") || !strings.Contains(string(out), "files match the signed statement") {
		t.Fatalf("untouched run: %v\n%s", err, out)
	}

	t.Run("another key fails", func(t *testing.T) {
		_, other := keyPair(t)
		out, err := exec.Command("bash", script, runDir, other).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "Signature Verification Failure") {
			t.Fatalf("err %v\n%s", err, out)
		}
	})
	t.Run("a changed file fails", func(t *testing.T) {
		p := filepath.Join(runDir, evidence.ResultsFile)
		b, _ := os.ReadFile(p)
		b[len(b)/2] ^= 1
		_ = os.WriteFile(p, b, 0o644)
		out, err := exec.Command("bash", script, runDir, pub).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "results.json: FAILED") {
			t.Fatalf("err %v\n%s", err, out)
		}
	})
}

// TestNoStoreHintNamesOnlyFlagsTheCommandTakes: the "no store" hint once suggested --out, which
// runs list does not accept; every flag the hint names must be one the command accepts.
func TestNoStoreHintNamesOnlyFlagsTheCommandTakes(t *testing.T) {
	cfg := writeFile(t, t.TempDir(), "shoko.yaml", "organization: テスト株式会社\n") // no store.location
	flagRE := regexp.MustCompile(`--[a-z][a-z-]*`)
	for _, args := range [][]string{{"runs", "list"}, {"runs", "start", "--config", cfg, "--shard", "main"}} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			code, _, errOut := shoko(t, args...)
			if code != exitUsage || !strings.Contains(errOut, "no store: give --store") {
				t.Fatalf("exit %d, stderr %q; want %d and the no-store hint", code, errOut, exitUsage)
			}
			cmd, _, err := (&app{}).rootCommand().Find(args[:2])
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range flagRE.FindAllString(errOut, -1) {
				if cmd.Flags().Lookup(strings.TrimPrefix(f, "--")) == nil {
					t.Errorf("the hint %q names %s, which %q does not accept", errOut, f, strings.Join(args, " "))
				}
			}
		})
	}
}
