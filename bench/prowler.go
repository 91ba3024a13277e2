package main

// The prowler section (`go run ./bench -only prowler`): `shoko audit` side by side with Prowler,
// the open-source AWS security scanner, restricted to its checks that correspond to shoko's
// AWS controls (bench/prowler.md pairs each check with its control and says where the pairing
// is only partial), on the estate the collection section seeds, against the same moto behind
// the same counting front. Per tool: wall time, CPU time (user + system of the process and its
// children), peak RSS, and the AWS calls the front counted.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/controls"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/internal/motofront"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// The Prowler release measured, installed into its own virtualenv under the gitignored out/
// (≈ 2.3 GB: Prowler brings the SDKs of every cloud it scans) the first time the section runs.
const (
	prowlerVersion = "5.46.0"
	prowlerVenv    = "out/prowler-venv"
	prowlerDoc     = "bench/prowler.md"
)

// prowlerChecks are the Prowler checks run, each with the shoko control it stands for. Most
// cover a part of their control only; bench/prowler.md says which part, and the section stops
// when a check here is not explained there.
var prowlerChecks = []struct{ check, control string }{
	{"rds_instance_storage_encrypted", "ENC-01"},
	{"rds_cluster_storage_encrypted", "ENC-01"},
	{"rds_snapshots_encrypted", "ENC-01"},
	{"ec2_ebs_volume_encryption", "ENC-01"},
	{"ec2_ebs_default_encryption", "ENC-01"},
	{"dynamodb_tables_kms_cmk_encryption_enabled", "ENC-01"},
	{"s3_bucket_default_encryption", "ENC-01"},
	{"kms_cmk_rotation_enabled", "ENC-02"},
	{"cloudtrail_log_file_validation_enabled", "EVD-01"},
	{"s3_bucket_object_lock", "EVD-01"},
	{"cloudtrail_multi_region_enabled", "LOG-01"},
	{"cloudtrail_multi_region_enabled_logging_management_events", "LOG-01"},
	{"vpc_flow_logs_enabled", "LOG-01"},
	{"cloudwatch_log_group_retention_policy_specific_days_enabled", "LOG-02"},
	{"s3_bucket_lifecycle_enabled", "LOG-02"},
	{"rds_instance_backup_enabled", "BAK-01"},
	{"rds_instance_protected_by_backup_plan", "BAK-01"},
	{"rds_cluster_protected_by_backup_plan", "BAK-01"},
	{"dynamodb_table_protected_by_backup_plan", "BAK-01"},
	{"ec2_ebs_volume_protected_by_backup_plan", "BAK-01"},
	{"backup_plans_exist", "BAK-01"},
	{"guardduty_is_enabled", "MON-01"},
	{"guardduty_no_high_severity_findings", "MON-01"},
	{"networkfirewall_in_all_vpc", "NET-01"},
	{"s3_account_level_public_access_blocks", "PII-01"},
	{"s3_bucket_public_access", "PII-01"},
	{"s3_bucket_cross_account_access", "PII-01"},
	{"rds_snapshots_public_access", "PII-01"},
	{"ec2_ebs_public_snapshot", "PII-01"},
	{"ec2_ami_public", "PII-01"},
	{"kms_key_not_publicly_accessible", "PII-01"},
	{"iam_root_mfa_enabled", "PRIV-01"},
	{"iam_user_mfa_enabled_console_access", "PRIV-01"},
	{"iam_rotate_access_key_90_days", "PRIV-01"},
	{"iam_password_policy_minimum_length_14", "SEC-01"},
	{"iam_password_policy_symbol", "SEC-01"},
	{"iam_password_policy_number", "SEC-01"},
	{"iam_password_policy_uppercase", "SEC-01"},
	{"iam_password_policy_lowercase", "SEC-01"},
	{"secretsmanager_automatic_rotation_enabled", "SEC-01"},
	{"elbv2_ssl_listeners", "TLS-01"},
	{"elbv2_insecure_ssl_ciphers", "TLS-01"},
	{"cloudfront_distributions_https_enabled", "TLS-01"},
	{"cloudfront_distributions_using_deprecated_ssl_protocols", "TLS-01"},
	{"cloudfront_distributions_origin_traffic_encrypted", "TLS-01"},
	{"acm_certificates_expiration_check", "TLS-03"},
	{"iam_no_expired_server_certificates_stored", "TLS-03"},
}

