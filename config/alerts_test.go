package config

import (
	"strings"
	"testing"
	"time"
)

func TestAlertsSection(t *testing.T) {
	const webhook = "alerts:\n  webhook:\n    url_env: SHOKO_WEBHOOK_URL\n"
	const email = "alerts:\n  email:\n    host: smtp.example.com\n    from: shoko@example.com\n    to: [sec@example.com]\n"
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"a webhook", webhook, ""},
		{"an email with credentials and a private CA", email + "    username: shoko\n    password_env: SHOKO_SMTP_PASSWORD\n    ca_file: ca.pem\n    port: 587\n", ""},
		{"both, with thresholds", "alerts:\n  exception_expiry_days: 30\n  gap_grace: 2h\n  webhook: {url_env: U, timeout: 5s}\n  email: {host: h, from: a@example.com, to: [b@example.com]}\n", ""},
		{"a misspelt key suggests the right one", "alerts:\n  webhok:\n    url_env: U\n", "shoko.yaml:2: alerts.webhok: unknown key (did you mean webhook?)"},
		{"the URL inline is not a key", "alerts:\n  webhook:\n    url: https://hooks.slack.com/services/x\n", "shoko.yaml:3: alerts.webhook.url: unknown key (did you mean url_env?)"},
		{"days must be a whole number", "alerts:\n  exception_expiry_days: two weeks\n  webhook: {url_env: U}\n", `shoko.yaml:2: alerts.exception_expiry_days: want a whole number, found "two weeks"`},
		{"grace must be a duration", "alerts:\n  gap_grace: 1 hour\n  webhook: {url_env: U}\n", `shoko.yaml:2: alerts.gap_grace: want a duration such as 30s or 5m`},
		{"negative days", "alerts:\n  exception_expiry_days: -1\n  webhook: {url_env: U}\n", "shoko.yaml:2: alerts.exception_expiry_days: -1 is negative"},
		{"no channel", "alerts:\n  exception_expiry_days: 3\n", "shoko.yaml:1: alerts: no channel"},
		{"webhook without url_env", "alerts:\n  webhook:\n    timeout: 5s\n", "shoko.yaml:2: alerts.webhook.url_env: required"},
		{"a URL given as url_env", "alerts:\n  webhook:\n    url_env: https://hooks.example.com/x\n", "shoko.yaml:3: alerts.webhook.url_env: is a URL"},
		{"email without recipients", "alerts:\n  email:\n    host: h\n    from: a@example.com\n", "shoko.yaml:2: alerts.email.to: required"},
		{"a key given twice", email + "    to: [sec@example.com, not an address]\n", "alerts.email.to: given twice"},
		{"a bad recipient", "alerts:\n  email:\n    host: h\n    from: a@example.com\n    to: [sec@example.com, not an address]\n", `shoko.yaml:5: alerts.email.to[1]: "not an address" is not a mail address`},
		{"username without password_env", email + "    username: shoko\n", "alerts.email.password_env: username and password_env go together"},
		{"port out of range", email + "    port: 70000\n", "shoko.yaml:6: alerts.email.port: 70000 is not a port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("shoko.yaml", []byte(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Alerts == nil {
					t.Fatal("no alerts section")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestAlertsDefaults(t *testing.T) {
	c, err := Parse("shoko.yaml", []byte("alerts:\n  webhook: {url_env: U}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Alerts.ExpiryDays() != DefaultExceptionExpiryDays || c.Alerts.GapGrace != 0 {
		t.Fatalf("defaults: %d days, grace %v", c.Alerts.ExpiryDays(), c.Alerts.GapGrace)
	}
	c, err = Parse("shoko.yaml", []byte("alerts:\n  exception_expiry_days: 0\n  gap_grace: 90m\n  webhook: {url_env: U}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Alerts.ExpiryDays() != 0 || c.Alerts.GapGrace != 90*time.Minute {
		t.Fatalf("explicit 0 days is kept (warning off): %d days, grace %v", c.Alerts.ExpiryDays(), c.Alerts.GapGrace)
	}
	var none *Alerts
	if none.ExpiryDays() != DefaultExceptionExpiryDays {
		t.Fatal("nil alerts")
	}
}
