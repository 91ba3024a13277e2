package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Recognisable secrets: none may appear in an error, a log line or alerts.json.
const (
	pathSecret  = "PATHSECRET7f3a9"
	querySecret = "QUERYSECRET5b21"
	smtpSecret  = "SMTPSECRET9c4d"
)

var testMessage = Message{RunID: "20261206T020000Z-abcd", PreviousRunID: "20261205T020000Z-0123", Regressions: []Regression{
	{Kind: KindNewFail, Control: "BAK-01", Status: "fail", PreviousStatus: "pass", Message: "BAK-01 is fail (was pass): backups missing",
		MessageJA: "BAK-01 が不適合になりました（前回: 適合）: バックアップがありません"},
	{Kind: KindCoverageGap, Frequency: "daily", Message: "coverage gap: 30.0 hours"},
}}

func secretURL(base string) string {
	return base + "/services/T000/B000/" + pathSecret + "?token=" + querySecret
}

func TestWebhookPostsSlackCompatibleJSON(t *testing.T) {
	var got []byte
	var contentType, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		contentType, path = r.Header.Get("Content-Type"), r.URL.Path
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	w := &Webhook{URL: secretURL(srv.URL), URLEnv: "SHOKO_WEBHOOK_URL"}
	if err := w.Notify(context.Background(), testMessage); err != nil {
		t.Fatal(err)
	}
	if contentType != "application/json" || !strings.HasSuffix(path, pathSecret) {
		t.Fatalf("content type %q path %q", contentType, path)
	}
	var body struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text struct{ Type, Text string }
		} `json:"blocks"`
		Shoko struct {
			Schema        string       `json:"schema"`
			RunID         string       `json:"run_id"`
			PreviousRunID string       `json:"previous_run_id"`
			Regressions   []Regression `json:"regressions"`
		} `json:"shoko"`
	}
	if err := json.Unmarshal(got, &body); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, got)
	}
	if !strings.Contains(body.Text, "2 regression(s) in run 20261206T020000Z-abcd") || !strings.Contains(body.Text, "BAK-01 is fail (was pass)") {
		t.Errorf("text: %q", body.Text)
	}
	if len(body.Blocks) != 3 || body.Blocks[0].Type != "section" || body.Blocks[0].Text.Type != "mrkdwn" {
		t.Errorf("blocks: %+v", body.Blocks)
	}
	if body.Shoko.Schema != Schema || body.Shoko.RunID != testMessage.RunID || body.Shoko.PreviousRunID != testMessage.PreviousRunID ||
		len(body.Shoko.Regressions) != 2 || body.Shoko.Regressions[0].Control != "BAK-01" || body.Shoko.Regressions[1].Kind != KindCoverageGap {
		t.Errorf("shoko object: %+v", body.Shoko)
	}
}

// A failing receiver gets at most two requests (one retry), only when a retry could help; the
// error says what happened and never quotes the URL's secret parts.
func TestWebhookRetriesOnceAndKeepsTheURLSecret(t *testing.T) {
	closed := func() string { // a port nothing listens on: connection refused
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return "http://" + addr
	}
	cases := []struct {
		name         string
		handler      func(n int32, w http.ResponseWriter)
		refused      bool
		wantRequests int32
		wantErr      string // "" means success
	}{
		{name: "2xx succeeds at once", wantRequests: 1, handler: func(_ int32, w http.ResponseWriter) { w.WriteHeader(204) }},
		{name: "500 then 200: the one retry succeeds", wantRequests: 2, handler: func(n int32, w http.ResponseWriter) {
			if n == 1 {
				w.WriteHeader(500)
			}
		}},
		{name: "500 twice: two requests, no more", wantRequests: 2, wantErr: "attempt 2: answered HTTP 500",
			handler: func(_ int32, w http.ResponseWriter) { w.WriteHeader(500) }},
		{name: "429 is retried", wantRequests: 2, wantErr: "answered HTTP 429",
			handler: func(_ int32, w http.ResponseWriter) { w.WriteHeader(429) }},
		{name: "404 is not retried", wantRequests: 1, wantErr: "attempt 1: answered HTTP 404",
			handler: func(_ int32, w http.ResponseWriter) { w.WriteHeader(404) }},
		{name: "a redirect is not followed", wantRequests: 1, wantErr: "answered HTTP 302",
			handler: func(_ int32, w http.ResponseWriter) {
				w.Header().Set("Location", "http://127.0.0.1:1/"+pathSecret)
				w.WriteHeader(302)
			}},
		{name: "connection refused", refused: true, wantErr: "connection refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var requests atomic.Int32
			base := ""
			if tc.refused {
				base = closed()
			} else {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					tc.handler(requests.Add(1), w)
				}))
				defer srv.Close()
				base = srv.URL
			}
			w := &Webhook{URL: secretURL(base), URLEnv: "SHOKO_WEBHOOK_URL", RetryDelay: time.Millisecond, Timeout: 5 * time.Second}
			err := w.Notify(context.Background(), testMessage)
			if n := requests.Load(); !tc.refused && n != tc.wantRequests {
				t.Errorf("%d requests, want %d", n, tc.wantRequests)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want it to say %q", err, tc.wantErr)
			}
			if err != nil {
				for _, s := range []string{pathSecret, querySecret, "/services/"} {
					if strings.Contains(err.Error(), s) {
						t.Fatalf("the error quotes %q: %v", s, err)
					}
				}
			}
		})
	}
}

func TestWebhookTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	w := &Webhook{URL: secretURL(srv.URL), URLEnv: "X", Timeout: 50 * time.Millisecond, RetryDelay: time.Millisecond}
	start := time.Now()
	err := w.Notify(context.Background(), testMessage)
	if err == nil || !strings.Contains(err.Error(), "attempt 2") {
		t.Fatalf("want a timeout on both attempts, got %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("took %v", took)
	}
	if strings.Contains(err.Error(), pathSecret) || strings.Contains(err.Error(), querySecret) {
		t.Fatalf("secret in %v", err)
	}
}

func TestWebhookWithoutItsVariableSaysWhichToSet(t *testing.T) {
	w := &Webhook{URLEnv: "SHOKO_WEBHOOK_URL"}
	err := w.Notify(context.Background(), testMessage)
	if err == nil || !strings.Contains(err.Error(), "SHOKO_WEBHOOK_URL is not set") {
		t.Fatalf("got %v", err)
	}
	w.URL = "not a url " + pathSecret
	if err := w.Notify(context.Background(), testMessage); err == nil || strings.Contains(err.Error(), pathSecret) {
		t.Fatalf("bad URL: %v", err)
	}
}

func TestEmailOverSTARTTLS(t *testing.T) {
	cert, caFile := selfSignedCert(t)
	cases := []struct {
		name      string
		offerTLS  bool
		caFile    string
		wantErr   string
		wantMail  bool
		wantCalls string // the commands the server saw, in order
	}{
		{name: "STARTTLS with the private CA: sent, AUTH only inside TLS", offerTLS: true, caFile: caFile, wantMail: true,
			wantCalls: "EHLO,STARTTLS,EHLO(tls),AUTH(tls),MAIL(tls),RCPT(tls),RCPT(tls),DATA(tls),QUIT(tls)"},
		{name: "no STARTTLS offered: refused before credentials or content", offerTLS: false, caFile: caFile,
			wantErr: "does not offer STARTTLS", wantCalls: "EHLO,QUIT"},
		{name: "certificate not trusted (no ca_file): nothing sent", offerTLS: true, caFile: "",
			wantErr: "STARTTLS: tls: failed to verify certificate", wantCalls: "EHLO,STARTTLS,handshake failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSMTP(t, cert, tc.offerTLS)
			e := &Email{Host: "127.0.0.1", Port: srv.port(t), From: "shoko@example.com", To: []string{"sec@example.com", "ciso@example.com"},
				Username: "shoko", Password: smtpSecret, PasswordEnv: "SHOKO_SMTP_PASSWORD", CAFile: tc.caFile, Timeout: 5 * time.Second,
				Now: func() time.Time { return t0 }}
			err := e.Notify(context.Background(), testMessage)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), smtpSecret) {
				t.Fatalf("password in error: %v", err)
			}
			// The client's last command may still be in flight when Notify returns on error.
			var commands, auths []string
			var messages []smtpMessage
			for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				commands, auths, messages = srv.snapshot()
				if strings.Join(commands, ",") == tc.wantCalls || time.Now().After(deadline) {
					break
				}
			}
			if got := strings.Join(commands, ","); got != tc.wantCalls {
				t.Errorf("server saw %s, want %s", got, tc.wantCalls)
			}
			if !tc.wantMail {
				if len(auths) > 0 || len(messages) > 0 {
					t.Fatalf("credentials or mail sent: %v %v", auths, messages)
				}
				return
			}
			if len(auths) != 1 || auths[0] != "shoko:"+smtpSecret {
				t.Errorf("auths %v", auths)
			}
			if len(messages) != 1 || !messages[0].tls {
				t.Fatalf("messages %+v", messages)
			}
			m := messages[0]
			if m.from != "<shoko@example.com>" || strings.Join(m.to, ",") != "<sec@example.com>,<ciso@example.com>" {
				t.Errorf("envelope %q %q", m.from, m.to)
			}
			// The mail as a reader's client shows it: the subject's encoded words and the
			// quoted-printable body decoded.
			msg, err := mail.ReadMessage(strings.NewReader(m.data))
			if err != nil {
				t.Fatalf("the mail does not parse: %v\n%s", err, m.data)
			}
			subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if err != nil || subject != "shoko: 実行 20261206T020000Z-abcd で悪化 2 件 / 2 regression(s) in run 20261206T020000Z-abcd" {
				t.Errorf("subject %q (%v)", subject, err)
			}
			body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
			if err != nil {
				t.Fatalf("body: %v", err)
			}
			if got := msg.Header.Get("To"); got != "sec@example.com, ciso@example.com" {
				t.Errorf("To: %q", got)
			}
			if got := msg.Header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type: %q", got)
			}
			for _, want := range []string{"BAK-01 が不適合になりました（前回: 適合）", "BAK-01 is fail (was pass)"} {
				if !strings.Contains(string(body), want) {
					t.Errorf("mail body lacks %q:\n%s", want, body)
				}
			}
		})
	}
}

