package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	awscollector "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/motofront"
	"github.com/shoko-audit/shoko/internal/testenv"
)

// partitionRegions are the two regions of the partition test's estate (aws.regions).
var partitionRegions = []string{"ap-northeast-1", "ap-northeast-3"}

// orgEstate starts motofront before a reset moto, points the SDK (and subprocesses) at it, and
// makes an organisation of two accounts (the management account and one member) with a volume
// in the second region: the 2-account × 2-region estate the partition tests split.
func orgEstate(t *testing.T) (member string) {
	t.Helper()
	m := testenv.NeedMoto(t)
	front, err := motofront.Start(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(front.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIASHOKOTESTKEY0005")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "shoko-partition-test-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	// The shoko processes reach moto through a proxy making its request ids fixed (see
	// fixedRequestIDs); the seeding below goes straight to the front.
	t.Setenv("AWS_ENDPOINT_URL", fixedRequestIDs(t, front.URL))
	for _, v := range partitionIndexEnv {
		t.Setenv(v, "")
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(partitionRegions[0]),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIASHOKOTESTKEY0005", "shoko-partition-test-secret", "")))
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseEndpoint = aws.String(front.URL)
	org := organizations.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("cardsvc-prod"), Email: aws.String("prod@example.jp")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = partitionRegions[1] }).CreateVolume(ctx,
		&ec2.CreateVolumeInput{AvailabilityZone: aws.String(partitionRegions[1] + "a"), Size: aws.Int32(8), Encrypted: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	member = aws.ToString(created.CreateAccountStatus.AccountId)
	// IAM generates the credential report on the first request and the collector asks until it
	// is ready: its item records every request. Generated now, the report is ready for every
	// collection of the test, which then makes the same requests.
	asMember := cfg.Copy()
	asMember.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), "arn:aws:iam::"+member+":role/shoko-audit"))
	for _, c := range []aws.Config{cfg, asMember} {
		if _, err := iam.NewFromConfig(c).GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}); err != nil {
			t.Fatal(err)
		}
	}
	return member
}

// requestIDRE matches a request id in an AWS XML answer (query, EC2 and S3 protocols).
var requestIDRE = regexp.MustCompile(`<(RequestId|requestId|RequestID)>[^<]*</`)

