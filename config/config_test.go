package config

import (
	"strings"
	"testing"
	"time"
)

// The service and database sections are read strictly, with errors naming file, line and field.
func TestServiceAndDatabaseSections(t *testing.T) {
	const good = `service:
  name: cardsvc
  base_url: https://localhost:8443
  token_env: SHOKO_SERVICE_TOKEN
  timeout: 10s
  tls_endpoints: [localhost:8443]
  http_probes:
    - {url: "https://localhost:8443/faq", purpose: faq}
  cross_tenant:
    - {tenant: a, token_env: A, control_url: "https://x/api", foreign_tenant: b, url_template: "https://x/api/{id}", ids: [c1]}
database:
  name: cards
  driver: postgres
  dsn_env: SHOKO_DB_DSN
  queries:
    - {name: tenants, sql: "SELECT 1"}
`
	tests := []struct {
		name, yaml, want string
	}{
		{"valid", good, ""},
		{"unknown key", strings.Replace(good, "  timeout: 10s", "  timeout: 10s\n  token: abc", 1), "s.yaml:6: field token not found"},
		{"token in config is not a thing", strings.Replace(good, "token_env: SHOKO_SERVICE_TOKEN", "token_env: ''", 1), "s.yaml:4: service.token_env: required"},
		{"plain http base", strings.Replace(good, "base_url: https://", "base_url: http://", 1), "s.yaml:3: service.base_url"},
		{"bad timeout", strings.Replace(good, "timeout: 10s", "timeout: soon", 1), "s.yaml:5"},
		{"probe without purpose", strings.Replace(good, ", purpose: faq", "", 1), "service.http_probes: [0]"},
		{"cross-tenant without {id}", strings.Replace(good, "/api/{id}", "/api/x", 1), "service.cross_tenant: [0]"},
		{"bad driver", strings.Replace(good, "driver: postgres", "driver: mysql", 1), `s.yaml:13: database.driver: "mysql"`},
		{"query without sql", strings.Replace(good, `, sql: "SELECT 1"`, "", 1), "database.queries: [0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("s.yaml", []byte(tt.yaml))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Service.Timeout != 10*time.Second || c.Database.Queries[0].Name != "tenants" {
					t.Errorf("decoded %+v %+v", c.Service, c.Database)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
}
