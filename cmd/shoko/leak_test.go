package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/demo/cardsvc"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// Canary secrets of the leak test. Each is planted where a real one lives: in the environment
// (the tokens, the DSN with its password, a variable shoko never reads), in the config (the
// signing key it names) and in HTTP headers (the bearer tokens shoko sends, cookies and tokens a
// page answers with).
const (
	canaryEnvUnused = "canary-env-unused-3f1d9a"
	canaryCookie    = "canary-cookie-8b2e44"
	canaryHeader    = "canary-header-token-c07a11"
)

// An audit of the reference service — with debug logging, every report format, a bundle of the
// run and its verification — writes none of the canary secrets into any file (evidence, results,
// reports, run metadata, the bundle's contents) or onto stdout/stderr.
func TestAuditWritesNoSecret(t *testing.T) {
	dir := t.TempDir()
	dsn := testenv.NeedPostgres(t).NewDatabase(t)
	sc, err := cardsvc.LoadScenario("../../demo/cardsvc/scenarios/compliant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := cardsvc.Start(context.Background(), "127.0.0.1:0", cardsvc.Options{Scenario: sc, DSN: dsn, EvidenceToken: e2eEvidenceToken})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// A public page that answers with a session cookie and a token header, as real sites do.
	page := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: canaryCookie})
		w.Header().Set("X-Internal-Token", canaryHeader)
		fmt.Fprint(w, "<html><body>privacy policy</body></html>")
	}))
	defer page.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	caFile := filepath.Join(dir, "ca.pem")
	cas := append(append([]byte{}, srv.CAPEM...), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: page.Certificate().Raw})...)
	if err := os.WriteFile(caFile, cas, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := serviceDemoConfig(t, dir, port, caFile, "postgres")
	keys := filepath.Join(dir, "keys")
	if code, o, e := shoko(t, "keygen", "--out", keys); code != 0 {
		t.Fatalf("keygen: %d %s %s", code, o, e)
	}
	b, _ := os.ReadFile(cfg)
	conf := strings.Replace(string(b), `{url: "https://localhost:`+port+`/policy", purpose: policy}`, `{url: "`+page.URL+`/policy", purpose: policy}`, 1)
	conf += "signing:\n  key: " + filepath.Join(keys, "shoko.key") + "\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	priv, err := evidence.LoadPrivateKey(filepath.Join(keys, "shoko.key"))
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, _ := os.ReadFile(filepath.Join(keys, "shoko.key"))
	t.Setenv("SHOKO_SERVICE_TOKEN", e2eEvidenceToken)
	t.Setenv("SHOKO_ACME_TOKEN", e2eAcmeToken)
	t.Setenv("SHOKO_DB_DSN", dsn)
	t.Setenv("SHOKO_UNUSED_SECRET", canaryEnvUnused)

	out := filepath.Join(dir, "out")
	var output strings.Builder
	record := func(args ...string) int {
		code, o, e := shoko(t, args...)
		output.WriteString(o + e)
		return code
	}
	if code := record("--log-level", "debug", "audit", "--config", cfg, "--out", out, "--period", "2026-01-01..2026-12-31",
		"--reports", "oscal,pdf,whitepaper,json,text"); code != exitOK && code != exitFail && code != exitError {
		t.Fatalf("audit exit %d\n%s", code, output.String())
	}
	run := onlyRun(t, out)
	bundle := filepath.Join(out, "run.tar.gz")
	if code := record("--log-level", "debug", "bundle", run, "-o", bundle); code != 0 {
		t.Fatalf("bundle exit %d\n%s", code, output.String())
	}
	if code := record("--log-level", "debug", "verify", bundle, "--pubkey", filepath.Join(keys, "shoko.pub")); code != 0 {
		t.Fatalf("verify exit %d\n%s", code, output.String())
	}
	if !strings.Contains(output.String(), "cardsvc") && !strings.Contains(output.String(), "run") {
		t.Fatalf("the commands printed nothing to check:\n%s", output.String())
	}
	secrets := []string{e2eEvidenceToken, e2eAcmeToken, dsnPassword(dsn), canaryEnvUnused, canaryCookie, canaryHeader,
		hex.EncodeToString(priv.Seed()), pemBody(keyPEM)}
	if dsnPassword(dsn) == "" {
		t.Fatalf("the PostgreSQL DSN has no password to plant: %s", dsn)
	}
	assertNoSecrets(t, out, output.String(), 20, secrets...)
}

// pemBody is the base64 body of a PEM file (the key material, without the armour lines).
func pemBody(b []byte) string {
	var body []string
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && !strings.HasPrefix(line, "-----") {
			body = append(body, line)
		}
	}
	return strings.Join(body, "")
}

// readAllContents is a file's bytes and, for a .tar.gz bundle, the bytes of every file in it:
// a secret inside a compressed bundle must be found too.
func readAllContents(t *testing.T, p string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	out := [][]byte{b}
	if !strings.HasSuffix(p, ".tar.gz") {
		return out
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	tr := tar.NewReader(zr)
	for {
		if _, err := tr.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		f, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, f)
	}
	return out
}
