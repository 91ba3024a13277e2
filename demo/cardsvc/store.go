package cardsvc

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	_ "modernc.org/sqlite"             // driver "sqlite"
)

// ErrNotFound is returned when a record does not exist for the asking tenant.
var ErrNotFound = errors.New("not found")

// Store keeps the service's data in SQLite or PostgreSQL. Times are stored as RFC 3339 text so
// the same SQL serves both databases.
type Store struct {
	db       *sql.DB
	postgres bool
}

// OpenStore opens the database: PostgreSQL when dsn starts with postgres:// or postgresql://,
// otherwise dsn is a SQLite file path (":memory:" for a throwaway one).
func OpenStore(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{postgres: strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")}
	driver := "sqlite"
	if s.postgres {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", driver, err)
	}
	if !s.postgres {
		// One connection: an in-memory SQLite database exists per connection.
		db.SetMaxOpenConns(1)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", driver, err)
	}
	s.db = db
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// q rewrites ? placeholders as $1, $2… for PostgreSQL.
func (s *Store) q(query string) string {
	if !s.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tenantTables are the tables holding customer data; each carries tenant_id (the logical
// separation the white paper claims) and, on PostgreSQL, a forced row-level security policy.
var tenantTables = []string{"accounts", "cards", "card_tags"}

// Migrate creates the schema (dropping what was there: the demo database is seeded fresh).
func (s *Store) Migrate(ctx context.Context, weak bool) error {
	stmts := []string{
		`DROP TABLE IF EXISTS card_tags`, `DROP TABLE IF EXISTS cards`, `DROP TABLE IF EXISTS accounts`,
		`DROP TABLE IF EXISTS tenants`, `DROP TABLE IF EXISTS incidents`, `DROP TABLE IF EXISTS changes`,
		`DROP TABLE IF EXISTS disclosures`,
		`CREATE TABLE tenants (tenant_id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL,
			notification_contacts INTEGER NOT NULL, contract_ended_at TEXT, data_purged_at TEXT)`,
		`CREATE TABLE accounts (account_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(tenant_id),
			login_id TEXT NOT NULL, role TEXT NOT NULL, status TEXT NOT NULL, token_sha256 TEXT NOT NULL,
			created_at TEXT NOT NULL, disabled_at TEXT, last_activity_at TEXT)`,
		`CREATE TABLE cards (card_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(tenant_id),
			name TEXT NOT NULL, company TEXT NOT NULL, email TEXT NOT NULL)`,
		`CREATE TABLE incidents (incident_id TEXT PRIMARY KEY, title TEXT NOT NULL, severity TEXT NOT NULL,
			customer_impact BOOLEAN NOT NULL, detected_at TEXT NOT NULL, notified_at TEXT, escalated_at TEXT, recovered_at TEXT)`,
		`CREATE TABLE changes (change_id TEXT PRIMARY KEY, kind TEXT NOT NULL, customer_impact BOOLEAN NOT NULL,
			notified_at TEXT, effective_at TEXT NOT NULL, regions TEXT)`,
		`CREATE TABLE disclosures (disclosure_id TEXT PRIMARY KEY, disclosed_at TEXT NOT NULL, recipient TEXT,
			legal_basis TEXT, approved_by TEXT)`,
	}
	if weak {
		// The flaw ISO-01 must catch: tags reach their tenant only through the card.
		stmts = append(stmts, `CREATE TABLE card_tags (card_id TEXT NOT NULL REFERENCES cards(card_id), tenant_id TEXT, tag TEXT NOT NULL)`)
	} else {
		stmts = append(stmts, `CREATE TABLE card_tags (card_id TEXT NOT NULL REFERENCES cards(card_id), tenant_id TEXT NOT NULL REFERENCES tenants(tenant_id), tag TEXT NOT NULL)`)
	}
	if s.postgres {
		for _, t := range tenantTables {
			// The app sets app.tenant_id per transaction; the evidence API and the seeding set
			// app.all_tenants (an auditor's or operator's view across tenants).
			stmts = append(stmts,
				`ALTER TABLE `+t+` ENABLE ROW LEVEL SECURITY`,
				`CREATE POLICY tenant_isolation ON `+t+` USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.all_tenants', true) = 'on')`)
			if !(weak && t == "cards") {
				stmts = append(stmts, `ALTER TABLE `+t+` FORCE ROW LEVEL SECURITY`)
			}
		}
	}
	for _, st := range stmts {
		if _, err := s.db.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("migrate: %s: %w", firstLine(st), err)
		}
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TokenHash is how account tokens are stored: never in clear.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// LoginHash is the login id as the evidence API shows it: SHA-256 of the lower-cased id.
func LoginHash(login string) string { return TokenHash(strings.ToLower(login)) }

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func tsp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func strp(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// Seed loads a scenario into a freshly migrated database, in one transaction.
func (s *Store) Seed(ctx context.Context, sc *Scenario) error {
	tx, err := s.tenantTx(ctx, "", false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	exec := func(query string, args ...any) error {
		if _, err := tx.ExecContext(ctx, s.q(query), args...); err != nil {
			return fmt.Errorf("seed: %s: %w", firstLine(query), err)
		}
		return nil
	}
	for _, t := range sc.Tenants {
		if err := exec(`INSERT INTO tenants VALUES (?, ?, ?, ?, ?, ?)`, t.ID, t.Name, t.Status, t.NotificationContacts,
			tsp(t.ContractEndedAt), tsp(t.DataPurgedAt)); err != nil {
			return err
		}
		for _, a := range t.Accounts {
			if err := exec(`INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, t.ID, a.Login, a.Role, a.Status,
				TokenHash(a.Token), ts(a.CreatedAt), tsp(a.DisabledAt), tsp(a.LastActivityAt)); err != nil {
				return err
			}
		}
		for _, c := range t.Cards {
			if err := exec(`INSERT INTO cards VALUES (?, ?, ?, ?, ?)`, c.ID, t.ID, c.Name, c.Company, c.Email); err != nil {
				return err
			}
			for _, tag := range c.Tags {
				if err := exec(`INSERT INTO card_tags VALUES (?, ?, ?)`, c.ID, t.ID, tag); err != nil {
					return err
				}
			}
		}
	}
	for _, in := range sc.Incidents {
		if err := exec(`INSERT INTO incidents VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.ID, in.Title, in.Severity, in.CustomerImpact,
			ts(in.DetectedAt), tsp(in.NotifiedAt), tsp(in.EscalatedAt), tsp(in.RecoveredAt)); err != nil {
			return err
		}
	}
	for _, c := range sc.Changes {
		var regions any // NULL: the change names no region
		if len(c.Regions) > 0 {
			regions = strings.Join(c.Regions, ",")
		}
		if err := exec(`INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?)`, c.ID, c.Kind, c.CustomerImpact, tsp(c.NotifiedAt), ts(c.EffectiveAt), regions); err != nil {
			return err
		}
	}
	for _, d := range sc.Disclosures {
		if err := exec(`INSERT INTO disclosures VALUES (?, ?, ?, ?, ?)`, d.ID, ts(d.DisclosedAt), strp(d.Recipient), strp(d.LegalBasis), strp(d.ApprovedBy)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// tenantTx begins a transaction scoped to one tenant (tenant != "") or, for the evidence API
// and seeding, to all tenants. On PostgreSQL the scope is what row-level security enforces.
func (s *Store) tenantTx(ctx context.Context, tenant string, readOnly bool) (*sql.Tx, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly && s.postgres})
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	if s.postgres {
		key, val := "app.all_tenants", "on"
		if tenant != "" {
			key, val = "app.tenant_id", tenant
		}
		if _, err := tx.ExecContext(ctx, `SELECT set_config($1, $2, true)`, key, val); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("scope transaction: %w", err)
		}
	}
	return tx, nil
}

// Principal is who a bearer token belongs to.
type Principal struct {
	AccountID, TenantID, Role string
}

// Authenticate finds the active account of a token, or ErrNotFound.
func (s *Store) Authenticate(ctx context.Context, token string) (Principal, error) {
	tx, err := s.tenantTx(ctx, "", true)
	if err != nil {
		return Principal{}, err
	}
	defer tx.Rollback()
	var p Principal
	err = tx.QueryRowContext(ctx, s.q(`SELECT account_id, tenant_id, role FROM accounts WHERE token_sha256 = ? AND status = 'active'`),
		TokenHash(token)).Scan(&p.AccountID, &p.TenantID, &p.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, ErrNotFound
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	return p, nil
}

// CardOut is a card as the card API shows it.
type CardOut struct {
	ID      string   `json:"card_id"`
	Name    string   `json:"name"`
	Company string   `json:"company"`
	Email   string   `json:"email"`
	Tags    []string `json:"tags"`
}

// Cards lists a tenant's cards.
func (s *Store) Cards(ctx context.Context, tenant string) ([]CardOut, error) {
	return s.cards(ctx, tenant, `SELECT card_id, name, company, email FROM cards WHERE tenant_id = ? ORDER BY card_id`, tenant)
}

// Card reads one card of a tenant. With leak set the tenant condition is forgotten (the bug the
// cross-tenant probe must find); on PostgreSQL row-level security still stops the read.
func (s *Store) Card(ctx context.Context, tenant, id string, leak bool) (CardOut, error) {
	query, args := `SELECT card_id, name, company, email FROM cards WHERE card_id = ? AND tenant_id = ?`, []any{id, tenant}
	if leak {
		query, args = `SELECT card_id, name, company, email FROM cards WHERE card_id = ?`, []any{id}
	}
	cs, err := s.cards(ctx, tenant, query, args...)
	if err != nil {
		return CardOut{}, err
	}
	if len(cs) == 0 {
		return CardOut{}, ErrNotFound
	}
	return cs[0], nil
}

func (s *Store) cards(ctx context.Context, tenant, query string, args ...any) ([]CardOut, error) {
	tx, err := s.tenantTx(ctx, tenant, true)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("read cards: %w", err)
	}
	out := []CardOut{}
	for rows.Next() {
		var c CardOut
		if err := rows.Scan(&c.ID, &c.Name, &c.Company, &c.Email); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read cards: %w", err)
		}
		c.Tags = []string{}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read cards: %w", err)
	}
	for i := range out {
		trows, err := tx.QueryContext(ctx, s.q(`SELECT tag FROM card_tags WHERE card_id = ? ORDER BY tag`), out[i].ID)
		if err != nil {
			return nil, fmt.Errorf("read tags: %w", err)
		}
		for trows.Next() {
			var tag string
			if err := trows.Scan(&tag); err != nil {
				trows.Close()
				return nil, fmt.Errorf("read tags: %w", err)
			}
			out[i].Tags = append(out[i].Tags, tag)
		}
		trows.Close()
	}
	return out, nil
}

// AddCard stores a new card of a tenant.
func (s *Store) AddCard(ctx context.Context, tenant string, c CardOut) error {
	tx, err := s.tenantTx(ctx, tenant, false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO cards VALUES (?, ?, ?, ?, ?)`), c.ID, tenant, c.Name, c.Company, c.Email); err != nil {
		return fmt.Errorf("add card: %w", err)
	}
	for _, tag := range c.Tags {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO card_tags VALUES (?, ?, ?)`), c.ID, tenant, tag); err != nil {
			return fmt.Errorf("add tag: %w", err)
		}
	}
	return tx.Commit()
}

// EvidenceRows reads one evidence collection as JSON-ready rows, ordered by id. The query's
// columns are the contract's fields, in order; kinds gives each column's type.
func (s *Store) EvidenceRows(ctx context.Context, query string, cols []Column) ([]map[string]any, error) {
	tx, err := s.tenantTx(ctx, "", true)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("evidence query: %w", err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("evidence query: %w", err)
		}
		m := make(map[string]any, len(cols))
		for i, c := range cols {
			v := c.convert(vals[i])
			if v == nil && c.Type == "list" {
				continue // an optional field: left out, never null
			}
			m[c.Name] = v
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Column is one field of an evidence item.
type Column struct {
	Name string
	Type string // text, int, bool; list: comma-separated text given as an array, left out when NULL
}

func (c Column) convert(v any) any {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if v == nil {
		return nil
	}
	switch c.Type {
	case "list":
		if x, ok := v.(string); ok {
			return strings.Split(x, ",")
		}
	case "bool":
		switch x := v.(type) {
		case bool:
			return x
		case int64:
			return x != 0
		}
	case "int":
		if x, ok := v.(int64); ok {
			return x
		}
	}
	return v
}
