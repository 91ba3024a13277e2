// Command run is `make demo`: the whole mission end to end on one machine, with real parts.
//
//  1. starts moto_server (the AWS API) on a free loopback port, with motofront in front of it
//     for the operations moto lacks, and seeds the card service's AWS estate (demo/awsestate)
//     with three deliberate violations;
//  2. starts the reference service (bin/cardsvc) over HTTPS from demo/cardsvc/scenarios/demo.yaml,
//     a compliant service with one late incident notice and one tenant purged late;
//  3. writes one shoko.yaml combining records (demo/records), AWS, the service and its database,
//     generates a signing key, and runs `shoko audit` with its progress display;
//  4. fixes one seeded violation (LOG-03) in the estate, seconds later, and audits again into the
//     same store: the second run is chained to the first and shows the control passing again;
//  5. verifies the newest run (its reports in Japanese and English are inside it, signed with
//     it), bundles it and verifies the bundle;
//  6. checks the verdicts of each run are exactly the ones the demo seeded;
//  7. writes the history of the store's period (shoko history: both runs verified, the fixed
//     control's failing interval and the open ones), its period report and dashboard, signed, and
//     verifies it; stops everything it started (also on Ctrl-C or failure), and prints where the
//     documents are.
//
// Everything it writes goes under --out (default out/demo), which it replaces on each run.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/history"
	"github.com/shoko-audit/shoko/internal/motofront"
	"github.com/shoko-audit/shoko/reports"
)

// Period is the audit period: the scenario's incidents, changes and purges are dated in 2026.
const Period = "2026-01-01..2026-12-31"

// recordsWrittenOn is the day demo/records was written for. The records are judged as of the
// day the demo runs (training within a year, attestations unexpired…), so the demo moves their
// dates forward by the whole weeks since then (see copyRecords) and they never age out.
var recordsWrittenOn = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// Deliberate lists every failure the demo seeds, with why, for the summary. Any other `fail`, or
// any `error`, means the demo itself is broken, and run says so.
var Deliberate = []Seeded{
	{"GEO-01", "a customer database (geo-us-east-1-db) was created in us-east-1, outside Japan"},
	{"LOG-03", "a log group (/cardsvc/never-expire) was left at \"never expire\""},
	{"TLS-01", "an ALB listener (legacy-tls) still uses ELBSecurityPolicy-2016-08 (TLS 1.0)"},
	{"INC-01", "incident INC-2026-004 was notified to customers 95 minutes after detection (limit 30)"},
	{"DEL-01", "tenant t-delta's data was purged on the 11th business day after its contract ended (limit 10)"},
	{"VUL-01", "critical vulnerability VA-2026-02-001 is open past 30 days; its exception expired unrenewed"},
}

// Seeded is a failure the demo seeds on purpose: the control and why it fails.
type Seeded struct{ ID, Why string }

// Fixed is the violation fixed between the demo's two runs, and how (awsestate.Remediate).
var Fixed = struct{ ID, How string }{"LOG-03", "PutRetentionPolicy 1096 days on /cardsvc/never-expire"}

// StillFailing is Deliberate less the violation fixed between the runs: the second run's failures.
func StillFailing() []Seeded {
	var out []Seeded
	for _, d := range Deliberate {
		if d.ID != Fixed.ID {
			out = append(out, d)
		}
	}
	return out
}

// awsViolations are the estate's switchable violations the demo turns on (see Deliberate).
var awsViolations = map[string]bool{"GEO-01": true, "LOG-03": true, "TLS-01": true}

// Fake static credentials: moto accepts any; they keep the SDK from looking for real ones.
const (
	fakeAccessKey = "AKIASHOKODEMO0000001"
	fakeSecretKey = "shoko-demo-not-a-secret"
)

// acmeToken is tenant t-acme's viewer token in the scenario file, for the cross-tenant probe.
const acmeToken = "acme-viewer-demo-token"

// marker marks a directory as the demo's own, so a second run may replace it and nothing else.
const marker = ".shoko-demo"

type options struct {
	root    string // the repository: demo/records and the scenario are read from it
	out     string // everything the demo writes
	shoko   string // the shoko binary
	cardsvc string // the cardsvc binary
	moto    string // moto_server
	token   string // the evidence API token (default: random per run, so none lives in the repo)
	stdout  io.Writer
}

