// Package config reads shoko.yaml: what to collect evidence from and how to judge it
// (company calendar). It is decoded strictly: an unknown key or a wrong type is an error naming
// the file and line, never a silently ignored setting.
package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shoko-audit/shoko/calendar"
	"github.com/shoko-audit/shoko/internal/yamlx"
)

// Config is a parsed shoko.yaml.
type Config struct {
	// Organization is shown on reports.
	Organization string `yaml:"organization"`
	// Calendar holds the company closures that are not business days (default Dec 29 – Jan 3).
	Calendar struct {
		Closures []string `yaml:"closures"`
	} `yaml:"calendar"`
	// Records are files exported from HR, the audit programme and the certification body.
	Records Records `yaml:"records"`
	// Attestations is a directory of attestation YAML files.
	Attestations string `yaml:"attestations"`
	// Exceptions is a YAML file of approved exceptions.
	Exceptions string `yaml:"exceptions"`
	// Remediations is a YAML file of approved plans for claims not currently met, with target
	// dates; the customer white paper prints them beside the unmet claim.
	Remediations string `yaml:"remediations"`
	// Store is where runs are kept (--out / --store override it).
	Store Store `yaml:"store"`
	// Signing names the private key runs are signed with (--key overrides it).
	Signing struct {
		Key string `yaml:"key"`
	} `yaml:"signing"`
	// Service is the running service: its evidence API and the live probes.
	Service *Service `yaml:"service"`
	// Database is the service's database, read through a read-only schema probe.
	Database *Database `yaml:"database"`
	// AWS, when present, collects evidence from AWS accounts (see docs/aws-evidence.md).
	AWS *AWS `yaml:"aws"`
	// Controls is the audit's scope: the controls this deployment audits (all when empty).
	// A control left out is reported as not_in_scope, never evaluated and never a pass.
	Controls ControlScope `yaml:"controls"`
	// Period is the audit period when --period is not given (see AuditPeriod).
	Period PeriodConfig `yaml:"period"`
	// ServiceName is the service's name in titles, claims and the white paper ({service_name}):
	// a string, or {ja: …, en: …}; without it the catalog's own name is used. Checked against the
	// parameter's declared type (text) when the catalog is loaded.
	ServiceName any `yaml:"service_name"`
	// Parameters override control parameters: control id → parameter → value, each checked
	// against the type its control declares when the catalog is loaded (engine.Catalog.Override).
	Parameters map[string]map[string]any `yaml:"parameters"`
	// ControlsDir and PoliciesDir hold the deployment's own controls and their policies, loaded
	// beside the built-in catalog (or --controls/--policies) with the same checks; they go
	// together, and an id that is already the catalog's is an error naming both files.
	ControlsDir string `yaml:"controls_dir"`
	PoliciesDir string `yaml:"policies_dir"`
	// Alerts notify about regressions against the previous signed run (see config/alerts.go).
	Alerts *Alerts `yaml:"alerts"`

	// File is the path the config was read from; Dir is its directory, against which every
	// relative path in it is resolved.
	File string `yaml:"-"`
	Dir  string `yaml:"-"`
	// Digest is "sha256:<hex>" of the config file's bytes, recorded in each run.
	Digest string `yaml:"-"`
	// root is the parsed document, for the line of a key path in errors found later (Line).
	root *yaml.Node
}

// Line is the line of a key path such as "parameters.BAK-01.generations" in the config file
// (1 when it is not found, or for a config not read from a file).
func (c *Config) Line(path string) int {
	if c == nil || c.root == nil {
		return 1
	}
	return lineAt(c.root, path)
}

// ControlScope selects controls by id: Include (none: every control of the catalog), then
// Exclude removes from that.
type ControlScope struct {
	Include []string `yaml:"include"`
	Exclude []string `yaml:"exclude"`
}

// PeriodConfig gives the audit period: a fiscal year by its first day ("04-01" for a year
// April–March), or one explicit period (dates in JST, both inclusive).
type PeriodConfig struct {
	FiscalYearStart string `yaml:"fiscal_year_start"`
	Start           string `yaml:"start"`
	End             string `yaml:"end"`
}

// Records lists the records files of each kind (CSV or JSON).
type Records struct {
	Training                 []string `yaml:"training"`
	InternalAudits           []string `yaml:"internal_audits"`
	VulnerabilityAssessments []string `yaml:"vulnerability_assessments"`
	Certificates             []string `yaml:"certificates"`
}

