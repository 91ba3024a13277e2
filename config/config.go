// Package config reads shoko.yaml: what to collect evidence from and how to judge it
// (company calendar). It is decoded strictly: an unknown key or a wrong type is an error naming
// the file and line, never a silently ignored setting.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shoko-audit/shoko/calendar"
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
	// AWS, when present, collects evidence from AWS accounts (see docs/aws-evidence.md).
	AWS *AWS `yaml:"aws"`

	// File is the path the config was read from; Dir is its directory, against which every
	// relative path in it is resolved.
	File string `yaml:"-"`
	Dir  string `yaml:"-"`
}

// Records lists the records files of each kind (CSV or JSON).
type Records struct {
	Training                 []string `yaml:"training"`
	InternalAudits           []string `yaml:"internal_audits"`
	VulnerabilityAssessments []string `yaml:"vulnerability_assessments"`
	Certificates             []string `yaml:"certificates"`
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
}

// AWSAccount is one account to audit, optionally through a role.
type AWSAccount struct {
	ID         string `yaml:"id"`
	RoleARN    string `yaml:"role_arn"`
	ExternalID string `yaml:"external_id"`
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

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
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var c Config
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty config", name)
		}
		return nil, yamlError(name, err)
	}
	c.File = name
	c.Dir = filepath.Dir(name)
	var root yaml.Node
	_ = yaml.Unmarshal(b, &root)
	for i, s := range c.Calendar.Closures {
		if _, err := calendar.ParseClosure(s); err != nil {
			return nil, fmt.Errorf("%s:%d: calendar.closures[%d]: %w", name, lineOf(&root, "calendar", "closures"), i, err)
		}
	}
	if err := checkAWS(name, &root, c.AWS); err != nil {
		return nil, err
	}
	return &c, nil
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
	at := func(keys ...string) int { return lineOf(root, append([]string{"aws"}, keys...)...) }
	for i, r := range append(a.Regions, a.HomeRegion) {
		if r != "" && !regionRE.MatchString(r) {
			field := fmt.Sprintf("aws.regions[%d]", i)
			if i == len(a.Regions) {
				field = "aws.home_region"
			}
			return fmt.Errorf("%s:%d: %s: %q is not a region name", name, at("regions"), field, r)
		}
	}
	seen := map[string]int{}
	for i, acct := range a.Accounts {
		key := acct.ID
		if key == "" {
			key = acct.RoleARN
		}
		if j, dup := seen[key]; dup {
			return fmt.Errorf("%s:%d: aws.accounts[%d]: %s is already aws.accounts[%d]", name, at("accounts"), i, key, j)
		}
		seen[key] = i
		if acct.ID != "" && !accountIDRE.MatchString(acct.ID) {
			return fmt.Errorf("%s:%d: aws.accounts[%d].id: %q is not a 12-digit account id", name, at("accounts"), i, acct.ID)
		}
		if acct.RoleARN != "" && !roleARNRE.MatchString(acct.RoleARN) {
			return fmt.Errorf("%s:%d: aws.accounts[%d].role_arn: %q is not an IAM role ARN", name, at("accounts"), i, acct.RoleARN)
		}
		if acct.ID == "" && acct.RoleARN == "" {
			return fmt.Errorf("%s:%d: aws.accounts[%d]: needs id or role_arn", name, at("accounts"), i)
		}
	}
	if a.CallTimeout != "" {
		if d, err := time.ParseDuration(a.CallTimeout); err != nil || d <= 0 {
			return fmt.Errorf("%s:%d: aws.call_timeout: %q is not a positive duration such as 60s", name, at("call_timeout"), a.CallTimeout)
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

func yamlError(name string, err error) error {
	var te *yaml.TypeError
	msgs := []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for i, m := range msgs {
		if sm := lineRE.FindStringSubmatch(m); sm != nil {
			msgs[i] = fmt.Sprintf("%s:%s: %s", name, sm[1], strings.ReplaceAll(sm[2], " in type config.", " in "))
		} else {
			msgs[i] = name + ": " + m
		}
	}
	return errors.New(strings.Join(msgs, "\n"))
}

func lineOf(root *yaml.Node, keys ...string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 1
	for _, k := range keys {
		found := false
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			break
		}
	}
	return line
}
