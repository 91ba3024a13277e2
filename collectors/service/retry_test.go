package service_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shoko-audit/shoko/collectors/service"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/faultproxy"
)

// A GET that fails transiently is asked again (up to 3 attempts), and a path whose pages still
// failed is read once more, whole, its item recording attempts 2; a refusal is asked once.
func TestAPIAsksAgainAfterTransientFailures(t *testing.T) {
	const incidents = "/evidence/v1/incidents"
	// cut declares a longer answer than it sends: the server closes the connection after it, and
	// the client reads an unexpected EOF. (A reset before any answer on a reused connection is
	// asked again by net/http itself, which would hide the collector's own retries here.)
	cut := func(w http.ResponseWriter) {
		w.Header().Set("Content-Length", "1000")
		fmt.Fprint(w, `{"items":[`)
	}
	status := func(code int) func(http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"error":{"code":"x","message":"answer %d"}}`, code)
		}
	}
	tests := []struct {
		name string
		// fail answers the first failures requests of the incidents path; later ones are answered.
		fail         func(http.ResponseWriter)
		failures     int
		wantOK       bool
		wantAttempts int // request.attempts of the item (0: one pass)
		wantRequests int
	}{
		{"503 twice: the third attempt is answered", status(503), 2, true, 0, 3},
		{"cut short on every attempt of the first pass: the second pass reads it", cut, 3, true, 2, 4},
		{"429 on every attempt: error after two passes", status(429), 99, false, 2, 6},
		{"403 is asked once", status(403), 99, false, 0, 1},
		{"404 is asked once", status(404), 99, false, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			requests := 0
			ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == incidents {
					mu.Lock()
					requests++
					n := requests
					mu.Unlock()
					if n <= tt.failures {
						tt.fail(w)
						return
					}
					fmt.Fprintf(w, `{"items":[%s],"next_cursor":null}`, goodIncident)
					return
				}
				fmt.Fprint(w, `{"items":[],"next_cursor":null}`)
			}))
			defer ts.Close()
			roots := x509.NewCertPool()
			roots.AddCert(ts.Certificate())
			c := service.APICollector{Config: service.APIConfig{Name: "flaky", BaseURL: ts.URL, TokenEnv: "TOKEN", RootCAs: roots,
				Timeout: 5 * time.Second, Getenv: env(map[string]string{"TOKEN": evidenceToken})}}
			items, err := c.Collect(context.Background(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			it := byKind(items)[service.KindIncidents]
			if ok := it.Status == evidence.StatusOK; ok != tt.wantOK {
				t.Errorf("status %s (%s), want ok %v", it.Status, deref(it.Error), tt.wantOK)
			}
			if it.Request.Attempts != tt.wantAttempts {
				t.Errorf("attempts %d, want %d", it.Request.Attempts, tt.wantAttempts)
			}
			mu.Lock()
			made := requests
			mu.Unlock()
			if made != tt.wantRequests {
				t.Errorf("%d requests of %s, want %d", made, incidents, tt.wantRequests)
			}
			for _, other := range items {
				if other.Kind != service.KindIncidents && (other.Status != evidence.StatusOK || other.Request.Attempts != 0) {
					t.Errorf("%s: %s, attempts %d: a fault on another path touched it", other.Kind, other.Status, other.Request.Attempts)
				}
			}
		})
	}
}

// Connections reset or cut short at random — 20 % of them, anywhere in the first 4 KiB of the
// server's bytes (inside the TLS handshake or the answer) — change no item of the evidence API,
// over five seeds per kind.
func TestAPIReadsThroughRandomConnectionFaults(t *testing.T) {
	srv, roots := startCardsvc(t, "compliant", nil)
	upstream := strings.TrimPrefix(srv.URL, "https://")
	collect := func(f faultproxy.Fault) ([]evidence.Item, int, int) {
		p, err := faultproxy.Start(upstream, f)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		c := service.APICollector{Config: service.APIConfig{Name: "cardsvc", BaseURL: "https://localhost:" + p.Addr[strings.LastIndex(p.Addr, ":")+1:],
			TokenEnv: "TOKEN", RootCAs: roots, Timeout: 5 * time.Second, PageLimit: 2, Since: period2026[0], Until: period2026[1],
			Getenv: env(map[string]string{"TOKEN": evidenceToken})}}
		items, err := c.Collect(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		faulted, total := p.Counts()
		return items, faulted, total
	}
	base, _, _ := collect(faultproxy.Fault{})
	want := map[string]string{}
	for _, it := range base {
		if it.Status != evidence.StatusOK {
			t.Fatalf("%s through a faithful proxy: %s", it.Kind, *it.Error)
		}
		want[it.Kind] = string(it.Data)
	}
	for _, kind := range []faultproxy.Kind{faultproxy.Reset, faultproxy.Truncate} {
		for seed := uint64(1); seed <= 5; seed++ {
			t.Run(fmt.Sprintf("%s seed %d", kind, seed), func(t *testing.T) {
				items, faulted, total := collect(faultproxy.Fault{Kind: kind, Rate: 0.2, MaxOffset: 4096, Seed: seed})
				again := 0
				for _, it := range items {
					if it.Request.Attempts == 2 {
						again++
					}
					if it.Status != evidence.StatusOK {
						t.Errorf("%s: %s", it.Kind, *it.Error)
					} else if string(it.Data) != want[it.Kind] {
						t.Errorf("%s answers differently from the undisturbed collection", it.Kind)
					}
				}
				t.Logf("%d of %d connections faulted; %d paths read twice", faulted, total, again)
			})
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
