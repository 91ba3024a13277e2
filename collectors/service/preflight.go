package service

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shoko-audit/shoko/collectors/preflight"
)

// The preflight reads each path in small pages, so that paging is exercised even on a small
// population, and stops after a few pages: it proves the contract, it does not collect.
const (
	preflightLimit    = 2
	preflightPages    = 5
	maxBreachesInPath = 5
)

// periodField is the field since/until select on, per period-scoped path (docs/evidence-api.yaml).
var periodField = map[string]string{
	KindIncidents:   "detected_at",
	KindChanges:     "effective_at",
	KindDisclosures: "disclosed_at",
}

// The fix printed with each kind of breach: the rule of docs/evidence-api.yaml it breaks.
const (
	fixFields = "follow docs/evidence-api.yaml: every listed field present with its type, nullable fields null (never omitted), times RFC 3339 with an offset"
	fixCursor = "follow docs/evidence-api.yaml: a new next_cursor on every page (stable id order), null on the last page"
	fixPeriod = "follow docs/evidence-api.yaml: select since <= %s < until"
	fixPage   = "follow docs/evidence-api.yaml: every 200 answer is {\"items\": [...], \"next_cursor\": null|\"...\"} as application/json"
)

// Preflight checks the evidence API against its contract — auth, envelope, every field with its
// type, nullable times null and not omitted, RFC 3339 times, paging with non-repeating cursors,
// since/until honoured — and names every breach it finds (up to a few per path), so a service
// team can use it as its conformance test. It reads; it never writes, and it never prints the token.
func (c APICollector) Preflight(ctx context.Context) []preflight.Check {
	cfg := c.Config
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxAnswerBytes <= 0 {
		cfg.MaxAnswerBytes = DefaultMaxAnswerBytes
	}
	src := "service"
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Scheme != "https" || base.Host == "" {
		return []preflight.Check{preflight.Unreachable(src, "base_url", fmt.Sprintf("%q is not an https:// URL", cfg.BaseURL), "set service.base_url to the service's https:// address")}
	}
	token := getenv(cfg.Getenv, cfg.TokenEnv)
	if token == "" {
		return []preflight.Check{preflight.Unreachable(src, "evidence API token", fmt.Sprintf("environment variable %s is not set", cfg.TokenEnv),
			fmt.Sprintf("export %s with the service's read-only audit token", cfg.TokenEnv))}
	}
	client := apiClient(cfg.RootCAs, cfg.Timeout, base.Host)
	defer client.CloseIdleConnections()
	auth, reachable := checkAuth(ctx, client, cfg, base, token)
	out := []preflight.Check{auth}
	if !reachable {
		return out // every path would fail the same way: one line says it
	}
	for _, e := range endpoints {
		out = append(out, checkPath(ctx, client, cfg, base, e, token)...)
	}
	return out
}

// answer is one HTTP answer as the preflight looks at it.
type answer struct {
	status int
	ctype  string
	body   []byte
}

// fetch GETs u with the token ("" sends none), within the size limit. Errors never carry the token.
func fetch(ctx context.Context, client *http.Client, u, token string, limit int64) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return answer{}, fmt.Errorf("GET %s: %w", u, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("GET %s: %w", u, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return answer{}, fmt.Errorf("GET %s: reading the answer: %w", u, unwrapURLError(err))
	}
	if int64(len(body)) > limit {
		return answer{}, fmt.Errorf("GET %s: the answer is larger than the limit of %d bytes", u, limit)
	}
	return answer{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: body}, nil
}

// pathURL is the URL of an endpoint with its query.
func pathURL(base *url.URL, e endpoint, q url.Values) string {
	u := *base
	u.Path = strings.TrimSuffix(base.Path, "/") + e.path
	u.RawQuery = q.Encode()
	return u.String()
}

