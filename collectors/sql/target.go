package sqlprobe

import (
	"net/url"
	"path/filepath"
	"strings"
)

// Target is where a DSN points, safe to print: "host:port/dbname" for PostgreSQL (URL or
// key=value form), the file's base name for SQLite. It never carries the user, the password or
// any parameter, so it can go into run.json and the report's cover. "" when the DSN says nothing
// recognisable.
func Target(driver, dsn string) string {
	switch driver {
	case "sqlite":
		p, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
		if p == "" || p == ":memory:" {
			return p
		}
		return filepath.Base(p)
	case "postgres":
		if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
			return u.Host + u.Path
		}
		// key=value form: host=db.example port=5432 dbname=cards user=… password=…
		kv := map[string]string{}
		for _, f := range strings.Fields(dsn) {
			if k, v, ok := strings.Cut(f, "="); ok {
				kv[k] = strings.Trim(v, "'")
			}
		}
		if kv["host"] == "" && kv["dbname"] == "" {
			return ""
		}
		host := kv["host"]
		if kv["port"] != "" {
			host += ":" + kv["port"]
		}
		return host + "/" + kv["dbname"]
	}
	return ""
}
