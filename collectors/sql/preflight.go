package sqlprobe

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/shoko-audit/shoko/collectors/preflight"
)

// Preflight connects with the DSN from the environment, opens the read-only transaction an audit
// reads in and asks the one thing that proves it works (SELECT 1). On PostgreSQL it also says
// whether the transaction is really read-only and whether the role is one an audit should use:
// a superuser or BYPASSRLS role could write, and sees past row-level security. Nothing is written
// and the DSN (with its password) is never printed.
func (c Collector) Preflight(ctx context.Context) []preflight.Check {
	name := "database " + c.Database
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	getenv := c.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	dsn := getenv(c.DSNEnv)
	if dsn == "" {
		return []preflight.Check{preflight.Unreachable("database", name, fmt.Sprintf("environment variable %s (the DSN) is not set", c.DSNEnv),
			fmt.Sprintf("export %s with the read-only user's DSN (README: \"A read-only database user\")", c.DSNEnv))}
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	db, tx, err := c.open(ctx, dsn)
	if err != nil {
		return []preflight.Check{preflight.Unreachable("database", name, err.Error(),
			fmt.Sprintf("check the host, database, user and password in %s and that the database accepts connections from here", c.DSNEnv))}
	}
	defer db.Close()
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	var one int
	if err := tx.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return []preflight.Check{preflight.Failed("database", name, "SELECT 1: "+redact(err, dsn), "grant the user CONNECT on the database")}
	}
	if c.Driver != "postgres" {
		return []preflight.Check{preflight.Pass("database", name, "connected; opened read-only (SQLite mode=ro)")}
	}
	var readOnly, user string
	var super, bypass bool
	err = tx.QueryRowContext(ctx, `SELECT current_setting('transaction_read_only'), current_user, r.rolsuper, r.rolbypassrls
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&readOnly, &user, &super, &bypass)
	if err != nil {
		return []preflight.Check{preflight.Failed("database", name, "reading the role: "+redact(err, dsn), "grant the user CONNECT and USAGE on the schema")}
	}
	switch {
	case readOnly != "on":
		return []preflight.Check{preflight.Failed("database", name, "the transaction is not read-only", "use a PostgreSQL server that honours BEGIN READ ONLY")}
	case super || bypass:
		return []preflight.Check{preflight.Failed("database", name, fmt.Sprintf("connected as %s, a superuser or BYPASSRLS role", user),
			"connect as a read-only role (NOSUPERUSER NOBYPASSRLS, SELECT only; README: \"A read-only database user\")")}
	}
	return []preflight.Check{preflight.Pass("database", name, fmt.Sprintf("connected as %s in a read-only transaction (not a superuser, no BYPASSRLS)", user))}
}
