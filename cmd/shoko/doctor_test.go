package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shoko-audit/shoko/demo/cardsvc"
	"github.com/shoko-audit/shoko/internal/motofront"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// linesOf returns the lines of out that start with prefix (a status and a source: "FAIL  aws").
func linesOf(out, prefix string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			got = append(got, l)
		}
	}
	return got
}

// noAWSCredentials empties every link of the SDK's credential chain but the instance metadata
// service, which is pointed at imds: a local server that counts the requests it gets and answers
// each with 500, as a metadata service that cannot help.
func noAWSCredentials(t *testing.T, imds string) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_EC2_METADATA_DISABLED", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds)
}

// Without credentials, doctor says so in one line naming the credential chain, and asks the
// instance metadata service once, not with the SDK's retries (which, per region client, made an
// audit print dozens of identical warnings). With credentials (moto), the identity and the
// regions pass.
func TestDoctorAWSCredentials(t *testing.T) {
	var imdsRequests atomic.Int64
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		imdsRequests.Add(1)
		http.Error(w, "no role here", http.StatusInternalServerError)
	}))
	defer imds.Close()
	cfg := writeFile(t, t.TempDir(), "shoko.yaml", "aws:\n  regions: [ap-northeast-1]\n")

	t.Run("no credentials: one line naming the chain, no IMDS retries", func(t *testing.T) {
		noAWSCredentials(t, imds.URL)
		imdsRequests.Store(0)
		code, stdout, stderr := shoko(t, "doctor", "--config", cfg)
		if code != exitFail {
			t.Fatalf("exit %d, want %d\n%s\n%s", code, exitFail, stdout, stderr)
		}
		aws := linesOf(stdout, "FAIL  aws")
		if len(aws) != 1 || !strings.Contains(aws[0], "credential chain") || !strings.Contains(aws[0], "EC2 instance metadata") {
			t.Errorf("want one aws line naming the credential chain, got %q\n%s", aws, stdout)
		}
		// The token request and the IMDSv1 fall-back, one attempt each; the SDK's retries would be 3 each.
		if n := imdsRequests.Load(); n == 0 || n > 2 {
			t.Errorf("the instance metadata service got %d requests, want 1 or 2 (one attempt, no retries)", n)
		}
		if strings.Contains(stderr, "IMDS") || strings.Contains(stderr, "falling back") {
			t.Errorf("the SDK logged IMDS warnings:\n%s", stderr)
		}
	})

	t.Run("credentials: identity and regions pass", func(t *testing.T) {
		m := testenv.NeedMoto(t)
		front, err := motofront.Start(m.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer front.Close()
		noAWSCredentials(t, imds.URL)
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIASHOKOTESTKEY0009")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "shoko-doctor-test-secret")
		t.Setenv("AWS_ENDPOINT_URL", front.URL)
		code, stdout, stderr := shoko(t, "doctor", "--config", cfg)
		if code != exitOK {
			t.Fatalf("exit %d, want 0\n%s\n%s", code, stdout, stderr)
		}
		for _, want := range []string{"ok    aws       caller identity: arn:aws:", "(account 123456789012)", "regions: 1 answer: ap-northeast-1"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
	})
}

// A scope whose controls read no AWS evidence asks nothing of AWS: with `aws:` configured and no
// credentials, doctor checks the records and passes, as the audit of that scope would collect
// no AWS evidence.
func TestDoctorChecksOnlyTheSourcesTheScopeNeeds(t *testing.T) {
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no role here", http.StatusInternalServerError)
	}))
	defer imds.Close()
	noAWSCredentials(t, imds.URL)
	dir := t.TempDir()
	writeFile(t, dir, "training.csv", "employee_id,status,hired_on,onboarding_completed_on,last_completed_on\nE1,active,2020-04-01,2020-04-10,2026-06-01\n")
	cases := []struct {
		name, scope string
		code        int
	}{
		{"records-only scope: AWS not checked", "controls: {include: [TRN-01]}\n", exitOK},
		{"no scope: AWS checked and fails", "", exitFail},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, dir, "shoko.yaml", "aws:\n  regions: [ap-northeast-1]\nrecords:\n  training: [training.csv]\n"+tc.scope)
			code, stdout, stderr := shoko(t, "doctor", "--config", cfg)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, stdout, stderr)
			}
			if got := len(linesOf(stdout, "FAIL  aws")) > 0; got != (tc.code != exitOK) {
				t.Errorf("aws checked: %v, want %v\n%s", got, tc.code != exitOK, stdout)
			}
		})
	}
}

