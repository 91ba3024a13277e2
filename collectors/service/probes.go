package service

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shoko-audit/shoko/evidence"
)

// Probe kinds.
const (
	KindTLS         = "probe.tls"
	KindHTTP        = "probe.http"
	KindCrossTenant = "probe.cross_tenant"
)

// TLSProbe checks each endpoint ("host:port"): a handshake at each TLS version separately, the
// certificate chain for the host name, and one HTTPS GET / for HSTS and the Date header.
type TLSProbe struct {
	Endpoints []string
	RootCAs   *x509.CertPool
	Timeout   time.Duration
	// Clock reads the collector's clock around the GET (time.Now when nil), for the Date skew.
	Clock func() time.Time
}

func (p TLSProbe) Name() string    { return "service/tls" }
func (p TLSProbe) Kinds() []string { return []string{KindTLS} }

var tlsVersions = []struct {
	name string
	v    uint16
}{{"1.0", tls.VersionTLS10}, {"1.1", tls.VersionTLS11}, {"1.2", tls.VersionTLS12}, {"1.3", tls.VersionTLS13}}

// allSuites offers every suite Go knows, insecure ones included: the probe asks whether the
// server accepts a version at all, not whether Go likes its ciphers.
func allSuites() []uint16 {
	var ids []uint16
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		ids = append(ids, cs.ID)
	}
	return ids
}

