// Package sqlprobe (directory collectors/sql; named so it does not shadow database/sql) reads a
// service database's schema catalog — tables, the tenant column, NOT NULL, row-level security
// enabled and forced, policies — and optional named queries, always in a read-only transaction.
// PostgreSQL is read through pgx v5; SQLite (the reference service's default) through
// modernc.org/sqlite, opened read-only.
package sqlprobe

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	_ "modernc.org/sqlite"             // driver "sqlite"

	"github.com/shoko-audit/shoko/evidence"
)

// Kinds.
const (
	KindCatalog = "sql.catalog"
	KindQuery   = "sql.query"
)

// Query is an extra named query from the config; its rows are stored as evidence.
type Query struct {
	Name string
	SQL  string
}

// Collector reads one database.
type Collector struct {
	// Database names the database in scopes ("cards").
	Database string
	// Driver is "postgres" or "sqlite".
	Driver string
	// DSNEnv names the environment variable holding the DSN (it may carry a password, so it
	// is never in the config, the evidence or an error).
	DSNEnv string
	// Schema is the PostgreSQL schema to read (default public).
	Schema  string
	Queries []Query
	Timeout time.Duration
	Getenv  func(string) string
}

func (c Collector) Name() string    { return "sql" }
func (c Collector) Kinds() []string { return []string{KindCatalog, KindQuery} }

func info() evidence.CollectorInfo { return evidence.CollectorInfo{Name: "sql", Version: "0.1.0"} }

// Catalog is the stored schema facts.
type Catalog struct {
	Engine string  `json:"engine"`
	Schema string  `json:"schema"`
	Tables []Table `json:"tables"`
}

// Table is one table. RLS fields are null on SQLite, which has no row-level security.
type Table struct {
	Name        string   `json:"name"`
	Columns     []Column `json:"columns"`
	RLSEnabled  *bool    `json:"rls_enabled"`
	RLSForced   *bool    `json:"rls_forced"`
	RLSPolicies []Policy `json:"rls_policies"`
}

// Column is one column.
type Column struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	NotNull bool   `json:"not_null"`
}

// Policy is a row-level security policy.
type Policy struct {
	Name    string  `json:"name"`
	Command string  `json:"command"`
	Using   *string `json:"using"`
}

// Collect reads the catalog and the queries. A database that cannot be reached yields error
// items for the catalog and every query.
func (c Collector) Collect(ctx context.Context, now time.Time) ([]evidence.Item, error) {
	if c.Driver != "postgres" && c.Driver != "sqlite" {
		return nil, fmt.Errorf("database %s: driver %q: want postgres or sqlite", c.Database, c.Driver)
	}
	if c.Schema == "" {
		c.Schema = "public"
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	scope := map[string]string{"source": "sql", "database": c.Database}
	errItems := func(err error) []evidence.Item {
		out := []evidence.Item{evidence.NewError(KindCatalog, scope, now, info(), &evidence.Request{Operation: "schema catalog"}, err)}
		for _, q := range c.Queries {
			out = append(out, evidence.NewError(KindQuery, queryScope(scope, q.Name), now, info(), &evidence.Request{Operation: q.SQL}, err))
		}
		return out
	}
	getenv := c.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	dsn := getenv(c.DSNEnv)
	if dsn == "" {
		return errItems(fmt.Errorf("environment variable %s (the database DSN) is not set", c.DSNEnv)), nil
	}
	db, tx, err := c.open(ctx, dsn)
	if err != nil {
		return errItems(err), nil
	}
	defer db.Close()
	defer tx.Rollback()
	var cat *Catalog
	if c.Driver == "postgres" {
		cat, err = postgresCatalog(ctx, tx, c.Schema)
	} else {
		cat, err = sqliteCatalog(ctx, tx)
	}
	if err != nil {
		return errItems(fmt.Errorf("database %s: read the schema catalog: %w", c.Database, err)), nil
	}
	it, err := evidence.NewOK(KindCatalog, scope, now, info(), &evidence.Request{Operation: "schema catalog"}, cat)
	if err != nil {
		return nil, err
	}
	items := []evidence.Item{it}
	for _, q := range c.Queries {
		req := &evidence.Request{Operation: q.SQL}
		rows, err := runQuery(ctx, tx, q.SQL)
		if err != nil {
			items = append(items, evidence.NewError(KindQuery, queryScope(scope, q.Name), now, info(), req, fmt.Errorf("query %s: %w", q.Name, err)))
			continue
		}
		it, err := evidence.NewOK(KindQuery, queryScope(scope, q.Name), now, info(), req, rows)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

func queryScope(scope map[string]string, name string) map[string]string {
	return map[string]string{"source": scope["source"], "database": scope["database"], "query": name}
}

// open connects and begins the read-only transaction every read runs in. PostgreSQL enforces
// READ ONLY itself; SQLite is opened with mode=ro, so not even a query from the config can write.
func (c Collector) open(ctx context.Context, dsn string) (*sql.DB, *sql.Tx, error) {
	driver := "pgx"
	if c.Driver == "sqlite" {
		driver = "sqlite"
		dsn = "file:" + strings.TrimPrefix(dsn, "file:")
		if strings.Contains(dsn, "?") {
			dsn += "&mode=ro"
		} else {
			dsn += "?mode=ro"
		}
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("database %s: open: %s", c.Database, redact(err, dsn))
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("database %s: connect: %s", c.Database, redact(err, dsn))
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: c.Driver == "postgres"})
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("database %s: begin a read-only transaction: %s", c.Database, redact(err, dsn))
	}
	return db, tx, nil
}

// redact removes the DSN's password from a driver error, should a driver quote it.
func redact(err error, dsn string) string {
	msg := err.Error()
	if u, perr := url.Parse(dsn); perr == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "***")
		}
	}
	return strings.ReplaceAll(msg, dsn, "<dsn>")
}

