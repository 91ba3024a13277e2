package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	sqlprobe "github.com/shoko-audit/shoko/collectors/sql"
	"github.com/shoko-audit/shoko/demo/cardsvc"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// Secrets of the end-to-end audits: none may appear in any file the audit writes or in its output.
const (
	e2eEvidenceToken = "e2e-evidence-token-51c0ffee"
	e2eAcmeToken     = "acme-viewer-demo-token"
)

var sectionB = []string{"TLS-02", "TIME-01", "INC-01", "INC-02", "INC-03", "NOT-01", "CHG-01", "ACC-01", "ISO-01",
	"DEL-01", "LBL-01", "PII-02", "OPS-01", "POL-01"}

// serviceDemoConfig is testdata/service-demo.yaml pointed at a cardsvc on port and a CA file.
func serviceDemoConfig(t *testing.T, dir, port, caFile, driver string) string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/service-demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("../../testdata/records-demo-src/attestations")
	s := strings.NewReplacer("localhost:8443", "localhost:"+port, "/tmp/cardsvc-ca.pem", caFile,
		"attestations: records-demo-src/attestations", "attestations: "+abs, "driver: sqlite", "driver: "+driver).Replace(string(b))
	cfg := filepath.Join(dir, "service-demo.yaml")
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// The audit of the reference service gives every section-B control a status: all pass (POL-01
// attested) on the compliant scenario, all fail on the violating one, each fail naming its
// culprit; on PostgreSQL, ISO-01 reads row-level security too. No secret reaches any file.
func TestServiceAuditEndToEnd(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		postgres bool
		want     map[string]string // control → status; unlisted section-B controls: want default
		def      string
		culprits map[string][]string // control → resources its findings must name
	}{
		{name: "compliant on SQLite", scenario: "compliant", def: "pass", want: map[string]string{"POL-01": "attested"}},
		{name: "violating on SQLite", scenario: "violating", def: "fail", culprits: map[string][]string{
			"TLS-02":  {"localhost:PORT"},
			"TIME-01": {"localhost:PORT"},
			"INC-01":  {"INC-2026-101", "INC-2026-102"},
			"INC-02":  {"INC-2026-101", "INC-2026-102"},
			"INC-03":  {"INC-2026-101"},
			"NOT-01":  {"t-beta"},
			"CHG-01":  {"CHG-2026-101", "CHG-2026-102"},
			"ACC-01":  {"acc-acme-1", "acc-acme-2", "t-acme"},
			"ISO-01":  {"card_tags", "t-acme→t-beta/card-beta-1"},
			"DEL-01":  {"t-gamma", "t-delta"},
			"LBL-01":  {"cardsvc"},
			"PII-02":  {"DSC-2026-101"},
			"OPS-01":  {"https://localhost:PORT/faq", "https://localhost:PORT/chatbot"},
			"POL-01":  {"https://localhost:PORT/policy"},
		}},
		{name: "compliant on PostgreSQL", scenario: "compliant", postgres: true, def: "pass", want: map[string]string{"POL-01": "attested"}},
		// The violating service on PostgreSQL: cards has RLS enabled but not forced, and the
		// app's role owns the table, so RLS does not apply to it and the app's leak goes through.
		{name: "violating on PostgreSQL", scenario: "violating", postgres: true, def: "fail", culprits: map[string][]string{
			"ISO-01": {"cards", "card_tags", "t-acme→t-beta/card-beta-1"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			dsn, driver := filepath.Join(dir, "cards.db"), "sqlite"
			if tt.postgres {
				dsn, driver = testenv.NeedPostgres(t).NewDatabase(t), "postgres"
			}
			sc, err := cardsvc.LoadScenario("../../demo/cardsvc/scenarios/" + tt.scenario + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			srv, err := cardsvc.Start(context.Background(), "127.0.0.1:0", cardsvc.Options{Scenario: sc, DSN: dsn, EvidenceToken: e2eEvidenceToken})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
			caFile := filepath.Join(dir, "ca.pem")
			if err := os.WriteFile(caFile, srv.CAPEM, 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := serviceDemoConfig(t, dir, port, caFile, driver)
			t.Setenv("SHOKO_SERVICE_TOKEN", e2eEvidenceToken)
			t.Setenv("SHOKO_ACME_TOKEN", e2eAcmeToken)
			t.Setenv("SHOKO_DB_DSN", dsn)
			out := filepath.Join(dir, "out")
			code, stdout, stderr := shoko(t, "audit", "--config", cfg, "--out", out, "--period", "2026-01-01..2026-12-31", "--lang", "en")
			if code != exitError && code != exitFail {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			res := readResults(t, filepath.Join(onlyRun(t, out), "results.json"))
			// run.json records what was collected: the service with its base URL, the TLS endpoint,
			// the probed pages, the database with its host/database (never its DSN), the records.
			cov := readCovered(t, onlyRun(t, out))
			host := "https://localhost:" + port
			assertListed(t, "endpoints", cov.Endpoints, "cardsvc ("+host+")", "localhost:"+port, host+"/faq", host+"/policy")
			attestations, _ := filepath.Abs("../../testdata/records-demo-src/attestations")
			assertListed(t, "record_files", cov.RecordFiles, attestations)
			wantDB := "cards (sqlite cards.db)"
			if tt.postgres {
				wantDB = "cards (postgres " + sqlprobe.Target("postgres", dsn) + ")"
			}
			assertListed(t, "databases", cov.Databases, wantDB)
			// The report's cover prints that scope from run.json (the evidence alone names only "cards").
			if cover := pdfPageText(t, filepath.Join(onlyRun(t, out), "reports", "audit-report.en.pdf"), 1); !strings.Contains(strings.Join(strings.Fields(cover), " "), wantDB) {
				t.Errorf("the cover does not print the database %q from run.json:\n%s", wantDB, cover)
			}
			got := map[string]engine.ControlResult{}
			for _, c := range res.Controls {
				got[c.ID] = c
			}
			for _, id := range sectionB {
				want := tt.def
				if w, ok := tt.want[id]; ok {
					want = w
				}
				c := got[id]
				if c.Status != want {
					var fs []string
					for _, f := range c.Findings {
						fs = append(fs, f.Status+" "+f.Code+" "+f.Resource)
					}
					t.Errorf("%s: %s %s, want %s; findings %v", id, c.Status, c.Reason.EN, want, fs)
				}
				for _, f := range c.Findings {
					if f.Evidence == nil || f.Evidence.Digest == "" || !strings.HasPrefix(f.Evidence.Pointer, "/data") {
						t.Errorf("%s finding %s does not point at evidence", id, f.Code)
					}
				}
			}
			for id, resources := range tt.culprits {
				named := map[string]bool{}
				for _, f := range got[id].Findings {
					if f.Status == engine.StatusFail {
						named[f.Resource] = true
					}
				}
				for _, r := range resources {
					r = strings.ReplaceAll(r, "PORT", port)
					if !named[r] {
						t.Errorf("%s: no fail finding names %s (fails name %v)", id, r, namedKeys(named))
					}
				}
			}
			// Same evidence, same results: re-evaluating the collected evidence with the run's id
			// gives the audit's results.json byte for byte.
			again := filepath.Join(dir, "again")
			shoko(t, "evaluate", "--evidence", filepath.Join(onlyRun(t, out), "evidence", "main"), "--out", again, "--period", "2026-01-01..2026-12-31", "--config", cfg,
				"--run-id", filepath.Base(onlyRun(t, out)))
			b1, _ := os.ReadFile(filepath.Join(onlyRun(t, out), "results.json"))
			b2, _ := os.ReadFile(filepath.Join(again, "results.json"))
			if len(b1) == 0 || string(b1) != string(b2) {
				t.Error("re-evaluating the audit's evidence gives a different results.json")
			}
			assertNoSecrets(t, out, stdout+stderr, 15, e2eEvidenceToken, e2eAcmeToken, dsnPassword(dsn))
		})
	}
}

func namedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func dsnPassword(dsn string) string {
	if i := strings.Index(dsn, ":pw-"); i >= 0 {
		return dsn[i+1 : strings.Index(dsn, "@")]
	}
	return ""
}

// assertNoSecrets greps every file under dir (inside bundles too), and the output, for each secret.
func assertNoSecrets(t *testing.T, dir, output string, minFiles int, secrets ...string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		for _, b := range readAllContents(t, p) {
			for _, s := range secrets {
				if s != "" && strings.Contains(string(b), s) {
					t.Errorf("%s contains a secret (%.6s…)", p, s)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < minFiles {
		t.Fatalf("only %d files written under %s, want at least %d", files, dir, minFiles)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(output, s) {
			t.Errorf("the audit's output contains a secret (%.6s…)", s)
		}
	}
}

// A broken evidence API makes the controls that read it `error`, naming why — never pass.
func TestServiceAuditBrokenAPIErrs(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		reason  string // INC-01's and PII-02's error reason; "" = both pass
		only    string // check only this control
	}{
		{"HTTP 500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error":{"code":"internal","message":"database unavailable"}}`)
		}, "HTTP 500: database unavailable", ""},
		{"never answers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, "no answer within the timeout", ""},
		{"wrong type", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"items":[{"incident_id":7}],"next_cursor":null}`)
		}, "field incident_id: got 7, want a non-empty string", "INC-01"},
		{"passing case", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"items":[],"next_cursor":null}`)
		}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewTLSServer(tt.handler)
			defer ts.Close()
			dir := t.TempDir()
			ca := filepath.Join(dir, "ca.pem")
			writeCert(t, ts, ca)
			cfg := filepath.Join(dir, "shoko.yaml")
			os.WriteFile(cfg, []byte(fmt.Sprintf("service:\n  name: broken\n  base_url: %s\n  token_env: SHOKO_SERVICE_TOKEN\n  ca_file: %s\n  timeout: 1s\n", ts.URL, ca)), 0o644)
			t.Setenv("SHOKO_SERVICE_TOKEN", e2eEvidenceToken)
			out := filepath.Join(dir, "out")
			shoko(t, "audit", "--config", cfg, "--out", out, "--period", "2026-01-01..2026-12-31")
			res := readResults(t, filepath.Join(onlyRun(t, out), "results.json"))
			for _, c := range res.Controls {
				if (c.ID != "INC-01" && c.ID != "PII-02") || (tt.only != "" && c.ID != tt.only) {
					continue
				}
				if tt.reason == "" {
					if c.Status != engine.StatusPass {
						t.Errorf("%s: %s %s, want pass (an empty period)", c.ID, c.Status, c.Reason.EN)
					}
					continue
				}
				if c.Status != engine.StatusError || !strings.Contains(c.Reason.EN, tt.reason) {
					t.Errorf("%s: %s %q, want error with %q", c.ID, c.Status, c.Reason.EN, tt.reason)
				}
			}
			assertNoSecrets(t, out, "", 7, e2eEvidenceToken)
		})
	}
}

func writeCert(t *testing.T, ts *httptest.Server, file string) {
	t.Helper()
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(file, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}
}
