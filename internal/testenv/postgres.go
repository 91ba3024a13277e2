package testenv

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
)

// Postgres is a throwaway PostgreSQL cluster: initdb in a temp dir, pg_ctl on a free loopback
// port, trust authentication on loopback only.
type Postgres struct {
	// AdminDSN connects as the cluster's superuser.
	AdminDSN string
	dir      string
	port     int
	pgCtl    string
	runAs    string // "" or the OS user the server runs as (postgres refuses to run as root)
	log      *bytes.Buffer
}

// postgresBin finds a PostgreSQL server binary: on PATH, or in Debian's versioned directory.
func postgresBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	sort.Strings(matches)
	if len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	return "", fmt.Errorf("%s not found on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql)", name)
}

// command runs a PostgreSQL tool, as p.runAs when set (through runuser).
func (p *Postgres) command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	if p.runAs != "" {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", p.runAs, "--", bin}, args...)...)
	}
	return exec.CommandContext(ctx, bin, args...)
}

// StartPostgres creates and starts a cluster. Under root it runs the server as the "postgres"
// OS user (the Debian package creates it), since PostgreSQL refuses to run as root.
func StartPostgres() (*Postgres, error) {
	initdb, err := postgresBin("initdb")
	if err != nil {
		return nil, err
	}
	pgCtl, err := postgresBin("pg_ctl")
	if err != nil {
		return nil, err
	}
	p := &Postgres{pgCtl: pgCtl, log: &bytes.Buffer{}}
	dir, err := os.MkdirTemp("", "shoko-pg-*")
	if err != nil {
		return nil, err
	}
	p.dir = dir
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and there is no postgres OS user to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		p.runAs = "postgres"
	}
	if p.port, err = FreePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	data := filepath.Join(dir, "data")
	cmd := p.command(ctx, initdb, "-D", data, "-U", "shoko", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", p.port, dir)
	cmd = p.command(ctx, pgCtl, "-D", data, "-l", filepath.Join(dir, "server.log"), "-o", opts, "-w", "start")
	if out, err := cmd.CombinedOutput(); err != nil {
		logb, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %w: %s %s", err, out, logb)
	}
	p.AdminDSN = fmt.Sprintf("postgres://shoko@127.0.0.1:%d/postgres?sslmode=disable", p.port)
	db, err := sql.Open("pgx", p.AdminDSN)
	if err == nil {
		err = db.PingContext(ctx)
		db.Close()
	}
	if err != nil {
		p.Stop()
		return nil, fmt.Errorf("connect to the new cluster: %w", err)
	}
	return p, nil
}

// Stop stops the server and removes the cluster.
func (p *Postgres) Stop() {
	if p == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = p.command(ctx, p.pgCtl, "-D", filepath.Join(p.dir, "data"), "-m", "immediate", "stop").Run()
	os.RemoveAll(p.dir)
}

var dbCounter atomic.Int64

// NewDatabase creates a fresh database owned by a fresh ordinary role (not a superuser: a
// superuser bypasses row-level security even when it is forced) and returns a DSN for that role.
func (p *Postgres) NewDatabase(t testing.TB) string {
	t.Helper()
	n := dbCounter.Add(1)
	name := fmt.Sprintf("t%d_%d", os.Getpid(), n)
	db, err := sql.Open("pgx", p.AdminDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, st := range []string{
		"CREATE ROLE " + name + " LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'pw-" + name + "'",
		"CREATE DATABASE " + name + " OWNER " + name,
	} {
		if _, err := db.ExecContext(ctx, st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	return fmt.Sprintf("postgres://%s:pw-%s@127.0.0.1:%d/%s?sslmode=disable", name, name, p.port, name)
}

var sharedPG struct {
	once sync.Once
	pg   *Postgres
	err  error
}

// NeedPostgres returns the test binary's PostgreSQL cluster, started on first use; a missing
// PostgreSQL skips the test, or fails it under CI=true. Stop it from TestMain with
// StopSharedPostgres after m.Run.
func NeedPostgres(t testing.TB) *Postgres {
	t.Helper()
	sharedPG.once.Do(func() { sharedPG.pg, sharedPG.err = StartPostgres() })
	if sharedPG.err != nil {
		Missing(t, "PostgreSQL", sharedPG.err)
	}
	return sharedPG.pg
}

// StopSharedPostgres stops the cluster NeedPostgres started, if any.
func StopSharedPostgres() { sharedPG.pg.Stop() }