// prowlerConfig sets the two numbers of Prowler's checks that shoko's controls fix differently:
// LOG-02's 1096 days of log retention (Prowler's default 365) and TLS-03's 30 days left on a
// certificate (Prowler's default 7).
const prowlerConfig = `aws:
  log_group_retention_days: 1096
  days_to_expire_threshold: 30
`

// usage is what one tool cost: summed over its processes, peak RSS the largest.
type usage struct {
	wall, cpu      time.Duration
	maxRSS         int64
	made, distinct int
	repeated       map[string]int
}

func (u *usage) add(v usage) {
	u.wall += v.wall
	u.cpu += v.cpu
	u.maxRSS = max(u.maxRSS, v.maxRSS)
	u.made += v.made
	u.distinct += v.distinct
	if u.repeated == nil {
		u.repeated = map[string]int{}
	}
	for k, n := range v.repeated {
		u.repeated[k] += n
	}
}

// prowlerRows measures both tools; with keep set, their logs and outputs are written there
// instead of into the bench's temporary directory.
func prowlerRows(bin, work, keep string) ([]row, error) {
	ctx := context.Background()
	if keep != "" {
		if err := os.MkdirAll(keep, 0o755); err != nil {
			return nil, err
		}
		work = keep
	}
	catalog, err := fs.Glob(controls.FS, "*.yaml")
	if err != nil {
		return nil, err
	}
	figure := fmt.Sprintf("`shoko audit` (%d controls) vs Prowler %s (%d equivalent checks, bench/prowler.md), same moto estate, 2 accounts × 2 regions (`go run ./bench -only prowler`)",
		len(catalog), prowlerVersion, len(prowlerChecks))
	if err := checkProwlerDoc(prowlerDoc); err != nil {
		return nil, err
	}
	exe, why := ensureProwler(ctx)
	if why != "" {
		fmt.Fprintln(os.Stderr, "  Prowler skipped:", why)
		return []row{{figure, "**skipped**: " + why, "—", "(skipped)"}}, nil
	}

	m, err := testenv.StartMoto()
	if err != nil {
		return nil, err
	}
	defer m.Stop()
	front, err := motofront.Start(m.URL)
	if err != nil {
		return nil, err
	}
	defer front.Close()
	guard, err := startOutsideGuard(front.URL)
	if err != nil {
		return nil, err
	}
	defer guard.Close()
	restore := setEnv(estateEnv(front.URL))
	defer restore()
	_, total, err := seedEstate(ctx, front.URL)
	if err != nil {
		return nil, err
	}
	// Both tools get the same environment: the base credentials, the front as every service's
	// endpoint, and the guard as their HTTP(S) proxy, so a request for anything but the front
	// is refused and counted instead of leaving the machine.
	env := childEnv(map[string]string{"AWS_ACCESS_KEY_ID": benchKey, "AWS_SECRET_ACCESS_KEY": benchSecret,
		"AWS_DEFAULT_REGION": benchRegions[0], "AWS_ENDPOINT_URL": front.URL,
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"HTTP_PROXY": guard.URL, "HTTPS_PROXY": guard.URL, "http_proxy": guard.URL, "https_proxy": guard.URL})

	cfgPath := filepath.Join(work, "prowler-shoko.yaml")
	if err := writeEstateConfig(cfgPath); err != nil {
		return nil, err
	}
	shokoArgs := func(out string) []string {
		return []string{"audit", "--no-preflight", "--config", cfgPath, "--out", filepath.Join(work, out), "--reports", "", "--lang", "en"}
	}
	// A warm-up, not measured, as in the collection section: moto builds some state on first
	// use, and the first audit polls for the IAM credential report, which is then ready.
	if _, err := runMeasured(front, env, filepath.Join(work, "shoko-warmup.log"), bin, shokoArgs("shoko-warmup"), 0, 1, 2); err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, "  shoko audit…")
	shoko, err := runMeasured(front, env, filepath.Join(work, "shoko.log"), bin, shokoArgs("shoko"), 0, 1, 2)
	if err != nil {
		return nil, err
	}

	// The same collection in process, recorded, for its calls by service (as Prowler's below).
	rec := shokoaws.NewRecorder()
	opts := shokoaws.Options{EndpointURL: front.URL, HomeRegion: benchRegions[0], Regions: benchRegions, Recorder: rec,
		Accounts: []shokoaws.Account{{ID: awsestate.Account}, {ID: account2, RoleARN: role2, ExternalID: external2}}}
	if _, err := shokoaws.New(opts).Collect(ctx, time.Now().UTC()); err != nil {
		return nil, err
	}
	byService := map[string]int{}
	for _, c := range rec.Calls() {
		svc, _, _ := strings.Cut(shokoaws.IAMAction(c.ServiceID, c.Operation), ":")
		byService[svc]++
	}
	fmt.Fprintf(os.Stderr, "  shoko audit: %s; its collector's calls by service: %s\n", describe(shoko), strings.Join(sortedCounts(byService), ", "))

	pcfg := filepath.Join(work, "prowler-config.yaml")
	if err := os.WriteFile(pcfg, []byte(prowlerConfig), 0o644); err != nil {
		return nil, err
	}
	checks := make([]string, len(prowlerChecks))
	for i, c := range prowlerChecks {
		checks[i] = c.check
	}
	runProwler := func(name string, role, checks []string) (usage, string, error) {
		outDir := filepath.Join(work, "prowler-"+name)
		args := append([]string{"aws", "--no-banner", "--no-color", "--ignore-exit-code-3", "--log-level", "ERROR",
			"--config-file", pcfg, "--output-formats", "json-ocsf", "--output-directory", outDir, "--region"}, benchRegions...)
		args = append(append(append(args, role...), "--checks"), checks...)
		fmt.Fprintf(os.Stderr, "  Prowler, %s…\n", name)
		logPath := filepath.Join(work, "prowler-"+name+".log")
		u, err := runMeasured(front, env, logPath, exe, args, 0)
		if err != nil {
			return usage{}, "", err
		}
		f, err := countProwlerFindings(outDir)
		if err != nil {
			return usage{}, "", err
		}
		passed := guard.Passed()
		n := 0
		for _, v := range passed {
			n += v
		}
		if n != u.made {
			fmt.Fprintf(os.Stderr, "  (the front counted %d calls, the guard passed %d: some went around the proxy)\n", u.made, n)
		}
		fmt.Fprintf(os.Stderr, "  Prowler, %s: findings %s; %s; by service: %s; errors it logged: %s\n", name, f, describe(u),
			strings.Join(sortedCounts(passed), ", "), prowlerErrors(logPath))
		return u, f, nil
	}
	// Prowler scans one account per run: the second account through its role, as shoko's config
	// reaches it.
	var prowler usage
	var findings []string
	for _, acct := range []struct {
		id   string
		role []string
	}{{awsestate.Account, nil}, {account2, []string{"--role", role2, "--external-id", external2}}} {
		u, f, err := runProwler("account-"+acct.id, acct.role, checks)
		if err != nil {
			return nil, err
		}
		prowler.add(u)
		findings = append(findings, f)
	}
	// What Prowler costs before it checks anything: one run of one check whose service the
	// estate leaves empty (no GuardDuty detector).
	startup, _, err := runProwler("start-up", nil, []string{"guardduty_is_enabled"})
	if err != nil {
		return nil, err
	}
	if len(prowler.repeated) > 0 {
		fmt.Fprintf(os.Stderr, "  calls Prowler repeated: %s\n", strings.Join(sortedCounts(prowler.repeated), ", "))
	}
	refused := guard.Refused()
	outside := "none"
	if len(refused) > 0 {
		outside = strings.Join(sortedCounts(refused), ", ")
	}
	fmt.Fprintf(os.Stderr, "  requests for anything but moto (refused): %s\n", outside)

	scope := fmt.Sprintf("%d resources", total)
	return []row{
		{figure + ": wall time, one run each (Prowler: one run per account)",
			fmt.Sprintf("%s ÷ %s = %.2f", shoko.wall.Round(time.Millisecond), prowler.wall.Round(time.Millisecond), ratio(shoko.wall, prowler.wall)), "—", "(info)"},
		{"… CPU time (user + system)",
			fmt.Sprintf("%s ÷ %s = %.2f", shoko.cpu.Round(time.Millisecond), prowler.cpu.Round(time.Millisecond), ratio(shoko.cpu, prowler.cpu)), "—", "(info)"},
		{"… peak RSS", fmt.Sprintf("%s ÷ %s = %.2f", mib(shoko.maxRSS), mib(prowler.maxRSS), float64(shoko.maxRSS)/float64(prowler.maxRSS)), "—", "(info)"},
		{fmt.Sprintf("… AWS calls (made, distinct), counted by the front (%s)", scope),
			fmt.Sprintf("%d (%d) ÷ %d (%d) = %.2f; requests beyond moto: %s; Prowler findings %s",
				shoko.made, shoko.distinct, prowler.made, prowler.distinct, float64(shoko.made)/float64(prowler.made), outside,
				strings.Join(findings, " + ")), "—", "(info)"},
		{"… Prowler's start-up alone: one run of one check on an empty service (`guardduty_is_enabled`), account 1",
			describe(startup), "—", "(info)"},
	}, nil
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func describe(u usage) string {
	return fmt.Sprintf("wall %s, CPU %s, peak RSS %s, %d calls (%d distinct)", u.wall.Round(time.Millisecond),
		u.cpu.Round(time.Millisecond), mib(u.maxRSS), u.made, u.distinct)
}