// With no credentials, audit stops before creating a run (exit 3, nothing in the store); a
// source that can be read but holds a bad file (the records demo's broken export) does not stop
// it: that is what the audit records.
func TestAuditPreflightStopsOnlyOnUnreadableSources(t *testing.T) {
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no role here", http.StatusInternalServerError)
	}))
	defer imds.Close()
	noAWSCredentials(t, imds.URL)
	dir := t.TempDir()
	awsCfg := writeFile(t, dir, "aws.yaml", "aws:\n  regions: [ap-northeast-1]\n")
	tests := []struct {
		name     string
		config   string
		wantCode int
		wantRun  bool
	}{
		{"no AWS credentials: exit 3, no run", awsCfg, exitUsage, false},
		{"a records file that does not parse: the audit goes on", "../../testdata/records-demo-src/shoko.yaml", exitError, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := shoko(t, "audit", "--config", tt.config, "--out", out, "--lang", "en", "--reports", "")
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, stdout, stderr)
			}
			runs, _ := filepath.Glob(filepath.Join(out, "runs", "*"))
			if (len(runs) > 0) != tt.wantRun {
				t.Errorf("runs created: %q, want a run: %v", runs, tt.wantRun)
			}
			if !tt.wantRun && (!strings.Contains(stderr, "no run was created") || len(linesOf(stderr, "FAIL  aws")) != 1) {
				t.Errorf("stderr does not say why in one line:\n%s", stderr)
			}
		})
	}
}

// contractBreaker is an evidence API that breaks the contract three ways, each on its own path:
// a wrong field type (tenants), an omitted nullable field (incidents) and a repeating cursor
// (accounts). Everything else follows docs/evidence-api.yaml.
func contractBreaker(token string) http.Handler {
	account := func(id string) map[string]any {
		return map[string]any{"account_id": id, "tenant_id": "t-1", "login_id_sha256": strings.Repeat("ab", 32), "role": "admin",
			"status": "active", "created_at": "2026-01-05T09:00:00+09:00", "disabled_at": nil, "last_activity_at": nil}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"code":"unauthorized","message":"token required"}}`)
			return
		}
		var items []map[string]any
		var next any
		switch r.URL.Path {
		case "/evidence/v1/tenants":
			items = []map[string]any{{"tenant_id": "t-1", "status": "active", "notification_contacts": "3", "contract_ended_at": nil, "data_purged_at": nil}}
		case "/evidence/v1/accounts":
			items, next = []map[string]any{account("acc-" + r.URL.Query().Get("cursor"))}, "c1"
		case "/evidence/v1/incidents":
			items = []map[string]any{{"incident_id": "INC-1", "title": "outage", "severity": "high", "customer_impact": true,
				"detected_at": "2026-05-01T10:00:00+09:00", "escalated_at": nil, "recovered_at": nil}}
		case "/evidence/v1/changes", "/evidence/v1/disclosures":
			items = []map[string]any{}
		case "/evidence/v1/capabilities":
			items = []map[string]any{{"features": []string{"tags"}, "version": "1.0"}}
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "next_cursor": next})
	})
}

// periodIgnorer is an evidence API that keeps every rule but one: it ignores since/until. Both
// its incidents lie in 2026, so only asking for one second of it shows the filter is missing.
func periodIgnorer(token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"code":"unauthorized","message":"token required"}}`)
			return
		}
		incident := func(id, at string) map[string]any {
			return map[string]any{"incident_id": id, "title": "outage", "severity": "high", "customer_impact": true,
				"detected_at": at, "notified_at": nil, "escalated_at": nil, "recovered_at": nil}
		}
		items := []map[string]any{}
		switch r.URL.Path {
		case "/evidence/v1/incidents":
			items = []map[string]any{incident("INC-1", "2026-05-01T10:00:00+09:00"), incident("INC-2", "2026-06-01T10:00:00+09:00")}
		case "/evidence/v1/capabilities":
			items = []map[string]any{{"features": []string{"tags"}, "version": "1.0"}}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "next_cursor": nil})
	})
}