// fixedRequestIDs starts a reverse proxy to target that sets every request id moto answers with
// (headers and XML bodies) to one fixed value. Evidence records the request ids of its calls;
// AWS and moto give each call a new one, so two collections of the same estate differ only
// there. With the ids fixed, one process and four partitions must give the same bytes.
func fixedRequestIDs(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(r *http.Response) error {
		for _, h := range []string{"X-Amzn-Requestid", "X-Amz-Request-Id", "X-Amz-Id-2"} {
			if r.Header.Get(h) != "" {
				r.Header.Set(h, "shoko-test")
			}
		}
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		b = requestIDRE.ReplaceAll(b, []byte("<$1>shoko-test</"))
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}

// partitionConfig is the records demo plus the organisation's AWS accounts in two regions.
func partitionConfig(t *testing.T) string {
	t.Helper()
	p := writeConfig(t, t.TempDir(), "shoko.yaml", demoSources(t))
	b, _ := os.ReadFile(p)
	b = fmt.Appendf(b, "aws:\n  home_region: %s\n  regions: [%s]\n  organization_role: shoko-audit\n  call_timeout: 60s\n",
		partitionRegions[0], strings.Join(partitionRegions, ", "))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFourPartitionsEqualOneProcess collects a 2-account × 2-region organisation once in one
// process and again as 4 partitions by 4 separate processes (two of them given their index the
// way Kubernetes and AWS Batch do): results.json is byte-identical (the run ids aside), run.json
// records the unit list and its split, and evaluate refuses (exit 2, naming it) while a
// partition is missing.
func TestFourPartitionsEqualOneProcess(t *testing.T) {
	member := orgEstate(t)
	cfg := partitionConfig(t)
	store := t.TempDir()
	const at = "2026-11-27T03:00:00Z"
	run := func(args ...string) (int, string) {
		t.Helper()
		code, out, errOut := shoko(t, args...)
		return code, out + errOut
	}
	evaluate := func(id string) (int, string) {
		return run("evaluate", "--store", store, "--run", id, "--config", cfg, "--as-of", at, "--lang", "en")
	}

	start := time.Now()
	if code, out := run("runs", "start", "--store", store, "--config", cfg, "--shard", "main", "--run-id", "one"); code != 0 {
		t.Fatalf("runs start: exit %d\n%s", code, out)
	}
	if code, out := run("collect", "--store", store, "--run", "one", "--shard", "main", "--config", cfg, "--collected-at", at); code != 0 {
		t.Fatalf("collect: exit %d\n%s", code, out)
	}
	codeOne, out := evaluate("one")
	if codeOne != exitOK && codeOne != exitFail && codeOne != exitError {
		t.Fatalf("evaluate one: exit %d\n%s", codeOne, out)
	}
	t.Logf("one process: %s", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	if code, out := run("runs", "start", "--store", store, "--config", cfg, "--partitions", "4", "--run-id", "four"); code != 0 {
		t.Fatalf("runs start --partitions 4: exit %d\n%s", code, out)
	}
	plan, _, err := evidence.ReadPlan(context.Background(), evidence.NewDirStore(store), "four")
	if err != nil {
		t.Fatal(err)
	}
	checkUnitList(t, plan, member)

	// Partitions 1..3 by three concurrent processes: 1 by --partition, 2 as a Kubernetes
	// Indexed Job's pod, 3 as an AWS Batch array job's child.
	collect := func(env string, args ...string) *testCmd {
		c := cli(t, append([]string{"collect", "--store", store, "--run", "four", "--config", cfg, "--collected-at", at}, args...)...)
		if env != "" {
			c.Env = append(c.Env, env)
		}
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		return &testCmd{c, strings.Join(args, " ") + " " + env, &out}
	}
	procs := []*testCmd{
		collect("", "--partition", "1/4"),
		collect("JOB_COMPLETION_INDEX=1", "--partitions", "4"),
		collect("AWS_BATCH_JOB_ARRAY_INDEX=2", "--partitions", "4"),
	}
	for _, p := range procs {
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("collect %s: %v\n%s", p.shard, err, p.out)
		}
	}
	code, out := evaluate("four")
	if code != exitError || !strings.Contains(out, "partition 4/4 (shard part-4-of-4) not collected") || strings.Contains(out, "partition 3/4") {
		t.Fatalf("evaluate with partition 4 missing: exit %d, want %d naming partition 4/4 only\n%s", code, exitError, out)
	}
	last := collect("", "--partition", "4/4")
	if err := last.cmd.Wait(); err != nil {
		t.Fatalf("collect 4/4: %v\n%s", err, last.out)
	}
	if code, out := evaluate("four"); code != codeOne {
		t.Fatalf("evaluate four: exit %d, one process gave %d\n%s", code, codeOne, out)
	}
	t.Logf("four partitions: %s", time.Since(start).Round(time.Millisecond))

	r1, _ := os.ReadFile(filepath.Join(store, "runs", "one", evidence.ResultsFile))
	r4, _ := os.ReadFile(filepath.Join(store, "runs", "four", evidence.ResultsFile))
	r1 = bytes.ReplaceAll(r1, []byte(`"run_id": "one"`), []byte(`"run_id": "RUN"`))
	r4 = bytes.ReplaceAll(r4, []byte(`"run_id": "four"`), []byte(`"run_id": "RUN"`))
	if len(r1) == 0 || !bytes.Equal(r1, r4) {
		t.Fatalf("4 partitions gave other results than one process:\n%s\nitems that differ:\n%s", firstDiff(r1, r4), differentItems(t, store))
	}
	meta, err := evidence.ReadRunMeta(context.Background(), evidence.NewDirStore(store), "four")
	if err != nil {
		t.Fatal(err)
	}
	if meta.Partitions != 4 || len(meta.Units) != len(plan.Units) {
		t.Errorf("run.json: %d partitions, %d units; want the plan's 4 and %d", meta.Partitions, len(meta.Units), len(plan.Units))
	}
	if !strings.Contains(strings.Join(meta.Covered.AWSAccounts, ","), member) {
		t.Errorf("run.json covered accounts %v: the member account %s is missing", meta.Covered.AWSAccounts, member)
	}
}

// checkUnitList: the plan lists the organisation, each account's global unit and 15 service
// groups in each of the 2 regions, and the records collector, sorted, split 4 ways evenly.
func checkUnitList(t *testing.T, plan evidence.Plan, member string) {
	t.Helper()
	perRegion := 0
	seen := map[string]bool{}
	for _, u := range plan.Units {
		if u.Source == "aws" && u.Account == member && u.Region == partitionRegions[0] {
			perRegion++
		}
		seen[u.Key()] = true
	}
	want := 1 + 1 + 2*(1+2*perRegion) // records, organisation, 2 accounts × (global + 2 regions)
	if perRegion < 10 || len(plan.Units) != want || plan.Partitions != 4 {
		t.Fatalf("plan: %d units (%d service groups per region), %d partitions; want %d units, 4 partitions:\n%+v", len(plan.Units), perRegion, plan.Partitions, want, plan.Units)
	}
	for _, k := range []string{"records///", "aws/123456789012/global/" + awscollector.UnitOrganization, "aws/" + member + "/global/" + awscollector.UnitAccount,
		"aws/" + member + "/" + partitionRegions[1] + "/ec2"} {
		if !seen[k] {
			t.Errorf("unit %s not in the plan", k)
		}
	}
	load := map[int]int{}
	for i, u := range plan.Units {
		load[u.Partition]++
		if i > 0 && plan.Units[i-1].Key() >= u.Key() {
			t.Errorf("units not sorted at %s", u.Key())
		}
		if want := i%4 + 1; u.Partition != want {
			t.Errorf("unit %d %s in partition %d; round-robin puts it in %d", i, u.Key(), u.Partition, want)
		}
	}
	for p := 1; p <= 4; p++ {
		if d := load[p] - len(plan.Units)/4; d < 0 || d > 1 {
			t.Errorf("partition %d has %d of %d units", p, load[p], len(plan.Units))
		}
	}
}

// A partition the run does not have, a count that is not the run's, and an index the job
// runner did not give are usage errors naming what is wrong.
func TestPartitionFlagsAreChecked(t *testing.T) {
	orgEstate(t)
	cfg := partitionConfig(t)
	store := t.TempDir()
	if code, out, errOut := shoko(t, "runs", "start", "--store", store, "--config", cfg, "--partitions", "2", "--run-id", "two"); code != 0 {
		t.Fatalf("runs start: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := shoko(t, "runs", "start", "--store", store, "--config", cfg, "--shard", "main", "--run-id", "plain"); code != 0 {
		t.Fatalf("runs start: exit %d\n%s%s", code, out, errOut)
	}
	other := writeConfig(t, t.TempDir(), "other.yaml", demoSources(t))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"partition past N", []string{"--run", "two", "--partition", "3/2"}, "I must be 1..2"},
		{"partition zero", []string{"--run", "two", "--partition", "0/2"}, "I must be 1..2"},
		{"not I/N", []string{"--run", "two", "--partition", "2"}, "want I/N"},
		{"N is not the run's", []string{"--run", "two", "--partition", "1/3"}, "split into 2 partitions"},
		{"run not partitioned", []string{"--run", "plain", "--partition", "1/2"}, "not split into partitions"},
		{"--shard of a partitioned run", []string{"--run", "two", "--shard", "main"}, "collect it with --partition I/2"},
		{"no index from the job runner", []string{"--run", "two", "--partitions", "2"}, "needs the partition index"},
		{"another config", []string{"--run", "two", "--partition", "1/2", "--config", other}, "is not the config run two was started with"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"collect", "--store", store, "--config", cfg}, tc.args...)
			code, out, errOut := shoko(t, args...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, want %d with %q\n%s%s", code, exitUsage, tc.want, out, errOut)
			}
		})
	}
	t.Run("more partitions than units", func(t *testing.T) {
		code, out, errOut := shoko(t, "runs", "start", "--store", store, "--config", cfg, "--partitions", "1000")
		if code != exitUsage || !strings.Contains(errOut, "at most") {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
	})
	t.Run("one partition is the whole run", func(t *testing.T) {
		code, _, errOut := shoko(t, "runs", "start", "--store", store, "--config", cfg, "--partitions", "1", "--run-id", "whole")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		plan, _, err := evidence.ReadPlan(context.Background(), evidence.NewDirStore(store), "whole")
		if err != nil || len(plan.Shards) != 1 || plan.Shards[0] != "part-1-of-1" {
			t.Fatalf("plan shards %v: %v", plan.Shards, err)
		}
	})
}