// runMeasured runs a command with env, its output into logPath, and returns what it cost: wall
// time, user + system CPU time (the kernel adds those of the children it waited for: the
// program, through the wrapper), the program's peak RSS, and the calls the front counted during it. okCodes are the exit codes
// that are not failures.
func runMeasured(front *motofront.Front, env []string, logPath, name string, args []string, okCodes ...int) (usage, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return usage{}, err
	}
	defer log.Close()
	_ = front.InjectFaults(0) // forgets the calls counted so far
	// Through the wrapper of rusage.go, so the peak RSS is the program's, not the bench's.
	cmd, rusageFile, err := measuredCommand(name, args, env)
	if err != nil {
		return usage{}, err
	}
	defer os.Remove(rusageFile)
	cmd.Stdout, cmd.Stderr = log, log
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		ok := false
		for _, c := range okCodes {
			ok = ok || exit.ExitCode() == c
		}
		if ok {
			err = nil
		}
	}
	if err != nil {
		tail, _ := os.ReadFile(logPath)
		if len(tail) > 4000 {
			tail = tail[len(tail)-4000:]
		}
		return usage{}, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail)
	}
	st := front.Calls()
	u := usage{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(),
		made: st.Made, distinct: st.Distinct, repeated: st.Repeated}
	if u.maxRSS, err = peakRSS(rusageFile); err != nil {
		return usage{}, err
	}
	return u, nil
}