// Store is the evidence store: a directory, or an S3 bucket with Object Lock.
type Store struct {
	// Location is a directory or s3://bucket/prefix.
	Location string `yaml:"location"`
	// Region and Endpoint of the S3 store; Endpoint is for S3-compatible services.
	Region   string `yaml:"region"`
	Endpoint string `yaml:"endpoint"`
	// ObjectLock is applied to every object of a run written to S3.
	ObjectLock struct {
		// Mode is GOVERNANCE or COMPLIANCE.
		Mode string `yaml:"mode"`
		// RetentionDays is how long each object cannot be overwritten or deleted.
		RetentionDays int `yaml:"retention_days"`
	} `yaml:"object_lock"`
}

// Service describes a running service. Secrets are never in the config: tokens are read from
// the environment variables named here.
type Service struct {
	Name    string `yaml:"name"`
	BaseURL string `yaml:"base_url"`
	// TokenEnv names the variable holding the evidence API's bearer token.
	TokenEnv string `yaml:"token_env"`
	// CAFile is a PEM file of extra root certificates (a private CA), added to the system's.
	CAFile string `yaml:"ca_file"`
	// Timeout bounds each request (default 30s); MaxAnswerBytes each answer (default 4 MiB).
	Timeout        time.Duration `yaml:"timeout"`
	MaxAnswerBytes int64         `yaml:"max_answer_bytes"`
	PageLimit      int           `yaml:"page_limit"`
	// TLSEndpoints are host:port pairs probed for TLS versions, certificate, HSTS and Date.
	TLSEndpoints []string `yaml:"tls_endpoints"`
	// HTTPProbes are public URLs (manuals, FAQ, chatbot, policy page) and their purpose.
	HTTPProbes []HTTPProbe `yaml:"http_probes"`
	// CrossTenant are live reads of another tenant's ids with one tenant's token.
	CrossTenant []CrossTenant `yaml:"cross_tenant"`
}

// HTTPProbe is one URL to GET; controls choose URLs by purpose.
type HTTPProbe struct {
	URL     string `yaml:"url"`
	Purpose string `yaml:"purpose"`
}

// CrossTenant is one cross-tenant probe.
type CrossTenant struct {
	Tenant        string   `yaml:"tenant"`
	TokenEnv      string   `yaml:"token_env"`
	ControlURL    string   `yaml:"control_url"`
	ForeignTenant string   `yaml:"foreign_tenant"`
	URLTemplate   string   `yaml:"url_template"`
	IDs           []string `yaml:"ids"`
}

// Database is a read-only probe of the service database.
type Database struct {
	Name   string `yaml:"name"`
	Driver string `yaml:"driver"`
	// DSNEnv names the variable holding the DSN (it carries a password).
	DSNEnv  string        `yaml:"dsn_env"`
	Schema  string        `yaml:"schema"`
	Timeout time.Duration `yaml:"timeout"`
	Queries []NamedQuery  `yaml:"queries"`
}

// NamedQuery is an extra query whose rows become evidence (kind sql.query).
type NamedQuery struct {
	Name string `yaml:"name"`
	SQL  string `yaml:"sql"`
}

// AWS says which AWS accounts and regions to collect from. What counts as customer data (tags)
// and which regions are allowed are control parameters, since they decide verdicts.
type AWS struct {
	// Profile names the shared-config profile of the base credentials (default chain if empty).
	Profile string `yaml:"profile"`
	// HomeRegion is where region discovery and global calls are made (default ap-northeast-1).
	HomeRegion string `yaml:"home_region"`
	// Regions limits collection to these regions; empty means every enabled region.
	Regions []string `yaml:"regions"`
	// Accounts to audit; none means the account of the base credentials.
	Accounts []AWSAccount `yaml:"accounts"`
	// OrganizationRole audits every active account of the organization through this role name.
	OrganizationRole string `yaml:"organization_role"`
	// TempBuckets are "bucket" or "bucket/prefix" holding temporary files (TMP-01).
	TempBuckets []string `yaml:"temp_buckets"`
	// CallTimeout bounds each AWS operation, retries included, e.g. "60s" (default 60s).
	CallTimeout string `yaml:"call_timeout"`
	// DeniedRegions are the regions the organization closes with a service control policy. A
	// listed region whose every call is answered with an SCP's explicit deny is recorded as
	// denied as declared (not an error); a listed region that answers is collected as usual.
	DeniedRegions []string `yaml:"denied_regions"`
}

// AWSAccount is one account to audit, optionally through a role.
type AWSAccount struct {
	ID         string `yaml:"id"`
	RoleARN    string `yaml:"role_arn"`
	ExternalID string `yaml:"external_id"`
}

