package service_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/collectors/service"
	"github.com/shoko-audit/shoko/demo/cardsvc"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/faultproxy"
)

const evidenceToken = "test-evidence-token-7f3a9c"

func scenarioFile(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "demo", "cardsvc", "scenarios", name+".yaml")
}

// startCardsvc runs the reference service on loopback HTTPS with a scenario, edited by tweak.
func startCardsvc(t *testing.T, scenario string, tweak func(*cardsvc.Scenario)) (*cardsvc.Server, *x509.CertPool) {
	t.Helper()
	sc, err := cardsvc.LoadScenario(scenarioFile(scenario))
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(sc)
	}
	srv, err := cardsvc.Start(context.Background(), "127.0.0.1:0", cardsvc.Options{Scenario: sc, EvidenceToken: evidenceToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(srv.CAPEM)
	return srv, pool
}

func env(vals map[string]string) func(string) string {
	return func(k string) string { return vals[k] }
}

// localhostURL names the server by host name (its certificate is for localhost).
func localhostURL(srv *cardsvc.Server) string {
	return strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
}

func byKind(items []evidence.Item) map[string]evidence.Item {
	m := map[string]evidence.Item{}
	for _, it := range items {
		m[it.Kind] = it
	}
	return m
}

var period2026 = [2]time.Time{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}

// The evidence API of the reference service reads completely, page by page, within the period.
func TestAPICollectorReadsEveryPathAcrossPages(t *testing.T) {
	srv, roots := startCardsvc(t, "compliant", nil)
	c := service.APICollector{Config: service.APIConfig{Name: "cardsvc", BaseURL: localhostURL(srv), TokenEnv: "TOKEN",
		RootCAs: roots, Timeout: 5 * time.Second, PageLimit: 2, Since: period2026[0], Until: period2026[1],
		Getenv: env(map[string]string{"TOKEN": evidenceToken})}}
	items, err := c.Collect(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := byKind(items)
	tests := []struct {
		kind  string
		count int
		pages int
	}{
		{service.KindTenants, 3, 2}, {service.KindAccounts, 5, 3}, {service.KindIncidents, 3, 2},
		{service.KindChanges, 3, 2}, {service.KindDisclosures, 1, 1}, {service.KindCapabilities, 1, 1},
	}
	for _, tt := range tests {
		it, ok := got[tt.kind]
		if !ok || it.Status != evidence.StatusOK {
			t.Errorf("%s: %+v", tt.kind, it.Error)
			continue
		}
		var rows []map[string]any
		if err := json.Unmarshal(it.Data, &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != tt.count || it.Request.Pages != tt.pages {
			t.Errorf("%s: %d items in %d pages, want %d in %d", tt.kind, len(rows), it.Request.Pages, tt.count, tt.pages)
		}
		if strings.Contains(string(it.Data)+it.Request.URL, evidenceToken) {
			t.Errorf("%s: the token reached the evidence", tt.kind)
		}
	}
	// since/until select by the period field: a period without incidents gives none.
	c.Config.Since, c.Config.Until = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	items, _ = c.Collect(context.Background(), time.Now())
	if d := string(byKind(items)[service.KindIncidents].Data); d != "[]" {
		t.Errorf("incidents of 2025: %s, want []", d)
	}
}

// Without the token the collector writes error items (the controls become error), never empty data.
func TestAPICollectorWithoutTokenErrs(t *testing.T) {
	srv, roots := startCardsvc(t, "compliant", nil)
	for _, tc := range []struct {
		name, token, want string
	}{
		{"unset", "", "environment variable TOKEN (the evidence API token) is not set"},
		{"wrong", "not-the-token", "HTTP 401: missing or invalid bearer token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := service.APICollector{Config: service.APIConfig{Name: "cardsvc", BaseURL: localhostURL(srv), TokenEnv: "TOKEN", RootCAs: roots,
				Getenv: env(map[string]string{"TOKEN": tc.token})}}
			items, err := c.Collect(context.Background(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.Status != evidence.StatusError || !strings.Contains(*it.Error, tc.want) {
					t.Errorf("%s: status %s error %v, want error containing %q", it.Kind, it.Status, it.Error, tc.want)
				}
			}
		})
	}
}

const goodIncident = `{"incident_id":"INC-1","title":"t","severity":"high","customer_impact":true,"detected_at":"2026-02-10T10:00:00+09:00","notified_at":null,"escalated_at":null,"recovered_at":null}`

// Hostile or broken answers: each makes the item an error naming what is wrong, within the
// configured timeout; a well-formed answer (the passing case) is ok.
func TestAPICollectorRefusesHostileAnswers(t *testing.T) {
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items":[],"next_cursor":null}`)
	}))
	defer other.Close()
	// Generous enough for six TLS handshakes on a loaded CI machine (or under -race).
	const timeout = 2 * time.Second
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string // "" = ok
	}{
		{"well formed", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"items":[%s],"next_cursor":null}`, goodIncident)
		}, ""},
		{"extra field kept", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"items":[%s],"next_cursor":null}`, strings.Replace(goodIncident, `"title"`, `"x_ticket":"J-1","title"`, 1))
		}, ""},
		{"wrong type", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"items":[%s],"next_cursor":null}`, strings.Replace(goodIncident, `"customer_impact":true`, `"customer_impact":"yes"`, 1))
		}, `item 0 (incident_id "INC-1"): field customer_impact: got "yes", want true or false`},
		{"bad time", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"items":[%s],"next_cursor":null}`, strings.Replace(goodIncident, `"2026-02-10T10:00:00+09:00"`, `"2026/02/10 10:00"`, 1))
		}, `field detected_at: got "2026/02/10 10:00", want an RFC 3339 time`},
		{"missing field", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"items":[%s],"next_cursor":null}`, strings.Replace(goodIncident, `"severity":"high",`, ``, 1))
		}, `item 0 (incident_id "INC-1"): field severity: missing`},
		{"null omitted", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"items":[%s],"next_cursor":null}`, strings.Replace(goodIncident, `,"recovered_at":null`, ``, 1))
		}, `field recovered_at: missing (a nullable field must be null, never omitted)`},
		{"items null", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"items":null,"next_cursor":null}`)
		}, `field items: missing or null`},
		{"unknown envelope field", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"items":[],"next_cursor":null,"total":0}`)
		}, `unknown field "total"`},
		{"invalid JSON", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"items":[{"incident_id":`)
		}, `answer is not a JSON object`},
		{"5 MB body", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"items":[%s],"next_cursor":null,"pad":"%s"}`, goodIncident, strings.Repeat("x", 5<<20))
		}, `larger than the limit of 4194304 bytes`},
		{"HTTP 500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error":{"code":"internal","message":"database unavailable"}}`)
		}, `HTTP 500: database unavailable`},
		{"never answers", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, `no answer within the timeout`},
		{"redirect to another host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/evidence/v1/incidents", http.StatusFound)
		}, `redirected to another host`},
		{"cursor loop", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"items":[],"next_cursor":"same"}`)
		}, `next_cursor repeats an earlier cursor`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewTLSServer(tt.handler)
			defer ts.Close()
			roots := x509.NewCertPool()
			roots.AddCert(ts.Certificate())
			c := service.APICollector{Config: service.APIConfig{Name: "hostile", BaseURL: ts.URL, TokenEnv: "TOKEN", RootCAs: roots,
				Timeout: timeout, Getenv: env(map[string]string{"TOKEN": evidenceToken})}}
			start := time.Now()
			items, err := c.Collect(context.Background(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			// Every path answers alike; look at incidents. The paths are read at once: the whole
			// collection is bounded by about one timeout.
			if took := time.Since(start); took > timeout+2*time.Second {
				t.Errorf("took %s, more than the timeout allows", took)
			}
			it := byKind(items)[service.KindIncidents]
			if tt.want == "" {
				if it.Status != evidence.StatusOK {
					t.Fatalf("error %s, want ok", *it.Error)
				}
				return
			}
			if it.Status != evidence.StatusError || !strings.Contains(*it.Error, tt.want) {
				t.Fatalf("status %s error %v, want an error containing %q", it.Status, it.Error, tt.want)
			}
			if strings.Contains(*it.Error, evidenceToken) {
				t.Fatal("the token is in the error message")
			}
		})
	}
}

