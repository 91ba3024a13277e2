package cardsvc

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Options configure a server.
type Options struct {
	// Scenario seeds the data and sets the switches.
	Scenario *Scenario
	// DSN is the database: a SQLite path (default ":memory:") or a postgres:// URL.
	DSN string
	// EvidenceToken is the bearer token of the evidence API (required).
	EvidenceToken string
	// Certificate overrides the generated one (with CAPEM for clients); nil generates a CA.
	Certificate *tls.Certificate
	Log         *slog.Logger
	// Now is the clock (Date header); nil is time.Now.
	Now func() time.Time
}

// Server is a running cardsvc.
type Server struct {
	// URL is https://host:port of the listener.
	URL string
	// CAPEM is the CA certificate clients should trust (empty when a certificate was given).
	CAPEM []byte

	opts  Options
	store *Store
	http  *http.Server
	ln    net.Listener
	// done is closed when serving stops; err is why. Closing (not sending) lets both Close and
	// Wait learn it, in any order.
	done chan struct{}
	err  error
}

// Start opens and seeds the store and serves HTTPS on addr ("127.0.0.1:0" for a free port).
func Start(ctx context.Context, addr string, opts Options) (*Server, error) {
	sc := opts.Scenario
	if sc == nil {
		return nil, errors.New("cardsvc: a scenario is required")
	}
	if opts.EvidenceToken == "" {
		return nil, errors.New("cardsvc: an evidence API token is required")
	}
	if opts.DSN == "" {
		opts.DSN = ":memory:"
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	minVersion, err := TLSVersion(sc.TLSMinVersion)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, done: make(chan struct{})}
	if opts.Certificate == nil {
		days := sc.CertValidDays
		if days == 0 {
			days = 365
		}
		certs, err := NewCerts(sc.CertHost, days, opts.Now())
		if err != nil {
			return nil, err
		}
		s.CAPEM = certs.CAPEM
		opts.Certificate = &certs.Server
	}
	if s.store, err = OpenStore(ctx, opts.DSN); err != nil {
		return nil, err
	}
	if err := s.store.Migrate(ctx, sc.WeakIsolation); err != nil {
		s.store.Close()
		return nil, err
	}
	if err := s.store.Seed(ctx, sc); err != nil {
		s.store.Close()
		return nil, err
	}
	tlsCfg := &tls.Config{
		Certificates: []tls.Certificate{*opts.Certificate},
		MinVersion:   minVersion,
	}
	if minVersion < tls.VersionTLS12 {
		// TLS 1.0/1.1 need the CBC suites, which Go no longer offers by default: a service
		// that allows old clients also allows their ciphers.
		for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
			tlsCfg.CipherSuites = append(tlsCfg.CipherSuites, cs.ID)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.store.Close()
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s.ln = ln
	s.URL = "https://" + ln.Addr().String()
	s.http = &http.Server{Handler: s.routes(), TLSConfig: tlsCfg, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(opts.Log.Handler(), slog.LevelDebug)}
	go func() {
		s.err = s.http.ServeTLS(ln, "", "")
		close(s.done)
	}()
	opts.Log.Info("cardsvc listening", "url", s.URL, "scenario", sc.Name, "tls_min", sc.TLSMinVersion, "postgres", s.store.postgres)
	return s, nil
}

// Close stops the server and closes the store.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	<-s.done
	if cerr := s.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// Wait blocks until the server stops and says why (http.ErrServerClosed after Close).
func (s *Server) Wait() error {
	<-s.done
	return s.err
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page("home"))
	for _, p := range []string{"manual", "faq", "chatbot", "policy"} {
		mux.HandleFunc("GET /"+p, s.page(p))
	}
	mux.HandleFunc("GET /api/v1/cards", s.tenantAPI(s.listCards))
	mux.HandleFunc("POST /api/v1/cards", s.tenantAPI(s.addCard))
	mux.HandleFunc("GET /api/v1/cards/{id}", s.tenantAPI(s.getCard))
	for path, coll := range collections {
		mux.HandleFunc("GET /evidence/v1/"+path, s.evidenceAPI(coll))
	}
	return s.headers(mux)
}

