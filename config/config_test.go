package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseStrictly(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"unknown key names its line", "organization: x\nrecord:\n  training: [a.csv]\n", "shoko.yaml:2: field record not found"},
		{"wrong type names its line", "records:\n  training: a.csv\n", "shoko.yaml:2: cannot unmarshal !!str"},
		{"duplicate key", "attestations: a\nattestations: b\n", `shoko.yaml:2: mapping key "attestations" already defined`},
		{"bad closure names its line", "calendar:\n  closures: [\"12-29..13-03\"]\n", "shoko.yaml:2: calendar.closures[0]"},
		{"empty file", "", "empty config"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("shoko.yaml", []byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestPathsAndCalendar(t *testing.T) {
	c, err := Parse("conf/shoko.yaml", []byte("records:\n  training: [hr/t.csv]\ncalendar:\n  closures: [\"08-13..08-16\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Path(c.Records.Training[0]); got != "conf/hr/t.csv" {
		t.Fatalf("relative paths resolve against the config's directory: %s", got)
	}
	if c.Path("/abs/x") != "/abs/x" {
		t.Fatal("absolute paths stay")
	}
	obon := time.Date(2026, 8, 14, 12, 0, 0, 0, time.UTC) // a Friday
	if c.BusinessCalendar().IsBusinessDay(obon) {
		t.Fatal("the configured closure is not a business day")
	}
	d, _ := Parse("shoko.yaml", []byte("organization: x\n"))
	if d.BusinessCalendar().IsBusinessDay(time.Date(2026, 12, 30, 3, 0, 0, 0, time.UTC)) || !d.BusinessCalendar().IsBusinessDay(obon) {
		t.Fatal("without closures configured, the default Dec 29 - Jan 3 closure applies")
	}
}

func TestStoreAndSigningSections(t *testing.T) {
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"a directory store", "store:\n  location: out/\nsigning:\n  key: keys/shoko.key\n", ""},
		{"an S3 store with Object Lock", "store:\n  location: s3://b/p\n  region: ap-northeast-1\n  object_lock: {mode: COMPLIANCE, retention_days: 365}\n", ""},
		{"an unknown lock mode", "store:\n  location: s3://b/p\n  object_lock: {mode: STRICT, retention_days: 1}\n", `"STRICT" is not GOVERNANCE or COMPLIANCE`},
		{"a mode without days", "store:\n  location: s3://b/p\n  object_lock: {mode: GOVERNANCE}\n", "mode and retention_days go together"},
		{"a lock on a directory", "store:\n  location: out/\n  object_lock: {mode: GOVERNANCE, retention_days: 1}\n", "only an s3:// location can be locked"},
		{"a misspelt key", "store:\n  locaton: out/\n", "field locaton not found"},
		{"a signing key inline", "signing:\n  private_key: abc\n", "field private_key not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("shoko.yaml", []byte(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(c.Digest, "sha256:") {
					t.Fatalf("digest %q", c.Digest)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "shoko.yaml") {
				t.Fatalf("err %v, want the file and %q", err, tt.wantErr)
			}
		})
	}
}

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

// The aws section is read strictly: every bad value is an error naming file, line and field.
func TestAWSSectionErrorsNameFileLineAndField(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"valid", "aws:\n  home_region: ap-northeast-1\n  accounts:\n    - id: \"123456789012\"\n      role_arn: arn:aws:iam::123456789012:role/audit\n  call_timeout: 30s\n", ""},
		{"unknown key", "aws:\n  regoins: [ap-northeast-1]\n", "shoko.yaml:2: field regoins not found"},
		{"bad region", "aws:\n  regions:\n    - tokyo\n", "shoko.yaml:2: aws.regions[0]: \"tokyo\" is not a region name"},
		{"bad home region", "aws:\n  home_region: Tokyo\n", "aws.home_region: \"Tokyo\" is not a region name"},
		{"short account id", "aws:\n  accounts:\n    - id: \"12345\"\n", "shoko.yaml:2: aws.accounts[0].id: \"12345\" is not a 12-digit account id"},
		{"not a role", "aws:\n  accounts:\n    - role_arn: arn:aws:iam::123456789012:user/bob\n", "aws.accounts[0].role_arn: \"arn:aws:iam::123456789012:user/bob\" is not an IAM role ARN"},
		{"empty account", "aws:\n  accounts:\n    - external_id: x\n", "aws.accounts[0]: needs id or role_arn"},
		{"duplicate account", "aws:\n  accounts:\n    - id: \"123456789012\"\n    - id: \"123456789012\"\n", "shoko.yaml:2: aws.accounts[1]: 123456789012 is already aws.accounts[0]"},
		{"bad timeout", "aws:\n  call_timeout: soon\n", "shoko.yaml:2: aws.call_timeout: \"soon\" is not a positive duration"},
		{"wrong type", "aws:\n  temp_buckets: cardsvc-tmp\n", "shoko.yaml:2: cannot unmarshal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("shoko.yaml", []byte(tc.yaml))
			if tc.want == "" {
				if err != nil || c.AWS == nil {
					t.Fatalf("want a valid aws section, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
