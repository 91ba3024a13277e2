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
	"strings"

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
	// Store is where runs are kept (--out / --store override it).
	Store Store `yaml:"store"`
	// Signing names the private key runs are signed with (--key overrides it).
	Signing struct {
		Key string `yaml:"key"`
	} `yaml:"signing"`

	// File is the path the config was read from; Dir is its directory, against which every
	// relative path in it is resolved.
	File string `yaml:"-"`
	Dir  string `yaml:"-"`
	// Digest is "sha256:<hex>" of the config file's bytes, recorded in each run.
	Digest string `yaml:"-"`
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
		return nil, yamlx.Error(name, err)
	}
	c.File = name
	c.Dir = filepath.Dir(name)
	sum := sha256.Sum256(b)
	c.Digest = "sha256:" + hex.EncodeToString(sum[:])
	var root yaml.Node
	_ = yaml.Unmarshal(b, &root)
	for i, s := range c.Calendar.Closures {
		if _, err := calendar.ParseClosure(s); err != nil {
			return nil, fmt.Errorf("%s:%d: calendar.closures[%d]: %w", name, yamlx.LineOf(&root, "calendar", "closures"), i, err)
		}
	}
	if err := c.Store.check(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, yamlx.LineOf(&root, "store"), err)
	}
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