// doctor checks the evidence API against its contract: the reference service passes every
// check; a service that breaks it has each breach named, with the path, item and field.
func TestDoctorServiceContract(t *testing.T) {
	const token = "doctor-evidence-token-5eb1"
	sc, err := cardsvc.LoadScenario("../../demo/cardsvc/scenarios/compliant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := cardsvc.Start(context.Background(), "127.0.0.1:0", cardsvc.Options{Scenario: sc, EvidenceToken: token})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	breaker := httptest.NewTLSServer(contractBreaker(token))
	defer breaker.Close()
	breakerCA := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: breaker.Certificate().Raw})
	ignorer := httptest.NewTLSServer(periodIgnorer(token))
	defer ignorer.Close()
	ignorerCA := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ignorer.Certificate().Raw})

	tests := []struct {
		name     string
		baseURL  string
		ca       []byte
		wantCode int
		want     []string // in FAIL lines (or, for a pass, in ok lines)
	}{
		{"the reference service keeps the contract", strings.Replace(ref.URL, "127.0.0.1", "localhost", 1), ref.CAPEM, exitOK, []string{
			"ok    service   auth:", "ok    service   GET /evidence/v1/incidents: contract kept", "since/until honoured"}},
		{"a service that breaks it has each breach named", breaker.URL, breakerCA, exitFail, []string{
			`GET /evidence/v1/tenants: page 1: item 0 (tenant_id "t-1"): field notification_contacts: got "3", want a non-negative integer`,
			`GET /evidence/v1/incidents: page 1: item 0 (incident_id "INC-1"): field notified_at: missing (a nullable field must be null, never omitted)`,
			`GET /evidence/v1/accounts: page 2: next_cursor "c1" repeats an earlier cursor`}},
		{"a service that ignores since/until is named", ignorer.URL, ignorerCA, exitFail, []string{
			`GET /evidence/v1/incidents: asked since=2026-05-01T01:00:00Z until=2026-05-01T01:00:01Z, got item 1 (incident_id "INC-2") with detected_at 2026-06-01T10:00:00+09:00: since/until ignored`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ca := filepath.Join(dir, "ca.pem")
			if err := os.WriteFile(ca, tt.ca, 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := writeFile(t, dir, "shoko.yaml", fmt.Sprintf(
				"service:\n  name: svc\n  base_url: %s\n  token_env: DOCTOR_TEST_TOKEN\n  ca_file: ca.pem\n", tt.baseURL))
			t.Setenv("DOCTOR_TEST_TOKEN", token)
			code, stdout, stderr := shoko(t, "doctor", "--config", cfg, "--period", "2026-01-01..2026-12-31")
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, stdout, stderr)
			}
			lines := strings.Join(linesOf(stdout, "FAIL"), "\n")
			if tt.wantCode == exitOK {
				lines = stdout
			}
			for _, w := range tt.want {
				if !strings.Contains(lines, w) {
					t.Errorf("no line says %q:\n%s", w, stdout)
				}
			}
			if strings.Contains(stdout+stderr, token) {
				t.Errorf("the token is in the output")
			}
		})
	}
}