func (p TLSProbe) Collect(ctx context.Context, now time.Time) ([]evidence.Item, error) {
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	if p.Clock == nil {
		p.Clock = time.Now
	}
	var items []evidence.Item
	for _, ep := range p.Endpoints {
		host, _, err := net.SplitHostPort(ep)
		if err != nil {
			return nil, fmt.Errorf("tls endpoint %q: want host:port", ep)
		}
		scope := map[string]string{"source": "tls", "endpoint": ep}
		req := &evidence.Request{Operation: "TLS handshakes", URL: "https://" + ep + "/"}
		data, err := p.probe(ctx, ep, host, now)
		if err != nil {
			items = append(items, evidence.NewError(KindTLS, scope, now, info(p.Name()), req, err))
			continue
		}
		it, err := evidence.NewOK(KindTLS, scope, now, info(p.Name()), req, data)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// TLSResult is what the TLS probe stores for one endpoint.
type TLSResult struct {
	Endpoint string        `json:"endpoint"`
	Host     string        `json:"host"`
	Versions []VersionTry  `json:"versions"`
	Chain    ChainResult   `json:"chain"`
	HTTP     HTTPHeadFacts `json:"http"`
}

// VersionTry is one handshake limited to one version.
type VersionTry struct {
	Version     string  `json:"version"`
	Accepted    bool    `json:"accepted"`
	CipherSuite *string `json:"cipher_suite"`
	Refusal     *string `json:"refusal"`
}

// ChainResult is the server's certificate chain, verified for the host at collection time.
type ChainResult struct {
	Verified    bool     `json:"verified"`
	VerifyError *string  `json:"verify_error"`
	Subject     string   `json:"subject"`
	Issuer      string   `json:"issuer"`
	DNSNames    []string `json:"dns_names"`
	IPAddresses []string `json:"ip_addresses"`
	NotBefore   string   `json:"not_before"`
	NotAfter    string   `json:"not_after"`
	Length      int      `json:"length"`
}

// HTTPHeadFacts are the headers of GET / that claims rest on.
type HTTPHeadFacts struct {
	Status int `json:"status"`
	// StrictTransportSecurity is the header as sent (null when absent); HSTSMaxAge its max-age.
	StrictTransportSecurity *string `json:"strict_transport_security"`
	HSTSMaxAge              *int64  `json:"hsts_max_age"`
	Date                    *string `json:"date"`
	SentAt                  string  `json:"sent_at"`
	ReceivedAt              string  `json:"received_at"`
	// SkewSeconds is the smallest clock difference consistent with the Date header (which has
	// whole seconds) and the collector's clock before and after the request: 0 when the server's
	// time could be right, positive when it is ahead, negative when behind. Null without Date.
	SkewSeconds *float64 `json:"skew_seconds"`
}

func (p TLSProbe) probe(ctx context.Context, ep, host string, now time.Time) (*TLSResult, error) {
	// Reach the port first: an unreachable endpoint is a collection error, not "refused".
	d := net.Dialer{Timeout: p.Timeout}
	conn, err := d.DialContext(ctx, "tcp", ep)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", ep, err)
	}
	conn.Close()
	res := &TLSResult{Endpoint: ep, Host: host}
	var certs []*x509.Certificate
	for _, v := range tlsVersions {
		try := VersionTry{Version: v.name}
		cfg := &tls.Config{MinVersion: v.v, MaxVersion: v.v, ServerName: host, CipherSuites: allSuites(),
			InsecureSkipVerify: true} // the chain is verified separately below, once
		td := tls.Dialer{NetDialer: &net.Dialer{Timeout: p.Timeout}, Config: cfg}
		hctx, cancel := context.WithTimeout(ctx, p.Timeout)
		c, err := td.DialContext(hctx, "tcp", ep)
		cancel()
		var ne net.Error
		switch {
		case err == nil:
			st := c.(*tls.Conn).ConnectionState()
			name := tls.CipherSuiteName(st.CipherSuite)
			try.Accepted, try.CipherSuite = true, &name
			if len(certs) == 0 || v.v >= tls.VersionTLS12 {
				certs = st.PeerCertificates
			}
			c.Close()
		case errors.As(err, &ne) && ne.Timeout():
			return nil, fmt.Errorf("TLS %s handshake with %s: no answer within %s", v.name, ep, p.Timeout)
		case isTLSRefusal(err):
			msg := err.Error()
			try.Refusal = &msg
		default:
			// A reset, an EOF or garbage is a broken connection, not a refusal: recording it as
			// "refused" would make an endpoint that accepts an old version look compliant.
			return nil, fmt.Errorf("TLS %s handshake with %s failed without a TLS alert (neither accepted nor refused): %w", v.name, ep, err)
		}
		res.Versions = append(res.Versions, try)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s accepted no TLS version: no certificate to check", ep)
	}
	res.Chain = verifyChain(certs, host, p.RootCAs, now)
	head, err := p.head(ctx, ep)
	if err != nil {
		return nil, err
	}
	res.HTTP = *head
	return res, nil
}

// isTLSRefusal holds for a handshake the server refused on purpose: it answered with a TLS alert
// (crypto/tls reports those as a *net.OpError with Op "remote error").
func isTLSRefusal(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}

func verifyChain(certs []*x509.Certificate, host string, roots *x509.CertPool, now time.Time) ChainResult {
	leaf := certs[0]
	cr := ChainResult{Subject: leaf.Subject.String(), Issuer: leaf.Issuer.String(), DNSNames: append([]string{}, leaf.DNSNames...),
		IPAddresses: []string{}, NotBefore: leaf.NotBefore.UTC().Format(time.RFC3339), NotAfter: leaf.NotAfter.UTC().Format(time.RFC3339),
		Length: len(certs)}
	for _, ip := range leaf.IPAddresses {
		cr.IPAddresses = append(cr.IPAddresses, ip.String())
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter, CurrentTime: now})
	if err != nil {
		msg := err.Error()
		cr.VerifyError = &msg
	} else {
		cr.Verified = true
	}
	return cr
}

var maxAgeRE = regexp.MustCompile(`(?i)(?:^|;)\s*max-age\s*=\s*"?([0-9]+)"?\s*(?:;|$)`)

