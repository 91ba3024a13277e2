package service

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shoko-audit/shoko/evidence"
)

// Defaults for the evidence API client.
const (
	DefaultTimeout        = 30 * time.Second
	DefaultMaxAnswerBytes = 4 << 20 // a page of 1000 items is well under 1 MiB
	DefaultPageLimit      = 100
	maxPages              = 10000
)

// APIConfig is how to reach a service's evidence API.
type APIConfig struct {
	// Name identifies the service in evidence scopes.
	Name    string
	BaseURL string
	// TokenEnv names the environment variable holding the bearer token. The token itself is
	// never stored: not in evidence, logs or errors.
	TokenEnv string
	// RootCAs is the trust store (nil: the system's).
	RootCAs        *x509.CertPool
	Timeout        time.Duration
	MaxAnswerBytes int64
	PageLimit      int
	// Since and Until bound the period-scoped paths (incidents, changes, disclosures).
	Since, Until time.Time
	// Getenv reads the environment (os.Getenv when nil; tests pass their own).
	Getenv func(string) string
}

// APICollector reads every path of the evidence API.
type APICollector struct{ Config APIConfig }

func (c APICollector) Name() string    { return "service/api" }
func (c APICollector) Kinds() []string { return APIKinds() }

func info(name string) evidence.CollectorInfo {
	return evidence.CollectorInfo{Name: name, Version: "0.1.0"}
}

func getenv(f func(string) string, name string) string {
	if f == nil {
		return os.Getenv(name)
	}
	return f(name)
}

// Collect reads each path, page by page. A path that cannot be read completely becomes an error
// item: a partial population would let a control pass on what it did not see.
func (c APICollector) Collect(ctx context.Context, now time.Time) ([]evidence.Item, error) {
	cfg := c.Config
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("service %s: base_url %q: want an https:// URL", cfg.Name, cfg.BaseURL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxAnswerBytes <= 0 {
		cfg.MaxAnswerBytes = DefaultMaxAnswerBytes
	}
	if cfg.PageLimit <= 0 {
		cfg.PageLimit = DefaultPageLimit
	}
	scope := map[string]string{"source": "service", "service": cfg.Name}
	token := getenv(cfg.Getenv, cfg.TokenEnv)
	client := apiClient(cfg.RootCAs, cfg.Timeout, base.Host)
	defer client.CloseIdleConnections()
	// The paths are read at once, so a service that never answers costs one timeout, not six;
	// the items are returned in the fixed order of endpoints whatever order they finish in.
	items := make([]evidence.Item, len(endpoints))
	errs := make([]error, len(endpoints))
	var wg sync.WaitGroup
	for i, e := range endpoints {
		wg.Add(1)
		go func() {
			defer wg.Done()
			items[i], errs[i] = c.collectPath(ctx, client, cfg, base, e, token, scope, now)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return items, nil
}

// collectPath reads one path into an item: ok with every item of every page, or an error item.
func (c APICollector) collectPath(ctx context.Context, client *http.Client, cfg APIConfig, base *url.URL, e endpoint,
	token string, scope map[string]string, now time.Time) (evidence.Item, error) {
	req := &evidence.Request{Operation: "GET " + e.path}
	if token == "" {
		return evidence.NewError(e.kind, scope, now, info(c.Name()), req,
			fmt.Errorf("environment variable %s (the evidence API token) is not set", cfg.TokenEnv)), nil
	}
	data, pages, first, err := fetchAll(ctx, client, cfg, base, e, token)
	if transient(err) && sleep(ctx, secondPassBackoff(pathBackoff, e.path)) {
		// The path's second pass (see retry.go): its answer replaces the first's.
		data, pages, first, err = fetchAll(ctx, client, cfg, base, e, token)
		req.Attempts = 2
	}
	req.URL, req.Pages = first, pages
	if err != nil {
		return evidence.NewError(e.kind, scope, now, info(c.Name()), req, err), nil
	}
	return evidence.NewOK(e.kind, scope, now, info(c.Name()), req, data)
}

// apiClient refuses every redirect to another host: the bearer token must not travel, and an
// evidence API that points elsewhere is not answering for itself.
func apiClient(roots *x509.CertPool, timeout time.Duration, host string) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout: timeout,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != host {
				return fmt.Errorf("redirected to another host (%s); refused", req.URL.Host)
			}
			if len(via) >= 3 {
				return errors.New("more than 3 redirects")
			}
			return nil
		},
	}
}

// fetchAll follows next_cursor to the end. It returns every item, the number of pages and the
// first page's URL (recorded as evidence; it carries no credential).
func fetchAll(ctx context.Context, client *http.Client, cfg APIConfig, base *url.URL, e endpoint, token string) ([]json.RawMessage, int, string, error) {
	all := []json.RawMessage{}
	seen := map[string]bool{}
	cursor := ""
	first := ""
	for pageNo := 1; ; pageNo++ {
		if pageNo > maxPages {
			return nil, pageNo - 1, first, fmt.Errorf("GET %s: more than %d pages", e.path, maxPages)
		}
		u := *base
		u.Path = strings.TrimSuffix(base.Path, "/") + e.path
		q := url.Values{}
		q.Set("limit", strconv.Itoa(cfg.PageLimit))
		if e.period && !cfg.Since.IsZero() {
			q.Set("since", cfg.Since.UTC().Format(time.RFC3339))
		}
		if e.period && !cfg.Until.IsZero() {
			q.Set("until", cfg.Until.UTC().Format(time.RFC3339))
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		u.RawQuery = q.Encode()
		if first == "" {
			first = u.String()
		}
		body, err := getAgain(ctx, client, u.String(), token, cfg.MaxAnswerBytes)
		if err != nil {
			return nil, pageNo, first, err
		}
		p, err := decodePage(e, body, len(all))
		if err != nil {
			return nil, pageNo, first, fmt.Errorf("GET %s page %d: %w", e.path, pageNo, err)
		}
		all = append(all, p.Items...)
		if p.NextCursor == nil {
			return all, pageNo, first, nil
		}
		if seen[*p.NextCursor] {
			return nil, pageNo, first, fmt.Errorf("GET %s page %d: next_cursor repeats an earlier cursor (the service would loop)", e.path, pageNo)
		}
		seen[*p.NextCursor] = true
		cursor = *p.NextCursor
	}
}

// get fetches one answer with the bearer token, within the size limit. Errors never carry the
// token (only the URL, which has none).
func get(ctx context.Context, client *http.Client, u, token string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading the answer: %w", u, unwrapURLError(err))
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("GET %s: the answer is larger than the limit of %d bytes", u, limit)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &statusError{url: u, code: resp.StatusCode, message: errorMessage(body)}
	}
	return body, nil
}

// errorMessage is ": <message>" from an Error body, if the service sent one.
func errorMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
		m := e.Error.Message
		if len(m) > 200 {
			m = m[:200] + "…"
		}
		return ": " + m
	}
	return ""
}

// unwrapURLError drops url.Error's repetition of method and URL, which the caller adds.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("no answer within the timeout: %w", ue.Err)
		}
		return ue.Err
	}
	return err
}