// init writes a config for the sources named that doctor reads: the config parses, its example
// records and attestation parse and the key it wrote is 0600, while the sources init cannot
// know (credentials, tokens, DSNs) fail with their fix. A second init into the same directory
// refuses and writes nothing.
func TestInitThenDoctor(t *testing.T) {
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no role here", http.StatusInternalServerError)
	}))
	defer imds.Close()
	noAWSCredentials(t, imds.URL)
	t.Setenv("SHOKO_SERVICE_TOKEN", "")
	t.Setenv("SHOKO_DB_DSN", "")
	tests := []struct {
		name     string
		sources  string
		wantCode int
		wantOK   []string // ok lines doctor must print
		wantFail []string // sources doctor must fail
	}{
		{"records only: every check passes", "records", exitOK,
			[]string{"ok    config", "ok    signing", "ok    records   records.training", "ok    records   attestations"}, nil},
		{"every source: the ones needing secrets fail with their fix", "aws,service,database,records", exitFail,
			[]string{"ok    config", "ok    signing", "ok    records   records.training"},
			[]string{"FAIL  aws", "FAIL  service   evidence API token", "FAIL  database"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "audit")
			code, stdout, stderr := shoko(t, "init", dir, "--sources", tt.sources)
			if code != exitOK {
				t.Fatalf("init exit %d\n%s\n%s", code, stdout, stderr)
			}
			for _, next := range []string{"shoko doctor --config", "shoko audit --config", "shoko verify"} {
				if !strings.Contains(stdout, next) {
					t.Errorf("init does not print the next command %q:\n%s", next, stdout)
				}
			}
			code, stdout, stderr = shoko(t, "doctor", "--config", filepath.Join(dir, "shoko.yaml"))
			if code != tt.wantCode {
				t.Fatalf("doctor exit %d, want %d\n%s\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, w := range append(tt.wantOK, tt.wantFail...) {
				if len(linesOf(stdout, w)) == 0 {
					t.Errorf("doctor prints no line %q:\n%s", w, stdout)
				}
			}
			before, _ := os.ReadFile(filepath.Join(dir, "shoko.yaml"))
			if code, _, stderr := shoko(t, "init", dir, "--sources", tt.sources); code != exitUsage || !strings.Contains(stderr, "already exist") {
				t.Errorf("a second init: exit %d, want %d refusing to overwrite\n%s", code, exitUsage, stderr)
			}
			if after, _ := os.ReadFile(filepath.Join(dir, "shoko.yaml")); string(after) != string(before) {
				t.Errorf("a second init changed shoko.yaml")
			}
		})
	}
}

// doctor names what stands between the credentials and each account and region: a region a
// service control policy denies (and only such a denial is called one), a role assumed into its
// account, and a role that lands in another account than the one configured.
func TestDoctorAWSAccountsAndRegions(t *testing.T) {
	m := testenv.NeedMoto(t)
	front, err := motofront.Start(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer front.Close()
	imds := httptest.NewServer(http.NotFoundHandler())
	defer imds.Close()
	noAWSCredentials(t, imds.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIASHOKOTESTKEY0010")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "shoko-doctor-test-secret")
	t.Setenv("AWS_ENDPOINT_URL", front.URL)
	const closed = "eu-west-1"
	tests := []struct {
		name     string
		aws      string
		fault    *motofront.Fault
		wantCode int
		want     []string
		dontWant []string
	}{
		{"a region denied by an SCP is named as such", "  regions: [ap-northeast-1, eu-west-1]\n",
			&motofront.Fault{Operation: "*", Region: closed, Kind: motofront.SCPDenied, Rate: 1}, exitFail,
			[]string{"regions: 1 answer: ap-northeast-1", "FAIL  aws       account of the credentials regions: denied by a service control policy (explicit deny): eu-west-1", "list them in aws.denied_regions"}, nil},
		{"a region denied as aws.denied_regions declares passes", "  regions: [ap-northeast-1, eu-west-1]\n  denied_regions: [eu-west-1]\n",
			&motofront.Fault{Operation: "*", Region: closed, Kind: motofront.SCPDenied, Rate: 1}, exitOK,
			[]string{"ok    aws       account of the credentials regions: denied by a service control policy, as aws.denied_regions declares: eu-west-1"}, []string{"FAIL"}},
		{"a plain access denial is not called an SCP", "  regions: [ap-northeast-1, eu-west-1]\n",
			&motofront.Fault{Operation: "*", Region: closed, Kind: motofront.AccessDenied, Rate: 1}, exitFail,
			[]string{"FAIL  aws       account of the credentials regions: eu-west-1: "}, []string{"service control policy"}},
		{"a role is assumed into its account", "  regions: [ap-northeast-1]\n  accounts:\n    - {id: \"111111111111\", role_arn: \"arn:aws:iam::111111111111:role/shoko-audit\"}\n",
			nil, exitOK, []string{"ok    aws       account 111111111111: role arn:aws:iam::111111111111:role/shoko-audit assumed", "ok    aws       account 111111111111 regions: 1 answer: ap-northeast-1"}, nil},
		{"a role in another account than configured is refused", "  regions: [ap-northeast-1]\n  accounts:\n    - {id: \"222222222222\", role_arn: \"arn:aws:iam::111111111111:role/shoko-audit\"}\n",
			nil, exitFail, []string{"FAIL  aws       account 222222222222: role arn:aws:iam::111111111111:role/shoko-audit belongs to account 111111111111, not 222222222222"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var faults []motofront.Fault
			if tt.fault != nil {
				faults = append(faults, *tt.fault)
			}
			if err := front.InjectFaults(1, faults...); err != nil {
				t.Fatal(err)
			}
			cfg := writeFile(t, t.TempDir(), "shoko.yaml", "aws:\n"+tt.aws)
			code, stdout, stderr := shoko(t, "doctor", "--config", cfg)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("no line says %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.dontWant {
				if strings.Contains(stdout, w) {
					t.Errorf("output says %q:\n%s", w, stdout)
				}
			}
		})
	}
}

// doctor connects to the database as an audit would, in a read-only transaction, and says
// whether the role is one an audit should use; a DSN that does not connect is named without its
// password.
func TestDoctorDatabaseRole(t *testing.T) {
	pg := testenv.NeedPostgres(t)
	ordinary := pg.NewDatabase(t)
	const wrongPassword = "wrong-pw-canary-3f9d"
	u, err := url.Parse(ordinary)
	if err != nil {
		t.Fatal(err)
	}
	// The test cluster trusts local connections, so a password alone is not refused: the DSN
	// names a database that does not exist, and carries a password that must not be printed.
	u.User = url.UserPassword(u.User.Username(), wrongPassword)
	u.Path = "/no_such_database"
	tests := []struct {
		name     string
		dsn      string
		wantCode int
		want     string
	}{
		{"a read-only transaction as an ordinary role passes", ordinary, exitOK, "ok    database  database cards: connected as " + u.User.Username() + " in a read-only transaction"},
		{"a superuser is refused", pg.AdminDSN, exitFail, "FAIL  database  database cards: connected as shoko, a superuser or BYPASSRLS role"},
		{"a DSN that does not connect is named without its password", u.String(), exitFail, "FAIL  database  database cards: database cards: connect:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, t.TempDir(), "shoko.yaml", "database:\n  name: cards\n  driver: postgres\n  dsn_env: DOCTOR_TEST_DSN\n  timeout: 10s\n")
			t.Setenv("DOCTOR_TEST_DSN", tt.dsn)
			code, stdout, stderr := shoko(t, "doctor", "--config", cfg)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.want) {
				t.Errorf("no line says %q:\n%s", tt.want, stdout)
			}
			if strings.Contains(stdout+stderr, wrongPassword) || strings.Contains(stdout+stderr, tt.dsn) {
				t.Errorf("the DSN or its password is in the output:\n%s%s", stdout, stderr)
			}
		})
	}
}

