package config

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Alerts says how a run tells people about regressions against the previous signed run (see
// package alerts and docs/alerts.md). Secrets are never in the config: the webhook URL (which
// carries its token) and the SMTP password are read from the environment variables named here.
type Alerts struct {
	// ExceptionExpiryDays: an applied exception expiring within this many days (24-hour days
	// after the run's evaluation time, the limit included) is a regression. Default 14; 0 turns
	// the warning off (an expired exception then shows as the control failing).
	ExceptionExpiryDays *int `yaml:"exception_expiry_days"`
	// GapGrace is added to the interval of the most frequent control before a missing run is a
	// coverage gap (a scheduler that starts late, as GitHub Actions' schedule does). Default 0.
	GapGrace time.Duration `yaml:"gap_grace"`
	// Webhook posts a Slack-compatible JSON message.
	Webhook *WebhookAlert `yaml:"webhook"`
	// Email sends a mail through an SMTP server with STARTTLS.
	Email *EmailAlert `yaml:"email"`
}

// DefaultExceptionExpiryDays is the warning window for expiring exceptions when none is set.
const DefaultExceptionExpiryDays = 14

// ExpiryDays is the exception warning window in days, the default when not set.
func (a *Alerts) ExpiryDays() int {
	if a == nil || a.ExceptionExpiryDays == nil {
		return DefaultExceptionExpiryDays
	}
	return *a.ExceptionExpiryDays
}

// WebhookAlert is an HTTP POST of a JSON body Slack's incoming webhooks accept.
type WebhookAlert struct {
	// URLEnv names the environment variable holding the URL (a webhook URL is its own secret).
	URLEnv string `yaml:"url_env"`
	// Timeout bounds each attempt (default 10s); a failed attempt is retried once.
	Timeout time.Duration `yaml:"timeout"`
	// CAFile is a PEM file of extra root certificates (a private CA), added to the system's.
	CAFile string `yaml:"ca_file"`
}

// EmailAlert is a mail sent through SMTP. STARTTLS is required: a server that does not offer it
// is refused before anything (credentials or content) is sent.
type EmailAlert struct {
	Host string   `yaml:"host"`
	Port int      `yaml:"port"` // default 587 (submission)
	From string   `yaml:"from"`
	To   []string `yaml:"to"`
	// Username and PasswordEnv: SMTP AUTH PLAIN after STARTTLS; none: no AUTH.
	Username    string `yaml:"username"`
	PasswordEnv string `yaml:"password_env"`
	// CAFile is a PEM file of extra root certificates (a private CA), added to the system's.
	CAFile  string        `yaml:"ca_file"`
	Timeout time.Duration `yaml:"timeout"` // the whole exchange; default 30s
}

// checkAlerts checks what YAML typing cannot in the alerts section, naming file, line and key.
func (c *Config) checkAlerts(name string, root *yaml.Node) error {
	a := c.Alerts
	if a == nil {
		return nil
	}
	bad := func(field, msg string) error {
		return fmt.Errorf("%s:%d: alerts.%s: %s", name, lineAt(root, "alerts."+field), field, msg)
	}
	if a.ExceptionExpiryDays != nil && *a.ExceptionExpiryDays < 0 {
		return bad("exception_expiry_days", fmt.Sprintf("%d is negative; give the days before expiry to warn (0: no warning)", *a.ExceptionExpiryDays))
	}
	if a.GapGrace < 0 {
		return bad("gap_grace", "must not be negative")
	}
	if a.Webhook == nil && a.Email == nil {
		return fmt.Errorf("%s:%d: alerts: no channel: add webhook or email (or leave the alerts section out)", name, lineAt(root, "alerts"))
	}
	if w := a.Webhook; w != nil {
		switch {
		case w.URLEnv == "":
			return bad("webhook.url_env", "required: the name of the environment variable holding the webhook URL (the URL carries its secret, so it is never in the config)")
		case strings.Contains(w.URLEnv, "://"):
			return bad("webhook.url_env", "is a URL; put the URL in an environment variable and give that variable's name here")
		case w.Timeout < 0:
			return bad("webhook.timeout", "must be positive")
		}
	}
	if e := a.Email; e != nil {
		switch {
		case e.Host == "":
			return bad("email.host", "required: the SMTP server's host name")
		case e.Port < 0 || e.Port > 65535:
			return bad("email.port", fmt.Sprintf("%d is not a port", e.Port))
		case e.From == "":
			return bad("email.from", "required: the sender address")
		case len(e.To) == 0:
			return bad("email.to", "required: at least one recipient, e.g. [security@example.com]")
		case (e.Username == "") != (e.PasswordEnv == ""):
			return bad("email.password_env", "username and password_env go together (password_env names the variable holding the password)")
		case e.Timeout < 0:
			return bad("email.timeout", "must be positive")
		}
		if _, err := mail.ParseAddress(e.From); err != nil {
			return bad("email.from", fmt.Sprintf("%q is not a mail address", e.From))
		}
		for i, to := range e.To {
			if _, err := mail.ParseAddress(to); err != nil {
				return bad(fmt.Sprintf("email.to[%d]", i), fmt.Sprintf("%q is not a mail address", to))
			}
		}
	}
	return nil
}