// childEnv is this process's environment without any AWS_ or proxy variable, plus vars: an
// empty AWS_PROFILE, say, is a profile named "" to boto3, which it then fails to find.
func childEnv(vars map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToLower(k) {
		case "http_proxy", "https_proxy", "no_proxy", "all_proxy":
			continue
		}
		if !strings.HasPrefix(k, "AWS_") {
			env = append(env, kv)
		}
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

// ensureProwler returns the prowler executable of the bench's virtualenv, installing Prowler
// there first when it is missing. When it cannot be had, why says so (the row is then marked
// skipped, with the reason, never left out).
func ensureProwler(ctx context.Context) (exe, why string) {
	exe = filepath.Join(prowlerVenv, "bin", "prowler")
	installed := func() bool {
		m, _ := filepath.Glob(filepath.Join(prowlerVenv, "lib", "python3*", "site-packages", "prowler-"+prowlerVersion+".dist-info"))
		_, err := os.Stat(exe)
		return len(m) == 1 && err == nil
	}
	if installed() {
		return exe, ""
	}
	fmt.Fprintf(os.Stderr, "  installing prowler==%s into %s (once; ≈ 2.3 GB, several minutes)…\n", prowlerVersion, prowlerVenv)
	steps := [][]string{
		{"python3", "-m", "venv", prowlerVenv},
		{filepath.Join(prowlerVenv, "bin", "pip"), "install", "--quiet", "--disable-pip-version-check", "prowler==" + prowlerVersion},
	}
	for _, s := range steps {
		out, err := exec.CommandContext(ctx, s[0], s[1:]...).CombinedOutput()
		if err != nil {
			why := fmt.Sprintf("`%s` failed (%v)", strings.Join(s, " "), err)
			if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); lines[len(lines)-1] != "" {
				why += ": " + strings.ReplaceAll(lines[len(lines)-1], "|", `\|`)
			}
			return "", why + fmt.Sprintf("; install it with `python3 -m venv %s && %s/bin/pip install prowler==%s` (Python 3.10–3.13)",
				prowlerVenv, prowlerVenv, prowlerVersion)
		}
	}
	if !installed() {
		return "", fmt.Sprintf("pip installed no prowler %s into %s", prowlerVersion, prowlerVenv)
	}
	return exe, ""
}

