package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseStrictly(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"unknown key names its line", "organization: x\nrecord:\n  training: [a.csv]\n", "shoko.yaml:2: record: unknown key (did you mean records?)"},
		{"wrong type names its line", "records:\n  training: a.csv\n", "shoko.yaml:2: records.training: want a list of texts, found \"a.csv\" (for one, write [a.csv])"},
		{"duplicate key", "attestations: a\nattestations: b\n", `shoko.yaml:2: attestations: given twice (first at line 1); keep one`},
		{"not YAML", "records: [a\n", "shoko.yaml:1: did not find expected"},
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
		{"a misspelt key", "store:\n  locaton: out/\n", "shoko.yaml:2: store.locaton: unknown key (did you mean location?)"},
		{"a signing key inline", "signing:\n  private_key: abc\n", "shoko.yaml:2: signing.private_key: unknown key (valid keys here: key)"},
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
		{"unknown key", strings.Replace(good, "  timeout: 10s", "  timeout: 10s\n  token: abc", 1), "s.yaml:6: service.token: unknown key (did you mean token_env?)"},
		{"token in config is not a thing", strings.Replace(good, "token_env: SHOKO_SERVICE_TOKEN", "token_env: ''", 1), "s.yaml:4: service.token_env: required"},
		{"plain http base", strings.Replace(good, "base_url: https://", "base_url: http://", 1), "s.yaml:3: service.base_url"},
		{"bad timeout", strings.Replace(good, "timeout: 10s", "timeout: soon", 1), "s.yaml:5"},
		{"probe without purpose", strings.Replace(good, ", purpose: faq", "", 1), "s.yaml:8: service.http_probes[0]: url (http/https) and purpose are required"},
		{"cross-tenant without {id}", strings.Replace(good, "/api/{id}", "/api/x", 1), "s.yaml:10: service.cross_tenant[0]: tenant, token_env"},
		{"bad driver", strings.Replace(good, "driver: postgres", "driver: mysql", 1), `s.yaml:13: database.driver: "mysql"`},
		{"query without sql", strings.Replace(good, `, sql: "SELECT 1"`, "", 1), "s.yaml:16: database.queries[0]: name and sql are required"},
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
		{"unknown key", "aws:\n  regoins: [ap-northeast-1]\n", "shoko.yaml:2: aws.regoins: unknown key (did you mean regions?)"},
		{"bad region", "aws:\n  regions:\n    - tokyo\n", "shoko.yaml:3: aws.regions[0]: \"tokyo\" is not a region name"},
		{"bad home region", "aws:\n  home_region: Tokyo\n", "aws.home_region: \"Tokyo\" is not a region name"},
		{"short account id", "aws:\n  accounts:\n    - id: \"12345\"\n", "shoko.yaml:3: aws.accounts[0].id: \"12345\" is not a 12-digit account id"},
		{"not a role", "aws:\n  accounts:\n    - role_arn: arn:aws:iam::123456789012:user/bob\n", "aws.accounts[0].role_arn: \"arn:aws:iam::123456789012:user/bob\" is not an IAM role ARN"},
		{"empty account", "aws:\n  accounts:\n    - external_id: x\n", "aws.accounts[0]: needs id or role_arn"},
		{"duplicate account", "aws:\n  accounts:\n    - id: \"123456789012\"\n    - id: \"123456789012\"\n", "shoko.yaml:4: aws.accounts[1]: 123456789012 is already aws.accounts[0]"},
		{"bad timeout", "aws:\n  call_timeout: soon\n", "shoko.yaml:2: aws.call_timeout: \"soon\" is not a positive duration"},
		{"denied regions", "aws:\n  denied_regions: [us-east-1, eu-west-1]\n", ""},
		{"bad denied region", "aws:\n  denied_regions:\n    - eu-west-1\n    - europe\n", "shoko.yaml:4: aws.denied_regions[1]: \"europe\" is not a region name"},
		{"home region denied", "aws:\n  home_region: eu-west-1\n  denied_regions: [eu-west-1]\n", "shoko.yaml:3: aws.denied_regions[0]: eu-west-1 is the home region"},
		{"wrong type", "aws:\n  temp_buckets: cardsvc-tmp\n", `shoko.yaml:2: aws.temp_buckets: want a list of texts, found "cardsvc-tmp" (for one, write [cardsvc-tmp])`},
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