// Load reads and checks a config file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, b)
}

// Parse decodes config bytes; name is the file name shown in errors.
func Parse(name string, b []byte) (*Config, error) {
	// Keys and types first, against the node tree, for messages that name the key path and the
	// fix; the strict decode below then only meets what yaml itself must say (syntax errors).
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err == nil {
		if problems := checkKeys(name, &doc, reflect.TypeOf(Config{})); len(problems) > 0 {
			return nil, errors.New(strings.Join(problems, "\n"))
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var c Config
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty config", name)
		}
		return nil, yamlx.Error(name, err)
	}
	c.File = name
	c.Dir = filepath.Dir(name)
	sum := sha256.Sum256(b)
	c.Digest = "sha256:" + hex.EncodeToString(sum[:])
	var root yaml.Node
	_ = yaml.Unmarshal(b, &root)
	c.root = &root
	for i, s := range c.Calendar.Closures {
		if _, err := calendar.ParseClosure(s); err != nil {
			return nil, fmt.Errorf("%s:%d: calendar.closures[%d]: %w", name, lineAt(&root, fmt.Sprintf("calendar.closures[%d]", i)), i, err)
		}
	}
	if (c.ControlsDir == "") != (c.PoliciesDir == "") {
		key := "controls_dir"
		if c.ControlsDir == "" {
			key = "policies_dir"
		}
		return nil, fmt.Errorf("%s:%d: %s: controls_dir and policies_dir go together (a control needs its policy)", name, lineAt(&root, key), key)
	}
	for _, kd := range [][2]string{{"controls_dir", c.ControlsDir}, {"policies_dir", c.PoliciesDir}} {
		key, dir := kd[0], kd[1]
		if dir == "" {
			continue
		}
		if fi, err := os.Stat(c.Path(dir)); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("%s:%d: %s: %s is not a directory", name, lineAt(&root, key), key, c.Path(dir))
		}
	}
	if err := c.Store.check(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, yamlx.LineOf(&root, "store"), err)
	}
	if err := c.checkService(name, &root); err != nil {
		return nil, err
	}
	if err := checkAWS(name, &root, c.AWS); err != nil {
		return nil, err
	}
	if err := c.checkScope(name, &root); err != nil {
		return nil, err
	}
	if err := c.checkPeriod(name, &root); err != nil {
		return nil, err
	}
	if err := c.checkAlerts(name, &root); err != nil {
		return nil, err
	}
	c.root = &root
	return &c, nil
}

func (s Store) check() error {
	lock := s.ObjectLock
	switch {
	case lock.Mode != "" && lock.Mode != "GOVERNANCE" && lock.Mode != "COMPLIANCE":
		return fmt.Errorf("store.object_lock.mode: %q is not GOVERNANCE or COMPLIANCE", lock.Mode)
	case lock.RetentionDays < 0:
		return fmt.Errorf("store.object_lock.retention_days: %d is negative", lock.RetentionDays)
	case (lock.Mode == "") != (lock.RetentionDays == 0):
		return fmt.Errorf("store.object_lock: mode and retention_days go together (found mode %q, retention_days %d)", lock.Mode, lock.RetentionDays)
	case lock.Mode != "" && !strings.HasPrefix(s.Location, "s3://"):
		return fmt.Errorf("store.object_lock: only an s3:// location can be locked (found %q)", s.Location)
	}
	return nil
}