func TestPartitionOfReadsTheFlagOrTheJobRunnersIndex(t *testing.T) {
	for _, tc := range []struct {
		name       string
		flag       string
		partitions int
		env        map[string]string
		i, n       int
		wantErr    string
	}{
		{name: "flag", flag: "2/8", i: 2, n: 8},
		{name: "flag at N", flag: "8/8", i: 8, n: 8},
		{name: "flag one past N", flag: "9/8", wantErr: "I must be 1..8"},
		{name: "flag 0-based by mistake", flag: "0/8", wantErr: "I must be 1..8"},
		{name: "flag and --partitions", flag: "1/8", partitions: 8, wantErr: "not both"},
		{name: "kubernetes index 0 is partition 1", partitions: 8, env: map[string]string{"JOB_COMPLETION_INDEX": "0"}, i: 1, n: 8},
		{name: "kubernetes last index", partitions: 8, env: map[string]string{"JOB_COMPLETION_INDEX": "7"}, i: 8, n: 8},
		{name: "kubernetes index one past", partitions: 8, env: map[string]string{"JOB_COMPLETION_INDEX": "8"}, wantErr: "0..7"},
		{name: "batch index", partitions: 3, env: map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "2"}, i: 3, n: 3},
		{name: "both runners agree", partitions: 3, env: map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "1", "JOB_COMPLETION_INDEX": "1"}, i: 2, n: 3},
		{name: "runners disagree", partitions: 3, env: map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "1", "JOB_COMPLETION_INDEX": "2"}, wantErr: "disagree"},
		{name: "no index", partitions: 3, wantErr: "needs the partition index"},
		{name: "index not a number", partitions: 3, env: map[string]string{"JOB_COMPLETION_INDEX": "x"}, wantErr: "0-based index"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i, n, err := partitionOf(tc.flag, tc.partitions, func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || i != tc.i || n != tc.n {
				t.Fatalf("%d/%d, %v; want %d/%d", i, n, err, tc.i, tc.n)
			}
		})
	}
}