// doctor refuses a signing key others can read, naming the fix, and accepts the 0600 key keygen
// writes; a config naming none is a note, not a failure.
func TestDoctorSigningKeyMode(t *testing.T) {
	tests := []struct {
		name     string
		mode     os.FileMode
		noKey    bool
		wantCode int
		want     string
	}{
		{"a key others can read is refused", 0o644, false, exitFail, "mode 0644: others can read the private key — fix: chmod 600 "},
		{"a 0600 key passes", 0o600, false, exitOK, "ok    signing"},
		{"no key is a note", 0, true, exitOK, "note  signing   key: none configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if code, o, e := shoko(t, "keygen", "--out", filepath.Join(dir, "keys")); code != exitOK {
				t.Fatalf("keygen: %d %s %s", code, o, e)
			}
			key := filepath.Join(dir, "keys", "shoko.key")
			if err := os.Chmod(key, tt.mode); err != nil {
				t.Fatal(err)
			}
			conf := "records:\n  training: [training.csv]\n"
			if !tt.noKey {
				conf += "signing:\n  key: keys/shoko.key\n"
			}
			writeFile(t, dir, "training.csv", "employee_id,status,hired_on,onboarding_completed_on,last_completed_on\nE0001,active,2024-04-01,2024-04-05,2026-06-12\n")
			cfg := writeFile(t, dir, "shoko.yaml", conf)
			code, stdout, stderr := shoko(t, "doctor", "--config", cfg)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.want) {
				t.Errorf("no line says %q:\n%s", tt.want, stdout)
			}
		})
	}
}