// headers adds what every answer carries: the Date of the (possibly skewed) clock and HSTS.
func (s *Server) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := s.opts.Now().Add(s.opts.Scenario.ClockOffset)
		w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
		if s.opts.Scenario.HSTSMaxAge > 0 {
			w.Header().Set("Strict-Transport-Security", "max-age="+strconv.Itoa(s.opts.Scenario.HSTSMaxAge)+"; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) page(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusOK
		if st, ok := s.opts.Scenario.Pages[name]; ok {
			status = st
		} else if name != "home" {
			status = http.StatusNotFound
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<!doctype html><title>cardsvc %s</title><h1>%s</h1>\n", name, name)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

// tenantAPI authenticates an account token and hands the handler its principal.
func (s *Server) tenantAPI(h func(http.ResponseWriter, *http.Request, Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.store.Authenticate(r.Context(), bearer(r))
		if errors.Is(err, ErrNotFound) {
			writeError(w, http.StatusUnauthorized, "unauthorized", "missing or invalid bearer token")
			return
		}
		if err != nil {
			s.opts.Log.Error("authenticate", "error", err)
			writeError(w, http.StatusInternalServerError, "internal", "internal error")
			return
		}
		h(w, r, p)
	}
}

func (s *Server) listCards(w http.ResponseWriter, r *http.Request, p Principal) {
	cs, err := s.store.Cards(r.Context(), p.TenantID)
	if err != nil {
		s.opts.Log.Error("list cards", "error", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs})
}

func (s *Server) getCard(w http.ResponseWriter, r *http.Request, p Principal) {
	c, err := s.store.Card(r.Context(), p.TenantID, r.PathValue("id"), s.opts.Scenario.CrossTenantLeak)
	if errors.Is(err, ErrNotFound) {
		// 404, not 403: whether another tenant's id exists is itself not to be disclosed.
		writeError(w, http.StatusNotFound, "not_found", "no such card")
		return
	}
	if err != nil {
		s.opts.Log.Error("get card", "error", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) addCard(w http.ResponseWriter, r *http.Request, p Principal) {
	if p.Role != "admin" && p.Role != "editor" {
		writeError(w, http.StatusForbidden, "forbidden", "role "+p.Role+" cannot add cards")
		return
	}
	var c CardOut
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || c.ID == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "want a card with card_id")
		return
	}
	if err := s.store.AddCard(r.Context(), p.TenantID, c); err != nil {
		writeError(w, http.StatusConflict, "conflict", "card could not be stored")
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

// collection is one evidence API path: its query (ordered by id) and the period field.
type collection struct {
	query  string
	cols   []Column
	id     string
	period string // field since/until select on; "" = current state, unfiltered
	single bool   // capabilities: one item built from the scenario
}

var collections = map[string]collection{
	"tenants": {query: `SELECT tenant_id, status, notification_contacts, contract_ended_at, data_purged_at FROM tenants ORDER BY tenant_id`,
		cols: []Column{{"tenant_id", "text"}, {"status", "text"}, {"notification_contacts", "int"}, {"contract_ended_at", "text"}, {"data_purged_at", "text"}},
		id:   "tenant_id"},
	"accounts": {query: `SELECT account_id, tenant_id, login_id, role, status, created_at, disabled_at, last_activity_at FROM accounts ORDER BY account_id`,
		cols: []Column{{"account_id", "text"}, {"tenant_id", "text"}, {"login_id_sha256", "login"}, {"role", "text"}, {"status", "text"},
			{"created_at", "text"}, {"disabled_at", "text"}, {"last_activity_at", "text"}},
		id: "account_id"},
	"incidents": {query: `SELECT incident_id, title, severity, customer_impact, detected_at, notified_at, escalated_at, recovered_at FROM incidents ORDER BY incident_id`,
		cols: []Column{{"incident_id", "text"}, {"title", "text"}, {"severity", "text"}, {"customer_impact", "bool"}, {"detected_at", "text"},
			{"notified_at", "text"}, {"escalated_at", "text"}, {"recovered_at", "text"}},
		id: "incident_id", period: "detected_at"},
	"changes": {query: `SELECT change_id, kind, customer_impact, notified_at, effective_at, regions FROM changes ORDER BY change_id`,
		cols: []Column{{"change_id", "text"}, {"kind", "text"}, {"customer_impact", "bool"}, {"notified_at", "text"}, {"effective_at", "text"},
			{"regions", "list"}},
		id: "change_id", period: "effective_at"},
	"disclosures": {query: `SELECT disclosure_id, disclosed_at, recipient, legal_basis, approved_by FROM disclosures ORDER BY disclosure_id`,
		cols: []Column{{"disclosure_id", "text"}, {"disclosed_at", "text"}, {"recipient", "text"}, {"legal_basis", "text"}, {"approved_by", "text"}},
		id:   "disclosure_id", period: "disclosed_at"},
	"capabilities": {single: true},
}

// evidenceAPI serves one collection: bearer check, since/until, cursor/limit paging.
func (s *Server) evidenceAPI(c collection) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(bearer(r)), []byte(s.opts.EvidenceToken)) != 1 {
			writeError(w, http.StatusUnauthorized, "unauthorized", "missing or invalid bearer token")
			return
		}
		if c.single {
			features := append([]string{}, s.opts.Scenario.Features...)
			sort.Strings(features)
			writeJSON(w, http.StatusOK, map[string]any{"items": []any{map[string]any{"features": features, "version": "cardsvc-1.0.0"}}, "next_cursor": nil})
			return
		}
		q := r.URL.Query()
		var since, until time.Time
		for _, b := range []struct {
			name string
			dst  *time.Time
		}{{"since", &since}, {"until", &until}} {
			if v := q.Get(b.name); v != "" {
				t, err := time.Parse(time.RFC3339, v)
				if err != nil {
					writeError(w, http.StatusBadRequest, "bad_request", b.name+" is not an RFC 3339 time")
					return
				}
				*b.dst = t
			}
		}
		limit := 100
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				writeError(w, http.StatusBadRequest, "bad_request", "limit must be 1..1000")
				return
			}
			limit = n
		}
		cursor := q.Get("cursor")
		rows, err := s.store.EvidenceRows(r.Context(), c.query, c.cols)
		if err != nil {
			s.opts.Log.Error("evidence", "error", err)
			writeError(w, http.StatusInternalServerError, "internal", "internal error")
			return
		}
		items := []map[string]any{}
		for _, row := range rows {
			if v, ok := row["login_id_sha256"].(string); ok {
				row["login_id_sha256"] = LoginHash(v)
			}
			if c.period != "" {
				t, _ := time.Parse(time.RFC3339, row[c.period].(string))
				if (!since.IsZero() && t.Before(since)) || (!until.IsZero() && !t.Before(until)) {
					continue
				}
			}
			// The cursor is the last id of the previous page: ids are unique and ordered.
			if cursor != "" && row[c.id].(string) <= cursor {
				continue
			}
			items = append(items, row)
		}
		var next any
		if len(items) > limit {
			items = items[:limit]
			next = items[limit-1][c.id]
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	}
}
