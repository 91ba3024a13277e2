package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/demo/cardsvc"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/internal/faultproxy"
)

// auditThrough audits a running cardsvc through a fault proxy and returns the results by control.
func auditThrough(t *testing.T, srv *cardsvc.Server, dsn string, f faultproxy.Fault) map[string]engine.ControlResult {
	t.Helper()
	upstream := strings.TrimPrefix(srv.URL, "https://")
	p, err := faultproxy.Start(upstream, f)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, srv.CAPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	port := p.Addr[strings.LastIndex(p.Addr, ":")+1:]
	cfg := serviceDemoConfig(t, dir, port, caFile, "sqlite")
	// A short timeout keeps stalled connections cheap; the service answers in milliseconds.
	b, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), "timeout: 10s", "timeout: 1s", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SHOKO_SERVICE_TOKEN", e2eEvidenceToken)
	t.Setenv("SHOKO_ACME_TOKEN", e2eAcmeToken)
	t.Setenv("SHOKO_DB_DSN", dsn)
	out := filepath.Join(dir, "out")
	// The preflight would stop the audit on the proxy's faults; what is tested here is how
	// collection itself copes with them.
	code, stdout, stderr := shoko(t, "audit", "--no-preflight", "--config", cfg, "--out", out, "--period", "2026-01-01..2026-12-31", "--lang", "en")
	if code != exitOK && code != exitFail && code != exitError {
		t.Fatalf("audit exit %d\n%s\n%s", code, stdout, stderr)
	}
	assertNoSecrets(t, out, stdout+stderr, 7, e2eEvidenceToken, e2eAcmeToken)
	got := map[string]engine.ControlResult{}
	for _, c := range readResults(t, filepath.Join(onlyRun(t, out), "results.json")).Controls {
		got[c.ID] = c
	}
	faulted, total := p.Counts()
	t.Logf("%s at %.0f%%: %d of %d connections faulted", f.Kind, f.Rate*100, faulted, total)
	return got
}

// readsNetwork holds for a control that reads evidence shoko fetched from the service over the
// network (the evidence API or a probe), which is what the proxy breaks.
func readsNetwork(c engine.ControlResult) bool {
	for _, e := range c.Evidence {
		if strings.HasPrefix(e.Kind, "service.") || strings.HasPrefix(e.Kind, "probe.") {
			return true
		}
	}
	return false
}

// Faults between shoko and the service — resets, stalls, garbage and truncated answers, on a
// share of connections or on all of them — may turn a control into `error`, and into nothing
// else: no control passes (or is attested) that does not through a faithful proxy, and a fault
// on every connection makes every control that reads the network `error`, naming a cause.
// Both scenarios are run: on the violating one, a fault read as a refusal or an empty answer
// would be a false pass.
func TestServiceFaultsNeverPass(t *testing.T) {
	for _, scenario := range []string{"compliant", "violating"} {
		t.Run(scenario, func(t *testing.T) {
			dir := t.TempDir()
			dsn := filepath.Join(dir, "cards.db")
			sc, err := cardsvc.LoadScenario("../../demo/cardsvc/scenarios/" + scenario + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			srv, err := cardsvc.Start(context.Background(), "127.0.0.1:0", cardsvc.Options{Scenario: sc, DSN: dsn, EvidenceToken: e2eEvidenceToken})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			base := auditThrough(t, srv, dsn, faultproxy.Fault{})
			if c := base["TLS-02"]; c.Status == engine.StatusError {
				t.Fatalf("the faithful proxy breaks the audit: TLS-02 %s", c.Reason.EN)
			}
			for _, kind := range faultproxy.Kinds {
				for _, f := range []faultproxy.Fault{
					{Kind: kind, Rate: 0.3, MaxOffset: 4096, Seed: 1},
					{Kind: kind, Rate: 1, Seed: 2},
				} {
					t.Run(fmt.Sprintf("%s at %.0f%%", kind, f.Rate*100), func(t *testing.T) {
						got := auditThrough(t, srv, dsn, f)
						for id, b := range base {
							c := got[id]
							if c.Status != b.Status && c.Status != engine.StatusError {
								t.Errorf("%s: %s (%s) under the fault, %s fault-free: a fault may only make a control error", id, c.Status, c.Reason.EN, b.Status)
							}
							if f.Rate == 1 && readsNetwork(b) && c.Status != engine.StatusError {
								t.Errorf("%s: %s with every connection broken, want error", id, c.Status)
							}
							if c.Status == engine.StatusError && strings.TrimSpace(c.Reason.EN) == "" {
								t.Errorf("%s: error without a reason", id)
							}
						}
					})
				}
			}
		})
	}
}
