package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/alerts"
)

// webhookSecret is a recognisable secret in the webhook URL: it must reach no file of the store
// and no line of the output.
const webhookSecret = "WEBHOOKSECRET4e8b1"

// demoConfigWithAlerts writes the records demo's config with an alerts section (its relative
// paths made absolute, as the file moves) and returns its path.
func demoConfigWithAlerts(t *testing.T, alertsYAML string) string {
	t.Helper()
	src, err := filepath.Abs(filepath.Dir(demoConfig))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(demoConfig)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer("[records/", "["+src+"/records/", "attestations: attestations", "attestations: "+src+"/attestations",
		"exceptions: exceptions.yaml", "exceptions: "+src+"/exceptions.yaml").Replace(string(b))
	return writeFile(t, t.TempDir(), "shoko.yaml", s+alertsYAML)
}

// auditStatuses audits the demo (no reports: they are not what is tested) and returns the exit
// code, the output, the run directory and each control's status.
func auditStatuses(t *testing.T, cfg, store, key string) (int, string, string, map[string]string) {
	t.Helper()
	before := map[string]bool{}
	for _, d := range runDirs(t, store) {
		before[d] = true
	}
	code, out, errOut := shoko(t, "audit", "--config", cfg, "--out", store, "--key", key, "--reports", "", "--no-preflight")
	var dir string
	for _, d := range runDirs(t, store) {
		if !before[d] {
			dir = d
		}
	}
	if dir == "" {
		t.Fatalf("no run written: exit %d\n%s%s", code, out, errOut)
	}
	statuses := map[string]string{}
	for _, c := range readResults(t, filepath.Join(dir, "results.json")).Controls {
		statuses[c.ID] = c.Status
	}
	return code, out + errOut, dir, statuses
}

func readAlerts(t *testing.T, dir string) alerts.Record {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, alerts.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var r alerts.Record
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// A webhook that fails (HTTP 500, connection refused) changes no verdict and no exit code: the
// failure is in alerts.json, signed with the run, and in the log, without the URL's secret.
// The next run, unchanged, tells nothing and sends nothing.
func TestFailingWebhookChangesNoVerdictAndIsRecorded(t *testing.T) {
	priv, pub := keyPair(t)
	baseCode, _, _, baseStatuses := auditStatuses(t, demoConfig, t.TempDir(), priv)

	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return "http://" + ln.Addr().String()
	}
	var requests atomic.Int32
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer failing.Close()

	cases := []struct {
		name, base, wantErr string
		wantRequests        int32
	}{
		{"HTTP 500", failing.URL, "answered HTTP 500", 2},
		{"connection refused", refused(), "connection refused", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requests.Store(0)
			t.Setenv("SHOKO_TEST_WEBHOOK_URL", tc.base+"/services/T0/B0/"+webhookSecret+"?k="+webhookSecret)
			cfg := demoConfigWithAlerts(t, "alerts:\n  webhook:\n    url_env: SHOKO_TEST_WEBHOOK_URL\n    timeout: 5s\n")
			store := t.TempDir()
			code, out, dir, statuses := auditStatuses(t, cfg, store, priv)
			if code != baseCode {
				t.Fatalf("exit %d with a failing webhook, %d without alerts\n%s", code, baseCode, out)
			}
			for id, s := range baseStatuses {
				if statuses[id] != s {
					t.Errorf("%s: %s with a failing webhook, %s without alerts", id, statuses[id], s)
				}
			}
			if n := requests.Load(); n != tc.wantRequests {
				t.Errorf("%d requests, want %d (one retry at most)", n, tc.wantRequests)
			}
			rec := readAlerts(t, dir)
			if rec.RunID != filepath.Base(dir) || rec.PreviousRunID != "" || len(rec.Regressions) == 0 {
				t.Fatalf("alerts.json: %+v", rec)
			}
			if len(rec.Notifications) != 1 || rec.Notifications[0].Channel != "webhook" || rec.Notifications[0].OK ||
				!strings.Contains(rec.Notifications[0].Error, tc.wantErr) {
				t.Fatalf("notifications: %+v, want one failed webhook saying %q", rec.Notifications, tc.wantErr)
			}
			if !strings.Contains(out, "alert not delivered") {
				t.Errorf("the failure is not logged:\n%s", out)
			}
			// alerts.json is signed with the run.
			if code, vout, _ := shoko(t, "verify", dir, "--pubkey", pub); code != 0 {
				t.Fatalf("verify: exit %d\n%s", code, vout)
			}

			// The next run has the same verdicts: nothing to tell, nothing sent.
			time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
			requests.Store(0)
			_, out2, dir2, _ := auditStatuses(t, cfg, store, priv)
			rec2 := readAlerts(t, dir2)
			if rec2.PreviousRunID != filepath.Base(dir) || len(rec2.Regressions) != 0 || len(rec2.Notifications) != 0 || requests.Load() != 0 {
				t.Fatalf("unchanged run: %+v, %d requests", rec2, requests.Load())
			}

			for name, b := range files(t, store) {
				if strings.Contains(string(b), webhookSecret) {
					t.Errorf("the webhook secret is in %s", name)
				}
			}
			if strings.Contains(out+out2, webhookSecret) {
				t.Errorf("the webhook secret is in the output")
			}
		})
	}
}

// A previous run whose results cannot be read is recorded in alerts.json as the problem, and
// the comparison is made as for a first run; the audit's verdicts and exit code are unchanged
// (without reports, which need the previous run and fail as before).
func TestUnreadablePreviousRunIsRecordedNotFatal(t *testing.T) {
	priv, _ := keyPair(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	t.Setenv("SHOKO_TEST_WEBHOOK_URL", srv.URL+"/hook")
	cfg := demoConfigWithAlerts(t, "alerts:\n  webhook:\n    url_env: SHOKO_TEST_WEBHOOK_URL\n")
	store := t.TempDir()
	code1, _, dir1, _ := auditStatuses(t, cfg, store, priv)
	results := filepath.Join(dir1, "results.json")
	if err := os.Chmod(results, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(results, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	code2, out, dir2, _ := auditStatuses(t, cfg, store, priv)
	if code2 != code1 {
		t.Fatalf("exit %d after an unreadable previous run, %d before\n%s", code2, code1, out)
	}
	rec := readAlerts(t, dir2)
	if !strings.Contains(rec.Problem, "previous run "+filepath.Base(dir1)) || len(rec.Regressions) == 0 || len(rec.Notifications) != 1 || !rec.Notifications[0].OK {
		t.Fatalf("alerts.json: %+v", rec)
	}
}
