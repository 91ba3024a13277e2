package alerts

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/engine"
)

// FileName is the run file recording what was detected and each notification attempted.
const FileName = "alerts.json"

// Schema names the format of alerts.json.
const Schema = "shoko.alerts/v1"

// Message is what every channel sends: the run and its regressions.
type Message struct {
	RunID         string
	PreviousRunID string // empty for the first run of a chain
	Regressions   []Regression
}

// Subject is a one-line summary in Japanese and English, for a mail subject.
func (m Message) Subject() string {
	return fmt.Sprintf("shoko: 実行 %[1]s で悪化 %[2]d 件 / %[2]d regression(s) in run %[1]s", m.RunID, len(m.Regressions))
}

// Text is the message as plain text: the subject, then each regression in Japanese and, on the
// line below, in English.
func (m Message) Text() string {
	var b strings.Builder
	b.WriteString(m.Subject())
	if m.PreviousRunID != "" {
		fmt.Fprintf(&b, "（前回の実行 %[1]s と比較 / compared with run %[1]s）", m.PreviousRunID)
	} else {
		b.WriteString("（連鎖の最初の実行 / first run of its chain）")
	}
	b.WriteString("\n")
	for _, r := range m.Regressions {
		fmt.Fprintf(&b, "• [%s] %s\n", r.Kind, r.line())
	}
	return b.String()
}

// line is the regression in Japanese, then English on the next line (English alone when it has
// no Japanese line).
func (r Regression) line() string {
	if r.MessageJA == "" {
		return r.Message
	}
	return r.MessageJA + "\n  " + r.Message
}

// Notifier sends a message on one channel. Errors must not carry secrets (URLs with tokens,
// passwords): they are logged and recorded in the run.
type Notifier interface {
	// Channel names the channel in logs and alerts.json ("webhook", "email").
	Channel() string
	Notify(ctx context.Context, m Message) error
}

// Attempt is one channel's notification, as alerts.json records it.
type Attempt struct {
	Channel string `json:"channel"`
	// Regressions is how many regressions the notification carried (all of the run's).
	Regressions int    `json:"regressions"`
	OK          bool   `json:"ok"`
	Error       string `json:"error,omitempty"`
}

// Record is alerts.json: what was detected and what was sent. Written into the run before it is
// signed, so the statement covers it; it holds no time of its own (run.json has the run's).
type Record struct {
	Schema        string       `json:"schema"`
	RunID         string       `json:"run_id"`
	PreviousRunID string       `json:"previous_run_id,omitempty"`
	Regressions   []Regression `json:"regressions"`
	Notifications []Attempt    `json:"notifications"`
	// Problem says why detection could not compare (e.g. the previous run's results could not
	// be read); empty otherwise.
	Problem string `json:"problem,omitempty"`
}

// Marshal is the record's bytes: indented JSON, the same record giving the same bytes.
func (r Record) Marshal() ([]byte, error) {
	if r.Regressions == nil {
		r.Regressions = []Regression{}
	}
	if r.Notifications == nil {
		r.Notifications = []Attempt{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Send notifies every channel of m, one after another, and returns what became of each. With
// no regressions nothing is sent: an unchanged run is silent. A failure is logged and returned
// as an Attempt, never as an error: a notification cannot change a verdict.
func Send(ctx context.Context, log *slog.Logger, notifiers []Notifier, m Message) []Attempt {
	if len(m.Regressions) == 0 {
		return nil
	}
	out := make([]Attempt, 0, len(notifiers))
	for _, n := range notifiers {
		a := Attempt{Channel: n.Channel(), Regressions: len(m.Regressions), OK: true}
		if err := n.Notify(ctx, m); err != nil {
			a.OK, a.Error = false, err.Error()
			log.Error("alert not delivered", "run", m.RunID, "channel", a.Channel, "regressions", a.Regressions, "err", a.Error)
		} else {
			log.Info("alert sent", "run", m.RunID, "channel", a.Channel, "regressions", a.Regressions)
		}
		out = append(out, a)
	}
	return out
}

// FromConfig builds the notifiers of an alerts section; getenv reads the environment variables
// it names (os.Getenv). A missing variable or CA file is not an error here: the notifier then
// fails when it is used, and that failure is recorded like any other.
func FromConfig(cfg *config.Config, getenv func(string) string) []Notifier {
	a := cfg.Alerts
	if a == nil {
		return nil
	}
	var out []Notifier
	if w := a.Webhook; w != nil {
		out = append(out, &Webhook{URL: getenv(w.URLEnv), URLEnv: w.URLEnv, Timeout: w.Timeout, CAFile: cfg.Path(w.CAFile)})
	}
	if e := a.Email; e != nil {
		m := &Email{Host: e.Host, Port: e.Port, From: e.From, To: e.To, Username: e.Username,
			PasswordEnv: e.PasswordEnv, CAFile: cfg.Path(e.CAFile), Timeout: e.Timeout}
		if e.PasswordEnv != "" {
			m.Password = getenv(e.PasswordEnv)
		}
		out = append(out, m)
	}
	return out
}

// rootCAs is the system's roots plus the PEM certificates of caFile (none: the system's only).
func rootCAs(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return nil, nil // crypto/tls uses the system roots
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	b, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("ca_file %s: no PEM certificate in it", caFile)
	}
	return pool, nil
}

// redact removes every secret from s (empty secrets are skipped).
func redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// Check detects the regressions of in against the settings of cfg (an alerts section), sends
// them on every notifier, and returns the record to write into the run as alerts.json.
// problem, when not empty, says why the previous run could not be compared: it is recorded and
// the status comparison is made as for a first run.
func Check(ctx context.Context, log *slog.Logger, cfg *config.Alerts, in Input, previousRunID, problem string, notifiers []Notifier) Record {
	rec := Record{Schema: Schema, RunID: in.Current.RunID, PreviousRunID: previousRunID, Problem: problem}
	rec.Regressions = Detect(in, Settings{ExpiryDays: cfg.ExpiryDays(), GapGrace: gapGrace(cfg)})
	rec.Notifications = Send(ctx, log, notifiers, Message{RunID: rec.RunID, PreviousRunID: previousRunID, Regressions: rec.Regressions})
	return rec
}

func gapGrace(cfg *config.Alerts) time.Duration {
	if cfg == nil {
		return 0
	}
	return cfg.GapGrace
}

// Frequencies maps each control of a catalog to its frequency, for Input.Frequencies.
func Frequencies(cat *engine.Catalog) map[string]string {
	out := make(map[string]string, len(cat.Controls))
	for _, c := range cat.Controls {
		out[c.ID] = c.Frequency
	}
	return out
}