// checkService checks what YAML typing cannot in the service and database sections.
func (c *Config) checkService(name string, root *yaml.Node) error {
	if s := c.Service; s != nil {
		bad := func(field, msg string) error {
			return fmt.Errorf("%s:%d: service.%s: %s", name, lineAt(root, "service."+field), field, msg)
		}
		switch {
		case s.Name == "":
			return bad("name", "required")
		case !strings.HasPrefix(s.BaseURL, "https://"):
			return bad("base_url", "required, an https:// URL")
		case s.TokenEnv == "":
			return bad("token_env", "required: the name of the environment variable holding the token")
		case s.Timeout < 0:
			return bad("timeout", "must be positive")
		}
		for i, p := range s.HTTPProbes {
			if !strings.HasPrefix(p.URL, "https://") && !strings.HasPrefix(p.URL, "http://") || p.Purpose == "" {
				return bad(fmt.Sprintf("http_probes[%d]", i), "url (http/https) and purpose are required")
			}
		}
		for i, x := range s.CrossTenant {
			if x.Tenant == "" || x.TokenEnv == "" || x.ControlURL == "" || x.ForeignTenant == "" || !strings.Contains(x.URLTemplate, "{id}") || len(x.IDs) == 0 {
				return bad(fmt.Sprintf("cross_tenant[%d]", i), "tenant, token_env, control_url, foreign_tenant, url_template (with {id}) and ids are required")
			}
		}
	}
	if d := c.Database; d != nil {
		bad := func(field, msg string) error {
			return fmt.Errorf("%s:%d: database.%s: %s", name, lineAt(root, "database."+field), field, msg)
		}
		switch {
		case d.Name == "":
			return bad("name", "required")
		case d.Driver != "postgres" && d.Driver != "sqlite":
			return bad("driver", fmt.Sprintf("%q: want postgres or sqlite", d.Driver))
		case d.DSNEnv == "":
			return bad("dsn_env", "required: the name of the environment variable holding the DSN")
		}
		for i, q := range d.Queries {
			if q.Name == "" || q.SQL == "" {
				return bad(fmt.Sprintf("queries[%d]", i), "name and sql are required")
			}
		}
	}
	return nil
}

var (
	accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)
	roleARNRE   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
)

// checkAWS refuses values the SDK would only reject later, naming file, line and field.
func checkAWS(name string, root *yaml.Node, a *AWS) error {
	if a == nil {
		return nil
	}
	at := func(path string) int { return lineAt(root, path) }
	for i, r := range append(a.Regions, a.HomeRegion) {
		if r != "" && !regionRE.MatchString(r) {
			field := fmt.Sprintf("aws.regions[%d]", i)
			if i == len(a.Regions) {
				field = "aws.home_region"
			}
			return fmt.Errorf("%s:%d: %s: %q is not a region name", name, at(field), field, r)
		}
	}
	for i, r := range a.DeniedRegions {
		field := fmt.Sprintf("aws.denied_regions[%d]", i)
		if !regionRE.MatchString(r) {
			return fmt.Errorf("%s:%d: %s: %q is not a region name", name, at(field), field, r)
		}
		if r == a.HomeRegion || (a.HomeRegion == "" && r == "ap-northeast-1") {
			return fmt.Errorf("%s:%d: %s: %s is the home region, where regions are listed and global calls are made: it cannot be denied", name, at(field), field, r)
		}
	}
	seen := map[string]int{}
	for i, acct := range a.Accounts {
		key := acct.ID
		if key == "" {
			key = acct.RoleARN
		}
		if j, dup := seen[key]; dup {
			return fmt.Errorf("%s:%d: aws.accounts[%d]: %s is already aws.accounts[%d]", name, at(fmt.Sprintf("aws.accounts[%d]", i)), i, key, j)
		}
		seen[key] = i
		if acct.ID != "" && !accountIDRE.MatchString(acct.ID) {
			return fmt.Errorf("%s:%d: aws.accounts[%d].id: %q is not a 12-digit account id", name, at(fmt.Sprintf("aws.accounts[%d].id", i)), i, acct.ID)
		}
		if acct.RoleARN != "" && !roleARNRE.MatchString(acct.RoleARN) {
			return fmt.Errorf("%s:%d: aws.accounts[%d].role_arn: %q is not an IAM role ARN", name, at(fmt.Sprintf("aws.accounts[%d].role_arn", i)), i, acct.RoleARN)
		}
		if acct.ID == "" && acct.RoleARN == "" {
			return fmt.Errorf("%s:%d: aws.accounts[%d]: needs id or role_arn", name, at(fmt.Sprintf("aws.accounts[%d]", i)), i)
		}
	}
	if a.CallTimeout != "" {
		if d, err := time.ParseDuration(a.CallTimeout); err != nil || d <= 0 {
			return fmt.Errorf("%s:%d: aws.call_timeout: %q is not a positive duration such as 60s", name, at("aws.call_timeout"), a.CallTimeout)
		}
	}
	return nil
}

// Path resolves a path from the config against the config's directory.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// BusinessCalendar is the calendar the config describes (the default closures when none are set).
func (c *Config) BusinessCalendar() *calendar.Calendar {
	if c == nil || c.Calendar.Closures == nil {
		return calendar.Default()
	}
	closures := make([]calendar.Closure, 0, len(c.Calendar.Closures))
	for _, s := range c.Calendar.Closures {
		cl, _ := calendar.ParseClosure(s) // checked in Parse
		closures = append(closures, cl)
	}
	return calendar.New(closures)
}
