package testenv

import (
	"database/sql"
	"net/http"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	StopSharedMoto()
	StopSharedPostgres()
	os.Exit(code)
}

func TestMotoStartsAndResets(t *testing.T) {
	m := NeedMoto(t)
	resp, err := http.Get(m.URL + "/moto-api/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("moto answered %s", resp.Status)
	}
	m.Reset(t)
}

func TestMissingFailsUnderCI(t *testing.T) {
	ft := &fakeTB{TB: t}
	t.Setenv("CI", "true")
	func() {
		defer func() { _ = recover() }()
		Missing(ft, "thing", os.ErrNotExist)
	}()
	if !ft.failed || ft.skipped {
		t.Fatalf("under CI=true a missing service must fail the test (failed=%v skipped=%v)", ft.failed, ft.skipped)
	}
	ft = &fakeTB{TB: t}
	t.Setenv("CI", "")
	func() {
		defer func() { _ = recover() }()
		Missing(ft, "thing", os.ErrNotExist)
	}()
	if ft.failed || !ft.skipped {
		t.Fatalf("outside CI a missing service skips (failed=%v skipped=%v)", ft.failed, ft.skipped)
	}
}

// fakeTB records Fatalf/Skipf instead of stopping the real test.
type fakeTB struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Fatalf(string, ...any) { f.failed = true; panic("stop") }
func (f *fakeTB) Skipf(string, ...any)  { f.skipped = true; panic("stop") }

// NeedPostgres gives a working cluster, and NewDatabase an ordinary role that owns its database.
func TestNeedPostgresStartsACluster(t *testing.T) {
	pg := NeedPostgres(t)
	dsn := pg.NewDatabase(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var super bool
	if err := db.QueryRow(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		t.Fatal(err)
	}
	if super {
		t.Fatal("NewDatabase gave a superuser role: row-level security would not apply to it")
	}
}