// checkAuth asks for the capabilities without a token (the contract wants 401) and with it
// (200). reachable is false when the service cannot be reached or refuses the token: the paths
// are then not read.
func checkAuth(ctx context.Context, client *http.Client, cfg APIConfig, base *url.URL, token string) (preflight.Check, bool) {
	const name = "auth"
	// The capabilities: one small item, the same on every call.
	var caps endpoint
	for _, e := range endpoints {
		if e.kind == KindCapabilities {
			caps = e
		}
	}
	u := pathURL(base, caps, url.Values{})
	with, err := fetch(ctx, client, u, token, cfg.MaxAnswerBytes)
	if err != nil {
		// A service that does not answer in time is down, not mis-configured: the audit goes on
		// and records the outage as evidence (its controls `error`), so a scheduled audit leaves
		// a run rather than a gap. A wrong address, name or certificate is a set-up mistake.
		check := preflight.Unreachable
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
			check = preflight.Failed
		}
		return check("service", name, err.Error(),
			"check service.base_url and that the service is reachable from here; for a private CA, set service.ca_file"), false
	}
	switch {
	case with.status == http.StatusOK:
	case with.status == http.StatusUnauthorized || with.status == http.StatusForbidden:
		return preflight.Unreachable("service", name, fmt.Sprintf("the token in %s is refused (HTTP %d%s)", cfg.TokenEnv, with.status, errorMessage(with.body)),
			fmt.Sprintf("set %s to the service's read-only audit token", cfg.TokenEnv)), false
	case with.status >= 500:
		// A server error is the service's state at audit time: recorded, not a reason to skip the run.
		return preflight.Failed("service", name, fmt.Sprintf("GET %s with the token: HTTP %d%s", u, with.status, errorMessage(with.body)),
			"the evidence API answered with a server error; the audit records it"), false
	default:
		return preflight.Unreachable("service", name, fmt.Sprintf("GET %s with the token: HTTP %d%s", u, with.status, errorMessage(with.body)),
			"the evidence API must answer 200 to its audit token; check service.base_url (the evidence paths are below it)"), false
	}
	without, err := fetch(ctx, client, u, "", cfg.MaxAnswerBytes)
	switch {
	case err != nil:
		return preflight.Failed("service", name, "without a token: "+err.Error(), "answer 401 with an Error body when the token is missing"), true
	case without.status == http.StatusUnauthorized:
		return preflight.Pass("service", name, fmt.Sprintf("the token in %s is accepted; a request without a token gets 401", cfg.TokenEnv)), true
	case without.status >= 200 && without.status < 300:
		return preflight.Failed("service", name, fmt.Sprintf("GET %s answers HTTP %d without a token", u, without.status),
			"require the bearer token on every evidence path (401 without it)"), true
	default:
		return preflight.Failed("service", name, fmt.Sprintf("without a token: HTTP %d, want 401", without.status),
			"answer 401 with an Error body when the token is missing (docs/evidence-api.yaml)"), true
	}
}

