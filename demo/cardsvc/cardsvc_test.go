package cardsvc_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/demo/cardsvc"
	"github.com/shoko-audit/shoko/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedPostgres()
	os.Exit(code)
}

func start(t *testing.T, dsn string, tweak func(*cardsvc.Scenario)) (*cardsvc.Server, *http.Client) {
	t.Helper()
	sc, err := cardsvc.LoadScenario("scenarios/compliant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(sc)
	}
	srv, err := cardsvc.Start(context.Background(), "127.0.0.1:0", cardsvc.Options{Scenario: sc, DSN: dsn, EvidenceToken: "ev-token"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(srv.CAPEM)
	return srv, &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}}}
}

func get(t *testing.T, c *http.Client, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The card API is tenant-scoped: another tenant's card is 404 unless the leak switch is on. On
// PostgreSQL, forced row-level security stops the read even with the leak switch on.
func TestCardAPIIsTenantScoped(t *testing.T) {
	tests := []struct {
		name   string
		pg     bool
		leak   bool
		status int
	}{
		{"sqlite isolated", false, false, 404},
		{"sqlite leaking", false, true, 200},
		{"postgres isolated", true, false, 404},
		{"postgres leaking app, RLS holds", true, true, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn := ""
			if tt.pg {
				dsn = testenv.NeedPostgres(t).NewDatabase(t)
			}
			srv, c := start(t, dsn, func(s *cardsvc.Scenario) { s.CrossTenantLeak = tt.leak })
			if st, body := get(t, c, srv.URL+"/api/v1/cards", "acme-viewer-demo-token"); st != 200 || !strings.Contains(body, "card-acme-1") || strings.Contains(body, "card-beta-1") {
				t.Fatalf("own cards: %d %s", st, body)
			}
			if st, _ := get(t, c, srv.URL+"/api/v1/cards/card-beta-1", "acme-viewer-demo-token"); st != tt.status {
				t.Errorf("tenant B's card as tenant A: %d, want %d", st, tt.status)
			}
			if st, _ := get(t, c, srv.URL+"/api/v1/cards", "acme-editor-demo-token"); st != 401 {
				t.Errorf("disabled account: %d, want 401", st)
			}
		})
	}
}

// The evidence API wants its token and well-formed parameters.
func TestEvidenceAPIChecksTokenAndParameters(t *testing.T) {
	srv, c := start(t, "", nil)
	tests := []struct {
		name, path, token string
		status            int
		body              string
	}{
		{"ok", "/evidence/v1/tenants", "ev-token", 200, `"next_cursor":null`},
		{"no token", "/evidence/v1/tenants", "", 401, `"unauthorized"`},
		{"account token", "/evidence/v1/tenants", "acme-admin-demo-token", 401, `"unauthorized"`},
		{"bad since", "/evidence/v1/incidents?since=yesterday", "ev-token", 400, "since"},
		{"bad limit", "/evidence/v1/incidents?limit=0", "ev-token", 400, "limit"},
		{"paged", "/evidence/v1/accounts?limit=1", "ev-token", 200, `"next_cursor":"acc-acme-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := get(t, c, srv.URL+tt.path, tt.token)
			if st != tt.status || !strings.Contains(body, tt.body) {
				t.Errorf("%d %s, want %d with %s", st, body, tt.status, tt.body)
			}
		})
	}
}

// Scenario files are read strictly: an unknown key or a bad value names where.
func TestScenarioIsStrict(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"ok", "name: x\ntenants: []\n", ""},
		{"unknown key", "name: x\ntls_min: '1.0'\n", "line 2: field tls_min not found"},
		{"bad version", "tls_min_version: '0.9'\n", "tls_min_version"},
		{"bad tenant status", "tenants: [{id: t, status: paused}]\n", "tenants[0].status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cardsvc.ParseScenario("s.yaml", []byte(tt.yaml))
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("err %v, want %q", err, tt.want)
			}
		})
	}
}

// A change's regions reach the evidence API as a list, on SQLite and PostgreSQL; a change that
// names none leaves the optional field out (never null, which the contract refuses).
func TestChangeRegionsAreAnOptionalList(t *testing.T) {
	for _, pg := range []bool{false, true} {
		t.Run(fmt.Sprintf("postgres %v", pg), func(t *testing.T) {
			dsn := ""
			if pg {
				dsn = testenv.NeedPostgres(t).NewDatabase(t)
			}
			srv, c := start(t, dsn, func(s *cardsvc.Scenario) {
				notified := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
				s.Changes = []cardsvc.Change{
					{ID: "CHG-A", Kind: "data_location", CustomerImpact: true, NotifiedAt: &notified,
						EffectiveAt: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC), Regions: []string{"ap-southeast-1", "us-west-2"}},
					{ID: "CHG-B", Kind: "feature", CustomerImpact: false, EffectiveAt: time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC)},
				}
			})
			st, body := get(t, c, srv.URL+"/evidence/v1/changes", "ev-token")
			var page struct {
				Items []map[string]any `json:"items"`
			}
			if err := json.Unmarshal([]byte(body), &page); st != 200 || err != nil || len(page.Items) != 2 {
				t.Fatalf("%d %s (%v)", st, body, err)
			}
			if got := fmt.Sprint(page.Items[0]["regions"]); got != "[ap-southeast-1 us-west-2]" {
				t.Errorf("CHG-A regions %s, want [ap-southeast-1 us-west-2]", got)
			}
			if _, present := page.Items[1]["regions"]; present {
				t.Errorf("CHG-B names no region but has %v", page.Items[1]["regions"])
			}
		})
	}
}