func TestSplitUnitsIsRoundRobinKeepingBoundUnitsTogether(t *testing.T) {
	unit := func(acct, region, svc string) evidence.Unit {
		return evidence.Unit{Source: "aws", Account: acct, Region: region, Service: svc}
	}
	var units []evidence.Unit
	for _, a := range []string{"111111111111", "222222222222"} {
		units = append(units, unit(a, "global", "account"))
		for _, r := range []string{"ap-northeast-1", "eu-west-1"} {
			for _, s := range []string{"ec2", "kms", "rds"} {
				units = append(units, unit(a, r, s))
			}
		}
	}
	sortUnits(units)
	split := func(bound map[string]string, n int) []int {
		us := append([]evidence.Unit(nil), units...)
		splitUnits(us, bound, n)
		out := make([]int, len(us))
		for i, u := range us {
			out[i] = u.Partition
		}
		return out
	}
	t.Run("no bindings: round-robin", func(t *testing.T) {
		got := split(nil, 3)
		for i, p := range got {
			if p != i%3+1 {
				t.Fatalf("unit %d in partition %d, want %d (%v)", i, p, i%3+1, got)
			}
		}
		if again := split(nil, 3); fmt.Sprint(again) != fmt.Sprint(got) {
			t.Fatalf("split twice: %v then %v", got, again)
		}
	})
	t.Run("a denied region's units go with the account's global unit", func(t *testing.T) {
		bound := map[string]string{}
		for _, u := range units {
			if u.Region == "eu-west-1" {
				bound[u.Key()] = unit(u.Account, "global", "account").Key()
			}
		}
		us := append([]evidence.Unit(nil), units...)
		splitUnits(us, bound, 3)
		owner := map[string]int{}
		load := map[int]int{}
		for _, u := range us {
			load[u.Partition]++
			if u.Region == "global" {
				owner[u.Account] = u.Partition
			}
		}
		for _, u := range us {
			if u.Region == "eu-west-1" && u.Partition != owner[u.Account] {
				t.Errorf("%s in partition %d, its account's global unit in %d", u.Key(), u.Partition, owner[u.Account])
			}
		}
		for p := 1; p <= 3; p++ {
			if load[p] < 3 || load[p] > 6 {
				t.Errorf("partition %d has %d of %d units: unbalanced (%v)", p, load[p], len(us), load)
			}
		}
	})
}