// checkPath reads up to preflightPages pages of one path and checks each against the contract,
// then, for a period-scoped path, that since/until select by its period field.
func checkPath(ctx context.Context, client *http.Client, cfg APIConfig, base *url.URL, e endpoint, token string) []preflight.Check {
	name := "GET " + e.path
	var breaches []preflight.Check
	breach := func(cause, fix string) {
		breaches = append(breaches, preflight.Failed("service", name, cause, fix))
	}
	field := periodField[e.kind]
	seen := map[string]bool{}
	cursor := ""
	items, pages, complete := 0, 0, false
	var sample json.RawMessage // an item with a valid period time, for the since/until check
	for pages < preflightPages {
		q := url.Values{}
		q.Set("limit", strconv.Itoa(preflightLimit))
		if field != "" && !cfg.Since.IsZero() {
			q.Set("since", cfg.Since.UTC().Format(time.RFC3339))
		}
		if field != "" && !cfg.Until.IsZero() {
			q.Set("until", cfg.Until.UTC().Format(time.RFC3339))
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		pageNo := pages + 1
		a, err := fetch(ctx, client, pathURL(base, e, q), token, cfg.MaxAnswerBytes)
		if err != nil {
			breach(fmt.Sprintf("page %d: %v", pageNo, err), "answer within service.timeout and max_answer_bytes")
			break
		}
		if a.status != http.StatusOK {
			breach(fmt.Sprintf("page %d: HTTP %d%s", pageNo, a.status, errorMessage(a.body)), "answer 200 to the audit token, with limit, cursor, since and until as in docs/evidence-api.yaml")
			break
		}
		if !strings.HasPrefix(a.ctype, "application/json") {
			breach(fmt.Sprintf("page %d: Content-Type %q, want application/json", pageNo, a.ctype), fixPage)
		}
		p, err := decodeEnvelope(a.body)
		if err != nil {
			breach(fmt.Sprintf("page %d: %v", pageNo, err), fixPage)
			break
		}
		pages++
		if e.kind != KindCapabilities && len(p.Items) > preflightLimit {
			breach(fmt.Sprintf("page %d: %d items for limit=%d", pageNo, len(p.Items), preflightLimit), "return at most limit items per page")
		}
		for i, it := range p.Items {
			if err := checkItem(e, it); err != nil {
				breach(fmt.Sprintf("page %d: item %d%s: %v", pageNo, items+i, itemName(e, it), err), fixFields)
				continue
			}
			if field == "" {
				continue
			}
			if t := periodTime(it, field); !inPeriod(t, cfg.Since, cfg.Until) {
				breach(fmt.Sprintf("asked since=%s until=%s, got item %d%s with %s %s", rfc(cfg.Since), rfc(cfg.Until), items+i, itemName(e, it), field, t.Format(time.RFC3339)),
					fmt.Sprintf(fixPeriod, field))
			} else if sample == nil {
				sample = it
			}
		}
		items += len(p.Items)
		if e.kind == KindCapabilities {
			if len(p.Items) != 1 || p.NextCursor != nil {
				breach(fmt.Sprintf("%d items, next_cursor %s; want exactly one item and null", len(p.Items), cursorText(p.NextCursor)), fixPage)
			}
			complete = true
			break
		}
		if p.NextCursor == nil {
			complete = true
			break
		}
		if seen[*p.NextCursor] || *p.NextCursor == cursor {
			breach(fmt.Sprintf("page %d: next_cursor %q repeats an earlier cursor (a client would loop)", pageNo, *p.NextCursor), fixCursor)
			break
		}
		seen[*p.NextCursor] = true
		cursor = *p.NextCursor
	}
	if field != "" && sample != nil && len(breaches) == 0 {
		if c, ok := checkNarrowPeriod(ctx, client, cfg, base, e, token, sample, field); !ok {
			breaches = append(breaches, c)
		}
	}
	if len(breaches) > 0 {
		if len(breaches) > maxBreachesInPath {
			more := len(breaches) - maxBreachesInPath
			breaches = append(breaches[:maxBreachesInPath], preflight.Failed("service", name, fmt.Sprintf("and %d more breaches like these", more), ""))
		}
		return breaches
	}
	detail := fmt.Sprintf("contract kept: %d items over %d pages (limit %d)", items, pages, preflightLimit)
	if !complete {
		detail += fmt.Sprintf(", the first %d pages read", preflightPages)
	}
	if field != "" {
		if sample != nil {
			detail += ", since/until honoured"
		} else {
			detail += "; since/until not tested (no item in the period)"
		}
	}
	return []preflight.Check{preflight.Pass("service", name, detail)}
}

// checkNarrowPeriod asks for the one second holding sample's period time: the sample must come
// back, and nothing outside that second. An API that ignores since/until fails here even when
// every item of the audit period happens to lie inside it.
func checkNarrowPeriod(ctx context.Context, client *http.Client, cfg APIConfig, base *url.URL, e endpoint, token string, sample json.RawMessage, field string) (preflight.Check, bool) {
	name := "GET " + e.path
	fix := fmt.Sprintf(fixPeriod, field)
	since := periodTime(sample, field).UTC().Truncate(time.Second)
	until := since.Add(time.Second)
	q := url.Values{}
	q.Set("limit", "1000")
	q.Set("since", rfc(since))
	q.Set("until", rfc(until))
	a, err := fetch(ctx, client, pathURL(base, e, q), token, cfg.MaxAnswerBytes)
	if err != nil {
		return preflight.Failed("service", name, fmt.Sprintf("since=%s until=%s: %v", rfc(since), rfc(until), err), fix), false
	}
	if a.status != http.StatusOK {
		return preflight.Failed("service", name, fmt.Sprintf("since=%s until=%s: HTTP %d%s", rfc(since), rfc(until), a.status, errorMessage(a.body)), fix), false
	}
	p, err := decodeEnvelope(a.body)
	if err != nil {
		return preflight.Failed("service", name, fmt.Sprintf("since=%s until=%s: %v", rfc(since), rfc(until), err), fixPage), false
	}
	want := itemName(e, sample)
	found := false
	for i, it := range p.Items {
		if itemName(e, it) == want {
			found = true
		}
		if t := periodTime(it, field); !inPeriod(t, since, until) {
			return preflight.Failed("service", name, fmt.Sprintf("asked since=%s until=%s, got item %d%s with %s %s: since/until ignored",
				rfc(since), rfc(until), i, itemName(e, it), field, t.Format(time.RFC3339)), fix), false
		}
	}
	if !found {
		return preflight.Failed("service", name, fmt.Sprintf("asked since=%s until=%s, the item%s with %s in that second is missing",
			rfc(since), rfc(until), want, field), fix), false
	}
	return preflight.Check{}, true
}

// periodTime is the item's period field as a time (zero when it is not one: checkItem says why).
func periodTime(it json.RawMessage, field string) time.Time {
	var m map[string]any
	if json.Unmarshal(it, &m) != nil {
		return time.Time{}
	}
	s, _ := m[field].(string)
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// inPeriod is since <= t < until, an unset bound leaving that side open.
func inPeriod(t, since, until time.Time) bool {
	return (since.IsZero() || !t.Before(since)) && (until.IsZero() || t.Before(until))
}

func rfc(t time.Time) string {
	if t.IsZero() {
		return "(none)"
	}
	return t.UTC().Format(time.RFC3339)
}

func cursorText(c *string) string {
	if c == nil {
		return "null"
	}
	return strconv.Quote(*c)
}

// Preflight connects to each endpoint once with TLS and verifies its chain for the host name
// against the system roots plus service.ca_file. An endpoint that cannot be reached is a set-up
// mistake; a chain that does not verify is reported too, but it is also what TLS-02 judges, so
// an audit goes on and records it.
func (p TLSProbe) Preflight(ctx context.Context) []preflight.Check {
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	var out []preflight.Check
	for _, ep := range p.Endpoints {
		name := "TLS " + ep
		host, _, err := net.SplitHostPort(ep)
		if err != nil {
			out = append(out, preflight.Unreachable("service", name, err.Error(), "write each service.tls_endpoints entry as host:port"))
			continue
		}
		// Verified by hand below, so that a bad certificate is told apart from a dead endpoint.
		d := tls.Dialer{NetDialer: &net.Dialer{Timeout: p.Timeout}, Config: &tls.Config{InsecureSkipVerify: true, ServerName: host}} //nolint:gosec // verified below
		dctx, cancel := context.WithTimeout(ctx, p.Timeout)
		conn, err := d.DialContext(dctx, "tcp", ep)
		cancel()
		if err != nil {
			out = append(out, preflight.Unreachable("service", name, err.Error(),
				"check that the endpoint is up and reachable from here (host:port in service.tls_endpoints)"))
			continue
		}
		st := conn.(*tls.Conn).ConnectionState()
		conn.Close()
		leaf := st.PeerCertificates[0]
		inter := x509.NewCertPool()
		for _, c := range st.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: p.RootCAs, Intermediates: inter}); err != nil {
			out = append(out, preflight.Failed("service", name, "reachable, but the certificate does not verify: "+err.Error(),
				"for a private CA, set service.ca_file; otherwise the certificate is what TLS-02 will fail"))
			continue
		}
		out = append(out, preflight.Pass("service", name, fmt.Sprintf("reachable, %s, certificate verified for %s until %s",
			tls.VersionName(st.Version), host, leaf.NotAfter.UTC().Format(time.DateOnly))))
	}
	return out
}

// Preflight checks that each tenant token of the cross-tenant probe is set. It does not send it:
// the probe's own first request (the control URL) is what proves it works.
func (p CrossTenantProbe) Preflight(_ context.Context) []preflight.Check {
	var out []preflight.Check
	for _, t := range p.Targets {
		name := "cross-tenant token of " + t.Tenant
		if getenv(p.Getenv, t.TokenEnv) == "" {
			out = append(out, preflight.Unreachable("service", name, fmt.Sprintf("environment variable %s is not set", t.TokenEnv),
				fmt.Sprintf("export %s with a token of tenant %s", t.TokenEnv, t.Tenant)))
			continue
		}
		out = append(out, preflight.Pass("service", name, t.TokenEnv+" is set"))
	}
	return out
}