// Outputs are the files the summary points at.
type Outputs struct {
	// RunID is the second (newest) run; FirstRunID the first, before the fix.
	RunID, RunDir, FirstRunID         string
	History, PeriodJA, PeriodEN       string
	Dashboard                         string
	AuditJA, AuditEN                  string
	WhitePaperJA, WhitePaperEN        string
	Results, OSCAL, Bundle, PublicKey string
	Summary                           map[string]int
}

func main() {
	o := options{stdout: os.Stdout}
	flag.StringVar(&o.out, "out", "out/demo", "directory for everything the demo writes (replaced on each run)")
	flag.StringVar(&o.shoko, "shoko", "bin/shoko", "the shoko binary")
	flag.StringVar(&o.cardsvc, "cardsvc", "bin/cardsvc", "the cardsvc binary")
	flag.StringVar(&o.moto, "moto", "", "moto_server (default: on PATH, else .venv/bin/moto_server)")
	flag.StringVar(&o.root, "root", ".", "the repository root")
	flag.Parse()

	// Ctrl-C or SIGTERM cancels the context: every child is stopped and the deferred clean-up runs.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	out, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "\ndemo failed:", err)
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "(interrupted; everything the demo started has been stopped)")
		}
		os.Exit(1)
	}
	printSummary(o.stdout, out, time.Since(start))
}