// Evaluate names every partition not finished, and how far each got.
func TestUnfinishedPartitionsAreNamed(t *testing.T) {
	plan := evidence.Plan{Partitions: 3, Shards: evidence.PartitionShards(3)}
	files := map[string][]byte{
		"shards/part-1-of-3.json":                      []byte("{}"),
		"evidence/part-2-of-3/records.training/x.json": []byte("{}"),
	}
	err := unfinishedPartitions("r", plan, files)
	var ee *exitErr
	if err == nil || !asExit(err, &ee) || ee.code != exitError {
		t.Fatalf("err %v, want exit %d", err, exitError)
	}
	for _, want := range []string{"partition 2/3 (shard part-2-of-3) incomplete", "partition 3/3 (shard part-3-of-3) not collected", "--partition I/3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v\ndoes not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "partition 1/3") {
		t.Errorf("%v names the finished partition 1", err)
	}
	files["shards/part-2-of-3.json"], files["shards/part-3-of-3.json"] = []byte("{}"), []byte("{}")
	if err := unfinishedPartitions("r", plan, files); err != nil {
		t.Fatalf("every partition finished: %v", err)
	}
}

func asExit(err error, target **exitErr) bool {
	e, ok := err.(*exitErr)
	*target = e
	return ok
}

// differentItems names the evidence items of run "four" whose digest differs from run "one"'s
// (or that only one run has), with the first differing line.
func differentItems(t *testing.T, store string) string {
	t.Helper()
	items := func(id string) map[string]string {
		out := map[string]string{}
		shards, _ := filepath.Glob(filepath.Join(store, "runs", id, "shards", "*.json"))
		for _, sh := range shards {
			var m evidence.ShardManifest
			b, _ := os.ReadFile(sh)
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			for _, e := range m.Items {
				out[e.Path] = filepath.Join(store, "runs", id, "evidence", m.Shard, e.Path)
			}
		}
		return out
	}
	one, four := items("one"), items("four")
	var diffs []string
	for p, f1 := range one {
		f4, ok := four[p]
		if !ok {
			diffs = append(diffs, p+": only in one process")
			continue
		}
		b1, _ := os.ReadFile(f1)
		b4, _ := os.ReadFile(f4)
		if !bytes.Equal(b1, b4) {
			diffs = append(diffs, p+": "+firstDiff(b1, b4))
		}
	}
	for p := range four {
		if _, ok := one[p]; !ok {
			diffs = append(diffs, p+": only in the partitions")
		}
	}
	return strings.Join(diffs, "\n")
}
