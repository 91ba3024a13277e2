package sqlprobe_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	sqlprobe "github.com/shoko-audit/shoko/collectors/sql"
	"github.com/shoko-audit/shoko/demo/cardsvc"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedPostgres()
	os.Exit(code)
}

// seed starts the reference service on dsn (which migrates and seeds the database) and stops it.
func seed(t *testing.T, dsn string, weak bool) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	sc, err := cardsvc.LoadScenario(filepath.Join(filepath.Dir(file), "..", "..", "demo", "cardsvc", "scenarios", "compliant.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sc.WeakIsolation = weak
	srv, err := cardsvc.Start(context.Background(), "127.0.0.1:0", cardsvc.Options{Scenario: sc, DSN: dsn, EvidenceToken: "x"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
}

func catalog(t *testing.T, it evidence.Item) map[string]sqlprobe.Table {
	t.Helper()
	if it.Status != evidence.StatusOK {
		t.Fatalf("catalog error: %s", *it.Error)
	}
	var c sqlprobe.Catalog
	if err := json.Unmarshal(it.Data, &c); err != nil {
		t.Fatal(err)
	}
	m := map[string]sqlprobe.Table{}
	for _, tb := range c.Tables {
		m[tb.Name] = tb
	}
	return m
}

func tenantCol(tb sqlprobe.Table) *sqlprobe.Column {
	for _, c := range tb.Columns {
		if c.Name == "tenant_id" {
			return &c
		}
	}
	return nil
}

// On PostgreSQL the catalog shows the tenant column, NOT NULL, and RLS enabled and forced — or
// their absence in the weakly isolated schema.
func TestPostgresCatalogShowsTenantColumnsAndRLS(t *testing.T) {
	pg := testenv.NeedPostgres(t)
	tests := []struct {
		name                string
		weak                bool
		tagsNotNull         bool
		cardsForced         bool
		accountsRLSPolicies int
	}{
		{"isolated", false, true, true, 1},
		{"weak", true, false, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn := pg.NewDatabase(t)
			seed(t, dsn, tt.weak)
			c := sqlprobe.Collector{Database: "cards", Driver: "postgres", DSNEnv: "DSN", Getenv: func(string) string { return dsn },
				Queries: []sqlprobe.Query{{Name: "tenants", SQL: "SELECT tenant_id, status FROM tenants ORDER BY tenant_id"}}}
			items, err := c.Collect(context.Background(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			tables := catalog(t, items[0])
			if col := tenantCol(tables["card_tags"]); col == nil || col.NotNull != tt.tagsNotNull {
				t.Errorf("card_tags.tenant_id %+v, want not_null=%v", col, tt.tagsNotNull)
			}
			cards := tables["cards"]
			if cards.RLSEnabled == nil || !*cards.RLSEnabled || *cards.RLSForced != tt.cardsForced {
				t.Errorf("cards RLS enabled=%v forced=%v, want forced=%v", cards.RLSEnabled, cards.RLSForced, tt.cardsForced)
			}
			if n := len(tables["accounts"].RLSPolicies); n != tt.accountsRLSPolicies {
				t.Errorf("accounts has %d policies", n)
			}
			if tables["tenants"].RLSEnabled == nil || *tables["tenants"].RLSEnabled {
				t.Error("tenants (shared) should have RLS off")
			}
			if items[1].Kind != sqlprobe.KindQuery || items[1].Status != evidence.StatusOK || !strings.Contains(string(items[1].Data), `"t-gamma"`) {
				t.Errorf("query item: %s %s", items[1].Status, items[1].Data)
			}
		})
	}
}

// Every read runs in a read-only transaction: a configured query that writes fails.
func TestQueriesCannotWrite(t *testing.T) {
	pg := testenv.NeedPostgres(t)
	dsn := pg.NewDatabase(t)
	seed(t, dsn, false)
	sqliteFile := filepath.Join(t.TempDir(), "cards.db")
	seed(t, sqliteFile, false)
	for _, tc := range []struct{ driver, dsn, want string }{
		{"postgres", dsn, "read-only transaction"},
		{"sqlite", sqliteFile, "readonly"},
	} {
		t.Run(tc.driver, func(t *testing.T) {
			c := sqlprobe.Collector{Database: "cards", Driver: tc.driver, DSNEnv: "DSN", Getenv: func(string) string { return tc.dsn },
				Queries: []sqlprobe.Query{{Name: "purge", SQL: "DELETE FROM incidents"}}}
			items, err := c.Collect(context.Background(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if items[0].Status != evidence.StatusOK {
				t.Fatalf("catalog: %s", *items[0].Error)
			}
			if q := items[1]; q.Status != evidence.StatusError || !strings.Contains(*q.Error, tc.want) {
				t.Fatalf("write query: %s %v, want an error with %q", q.Status, q.Error, tc.want)
			}
		})
	}
}

// SQLite: the catalog has the tenant columns and no RLS (null), read from a read-only open.
func TestSQLiteCatalog(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cards.db")
	seed(t, file, true)
	c := sqlprobe.Collector{Database: "cards", Driver: "sqlite", DSNEnv: "DSN", Getenv: func(string) string { return file }}
	items, err := c.Collect(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tables := catalog(t, items[0])
	if col := tenantCol(tables["cards"]); col == nil || !col.NotNull {
		t.Errorf("cards.tenant_id %+v", col)
	}
	if col := tenantCol(tables["card_tags"]); col == nil || col.NotNull {
		t.Errorf("weak card_tags.tenant_id should be nullable: %+v", col)
	}
	if tables["cards"].RLSEnabled != nil {
		t.Error("SQLite has no RLS: want null")
	}
}

// A missing DSN or an unreachable database gives error items, and the password never shows.
func TestUnreachableDatabaseErrs(t *testing.T) {
	tests := []struct{ name, dsn, want string }{
		{"unset", "", "environment variable DSN (the database DSN) is not set"},
		{"unreachable", "postgres://app:s3cret-pw@127.0.0.1:1/cards?sslmode=disable&connect_timeout=2", "connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sqlprobe.Collector{Database: "cards", Driver: "postgres", DSNEnv: "DSN", Timeout: 5 * time.Second,
				Getenv: func(string) string { return tt.dsn }, Queries: []sqlprobe.Query{{Name: "q", SQL: "SELECT 1"}}}
			items, err := c.Collect(context.Background(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 2 {
				t.Fatalf("%d items, want the catalog and the query", len(items))
			}
			for _, it := range items {
				if it.Status != evidence.StatusError || !strings.Contains(*it.Error, tt.want) || strings.Contains(*it.Error, "s3cret-pw") {
					t.Errorf("%s: %s %v", it.Kind, it.Status, it.Error)
				}
			}
		})
	}
}
