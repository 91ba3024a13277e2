package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/internal/motofront"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// The collection estate: 2 accounts × 2 regions. The second account is reached as shoko reaches
// one in real use, through a role assumed from the base credentials (moto keys its state by the
// account of the credentials).
const (
	benchKey    = "AKIASHOKOBENCHKEY001"
	benchSecret = "shoko-bench-secret"
	account2    = "111111111111"
	role2       = "arn:aws:iam::" + account2 + ":role/shoko-audit"
	external2   = "shoko-bench"
)

var benchRegions = []string{"ap-northeast-1", "ap-northeast-3"}

// collectionRounds is how many times each side is measured; the medians are reported.
var collectionRounds = 5

// latency is what the latency round adds to every answer: a round trip to an AWS region.
const latency = 30 * time.Millisecond

// collection seeds the 2 × 2 estate into a fresh moto (behind motofront, which counts every
// request), then measures, side by side and collectionRounds times each:
//   - `shoko audit` (a process: config, collection, evidence written to disk, evaluation,
//     results.json; no reports) and the calls it made ÷ the distinct calls;
//   - the AWS collector alone, in this process (collection into memory only);
//   - a bare aws-sdk-go-v2 loop making exactly the calls the collector made (recorded with
//     their inputs, page tokens included) at the same concurrency, discarding the answers.
//
// With profileDir set, the in-process collector's rounds are CPU-profiled into
// profileDir/collector.pprof, `shoko audit` logs at debug level into profileDir/audit-N.log and
// writes its runs into profileDir/audit-N, and the calls recorded are counted in calls.txt.
func collection(bin, work, profileDir string) ([]row, error) {
	ctx := context.Background()
	conc := runtime.GOMAXPROCS(0) * 2 // `shoko audit --concurrency` default
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
	restore := setEnv(estateEnv(front.URL))
	defer restore()

	base, total, err := seedEstate(ctx, front.URL)
	if err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(work, "collection.yaml")
	if err := writeEstateConfig(cfgPath); err != nil {
		return nil, err
	}
	opts := shokoaws.Options{EndpointURL: front.URL, HomeRegion: benchRegions[0], Regions: benchRegions, Concurrency: conc,
		Accounts: []shokoaws.Account{{ID: awsestate.Account}, {ID: account2, RoleARN: role2, ExternalID: external2}}}

	// A warm-up, then the record of the calls the bare loop makes. moto builds some state
	// lazily on first use (EC2's public images per region), and the first run also polls for
	// the IAM credential report, which later runs find ready (as within AWS's 4 hours): neither
	// is what is measured.
	var calls []shokoaws.Call
	for range 2 {
		rec := shokoaws.NewRecorder()
		o := opts
		o.Recorder = rec
		if _, err := shokoaws.New(o).Collect(ctx, time.Now().UTC()); err != nil {
			return nil, err
		}
		calls = rec.Calls()
	}
	fmt.Fprintf(os.Stderr, "  recorded %d calls\n", len(calls))
	if profileDir != "" {
		n := map[string]int{}
		for _, c := range calls {
			n[fmt.Sprintf("%s/%s %s %s", c.ServiceID, c.Operation, c.Region, c.RoleARN)]++
		}
		if err := os.WriteFile(filepath.Join(profileDir, "calls.txt"), []byte(strings.Join(sortedCounts(n), "\n")+"\n"), 0o644); err != nil {
			return nil, err
		}
	}

	var tAudit, tColl, tBare []time.Duration
	var auditStats, collStats, bareStats motofront.CallStats
	var bareErrs map[string]int
	for i := range collectionRounds {
		reset := func() { _ = front.InjectFaults(0) } // forgets the calls counted so far
		reset()
		outDir := filepath.Join(work, fmt.Sprintf("audit%d", i))
		if profileDir != "" {
			outDir = filepath.Join(profileDir, fmt.Sprintf("audit-%d", i+1))
		}
		// --no-preflight: the figure is the collection's, against the bare SDK loop.
		args := []string{"audit", "--no-preflight", "--config", cfgPath, "--out", outDir,
			"--reports", "", "--lang", "en", "--concurrency", fmt.Sprint(conc)}
		var w time.Duration
		if profileDir != "" {
			w, err = timedLog(bin, append(args, "--log-level", "debug"), filepath.Join(profileDir, fmt.Sprintf("audit-%d.log", i+1)))
		} else {
			w, err = timed(bin, args, 0, 1, 2)
		}
		if err != nil {
			return nil, err
		}
		tAudit, auditStats = append(tAudit, w), front.Calls()

		reset()
		if profileDir != "" && i == 0 {
			f, err := os.Create(filepath.Join(profileDir, "collector.pprof"))
			if err != nil {
				return nil, err
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				return nil, err
			}
			defer f.Close()
			defer pprof.StopCPUProfile()
		}
		s := time.Now()
		if _, err := shokoaws.New(opts).Collect(ctx, time.Now().UTC()); err != nil {
			return nil, err
		}
		tColl, collStats = append(tColl, time.Since(s)), front.Calls()
		if profileDir != "" && i == collectionRounds-1 {
			pprof.StopCPUProfile()
		}

		reset()
		w, bareErrs, err = bareLoop(ctx, base, calls, conc)
		if err != nil {
			return nil, err
		}
		tBare, bareStats = append(tBare, w), front.Calls()
		fmt.Fprintf(os.Stderr, "  round %d: shoko audit %s, collector %s, bare SDK loop %s\n", i+1,
			tAudit[i].Round(time.Millisecond), tColl[i].Round(time.Millisecond), w.Round(time.Millisecond))
	}
	// Against AWS a call waits on the network: with latency added to every answer, the collector's
	// order of calls (a list before the calls per listed resource) shows, which against moto on
	// loopback it does not. One round of each: the figure is for information.
	front.SetLatency(latency)
	_ = front.InjectFaults(0)
	s := time.Now()
	if _, err := shokoaws.New(opts).Collect(ctx, time.Now().UTC()); err != nil {
		return nil, err
	}
	latColl := time.Since(s)
	_ = front.InjectFaults(0)
	latBare, _, err := bareLoop(ctx, base, calls, conc)
	if err != nil {
		return nil, err
	}
	front.SetLatency(0)
	fmt.Fprintf(os.Stderr, "  with %s added to every call: collector %s, bare SDK loop %s\n", latency,
		latColl.Round(time.Millisecond), latBare.Round(time.Millisecond))

	partRows, err := partitionRows(bin, work, cfgPath, front.SetLatency)
	if err != nil {
		return nil, fmt.Errorf("partitions: %w", err)
	}

	made, needed, unexpected := auditStats.Needed(shokoaws.Polled)
	if len(unexpected) > 0 {
		fmt.Fprintf(os.Stderr, "  calls repeated by shoko audit: %v\n", unexpected)
	}
	// The front also sees sts:AssumeRole (once per run, made by the credentials cache of the
	// second account, in both), which the recorder does not: it is the auditor's own call.
	if bareStats.Made != collStats.Made || bareStats.Distinct != collStats.Distinct {
		return nil, fmt.Errorf("the bare loop made %d calls (%d distinct), the collector %d (%d distinct); %d recorded",
			bareStats.Made, bareStats.Distinct, collStats.Made, collStats.Distinct, len(calls))
	}
	if len(bareErrs) > 0 {
		fmt.Fprintf(os.Stderr, "  error answers in the bare loop (settings not configured, as in shoko's evidence): %s\n", strings.Join(sortedCounts(bareErrs), ", "))
	}
	// Each round's three runs are back to back, so the ratio is taken per round (the machine's
	// load drifts between rounds) and the median of the rounds' ratios is the figure.
	var rA, rC []float64
	for i := range tBare {
		rA = append(rA, float64(tAudit[i])/float64(tBare[i]))
		rC = append(rC, float64(tColl[i])/float64(tBare[i]))
	}
	a, c, b := median(tAudit), median(tColl), median(tBare)
	scope := fmt.Sprintf("%d resources, 2 accounts × 2 regions", total)
	ratioA, ratioC := medianF(rA), medianF(rC)
	fmt.Fprintf(os.Stderr, "  per-round ratios: shoko audit ÷ bare %s; collector ÷ bare %s\n", fmtRatios(rA), fmtRatios(rC))
	return append([]row{
		{fmt.Sprintf("collection: calls made ÷ calls needed, `shoko audit` (%s)", scope),
			fmt.Sprintf("%.3f (%d ÷ %d)", float64(made)/float64(needed), made, needed), "= 1.0", yes(made == needed)},
		{fmt.Sprintf("collection: `shoko audit` ÷ bare SDK loop, same %d calls, %d in flight (median of %d)", len(calls), conc, collectionRounds),
			fmt.Sprintf("%.2f (median %s ÷ median %s; rounds %s)", ratioA, a.Round(time.Millisecond), b.Round(time.Millisecond), fmtRatios(rA)), "≤ 1.3", yes(ratioA <= 1.3)},
		{"collection: AWS collector alone (in process, no evidence written) ÷ bare SDK loop",
			fmt.Sprintf("%.2f (median %s ÷ median %s; rounds %s)", ratioC, c.Round(time.Millisecond), b.Round(time.Millisecond), fmtRatios(rC)), "—", "(info)"},
		{fmt.Sprintf("collection with %s added to every answer (as over a network to AWS): AWS collector alone ÷ bare SDK loop, one round", latency),
			fmt.Sprintf("%.2f (%s ÷ %s)", float64(latColl)/float64(latBare), latColl.Round(time.Millisecond), latBare.Round(time.Millisecond)), "—", "(info)"},
	}, partRows...), nil
}