// doctor reads every records file as an audit would: a file that does not parse is named with
// its line and column, before any run; the demo's clean records pass.
func TestDoctorRecordsParse(t *testing.T) {
	clean, err := filepath.Abs("../../demo/records")
	if err != nil {
		t.Fatal(err)
	}
	cleanCfg := writeFile(t, t.TempDir(), "shoko.yaml", fmt.Sprintf("records:\n  training: [%[1]s/records/training.csv]\n  certificates: [%[1]s/records/certificates.csv]\nattestations: %[1]s/attestations\n", clean))
	tests := []struct {
		name     string
		config   string
		wantCode int
		want     string
	}{
		{"a broken export is named with its line", "../../testdata/records-demo-src/shoko.yaml", exitFail,
			`FAIL  records   records.certificates records/certificates.csv: records/certificates.csv:2: column expires_on: "2027/09/24" is not a date`},
		{"clean records pass", cleanCfg, exitOK, "ok    records   records.certificates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := shoko(t, "doctor", "--config", tt.config)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout, tt.want) {
				t.Errorf("no line says %q:\n%s", tt.want, stdout)
			}
		})
	}
}

// doctor makes the first read call of every AWS service the audit reads, in the home region: a
// call the audit role is not allowed is named as the missing IAM action, with the policy to
// attach, and the services that answered are listed on one line. Such a failure is recorded by
// the audit, not a reason to stop it.
func TestDoctorAWSServicesFirstCalls(t *testing.T) {
	m := testenv.NeedMoto(t)
	front, err := motofront.Start(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer front.Close()
	imds := httptest.NewServer(http.NotFoundHandler())
	defer imds.Close()
	noAWSCredentials(t, imds.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIASHOKOTESTKEY0011")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "shoko-doctor-test-secret")
	t.Setenv("AWS_ENDPOINT_URL", front.URL)
	cfg := writeFile(t, t.TempDir(), "shoko.yaml", "aws:\n  regions: [ap-northeast-1]\n")
	const okPrefix = "ok    aws       account of the credentials services: "
	tests := []struct {
		name     string
		fault    *motofront.Fault
		wantCode int
		wantFail []string // each in one FAIL line
	}{
		{"every service answers: one ok line", nil, exitOK, nil},
		{"kms:ListKeys denied: named as the missing action, the others ok",
			&motofront.Fault{Operation: "kms:ListKeys", Kind: motofront.AccessDenied, Rate: 1}, exitFail,
			[]string{"FAIL  aws       account of the credentials services: AccessDeniedException, the IAM action missing from the audit role: kms:ListKeys — fix: attach docs/iam-policy.json to arn:aws:"}},
		{"a throttled service is not called a missing permission",
			&motofront.Fault{Operation: "kms:ListKeys", Kind: motofront.Throttle400, Rate: 1}, exitFail,
			[]string{"throttled (ThrottlingException, HTTP 400), not a missing permission: kms:ListKeys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var faults []motofront.Fault
			if tt.fault != nil {
				faults = append(faults, *tt.fault)
			}
			if err := front.InjectFaults(1, faults...); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := shoko(t, "doctor", "--config", cfg)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, stdout, stderr)
			}
			oks := linesOf(stdout, okPrefix)
			if len(oks) != 1 {
				t.Fatalf("want one ok line for the services, got %q\n%s", oks, stdout)
			}
			for _, svc := range []string{"s3", "iam", "rds", "ec2", "backup", "cloudtrail"} {
				if !strings.Contains(oks[0], " "+svc+",") && !strings.HasSuffix(oks[0], " "+svc) {
					t.Errorf("the ok line does not list %s: %s", svc, oks[0])
				}
			}
			if tt.fault != nil && strings.Contains(oks[0], "kms") {
				t.Errorf("the ok line lists kms, whose call failed: %s", oks[0])
			}
			fails := linesOf(stdout, "FAIL  aws       account of the credentials services")
			if len(fails) != len(tt.wantFail) {
				t.Errorf("want %d FAIL lines for the services, got %q", len(tt.wantFail), fails)
			}
			for i, w := range tt.wantFail {
				if i < len(fails) && !strings.Contains(fails[i], w) {
					t.Errorf("FAIL line %q does not say %q", fails[i], w)
				}
			}
			if strings.Contains(stdout, "no run was created") {
				t.Errorf("a failed service call stopped the audit")
			}
		})
	}
}
