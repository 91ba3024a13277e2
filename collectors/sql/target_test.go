package sqlprobe

import (
	"strings"
	"testing"
)

// Target names the host and database a DSN points at and never its user or password.
func TestTargetNamesHostAndDatabaseOnly(t *testing.T) {
	cases := []struct {
		name, driver, dsn, want string
	}{
		{"postgres URL with credentials", "postgres", "postgres://shoko:s3cret-pw@db.example:5432/cards?sslmode=require", "db.example:5432/cards"},
		{"postgres key=value with credentials", "postgres", "host=db.example port=5432 dbname=cards user=shoko password='s3cret-pw'", "db.example:5432/cards"},
		{"sqlite file", "sqlite", "file:/var/lib/cardsvc/cards.db?_pragma=x", "cards.db"},
		{"unrecognisable", "postgres", "nonsense", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Target(tc.driver, tc.dsn)
			if got != tc.want {
				t.Fatalf("Target = %q, want %q", got, tc.want)
			}
			if strings.Contains(got, "s3cret") || strings.Contains(got, "shoko") {
				t.Fatalf("Target %q leaks a credential", got)
			}
		})
	}
}