// seedEstate seeds the collection estate (2 accounts × benchRegions, awsestate.DefaultScale in
// each) into the moto behind frontURL and returns the base credentials' config (the first
// account) and the number of resources created. The prowler section seeds the same estate.
func seedEstate(ctx context.Context, frontURL string) (aws.Config, int, error) {
	base, err := config.LoadDefaultConfig(ctx, config.WithRegion(benchRegions[0]),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(benchKey, benchSecret, "")))
	if err != nil {
		return aws.Config{}, 0, err
	}
	base.BaseEndpoint = aws.String(frontURL)
	second := base.Copy()
	second.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), role2,
		func(o *stscreds.AssumeRoleOptions) { o.ExternalID = aws.String(external2) }))

	fmt.Fprintln(os.Stderr, "  seeding 2 accounts × 2 regions into moto…")
	start := time.Now()
	resources := map[string]int{}
	for _, a := range []struct {
		prefix string
		cfg    aws.Config
	}{{"acct1", base}, {"acct2", second}} {
		n, err := awsestate.SeedScale(ctx, a.cfg, a.prefix, benchRegions, awsestate.Scale{}, 4)
		if err != nil {
			return aws.Config{}, 0, err
		}
		for k, v := range n {
			resources[k] += v
		}
	}
	total := 0
	for _, v := range resources {
		total += v
	}
	fmt.Fprintf(os.Stderr, "  seeded %d resources in %s: %v\n", total, time.Since(start).Round(time.Millisecond), resources)
	return base, total, nil
}

