// Package cardsvc is the reference multi-tenant business-card service: the service a Sonar-like
// operator runs, reduced to what shoko audits. It serves a tenant-scoped card API behind bearer
// tokens and the read-only evidence API of docs/evidence-api.yaml, over HTTPS, from SQLite (the
// default, pure Go) or PostgreSQL with row-level security. Its state is seeded from a scenario
// YAML so that tests and the demo can stage a compliant service and a violating one.
package cardsvc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// Scenario is the seed of a service: its data and the switches that make it misbehave.
type Scenario struct {
	Name string `yaml:"name"`
	// TLSMinVersion is the lowest TLS version the server accepts: "1.0", "1.1", "1.2" or "1.3".
	TLSMinVersion string `yaml:"tls_min_version"`
	// CertValidDays is how long the generated certificate is valid from now; negative = expired.
	CertValidDays int `yaml:"cert_valid_days"`
	// CertHost is the host name the generated certificate is for (default localhost + loopback IPs).
	CertHost string `yaml:"cert_host"`
	// HSTSMaxAge is the Strict-Transport-Security max-age in seconds; 0 sends no header.
	HSTSMaxAge int `yaml:"hsts_max_age"`
	// ClockOffset shifts the Date header (a server whose clock is not synchronised).
	ClockOffset time.Duration `yaml:"clock_offset"`
	// CrossTenantLeak makes the card API forget the tenant check on GET /api/v1/cards/{id}.
	CrossTenantLeak bool `yaml:"cross_tenant_leak"`
	// WeakIsolation creates card_tags without a tenant column and, on PostgreSQL, cards
	// without forced row-level security.
	WeakIsolation bool `yaml:"weak_isolation"`
	// Features are announced by the capabilities endpoint (the tag feature is "tags").
	Features []string `yaml:"features"`
	// Pages are the public pages (manual, faq, chatbot, policy) and the status each answers.
	Pages map[string]int `yaml:"pages"`

	Tenants     []Tenant     `yaml:"tenants"`
	Incidents   []Incident   `yaml:"incidents"`
	Changes     []Change     `yaml:"changes"`
	Disclosures []Disclosure `yaml:"disclosures"`
}

// Tenant is one customer with its accounts and cards.
type Tenant struct {
	ID                   string     `yaml:"id"`
	Name                 string     `yaml:"name"`
	Status               string     `yaml:"status"`
	NotificationContacts int        `yaml:"notification_contacts"`
	ContractEndedAt      *time.Time `yaml:"contract_ended_at"`
	DataPurgedAt         *time.Time `yaml:"data_purged_at"`
	Accounts             []Account  `yaml:"accounts"`
	Cards                []Card     `yaml:"cards"`
}

// Account is a user of a tenant. Token is the demo's bearer token for it (a real service would
// issue and hash them; here they are fixed so tests can use them).
type Account struct {
	ID             string     `yaml:"id"`
	Login          string     `yaml:"login"`
	Role           string     `yaml:"role"`
	Status         string     `yaml:"status"`
	Token          string     `yaml:"token"`
	CreatedAt      time.Time  `yaml:"created_at"`
	DisabledAt     *time.Time `yaml:"disabled_at"`
	LastActivityAt *time.Time `yaml:"last_activity_at"`
}

// Card is a business card; tags classify it (the feature LBL-01 checks).
type Card struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Company string   `yaml:"company"`
	Email   string   `yaml:"email"`
	Tags    []string `yaml:"tags"`
}

// Incident is an information security incident and its timeline.
type Incident struct {
	ID             string     `yaml:"id"`
	Title          string     `yaml:"title"`
	Severity       string     `yaml:"severity"`
	CustomerImpact bool       `yaml:"customer_impact"`
	DetectedAt     time.Time  `yaml:"detected_at"`
	NotifiedAt     *time.Time `yaml:"notified_at"`
	EscalatedAt    *time.Time `yaml:"escalated_at"`
	RecoveredAt    *time.Time `yaml:"recovered_at"`
}

// Change is a change notice to customers.
type Change struct {
	ID             string     `yaml:"id"`
	Kind           string     `yaml:"kind"`
	CustomerImpact bool       `yaml:"customer_impact"`
	NotifiedAt     *time.Time `yaml:"notified_at"`
	EffectiveAt    time.Time  `yaml:"effective_at"`
	// Regions are the AWS regions a data_location change stores customer data in.
	Regions []string `yaml:"regions,omitempty"`
}

// Disclosure is a disclosure of customer data to an authority.
type Disclosure struct {
	ID          string    `yaml:"id"`
	DisclosedAt time.Time `yaml:"disclosed_at"`
	Recipient   *string   `yaml:"recipient"`
	LegalBasis  *string   `yaml:"legal_basis"`
	ApprovedBy  *string   `yaml:"approved_by"`
}

// LoadScenario reads a scenario file strictly: an unknown key or a wrong type names the line.
func LoadScenario(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	return ParseScenario(path, b)
}

// ParseScenario decodes scenario bytes; name is used in errors.
func ParseScenario(name string, b []byte) (*Scenario, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty scenario", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &s, nil
}

func (s *Scenario) check() error {
	if _, err := TLSVersion(s.TLSMinVersion); err != nil {
		return fmt.Errorf("tls_min_version: %w", err)
	}
	seen := map[string]bool{}
	for i, t := range s.Tenants {
		if t.ID == "" {
			return fmt.Errorf("tenants[%d].id: missing", i)
		}
		if t.Status != "active" && t.Status != "terminated" {
			return fmt.Errorf("tenants[%d].status: %q is not active or terminated", i, t.Status)
		}
		for j, a := range t.Accounts {
			if a.ID == "" || seen["a:"+a.ID] {
				return fmt.Errorf("tenants[%d].accounts[%d].id: missing or repeated", i, j)
			}
			seen["a:"+a.ID] = true
			if a.Status != "active" && a.Status != "disabled" {
				return fmt.Errorf("tenants[%d].accounts[%d].status: %q is not active or disabled", i, j, a.Status)
			}
			if a.CreatedAt.IsZero() {
				return fmt.Errorf("tenants[%d].accounts[%d].created_at: missing", i, j)
			}
		}
		for j, c := range t.Cards {
			if c.ID == "" || seen["c:"+c.ID] {
				return fmt.Errorf("tenants[%d].cards[%d].id: missing or repeated", i, j)
			}
			seen["c:"+c.ID] = true
		}
	}
	for i, in := range s.Incidents {
		if in.ID == "" || in.DetectedAt.IsZero() {
			return fmt.Errorf("incidents[%d]: id and detected_at are required", i)
		}
	}
	for i, c := range s.Changes {
		if c.ID == "" || c.EffectiveAt.IsZero() {
			return fmt.Errorf("changes[%d]: id and effective_at are required", i)
		}
	}
	for i, d := range s.Disclosures {
		if d.ID == "" || d.DisclosedAt.IsZero() {
			return fmt.Errorf("disclosures[%d]: id and disclosed_at are required", i)
		}
	}
	return nil
}
