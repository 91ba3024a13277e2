package alerts

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"
)

// Webhook posts a message as JSON a Slack incoming webhook accepts ("text", "blocks"), with a
// machine-readable "shoko" object beside them for other receivers. The URL is a secret (the
// token is in its path or query): errors name only its scheme and host.
type Webhook struct {
	URL    string
	URLEnv string // the variable URL was read from, for the message when it is empty
	// Timeout bounds each attempt (0: 10s).
	Timeout time.Duration
	// CAFile adds a private CA to the system's roots.
	CAFile string
	// RetryDelay is the wait before the one retry (0: 2s).
	RetryDelay time.Duration
}

// Channel implements Notifier.
func (w *Webhook) Channel() string { return "webhook" }

// webhookBody is the JSON posted.
type webhookBody struct {
	Text   string         `json:"text"`
	Blocks []webhookBlock `json:"blocks"`
	Shoko  webhookShoko   `json:"shoko"`
}

type webhookBlock struct {
	Type string        `json:"type"`
	Text webhookMrkdwn `json:"text"`
}

type webhookMrkdwn struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type webhookShoko struct {
	Schema        string       `json:"schema"`
	RunID         string       `json:"run_id"`
	PreviousRunID string       `json:"previous_run_id,omitempty"`
	Regressions   []Regression `json:"regressions"`
}

// Limits of Slack's Block Kit: 50 blocks a message (one is the title, one the "and more"),
// 3000 characters a section's text.
const (
	maxRegressionBlocks = 40
	maxBlockRunes       = 2900
)

// Body is the JSON the webhook posts for m.
func (w *Webhook) Body(m Message) ([]byte, error) {
	body := webhookBody{Text: m.Text(), Shoko: webhookShoko{Schema: Schema, RunID: m.RunID, PreviousRunID: m.PreviousRunID, Regressions: m.Regressions}}
	body.Blocks = append(body.Blocks, webhookBlock{Type: "section", Text: webhookMrkdwn{Type: "mrkdwn", Text: "*" + m.Subject() + "*"}})
	// Slack takes at most 50 blocks of at most 3000 characters each; the "shoko" object and
	// "text" carry every regression whole.
	for i, r := range m.Regressions {
		if i == maxRegressionBlocks {
			more := fmt.Sprintf("… and %d more (see the run's %s)", len(m.Regressions)-i, FileName)
			body.Blocks = append(body.Blocks, webhookBlock{Type: "section", Text: webhookMrkdwn{Type: "mrkdwn", Text: more}})
			break
		}
		text := "`" + r.Kind + "` " + r.line()
		if utf8.RuneCountInString(text) > maxBlockRunes {
			text = string([]rune(text)[:maxBlockRunes-1]) + "…"
		}
		body.Blocks = append(body.Blocks, webhookBlock{Type: "section", Text: webhookMrkdwn{Type: "mrkdwn", Text: text}})
	}
	return json.Marshal(body)
}

// Notify implements Notifier: one POST, and one retry after RetryDelay when the first could
// not connect or was answered 429 or 5xx. Any other answer than 2xx is an error.
func (w *Webhook) Notify(ctx context.Context, m Message) error {
	if w.URL == "" {
		return fmt.Errorf("webhook: environment variable %s is not set (it holds the webhook URL)", w.URLEnv)
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// url.Parse's error quotes the URL: it is not passed on.
		return fmt.Errorf("webhook: the URL in %s is not an http(s) URL", w.URLEnv)
	}
	where := u.Scheme + "://" + u.Host
	secrets := []string{w.URL, u.RawQuery, u.EscapedPath(), u.Path}
	if p, ok := u.User.Password(); ok {
		secrets = append(secrets, p)
	}
	body, err := w.Body(m)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	roots, err := rootCAs(w.CAFile)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	timeout, delay := w.Timeout, w.RetryDelay
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if delay <= 0 {
		delay = 2 * time.Second
	}
	client := &http.Client{
		Timeout:   timeout,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, Proxy: http.ProxyFromEnvironment},
		// A redirect would carry the body elsewhere, and its error would quote the new URL.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	var last error
	for attempt := 1; attempt <= 2; attempt++ {
		retry, err := w.post(ctx, client, body)
		if err == nil {
			return nil
		}
		last = fmt.Errorf("webhook %s/…: attempt %d: %s", where, attempt, redact(err.Error(), secrets...))
		if !retry || attempt == 2 {
			break
		}
		select {
		case <-ctx.Done():
			return last
		case <-time.After(delay):
		}
	}
	return last
}

// post makes one attempt; retry says whether another could succeed (no connection, 429, 5xx).
func (w *Webhook) post(ctx context.Context, client *http.Client, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return false, errors.New("cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "shoko-alerts")
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error quotes the whole URL; only its cause is kept.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return true, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return false, nil
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500, fmt.Errorf("answered HTTP %d", resp.StatusCode)
}
