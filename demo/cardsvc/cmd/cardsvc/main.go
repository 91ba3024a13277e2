// Command cardsvc runs the reference business-card service: HTTPS on --addr, seeded from a
// scenario, SQLite in memory by default or PostgreSQL with --dsn.
//
//	CARDSVC_EVIDENCE_TOKEN=demo-evidence-token go run ./demo/cardsvc/cmd/cardsvc \
//	    --scenario demo/cardsvc/scenarios/compliant.yaml --addr 127.0.0.1:8443 --ca-out /tmp/cardsvc-ca.pem
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/shoko-audit/shoko/demo/cardsvc"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "cardsvc:", err)
		os.Exit(1)
	}
}

func run() error {
	scenario := flag.String("scenario", "demo/cardsvc/scenarios/compliant.yaml", "scenario YAML to seed from")
	addr := flag.String("addr", "127.0.0.1:8443", "listen address")
	dsn := flag.String("dsn", "", "database: a SQLite file (default: in memory) or postgres:// URL; $CARDSVC_DSN if unset")
	tokenEnv := flag.String("token-env", "CARDSVC_EVIDENCE_TOKEN", "environment variable holding the evidence API token")
	caOut := flag.String("ca-out", "", "write the generated CA certificate (PEM) here, for clients to trust")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	sc, err := cardsvc.LoadScenario(*scenario)
	if err != nil {
		return err
	}
	token := os.Getenv(*tokenEnv)
	if token == "" {
		return fmt.Errorf("set %s to the evidence API token", *tokenEnv)
	}
	if *dsn == "" {
		*dsn = os.Getenv("CARDSVC_DSN")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := cardsvc.Start(ctx, *addr, cardsvc.Options{Scenario: sc, DSN: *dsn, EvidenceToken: token, Log: log})
	if err != nil {
		return err
	}
	if *caOut != "" {
		if err := os.WriteFile(*caOut, srv.CAPEM, 0o644); err != nil {
			srv.Close()
			return fmt.Errorf("write CA certificate: %w", err)
		}
		log.Info("CA certificate written", "file", *caOut)
	}
	select {
	case <-ctx.Done():
		log.Info("stopping")
		return srv.Close()
	case err := <-waitErr(srv):
		srv.Close()
		return err
	}
}

// waitErr reports why the server stopped serving, on its own.
func waitErr(srv *cardsvc.Server) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- srv.Wait() }()
	return ch
}