// run does the whole demo and returns where its documents are. Every process and server it
// starts is stopped before it returns, whatever happens.
func run(ctx context.Context, o options) (*Outputs, error) {
	var err error
	for _, p := range []*string{&o.root, &o.out, &o.shoko, &o.cardsvc} {
		if *p, err = filepath.Abs(*p); err != nil {
			return nil, err
		}
	}
	if o.moto == "" {
		if o.moto, err = findMoto(o.root); err != nil {
			return nil, err
		}
	}
	if err := freshDir(o.out); err != nil {
		return nil, err
	}
	logs := filepath.Join(o.out, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return nil, err
	}
	step := func(format string, a ...any) { fmt.Fprintf(o.stdout, "==> "+format+"\n", a...) }

	// 1. AWS: moto, motofront, the estate.
	step("starting moto_server (AWS API) on a free loopback port")
	moto, err := startMoto(ctx, o.moto, filepath.Join(logs, "moto.log"))
	if err != nil {
		return nil, err
	}
	defer moto.stop()
	front, err := motofront.Start(moto.url)
	if err != nil {
		return nil, fmt.Errorf("motofront: %w", err)
	}
	defer front.Close()
	step("seeding the demo AWS estate in %s (violations: %s)", awsestate.Region, strings.Join(sortedKeys(awsViolations), ", "))
	if err := seed(ctx, front); err != nil {
		return nil, fmt.Errorf("seed the AWS estate: %w", err)
	}

	// 2. The service.
	token := o.token
	if token == "" {
		token = randomToken()
	}
	dsn := filepath.Join(o.out, "cardsvc.db")
	caFile := filepath.Join(o.out, "cardsvc-ca.pem")
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	step("starting cardsvc over HTTPS on localhost:%d (scenario demo.yaml)", port)
	svc, err := startCardsvc(ctx, o, port, token, dsn, caFile, filepath.Join(logs, "cardsvc.log"))
	if err != nil {
		return nil, err
	}
	defer svc.stop()

	// 3. Config, key, audit.
	// The records are copied beside the config so that its paths, and the evidence names made
	// from them, are relative and the same on every machine.
	if err := copyRecords(filepath.Join(o.root, "demo", "records"), filepath.Join(o.out, "records"), recordsShift(time.Now())); err != nil {
		return nil, fmt.Errorf("copy demo/records: %w", err)
	}
	cfgPath := filepath.Join(o.out, "shoko.yaml")
	if err := os.WriteFile(cfgPath, []byte(demoConfig(port, caFile)), 0o644); err != nil {
		return nil, err
	}
	keys := filepath.Join(o.out, "keys")
	step("generating a signing key")
	if _, err := shoko(ctx, o, nil, nil, "keygen", "--out", keys); err != nil {
		return nil, err
	}
	env := []string{
		"AWS_ACCESS_KEY_ID=" + fakeAccessKey, "AWS_SECRET_ACCESS_KEY=" + fakeSecretKey, "AWS_SESSION_TOKEN=",
		"AWS_PROFILE=", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_ENDPOINT_URL=" + front.URL, "AWS_REGION=" + awsestate.Region,
		"SHOKO_SERVICE_TOKEN=" + token, "SHOKO_ACME_TOKEN=" + acmeToken, "SHOKO_DB_DSN=" + dsn,
	}
	audit := func() (string, error) {
		step("shoko audit --config %s --period %s", rel(cfgPath), Period)
		code, err := shoko(ctx, o, env, o.stdout, "audit", "--config", cfgPath, "--out", o.out,
			"--key", filepath.Join(keys, "shoko.key"), "--period", Period)
		// 1 (a control fails) is what the demo expects; 2 (error) is checked against the results below.
		if err != nil && code != 1 && code != 2 {
			return "", err
		}
		return newestRun(filepath.Join(o.out, "runs"))
	}
	first, err := audit()
	if err != nil {
		return nil, err
	}
	if _, err := checkResults(filepath.Join(first, "results.json"), Deliberate); err != nil {
		return nil, err
	}

	// 4. Between two runs an SRE fixes one violation: the second run, chained to the first, shows
	// the control passing again, and the history of the store shows the interval it failed.
	// The wait puts the second run's start in a later second than the first run's end: a run
	// links to the runs that ended before its (whole-second) start.
	step("fixing %s between runs: %s", Fixed.ID, Fixed.How)
	awsCfg, err := awsConfig(ctx, front)
	if err != nil {
		return nil, err
	}
	if err := awsestate.Remediate(ctx, awsCfg, Fixed.ID); err != nil {
		return nil, err
	}
	if err := sleepToNextSecond(ctx); err != nil {
		return nil, err
	}
	second, err := audit()
	if err != nil {
		return nil, err
	}
	if second == first {
		return nil, fmt.Errorf("the second audit wrote no new run in %s", filepath.Join(o.out, "runs"))
	}
	r := &Outputs{RunDir: second, RunID: filepath.Base(second), FirstRunID: filepath.Base(first)}
	r.Results = filepath.Join(r.RunDir, "results.json")
	r.AuditJA = filepath.Join(r.RunDir, "reports", "audit-report.ja.pdf")
	r.AuditEN = filepath.Join(r.RunDir, "reports", "audit-report.en.pdf")
	r.WhitePaperJA = filepath.Join(r.RunDir, "reports", "whitepaper.ja.pdf")
	r.WhitePaperEN = filepath.Join(r.RunDir, "reports", "whitepaper.en.pdf")
	r.OSCAL = filepath.Join(r.RunDir, "reports", "assessment-results.oscal.json")
	r.PublicKey = filepath.Join(keys, "shoko.pub")
	r.Bundle = filepath.Join(o.out, r.RunID+".tar.gz")

	// 5. The auditor's checks: audit wrote every report in both languages into the run before
	// signing it, so verify covers them (and, for the second run, its link to the first).
	step("shoko verify %s", rel(r.RunDir))
	if _, err := shoko(ctx, o, nil, o.stdout, "verify", r.RunDir, "--pubkey", r.PublicKey); err != nil {
		return nil, err
	}
	step("shoko bundle, and verify the bundle as an auditor would")
	if _, err := shoko(ctx, o, nil, nil, "bundle", r.RunDir, "-o", r.Bundle); err != nil {
		return nil, err
	}
	if _, err := shoko(ctx, o, nil, nil, "verify", r.Bundle, "--pubkey", r.PublicKey); err != nil {
		return nil, err
	}
	for _, f := range []string{r.AuditJA, r.AuditEN, r.WhitePaperJA, r.WhitePaperEN, r.Results, r.OSCAL, r.Bundle} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("expected output missing: %w", err)
		}
	}

	// 6. The verdicts must be exactly what was seeded, less the one fixed.
	if r.Summary, err = checkResults(r.Results, StillFailing()); err != nil {
		return nil, err
	}

	// 7. The period: every run of the store verified against its statement and the chain, and
	// for each control its statuses over time, failing intervals and gaps: history.json, the
	// period report (ja/en) and the dashboard, signed over the runs they speak for.
	period := periodOfRuns(r.FirstRunID, r.RunID)
	r.History = filepath.Join(o.out, "history")
	step("shoko history --store %s --period %s (the store's two runs)", rel(o.out), period)
	code, err := shoko(ctx, o, nil, o.stdout, "history", "--store", o.out, "--period", period,
		"--pubkey", r.PublicKey, "--key", filepath.Join(keys, "shoko.key"), "--out", r.History)
	// 1: a control failed during the period (the seeded ones), which the demo expects.
	if err != nil && code != 1 {
		return nil, err
	}
	step("shoko verify %s: the period statement and every run it covers", rel(r.History))
	if _, err := shoko(ctx, o, nil, o.stdout, "verify", r.History, "--pubkey", r.PublicKey, "--store", o.out); err != nil {
		return nil, err
	}
	r.PeriodJA = filepath.Join(r.History, reports.PeriodFileName("ja"))
	r.PeriodEN = filepath.Join(r.History, reports.PeriodFileName("en"))
	r.Dashboard = filepath.Join(r.History, filepath.FromSlash(reports.DashboardPath))
	if err := checkHistory(filepath.Join(r.History, history.FileName), r.FirstRunID, r.RunID); err != nil {
		return nil, err
	}
	return r, nil
}