// head GETs / (without verifying the chain: that fact is recorded apart) for HSTS and Date.
func (p TLSProbe) head(ctx context.Context, ep string) (*HTTPHeadFacts, error) {
	client := &http.Client{Timeout: p.Timeout, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, CipherSuites: allSuites()}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+ep+"/", nil)
	if err != nil {
		return nil, err
	}
	sent := p.Clock()
	resp, err := client.Do(req)
	received := p.Clock()
	if err != nil {
		return nil, fmt.Errorf("GET https://%s/: %w", ep, unwrapURLError(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	f := &HTTPHeadFacts{Status: resp.StatusCode, SentAt: sent.UTC().Format(time.RFC3339Nano), ReceivedAt: received.UTC().Format(time.RFC3339Nano)}
	if h := resp.Header.Get("Strict-Transport-Security"); h != "" {
		f.StrictTransportSecurity = &h
		if m := maxAgeRE.FindStringSubmatch(h); m != nil {
			if n, err := strconv.ParseInt(m[1], 10, 64); err == nil {
				f.HSTSMaxAge = &n
			}
		}
	}
	if h := resp.Header.Get("Date"); h != "" {
		f.Date = &h
		if t, err := http.ParseTime(h); err == nil {
			s := skew(t, sent, received)
			f.SkewSeconds = &s
		}
	}
	return f, nil
}

// skew is the smallest offset of a server clock that said date (truncated to the second)
// while the collector's clock ran from sent to received, in seconds to the nanosecond. It is
// not rounded: TIME-01 compares it with its limit as it is, and a skew of 5.0004 s rounded to
// 5.000 would pass a 5-second limit it is over.
func skew(date, sent, received time.Time) float64 {
	var d time.Duration
	switch {
	case date.After(received):
		d = date.Sub(received)
	case date.Add(time.Second).Before(sent):
		d = date.Add(time.Second).Sub(sent)
	}
	return d.Seconds()
}

// HTTPTarget is a URL to probe and what it is for (manual, faq, chatbot, policy…): controls
// pick their URLs by purpose, named in their parameters.
type HTTPTarget struct {
	URL     string
	Purpose string
}

// HTTPProbe GETs each URL (following up to 5 redirects; no credentials are sent) and records
// the final status.
type HTTPProbe struct {
	Targets []HTTPTarget
	RootCAs *x509.CertPool
	Timeout time.Duration
}

func (p HTTPProbe) Name() string    { return "service/http" }
func (p HTTPProbe) Kinds() []string { return []string{KindHTTP} }

// HTTPResult is what the HTTP probe stores for one URL: the final status and, for clock checks,
// the Date header with its skew against the collector's clock (see HTTPHeadFacts.SkewSeconds).
type HTTPResult struct {
	URL         string   `json:"url"`
	Purpose     string   `json:"purpose"`
	Status      int      `json:"status"`
	FinalURL    string   `json:"final_url"`
	Date        *string  `json:"date"`
	SkewSeconds *float64 `json:"skew_seconds"`
}

func (p HTTPProbe) Collect(ctx context.Context, now time.Time) ([]evidence.Item, error) {
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	client := &http.Client{Timeout: p.Timeout, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.RootCAs}},
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("more than 5 redirects")
			}
			return nil
		}}
	var items []evidence.Item
	for _, t := range p.Targets {
		if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, fmt.Errorf("http probe %q: want an http(s) URL", t.URL)
		}
		scope := map[string]string{"source": "http", "url": t.URL}
		req := &evidence.Request{Operation: "GET", URL: t.URL}
		r, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL, nil)
		if err != nil {
			return nil, fmt.Errorf("http probe %q: %w", t.URL, err)
		}
		sent := time.Now()
		resp, err := client.Do(r)
		received := time.Now()
		if err != nil {
			items = append(items, evidence.NewError(KindHTTP, scope, now, info(p.Name()), req, fmt.Errorf("GET %s: %w", t.URL, unwrapURLError(err))))
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		res := HTTPResult{URL: t.URL, Purpose: t.Purpose, Status: resp.StatusCode, FinalURL: resp.Request.URL.String()}
		if h := resp.Header.Get("Date"); h != "" {
			res.Date = &h
			if d, err := http.ParseTime(h); err == nil {
				sk := skew(d, sent, received)
				res.SkewSeconds = &sk
			}
		}
		it, err := evidence.NewOK(KindHTTP, scope, now, info(p.Name()), req, res)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// CrossTenantTarget is one cross-tenant read attempt: tenant A's token asks for ids that belong
// to tenant B.
type CrossTenantTarget struct {
	Tenant        string
	ForeignTenant string
	TokenEnv      string
	// ControlURL is a URL tenant A may read; it must answer 2xx first, or the probe would prove
	// nothing (a dead token is "denied" everywhere).
	ControlURL string
	// URLTemplate holds {id}, replaced by each of ForeignIDs.
	URLTemplate string
	ForeignIDs  []string
}

// CrossTenantProbe runs the cross-tenant read attempts.
type CrossTenantProbe struct {
	Targets []CrossTenantTarget
	RootCAs *x509.CertPool
	Timeout time.Duration
	Getenv  func(string) string
}

func (p CrossTenantProbe) Name() string    { return "service/cross_tenant" }
func (p CrossTenantProbe) Kinds() []string { return []string{KindCrossTenant} }

// CrossTenantResult is what the probe stores; bodies are never kept (they would be tenant B's data).
type CrossTenantResult struct {
	Tenant        string         `json:"tenant"`
	ForeignTenant string         `json:"foreign_tenant"`
	Control       Attempt        `json:"control"`
	Attempts      []ForeignTrial `json:"attempts"`
}

// Attempt is one request and its status.
type Attempt struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
}

