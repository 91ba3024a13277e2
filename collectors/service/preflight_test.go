package service_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/collectors/preflight"
	"github.com/shoko-audit/shoko/collectors/service"
)

// The evidence API's preflight against the reference service: a missing or refused token is one
// line that stops an audit (Access), naming the variable and never the token; the audit token
// passes every check of the contract.
func TestDoctorPreflightOfTheEvidenceAPI(t *testing.T) {
	srv, roots := startCardsvc(t, "compliant", nil)
	tests := []struct {
		name       string
		token      string
		wantChecks int // 0: any number
		wantFail   string
	}{
		{"no token: one line naming the variable", "", 1, "environment variable TOKEN is not set"},
		{"a refused token: one line, the paths not read", "not-the-audit-token", 1, "the token in TOKEN is refused (HTTP 401"},
		{"the audit token: every check passes", evidenceToken, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := service.APICollector{Config: service.APIConfig{Name: "cardsvc", BaseURL: localhostURL(srv), TokenEnv: "TOKEN",
				RootCAs: roots, Timeout: 5 * time.Second, Since: period2026[0], Until: period2026[1],
				Getenv: env(map[string]string{"TOKEN": tt.token})}}
			checks := c.Preflight(context.Background())
			var lines []string
			for _, ch := range checks {
				lines = append(lines, ch.Line())
				if tt.token != "" && strings.Contains(ch.Line(), tt.token) {
					t.Errorf("the token is in a line: %s", ch.Line())
				}
			}
			if tt.wantChecks > 0 && len(checks) != tt.wantChecks {
				t.Errorf("%d checks, want %d:\n%s", len(checks), tt.wantChecks, strings.Join(lines, "\n"))
			}
			if tt.wantFail == "" {
				if n := preflight.Failures(checks); n > 0 || len(checks) != 7 {
					t.Errorf("%d failures in %d checks, want 0 in 7 (auth and six paths):\n%s", n, len(checks), strings.Join(lines, "\n"))
				}
				return
			}
			if preflight.AccessFailures(checks) != 1 || !strings.Contains(checks[0].Line(), tt.wantFail) {
				t.Errorf("want one access failure saying %q:\n%s", tt.wantFail, strings.Join(lines, "\n"))
			}
		})
	}
}

// The TLS endpoints' preflight tells a dead endpoint (which stops an audit) from a certificate
// that does not verify (which TLS-02 judges: reported, the audit goes on).
func TestDoctorPreflightOfTLSEndpoints(t *testing.T) {
	srv, roots := startCardsvc(t, "compliant", nil)
	live := strings.TrimPrefix(localhostURL(srv), "https://")
	dead := freeAddr(t)
	tests := []struct {
		name       string
		endpoint   string
		trustCA    bool
		wantStatus preflight.Status
		wantAccess bool
		want       string
	}{
		{"reachable and verified", live, true, preflight.OK, false, "reachable, TLS 1.3, certificate verified for localhost"},
		{"reachable, the CA not trusted", live, false, preflight.Fail, false, "reachable, but the certificate does not verify"},
		{"nothing listening", dead, true, preflight.Fail, true, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := service.TLSProbe{Endpoints: []string{tt.endpoint}, Timeout: 5 * time.Second}
			if tt.trustCA {
				p.RootCAs = roots
			}
			checks := p.Preflight(context.Background())
			if len(checks) != 1 {
				t.Fatalf("%d checks, want 1", len(checks))
			}
			c := checks[0]
			if c.Status != tt.wantStatus || c.Access != tt.wantAccess || !strings.Contains(c.Line(), tt.want) {
				t.Errorf("got %s (access %v), want %s (access %v) saying %q", c.Line(), c.Access, tt.wantStatus, tt.wantAccess, tt.want)
			}
		})
	}
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