func versions(t *testing.T, it evidence.Item) (service.TLSResult, string) {
	t.Helper()
	if it.Status != evidence.StatusOK {
		t.Fatalf("probe error: %s", *it.Error)
	}
	var r service.TLSResult
	if err := json.Unmarshal(it.Data, &r); err != nil {
		t.Fatal(err)
	}
	var acc []string
	for _, v := range r.Versions {
		if v.Accepted {
			acc = append(acc, v.Version)
		}
	}
	return r, strings.Join(acc, ",")
}

// The TLS probe shakes hands at each version separately and verifies the chain for the host.
func TestTLSProbeRecordsVersionsChainAndHeaders(t *testing.T) {
	tests := []struct {
		name     string
		tweak    func(*cardsvc.Scenario)
		accepted string
		verified bool
		verifyIn string
		hsts     int64
	}{
		{"TLS 1.2+ only", nil, "1.2,1.3", true, "", 31536000},
		{"TLS 1.0 allowed", func(s *cardsvc.Scenario) { s.TLSMinVersion = "1.0" }, "1.0,1.1,1.2,1.3", true, "", 31536000},
		{"TLS 1.3 only", func(s *cardsvc.Scenario) { s.TLSMinVersion = "1.3" }, "1.3", true, "", 31536000},
		{"expired certificate", func(s *cardsvc.Scenario) { s.CertValidDays = -10 }, "1.2,1.3", false, "expired", 31536000},
		{"wrong host", func(s *cardsvc.Scenario) { s.CertHost = "other.example.jp" }, "1.2,1.3", false, "other.example.jp", 31536000},
		{"no HSTS", func(s *cardsvc.Scenario) { s.HSTSMaxAge = 0 }, "1.2,1.3", true, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, roots := startCardsvc(t, "compliant", tt.tweak)
			ep := strings.TrimPrefix(localhostURL(srv), "https://")
			items, err := service.TLSProbe{Endpoints: []string{ep}, RootCAs: roots, Timeout: 5 * time.Second}.Collect(context.Background(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			r, acc := versions(t, items[0])
			if acc != tt.accepted {
				t.Errorf("accepted %s, want %s", acc, tt.accepted)
			}
			if r.Chain.Verified != tt.verified || (tt.verifyIn != "" && (r.Chain.VerifyError == nil || !strings.Contains(*r.Chain.VerifyError, tt.verifyIn))) {
				t.Errorf("chain verified=%v error=%v, want %v %q", r.Chain.Verified, r.Chain.VerifyError, tt.verified, tt.verifyIn)
			}
			if got := r.HTTP.HSTSMaxAge; (tt.hsts == 0) != (got == nil) || (got != nil && *got != tt.hsts) {
				t.Errorf("hsts %v, want %d", got, tt.hsts)
			}
			if r.HTTP.SkewSeconds == nil || *r.HTTP.SkewSeconds != 0 {
				t.Errorf("skew %v, want 0 for a server on the same clock", r.HTTP.SkewSeconds)
			}
		})
	}
}

// A server two minutes ahead shows a skew of about 120 s; an unreachable endpoint is an error item.
func TestTLSProbeSkewAndUnreachable(t *testing.T) {
	srv, roots := startCardsvc(t, "compliant", func(s *cardsvc.Scenario) { s.ClockOffset = 2 * time.Minute })
	ep := strings.TrimPrefix(localhostURL(srv), "https://")
	items, _ := service.TLSProbe{Endpoints: []string{ep, "localhost:1"}, RootCAs: roots, Timeout: 2 * time.Second}.Collect(context.Background(), time.Now())
	r, _ := versions(t, items[0])
	if s := *r.HTTP.SkewSeconds; s < 118 || s > 121 {
		t.Errorf("skew %v, want ~120", s)
	}
	if items[1].Status != evidence.StatusError || !strings.Contains(*items[1].Error, "connect to localhost:1") {
		t.Errorf("unreachable endpoint: %s %v", items[1].Status, items[1].Error)
	}
}

// The cross-tenant probe: denied on a correct service, a 2xx on a leaking one, and an error when
// tenant A's own token does not work (the probe would prove nothing).
func TestCrossTenantProbe(t *testing.T) {
	tests := []struct {
		name     string
		leak     bool
		token    string
		status   int
		errorHas string
	}{
		{"denied", false, "acme-viewer-demo-token", 404, ""},
		{"leak", true, "acme-viewer-demo-token", 200, ""},
		{"dead token", false, "acme-editor-demo-token", 0, "refused on its own data (GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, roots := startCardsvc(t, "compliant", func(s *cardsvc.Scenario) { s.CrossTenantLeak = tt.leak })
			base := localhostURL(srv)
			p := service.CrossTenantProbe{RootCAs: roots, Timeout: 5 * time.Second, Getenv: env(map[string]string{"A": tt.token}),
				Targets: []service.CrossTenantTarget{{Tenant: "t-acme", ForeignTenant: "t-beta", TokenEnv: "A", ControlURL: base + "/api/v1/cards",
					URLTemplate: base + "/api/v1/cards/{id}", ForeignIDs: []string{"card-beta-1"}}}}
			items, err := p.Collect(context.Background(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			it := items[0]
			if tt.errorHas != "" {
				if it.Status != evidence.StatusError || !strings.Contains(*it.Error, tt.errorHas) {
					t.Fatalf("status %s error %v, want error with %q", it.Status, it.Error, tt.errorHas)
				}
				return
			}
			var r service.CrossTenantResult
			if err := json.Unmarshal(it.Data, &r); err != nil {
				t.Fatal(err)
			}
			if r.Attempts[0].Status != tt.status || r.Control.Status != 200 {
				t.Errorf("attempt %+v control %+v, want status %d", r.Attempts, r.Control, tt.status)
			}
			if strings.Contains(string(it.Data), "中村") || strings.Contains(string(it.Data), tt.token) {
				t.Error("the probe stored tenant B's data or tenant A's token")
			}
		})
	}
}

// The HTTP probe records each page's final status.
func TestHTTPProbeStatuses(t *testing.T) {
	srv, roots := startCardsvc(t, "violating", nil)
	base := localhostURL(srv)
	targets := []service.HTTPTarget{{base + "/manual", "manual"}, {base + "/faq", "faq"}, {base + "/chatbot", "chatbot"}}
	items, err := service.HTTPProbe{Targets: targets, RootCAs: roots, Timeout: 5 * time.Second}.Collect(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := []int{200, 404, 503}
	for i, it := range items {
		var r service.HTTPResult
		if err := json.Unmarshal(it.Data, &r); err != nil {
			t.Fatal(err)
		}
		if r.Status != want[i] || r.Purpose != targets[i].Purpose {
			t.Errorf("%s: %d, want %d", r.URL, r.Status, want[i])
		}
		// The violating service's clock is 2 minutes ahead.
		if r.SkewSeconds == nil || *r.SkewSeconds < 118 || *r.SkewSeconds > 121 {
			t.Errorf("%s: skew %v, want ~120", r.URL, r.SkewSeconds)
		}
	}
}

// An endpoint that takes the connection but never shakes hands is an error item within the
// timeout; one that speaks plain HTTP accepts no TLS version, also an error.
func TestTLSProbeSilentOrPlainEndpointErrs(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	held := make(chan net.Conn, 16) // connections held open, never answered
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held <- c
		}
	}()
	defer func() {
		for {
			select {
			case c := <-held:
				c.Close()
			default:
				return
			}
		}
	}()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer plain.Close()
	tests := []struct{ name, endpoint, want string }{
		{"silent", silent.Addr().String(), "no answer within"},
		{"plain HTTP", strings.TrimPrefix(plain.URL, "http://"), "failed without a TLS alert"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			items, err := service.TLSProbe{Endpoints: []string{tt.endpoint}, Timeout: 500 * time.Millisecond}.Collect(context.Background(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if it := items[0]; it.Status != evidence.StatusError || !strings.Contains(*it.Error, tt.want) {
				t.Fatalf("%s %v, want an error with %q", it.Status, it.Error, tt.want)
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
}

// A server that accepts TLS 1.0 and 1.1 must not look as if it refused them when the network
// breaks those handshakes: a reset, garbage, a truncated or stalled answer during the TLS 1.0
// and 1.1 tries (connections 2 and 3: the probe first checks the port is reachable) makes the
// item an error, and only an undisturbed probe records the versions.
func TestTLSProbeBrokenHandshakeIsNotARefusal(t *testing.T) {
	srv, roots := startCardsvc(t, "compliant", func(s *cardsvc.Scenario) { s.TLSMinVersion = "1.0" })
	upstream := strings.TrimPrefix(srv.URL, "https://")
	tests := []struct {
		name  string
		fault faultproxy.Fault
		want  string // the item's error; "" = ok, recording every version accepted
	}{
		{"undisturbed", faultproxy.Fault{}, ""},
		{"reset", faultproxy.Fault{Kind: faultproxy.Reset, Conns: []int{2, 3}}, "failed without a TLS alert"},
		{"garbage", faultproxy.Fault{Kind: faultproxy.Garbage, Conns: []int{2, 3}}, "failed without a TLS alert"},
		{"truncated", faultproxy.Fault{Kind: faultproxy.Truncate, Conns: []int{2, 3}}, "failed without a TLS alert"},
		{"stalled", faultproxy.Fault{Kind: faultproxy.Stall, Conns: []int{2, 3}}, "no answer within"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := faultproxy.Start(upstream, tt.fault)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			ep := "localhost:" + p.Addr[strings.LastIndex(p.Addr, ":")+1:]
			items, err := service.TLSProbe{Endpoints: []string{ep}, RootCAs: roots, Timeout: time.Second}.Collect(context.Background(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			it := items[0]
			if tt.want == "" {
				if _, acc := versions(t, it); acc != "1.0,1.1,1.2,1.3" {
					t.Fatalf("accepted %s through a faithful proxy, want 1.0,1.1,1.2,1.3", acc)
				}
				return
			}
			if it.Status != evidence.StatusError || !strings.Contains(*it.Error, tt.want) {
				var got string
				if it.Error != nil {
					got = *it.Error
				}
				t.Fatalf("%s %q, want an error with %q", it.Status, got, tt.want)
			}
		})
	}
}