// ForeignTrial is one request for a foreign id.
type ForeignTrial struct {
	ID     string `json:"id"`
	URL    string `json:"url"`
	Status int    `json:"status"`
}

func (p CrossTenantProbe) Collect(ctx context.Context, now time.Time) ([]evidence.Item, error) {
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	var items []evidence.Item
	for _, t := range p.Targets {
		if !strings.Contains(t.URLTemplate, "{id}") || len(t.ForeignIDs) == 0 {
			return nil, fmt.Errorf("cross-tenant probe %s→%s: url_template needs {id} and ids must not be empty", t.Tenant, t.ForeignTenant)
		}
		scope := map[string]string{"source": "cross_tenant", "tenant": t.Tenant, "foreign_tenant": t.ForeignTenant}
		req := &evidence.Request{Operation: "GET as tenant " + t.Tenant, URL: t.URLTemplate}
		res, err := p.run(ctx, t)
		if err != nil {
			items = append(items, evidence.NewError(KindCrossTenant, scope, now, info(p.Name()), req, err))
			continue
		}
		it, err := evidence.NewOK(KindCrossTenant, scope, now, info(p.Name()), req, res)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

func (p CrossTenantProbe) run(ctx context.Context, t CrossTenantTarget) (*CrossTenantResult, error) {
	token := getenv(p.Getenv, t.TokenEnv)
	if token == "" {
		return nil, fmt.Errorf("environment variable %s (tenant %s's token) is not set", t.TokenEnv, t.Tenant)
	}
	host := ""
	if u, err := url.Parse(t.ControlURL); err == nil {
		host = u.Host
	}
	client := apiClient(p.RootCAs, p.Timeout, host)
	status := func(u string) (int, error) {
		r, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return 0, fmt.Errorf("GET %s: %w", u, err)
		}
		r.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(r)
		if err != nil {
			return 0, fmt.Errorf("GET %s: %w", u, unwrapURLError(err))
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	res := &CrossTenantResult{Tenant: t.Tenant, ForeignTenant: t.ForeignTenant, Attempts: []ForeignTrial{}}
	st, err := status(t.ControlURL)
	if err != nil {
		return nil, err
	}
	if st < 200 || st > 299 {
		return nil, fmt.Errorf("tenant %s's token was refused on its own data (GET %s: HTTP %d): the cross-tenant probe would prove nothing", t.Tenant, t.ControlURL, st)
	}
	res.Control = Attempt{URL: t.ControlURL, Status: st}
	for _, id := range t.ForeignIDs {
		u := strings.ReplaceAll(t.URLTemplate, "{id}", url.PathEscape(id))
		st, err := status(u)
		if err != nil {
			return nil, err
		}
		res.Attempts = append(res.Attempts, ForeignTrial{ID: id, URL: u, Status: st})
	}
	return res, nil
}