// checkProwlerDoc stops the section when a check run is not explained in doc.
func checkProwlerDoc(doc string) error {
	b, err := os.ReadFile(doc)
	if err != nil {
		return fmt.Errorf("the Prowler checks are explained in %s: %w", doc, err)
	}
	for _, c := range prowlerChecks {
		if !strings.Contains(string(b), "`"+c.check+"`") {
			return fmt.Errorf("%s does not explain Prowler check %s (paired with %s): add it to its table", doc, c.check, c.control)
		}
	}
	return nil
}

// countProwlerFindings reads the findings Prowler wrote (OCSF JSON) and counts them by status.
func countProwlerFindings(dir string) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.ocsf.json"))
	if err != nil || len(files) != 1 {
		return "", fmt.Errorf("Prowler output in %s: want one *.ocsf.json, found %d (%v)", dir, len(files), err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		return "", err
	}
	var findings []struct {
		StatusCode string `json:"status_code"`
	}
	if err := json.Unmarshal(b, &findings); err != nil {
		return "", fmt.Errorf("%s: %w", files[0], err)
	}
	n := map[string]int{}
	for _, f := range findings {
		n[f.StatusCode]++
	}
	return fmt.Sprintf("%d (%d FAIL)", len(findings), n["FAIL"]), nil
}

var prowlerErrorLine = regexp.MustCompile(`\[Module: (\w+)\]\s+ERROR: (?:[\w-]+ -- )?(\w+)`)

// prowlerErrors counts the errors Prowler logged by module and exception (most are calls moto
// does not implement).
func prowlerErrors(logPath string) string {
	b, err := os.ReadFile(logPath)
	if err != nil {
		return err.Error()
	}
	n := map[string]int{}
	for _, m := range prowlerErrorLine.FindAllStringSubmatch(string(b), -1) {
		n[m[1]+" "+m[2]]++
	}
	if len(n) == 0 {
		return "none"
	}
	return strings.Join(sortedCounts(n), ", ")
}

// outsideGuard is the HTTP(S) proxy both tools are given. Requests for the front are passed to
// it, also those with an account id before the front's host, which is how boto3 addresses
// S3 Control (123456789012.s3-control…, here 123456789012.127.0.0.1:port, a name that resolves
// nowhere); anything else would leave the machine, and is refused and counted.
type outsideGuard struct {
	URL string
	srv *http.Server

	mu        sync.Mutex
	refused   map[string]int
	byService map[string]int // requests passed to the front, by the service they are signed for
}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/\d+/[^/]+/([^/]+)/aws4_request`)

func startOutsideGuard(frontURL string) (*outsideGuard, error) {
	target, err := url.Parse(frontURL)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &outsideGuard{URL: "http://" + l.Addr().String(), refused: map[string]int{}, byService: map[string]int{}}
	// The front is addressed by its own host: moto would read an account id before it as the
	// name of an S3 bucket. S3 Control carries the account in x-amz-account-id as well.
	fwd := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target) }}
	g.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.URL.Host
		if r.Method != http.MethodConnect && (host == target.Host || strings.HasSuffix(host, "."+target.Host)) {
			service := "unsigned"
			if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
				service = m[1]
			}
			g.mu.Lock()
			g.byService[service]++
			g.mu.Unlock()
			fwd.ServeHTTP(w, r)
			return
		}
		if host == "" {
			host = r.Host
		}
		g.mu.Lock()
		g.refused[host]++
		g.mu.Unlock()
		http.Error(w, "shoko bench: no network beyond moto", http.StatusForbidden)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = g.srv.Serve(l) }()
	return g, nil
}

// Refused is the requests refused so far, by host.
func (g *outsideGuard) Refused() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]int, len(g.refused))
	for k, v := range g.refused {
		out[k] = v
	}
	return out
}

// Passed is the requests passed to the front so far, by service, and forgets them. Only
// Prowler's requests pass through the guard: Go never proxies a loopback address.
func (g *outsideGuard) Passed() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := g.byService
	g.byService = map[string]int{}
	return out
}

func (g *outsideGuard) Close() { _ = g.srv.Close() }