// periodOfRuns is the period of the demo's history: the days (JST) its two runs started on, so
// the history has no hole before the first run or after the last longer than a day.
func periodOfRuns(firstID, lastID string) string {
	day := func(id string) string {
		t, err := time.Parse("20060102T150405Z", strings.SplitN(id, "-", 2)[0])
		if err != nil {
			return "invalid-run-id-" + id // refused by shoko history, naming it
		}
		return t.In(time.FixedZone("JST", 9*60*60)).Format("2006-01-02")
	}
	return day(firstID) + ".." + day(lastID)
}

// checkHistory reads history.json and fails unless both runs are trusted, the fixed control's
// failing interval closes with the second run, and every other seeded failure is still open.
func checkHistory(path, firstID, secondID string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	rep, err := history.Parse(path, b)
	if err != nil {
		return err
	}
	var problems []string
	if rep.Summary.Runs != 2 || rep.Summary.TrustedRuns != 2 {
		problems = append(problems, fmt.Sprintf("want 2 runs, both trusted; history has %d runs, %d trusted", rep.Summary.Runs, rep.Summary.TrustedRuns))
	}
	want := map[string]bool{}
	for _, d := range Deliberate {
		want[d.ID] = true
	}
	for _, c := range rep.Controls {
		if !want[c.ID] {
			if len(c.Intervals) > 0 {
				problems = append(problems, c.ID+" has a failing interval the demo did not seed")
			}
			continue
		}
		delete(want, c.ID)
		if len(c.Intervals) != 1 {
			problems = append(problems, fmt.Sprintf("%s: want one failing interval, history has %d", c.ID, len(c.Intervals)))
			continue
		}
		iv := c.Intervals[0]
		switch {
		case iv.FirstFailingIn != firstID:
			problems = append(problems, fmt.Sprintf("%s: failing since %s, want the first run %s", c.ID, iv.FirstFailingIn, firstID))
		case c.ID == Fixed.ID && iv.FixedIn != secondID:
			problems = append(problems, fmt.Sprintf("%s was fixed between the runs; history says fixed in %q, want %s", c.ID, iv.FixedIn, secondID))
		case c.ID != Fixed.ID && iv.FixedAt != nil:
			problems = append(problems, fmt.Sprintf("%s still fails; history says fixed in %s", c.ID, iv.FixedIn))
		}
	}
	for id := range want {
		problems = append(problems, id+" is missing from the history")
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("the demo's history is not what it did:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// checkResults reads results.json and fails unless the failing controls are exactly the
// expected ones and nothing is `error`: a demo that shows anything else is broken.
func checkResults(path string, failing []Seeded) (map[string]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var res engine.Results
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	want := map[string]bool{}
	for _, d := range failing {
		want[d.ID] = true
	}
	var problems []string
	for _, c := range res.Controls {
		switch {
		case c.Status == engine.StatusFail && !want[c.ID]:
			problems = append(problems, fmt.Sprintf("%s fails but the demo did not seed that: %s", c.ID, c.Reason.EN))
		case c.Status == engine.StatusError:
			problems = append(problems, fmt.Sprintf("%s is error: %s", c.ID, c.Reason.EN))
		case want[c.ID] && c.Status != engine.StatusFail:
			problems = append(problems, fmt.Sprintf("%s is %s, but the demo seeded its violation", c.ID, c.Status))
		}
		delete(want, c.ID)
	}
	for id := range want {
		problems = append(problems, id+" is missing from the results")
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("the demo's results are not what it seeded:\n  %s", strings.Join(problems, "\n  "))
	}
	return res.Summary, nil
}

func printSummary(w io.Writer, r *Outputs, took time.Duration) {
	fmt.Fprintf(w, "\nshoko demo finished in %s: two signed runs, chained and verified:\n", took.Round(100*time.Millisecond))
	fmt.Fprintf(w, "  %s  before the fix\n  %s  after %s was fixed (seconds later: %s)\n\n", r.FirstRunID, r.RunID, Fixed.ID, Fixed.How)
	for _, l := range [][2]string{
		{"audit report (ja)", r.AuditJA}, {"audit report (en)", r.AuditEN},
		{"white paper (ja)", r.WhitePaperJA}, {"white paper (en)", r.WhitePaperEN},
		{"results.json", r.Results}, {"OSCAL", r.OSCAL}, {"bundle", r.Bundle}, {"public key", r.PublicKey},
		{"period report (ja)", r.PeriodJA}, {"period report (en)", r.PeriodEN}, {"dashboard", r.Dashboard}, {"history.json", filepath.Join(r.History, history.FileName)},
	} {
		fmt.Fprintf(w, "  %-19s %s\n", l[0], rel(l[1]))
	}
	var counts []string
	for _, s := range []string{"pass", "fail", "error", "attested", "waived", "not_applicable"} {
		counts = append(counts, fmt.Sprintf("%s %d", s, r.Summary[s]))
	}
	fmt.Fprintf(w, "\n  newest run: %s\n\n  The failures are the ones the demo seeded on purpose:\n", strings.Join(counts, ", "))
	for _, d := range Deliberate {
		state := ""
		if d.ID == Fixed.ID {
			state = " (fixed between the runs: fails in the first, passes in the second)"
		}
		fmt.Fprintf(w, "    %-7s %s%s\n", d.ID, d.Why, state)
	}
	fmt.Fprintf(w, "\n  An auditor checks the bundle with:  shoko verify %s --pubkey %s\n", rel(r.Bundle), rel(r.PublicKey))
	fmt.Fprintf(w, "  or with OpenSSL alone: tar xzf the bundle, then  docs/verify-with-openssl.sh %s %s\n", r.RunID, rel(r.PublicKey))
	fmt.Fprintf(w, "  Everything the demo started has been stopped.\n")
}

// seed builds the estate through motofront, with the demo's AWS violations.
func seed(ctx context.Context, front *motofront.Front) error {
	cfg, err := awsConfig(ctx, front)
	if err != nil {
		return err
	}
	return awsestate.Seed(ctx, cfg, front, awsestate.Options{Now: time.Now().UTC(), Violate: awsViolations})
}

// awsConfig is an SDK config for the demo's moto, through motofront, with the fake credentials.
func awsConfig(ctx context.Context, front *motofront.Front) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(awsestate.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(fakeAccessKey, fakeSecretKey, "")),
		// Shared files are ignored: the demo must not read, or be steered by, a real profile.
		config.WithSharedConfigFiles(nil), config.WithSharedCredentialsFiles(nil))
	if err != nil {
		return aws.Config{}, err
	}
	cfg.BaseEndpoint = aws.String(front.URL)
	return cfg, nil
}

// newestRun is the directory of the newest run below runs (run ids start with their UTC start
// time, so the newest sorts last).
func newestRun(runs string) (string, error) {
	dirs, _ := filepath.Glob(filepath.Join(runs, "*"))
	if len(dirs) == 0 {
		return "", fmt.Errorf("no run in %s", runs)
	}
	sort.Strings(dirs)
	return dirs[len(dirs)-1], nil
}

// sleepToNextSecond waits until the wall clock has entered the next whole second.
func sleepToNextSecond(ctx context.Context) error {
	now := time.Now()
	select {
	case <-time.After(now.Truncate(time.Second).Add(time.Second).Sub(now) + 10*time.Millisecond):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// demoConfig is the one config of the demo: records, attestations, exceptions and remediations (a copy of
// demo/records beside it), the AWS account behind AWS_ENDPOINT_URL, the service and its SQLite
// database. Secrets are named by environment variable, never written here.
func demoConfig(port int, caFile string) string {
	rec := "records"
	host := "localhost:" + strconv.Itoa(port)
	return fmt.Sprintf(`# Written by make demo (demo/run). The secrets are in the environment variables named here.
organization: ユーソナー株式会社（デモ）
calendar:
  closures: ["12-29..01-03"]
records:
  training: [%[1]s/records/training.csv]
  internal_audits: [%[1]s/records/internal_audits.csv]
  vulnerability_assessments: [%[1]s/records/vulnerability_assessments.csv]
  certificates: [%[1]s/records/certificates.csv]
attestations: %[1]s/attestations
exceptions: %[1]s/exceptions.yaml
remediations: %[1]s/remediations.yaml
aws:
  home_region: %[2]s
  temp_buckets: [%[3]s]
  call_timeout: 60s
service:
  name: cardsvc
  base_url: https://%[4]s
  token_env: SHOKO_SERVICE_TOKEN
  ca_file: %[5]s
  timeout: 10s
  tls_endpoints: [%[4]s]
  http_probes:
    - {url: "https://%[4]s/manual", purpose: manual}
    - {url: "https://%[4]s/faq", purpose: faq}
    - {url: "https://%[4]s/chatbot", purpose: chatbot}
    - {url: "https://%[4]s/policy", purpose: policy}
  cross_tenant:
    - tenant: t-acme
      token_env: SHOKO_ACME_TOKEN
      control_url: https://%[4]s/api/v1/cards
      foreign_tenant: t-beta
      url_template: https://%[4]s/api/v1/cards/{id}
      ids: [card-beta-1]
database:
  name: cards
  driver: sqlite
  dsn_env: SHOKO_DB_DSN
`, rec, awsestate.Region, awsestate.TempBucket, host, caFile)
}

// findMoto finds moto_server on PATH or in the project's .venv (where `make demo` installs it).
func findMoto(root string) (string, error) {
	if p, err := exec.LookPath("moto_server"); err == nil {
		return p, nil
	}
	venv := filepath.Join(root, ".venv", "bin", "moto_server")
	if _, err := os.Stat(venv); err == nil {
		return venv, nil
	}
	return "", errors.New("moto_server not found on PATH or in .venv; `make demo` installs it (python3 -m venv .venv && .venv/bin/pip install 'moto[server]')")
}

// freshDir empties dir for a new demo, but only a directory the demo made (it holds the marker)
// or a new one: a mistyped --out must never delete someone's files.
func freshDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		if _, err := os.Stat(filepath.Join(dir, marker)); err != nil {
			entries, _ := os.ReadDir(dir)
			if len(entries) > 0 {
				return fmt.Errorf("%s exists and was not made by the demo (no %s in it); choose another --out", dir, marker)
			}
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, marker), []byte("made by make demo; replaced on each run\n"), 0o644)
}

// child is a process the demo started, in its own process group so that stopping it stops
// whatever it started too.
type child struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	log  *os.File
}