func TestEmailWithoutItsPasswordVariableSendsNothing(t *testing.T) {
	cert, caFile := selfSignedCert(t)
	srv := startSMTP(t, cert, true)
	e := &Email{Host: "127.0.0.1", Port: srv.port(t), From: "a@example.com", To: []string{"b@example.com"}, Username: "shoko",
		PasswordEnv: "SHOKO_SMTP_PASSWORD", CAFile: caFile}
	err := e.Notify(context.Background(), testMessage)
	if err == nil || !strings.Contains(err.Error(), "SHOKO_SMTP_PASSWORD is not set") {
		t.Fatalf("got %v", err)
	}
	if commands, _, _ := srv.snapshot(); len(commands) != 0 {
		t.Fatalf("connected anyway: %v", commands)
	}
}

// Send tells every channel, records each outcome, logs failures without secrets, and sends
// nothing at all when there is no regression.
func TestSendRecordsEachChannelAndStaysSilentWithoutRegressions(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer srv.Close()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	notifiers := []Notifier{
		&Webhook{URL: secretURL(srv.URL), URLEnv: "U", RetryDelay: time.Millisecond},
		&Email{Host: "127.0.0.1", Port: 1, From: "a@example.com", To: []string{"b@example.com"}, Username: "u", Password: smtpSecret, Timeout: time.Second},
	}
	if got := Send(context.Background(), log, notifiers, Message{RunID: "r"}); len(got) != 0 {
		t.Fatalf("sent without regressions: %+v", got)
	}
	got := Send(context.Background(), log, notifiers, testMessage)
	if len(got) != 2 || got[0].Channel != "webhook" || got[0].OK || got[1].Channel != "email" || got[1].OK || got[0].Regressions != 2 {
		t.Fatalf("attempts %+v", got)
	}
	rec := Record{Schema: Schema, RunID: testMessage.RunID, Regressions: testMessage.Regressions, Notifications: got}
	b, err := rec.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{pathSecret, querySecret, smtpSecret} {
		if bytes.Contains(b, []byte(s)) || strings.Contains(logs.String(), s) {
			t.Fatalf("secret %s in alerts.json or the log:\n%s\n%s", s, b, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "alert not delivered") || !strings.Contains(logs.String(), "HTTP 500") {
		t.Fatalf("failure not logged:\n%s", logs.String())
	}
}

// Slack refuses more than 50 blocks: many regressions are cut to 40 blocks and a "more" line,
// while "text" and the "shoko" object keep them all.
func TestWebhookBodyStaysWithinSlackLimits(t *testing.T) {
	for _, n := range []int{40, 41, 120} {
		m := Message{RunID: "r"}
		for i := 0; i < n; i++ {
			m.Regressions = append(m.Regressions, Regression{Kind: KindNewFail, Control: "C", Message: strings.Repeat("x", 4000)})
		}
		b, err := (&Webhook{}).Body(m)
		if err != nil {
			t.Fatal(err)
		}
		var body webhookBody
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		wantBlocks := 1 + min(n, maxRegressionBlocks)
		if n > maxRegressionBlocks {
			wantBlocks++
		}
		if len(body.Blocks) != wantBlocks || len(body.Blocks) > 50 || len(body.Shoko.Regressions) != n {
			t.Fatalf("%d regressions: %d blocks (want %d), %d in shoko", n, len(body.Blocks), wantBlocks, len(body.Shoko.Regressions))
		}
		for _, bl := range body.Blocks {
			if len([]rune(bl.Text.Text)) > 3000 {
				t.Fatalf("a block of %d characters", len([]rune(bl.Text.Text)))
			}
		}
	}
}

// An https webhook behind a private CA is reached with ca_file, and refused without it.
func TestWebhookTrustsItsCAFileOnly(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	w := &Webhook{URL: secretURL(srv.URL), URLEnv: "U", CAFile: caFile, RetryDelay: time.Millisecond}
	if err := w.Notify(context.Background(), testMessage); err != nil {
		t.Fatalf("with ca_file: %v", err)
	}
	w.CAFile = ""
	err := w.Notify(context.Background(), testMessage)
	if err == nil || !strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), pathSecret) {
		t.Fatalf("without ca_file: %v", err)
	}
}