// TestConfigErrorsNameTheKeyPathAndTheFix: config errors once spoke Go ("field organisation not
// found in Config", "cannot unmarshal !!str `x` into []string"). Each now names the file, line
// and key path, with the nearest valid key or the type wanted; every problem is reported at once.
func TestConfigErrorsNameTheKeyPathAndTheFix(t *testing.T) {
	const accounts = "aws:\n  accounts:\n    - id: \"123456789012\"\n    - id: \"210987654321\"\n      role_arn: %s\n"
	cases := []struct {
		name, yaml, want string
	}{
		{"a valid config", "organization: x\n" + fmt.Sprintf(accounts, "arn:aws:iam::210987654321:role/audit"), ""},
		{"an unknown key suggests the nearest valid one", "organisation: ユーソナー株式会社\n",
			"shoko.yaml:1: organisation: unknown key (did you mean organization?)"},
		{"an unknown key with nothing near lists the valid ones", "aws:\n  accounts:\n    - id: \"123456789012\"\n      colour: blue\n",
			"shoko.yaml:4: aws.accounts[0].colour: unknown key (valid keys here: id, role_arn, external_id)"},
		{"a wrong type at a nested path", fmt.Sprintf(accounts, "[arn:aws:iam::210987654321:role/audit]"),
			"shoko.yaml:5: aws.accounts[1].role_arn: want a text, found a list"},
		{"a number where a number belongs", "store:\n  location: s3://b/p\n  object_lock:\n    mode: COMPLIANCE\n    retention_days: a year\n",
			`shoko.yaml:5: store.object_lock.retention_days: want a whole number, found "a year"`},
		{"a duration", "service:\n  timeout: soon\n", `shoko.yaml:2: service.timeout: want a duration such as 30s or 5m, found "soon"`},
		{"a mapping where a list belongs", "records:\n  training:\n    file: a.csv\n", "shoko.yaml:3: records.training: want a list of texts, found a mapping"},
		{"a value checked after decoding names its own line", fmt.Sprintf(accounts, "arn:aws:iam::210987654321:user/bob"),
			`shoko.yaml:5: aws.accounts[1].role_arn: "arn:aws:iam::210987654321:user/bob" is not an IAM role ARN`},
		{"every problem at once", "organisation: x\nrecods: {}\n",
			"shoko.yaml:1: organisation: unknown key (did you mean organization?)\nshoko.yaml:2: recods: unknown key (did you mean records?)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("shoko.yaml", []byte(tc.yaml))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error\n%v\nwant exactly\n%s", err, tc.want)
			}
		})
	}
}

// The deployment's own controls and policies come as a pair of existing directories; a value
// for parameters or service_name is read as written (its type is checked against the catalog
// when the catalog is loaded) and its line is known for that check's error.
func TestOwnCatalogAndOverrideKeys(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, in, want string // want "" for a config that loads
	}{
		{"both directories", "controls_dir: " + dir + "\npolicies_dir: " + dir + "\n", ""},
		{"controls_dir alone", "controls_dir: " + dir + "\n", "shoko.yaml:1: controls_dir: controls_dir and policies_dir go together"},
		{"a directory that does not exist", "controls_dir: " + dir + "\npolicies_dir: " + dir + "/nope\n", "shoko.yaml:2: policies_dir: " + dir + "/nope is not a directory"},
		{"parameters per control", "parameters:\n  BAK-01:\n    generations: 7\n", ""},
		{"parameters not per control", "parameters:\n  generations: 7\n", "shoko.yaml:2: parameters.generations: want a mapping"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("shoko.yaml", []byte(tc.in))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if strings.HasPrefix(tc.in, "parameters") && (c.Parameters["BAK-01"]["generations"] != 7 || c.Line("parameters.BAK-01.generations") != 3) {
					t.Fatalf("parameters %v, line %d", c.Parameters, c.Line("parameters.BAK-01.generations"))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