func postgresCatalog(ctx context.Context, tx *sql.Tx, schema string) (*Catalog, error) {
	cat := &Catalog{Engine: "postgresql", Schema: schema, Tables: []Table{}}
	byName := map[string]*Table{}
	rows, err := tx.QueryContext(ctx, `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname`, schema)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t Table
		var en, fo bool
		if err := rows.Scan(&t.Name, &en, &fo); err != nil {
			rows.Close()
			return nil, err
		}
		t.RLSEnabled, t.RLSForced, t.Columns, t.RLSPolicies = &en, &fo, []Column{}, []Policy{}
		cat.Tables = append(cat.Tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range cat.Tables {
		byName[cat.Tables[i].Name] = &cat.Tables[i]
	}
	rows, err = tx.QueryContext(ctx, `SELECT table_name, column_name, data_type, is_nullable = 'NO'
		FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`, schema)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tname string
		var col Column
		if err := rows.Scan(&tname, &col.Name, &col.Type, &col.NotNull); err != nil {
			rows.Close()
			return nil, err
		}
		if t := byName[tname]; t != nil {
			t.Columns = append(t.Columns, col)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT tablename, policyname, cmd, qual FROM pg_policies WHERE schemaname = $1 ORDER BY tablename, policyname`, schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var tname string
		var p Policy
		var using sql.NullString
		if err := rows.Scan(&tname, &p.Name, &p.Command, &using); err != nil {
			return nil, err
		}
		if using.Valid {
			p.Using = &using.String
		}
		if t := byName[tname]; t != nil {
			t.RLSPolicies = append(t.RLSPolicies, p)
		}
	}
	return cat, rows.Err()
}

func sqliteCatalog(ctx context.Context, tx *sql.Tx) (*Catalog, error) {
	cat := &Catalog{Engine: "sqlite", Schema: "main", Tables: []Table{}}
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		t := Table{Name: n, Columns: []Column{}, RLSPolicies: []Policy{}}
		crows, err := tx.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, n)
		if err != nil {
			return nil, err
		}
		for crows.Next() {
			var col Column
			var nn, pk int
			if err := crows.Scan(&col.Name, &col.Type, &nn, &pk); err != nil {
				crows.Close()
				return nil, err
			}
			// A primary key column is only NOT NULL in SQLite when declared so (a legacy quirk),
			// so the flag is the declared one.
			col.NotNull = nn == 1
			t.Columns = append(t.Columns, col)
		}
		crows.Close()
		cat.Tables = append(cat.Tables, t)
	}
	return cat, nil
}

// runQuery returns the rows as objects keyed by column name, values as the driver gives them
// (bytes as text), in the query's order.
func runQuery(ctx context.Context, tx *sql.Tx, query string) ([]map[string]any, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		m := map[string]any{}
		for i, c := range cols {
			v := vals[i]
			switch x := v.(type) {
			case []byte:
				v = string(x)
			case time.Time:
				v = x.UTC().Format(time.RFC3339Nano)
			}
			m[c] = v
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