// writeEstateConfig writes the shoko config that audits the seeded estate: both accounts, the
// second through its role, in benchRegions.
func writeEstateConfig(path string) error {
	return os.WriteFile(path, []byte(fmt.Sprintf(`organization: bench
aws:
  home_region: %s
  regions: [%s]
  accounts:
    - id: %q
    - id: %q
      role_arn: %s
      external_id: %s
`, benchRegions[0], strings.Join(benchRegions, ", "), awsestate.Account, account2, role2, external2)), 0o644)
}

// estateEnv is the environment the AWS SDK of the bench and of every measured tool reads: the
// bench's fake credentials, no shared files or profile, every service at the front's URL.
func estateEnv(frontURL string) map[string]string {
	return map[string]string{"AWS_ACCESS_KEY_ID": benchKey, "AWS_SECRET_ACCESS_KEY": benchSecret,
		"AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_ENDPOINT_URL": frontURL}
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func medianF(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func fmtRatios(xs []float64) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(out, ", ")
}

func setEnv(vars map[string]string) (restore func()) {
	old := map[string]*string{}
	for k, v := range vars {
		if prev, ok := os.LookupEnv(k); ok {
			old[k] = &prev
		} else {
			old[k] = nil
		}
		os.Setenv(k, v)
	}
	return func() {
		for k, v := range old {
			if v == nil {
				os.Unsetenv(k)
			} else {
				os.Setenv(k, *v)
			}
		}
	}
}

// timedLog runs a command with its stderr into logPath and returns its wall time (exit codes 1
// and 2, a control failing or in error, are not failures).
func timedLog(name string, args []string, logPath string) (time.Duration, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cmd := exec.Command(name, args...)
	cmd.Stderr = f
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if ee, ok := err.(*exec.ExitError); ok && (ee.ExitCode() == 1 || ee.ExitCode() == 2) {
		err = nil
	}
	return wall, err
}