// groups records every process group the demo starts, so its test can check none is left.
var groups struct {
	sync.Mutex
	ids []int
}

func recordGroup(pid int) {
	groups.Lock()
	defer groups.Unlock()
	groups.ids = append(groups.ids, pid)
}

func startedGroups() []int {
	groups.Lock()
	defer groups.Unlock()
	return append([]int(nil), groups.ids...)
}

// startChild starts cmd in a new process group with its output in logPath.
func startChild(name string, cmd *exec.Cmd, logPath string) (*child, error) {
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	recordGroup(cmd.Process.Pid)
	c := &child{name: name, cmd: cmd, done: make(chan struct{}), log: lf}
	go func() { _ = cmd.Wait(); close(c.done) }()
	return c, nil
}

// exited reports whether the process has ended (it should not have, while the demo runs).
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop asks the process group to end (SIGTERM), then kills it after 5 seconds.
func (c *child) stop() {
	pgid := c.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-c.done
	}
	// Anything the process left in its group goes too.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	c.log.Close()
}

// tail is the end of the child's log, for an error message.
func (c *child) tail() string {
	b, _ := os.ReadFile(c.log.Name())
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

type motoServer struct {
	*child
	url string
}

// startMoto starts moto_server on a free loopback port and waits until it answers.
func startMoto(ctx context.Context, bin, logPath string) (*motoServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// The estate creates the AMI it needs; moto's public-AMI catalogue would cost seconds per region.
	cmd.Env = append(os.Environ(), "MOTO_EC2_LOAD_DEFAULT_AMIS=false")
	c, err := startChild("moto_server", cmd, logPath)
	if err != nil {
		return nil, err
	}
	m := &motoServer{child: c, url: "http://127.0.0.1:" + strconv.Itoa(port)}
	err = waitFor(ctx, c, 60*time.Second, func() bool {
		resp, err := http.Get(m.url + "/moto-api/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if err != nil {
		m.stop()
		return nil, err
	}
	return m, nil
}

// startCardsvc starts the reference service and waits until it answers over HTTPS with its CA.
func startCardsvc(ctx context.Context, o options, port int, token, dsn, caFile, logPath string) (*child, error) {
	cmd := exec.Command(o.cardsvc, "--scenario", filepath.Join(o.root, "demo", "cardsvc", "scenarios", "demo.yaml"),
		"--addr", "127.0.0.1:"+strconv.Itoa(port), "--ca-out", caFile, "--dsn", dsn)
	cmd.Env = append(os.Environ(), "CARDSVC_EVIDENCE_TOKEN="+token)
	c, err := startChild("cardsvc", cmd, logPath)
	if err != nil {
		return nil, err
	}
	err = waitFor(ctx, c, 30*time.Second, func() bool {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return false
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return false
		}
		cl := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		resp, err := cl.Get(fmt.Sprintf("https://localhost:%d/manual", port))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	})
	if err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// waitFor polls ready until it holds, the child exits, the context ends or the time is up.
func waitFor(ctx context.Context, c *child, limit time.Duration, ready func() bool) error {
	deadline := time.Now().Add(limit)
	for {
		if ready() {
			return nil
		}
		if c.exited() {
			return fmt.Errorf("%s exited while starting:\n%s", c.name, c.tail())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer within %s:\n%s", c.name, limit, c.tail())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// shoko runs one shoko command to completion in its own process group (killed if the demo is
// interrupted). Its output goes to show, or is kept for the error message when show is nil.
// It returns the exit code, and an error unless the code is 0.
func shoko(ctx context.Context, o options, env []string, show io.Writer, args ...string) (int, error) {
	cmd := exec.CommandContext(ctx, o.shoko, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var buf bytes.Buffer
	if show != nil {
		cmd.Stdout, cmd.Stderr = show, show
	} else {
		cmd.Stdout, cmd.Stderr = &buf, &buf
	}
	err := cmd.Start()
	if err == nil {
		recordGroup(cmd.Process.Pid)
		err = cmd.Wait()
	}
	if err == nil {
		return 0, nil
	}
	code := -1
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	if ctx.Err() != nil {
		return code, ctx.Err()
	}
	return code, fmt.Errorf("shoko %s: exit %d\n%s", args[0], code, buf.String())
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "demo-" + hex.EncodeToString(b)
}

func sortedKeys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// rel shows a path relative to the working directory when it is inside it.
func rel(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// recordsShift is how far the demo records' dates move: the whole weeks from recordsWrittenOn to
// now (whole weeks keep every date on its weekday), never backwards.
func recordsShift(now time.Time) time.Duration {
	weeks := int(now.Sub(recordsWrittenOn) / (7 * 24 * time.Hour))
	if weeks < 0 {
		weeks = 0
	}
	return time.Duration(weeks) * 7 * 24 * time.Hour
}

// recordDateRE matches a calendar date, alone or as the date part of an RFC 3339 time.
var recordDateRE = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}`)

// copyRecords copies the records tree, moving every date in the records and in the attestation
// and exception YAML files by shift. Attested documents are copied byte for byte: their digests
// are declared in the attestations.
func copyRecords(src, dst string, shift time.Duration) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if ext := filepath.Ext(p); shift > 0 && (ext == ".csv" || ext == ".yaml") {
			b = recordDateRE.ReplaceAllFunc(b, func(m []byte) []byte {
				t, err := time.Parse("2006-01-02", string(m))
				if err != nil {
					return m
				}
				return []byte(t.Add(shift).Format("2006-01-02"))
			})
		}
		return os.WriteFile(target, b, 0o644)
	})
}
