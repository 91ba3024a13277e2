package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/internal/motofront"
	"github.com/shoko-audit/shoko/internal/testenv"
)

var sectionA = []string{"GEO-01", "ENC-01", "ENC-02", "TLS-01", "TLS-03", "BAK-01", "BAK-02", "BAK-03",
	"LOG-01", "LOG-02", "LOG-03", "LOG-04", "EVD-01", "RST-01", "MON-01", "NET-01", "PRIV-01", "SEC-01",
	"CAP-01", "RED-01", "TMP-01", "PII-01"}

// `shoko audit --config testdata/aws-demo.yaml` against a seeded moto estate (AWS_ENDPOINT_URL
// pointing at motofront before moto) gives every section-A control a status, and the controls
// that fail are exactly the ones whose violations were seeded.
func TestAuditAWSDemoAgainstMoto(t *testing.T) {
	m := testenv.NeedMoto(t)
	front, err := motofront.Start(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer front.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIASHOKOTESTKEY0002")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "shoko-cli-test-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_ENDPOINT_URL", front.URL)

	seeded := map[string]bool{"GEO-01": true, "LOG-03": true, "PRIV-01": true, "TLS-01": true}
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(awsestate.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIASHOKOTESTKEY0002", "shoko-cli-test-secret", "")))
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseEndpoint = aws.String(front.URL)
	if err := awsestate.Seed(context.Background(), cfg, front, awsestate.Options{Now: time.Now().UTC(), Violate: seeded}); err != nil {
		t.Fatal(err)
	}

	out := t.TempDir()
	start := time.Now()
	code, stdout, stderr := shoko(t, "audit", "--config", "../../testdata/aws-demo.yaml", "--out", out, "--lang", "en")
	t.Logf("audit took %s", time.Since(start).Round(time.Millisecond))
	if code != exitFail && code != exitError {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	res := readResults(t, filepath.Join(onlyRun(t, out), "results.json"))
	// run.json records the account and regions the evidence was actually collected from.
	if cov := readCovered(t, onlyRun(t, out)); len(cov.AWSAccounts) != 1 || len(cov.AWSRegions) == 0 {
		t.Errorf("run.json covered: accounts %q, regions %q; want the one account and its regions", cov.AWSAccounts, cov.AWSRegions)
	} else {
		assertListed(t, "aws_regions", cov.AWSRegions, awsestate.Region)
	}
	got := map[string]engine.ControlResult{}
	for _, c := range res.Controls {
		got[c.ID] = c
	}
	var failed []string
	for _, id := range sectionA {
		c, ok := got[id]
		switch {
		case !ok || c.Status == "":
			t.Errorf("%s has no status", id)
		case c.Status == engine.StatusFail:
			failed = append(failed, id)
			t.Logf("%s: %s", id, c.Reason.EN)
		case c.Status != engine.StatusPass:
			t.Errorf("%s: %s (%s)", id, c.Status, c.Reason.EN)
		}
	}
	var want []string
	for id := range seeded {
		want = append(want, id)
	}
	sort.Strings(want)
	sort.Strings(failed)
	if len(failed) != len(want) || !equalStrings(failed, want) {
		t.Errorf("failing controls %v, want exactly the seeded %v", failed, want)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Without --config, collect audits the account of the current credentials in every enabled
// region: one region list and the AWS kinds, nothing else.
func TestCollectWithoutConfigAuditsTheCurrentAccount(t *testing.T) {
	m := testenv.NeedMoto(t)
	front, err := motofront.Start(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer front.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIASHOKOTESTKEY0003")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "shoko-cli-test-secret")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_ENDPOINT_URL", front.URL)
	out := t.TempDir()
	code, stdout, stderr := shoko(t, "collect", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	regions, err := filepath.Glob(filepath.Join(out, "aws.ec2.DescribeRegions", "*.json"))
	if err != nil || len(regions) != 1 {
		t.Fatalf("region lists: %v %v", regions, err)
	}
	if b, _ := os.ReadFile(regions[0]); !bytes.Contains(b, []byte(`"account": "123456789012"`)) {
		t.Errorf("region list not scoped to the caller's account:\n%s", b[:min(len(b), 400)])
	}
	if strings.Contains(stdout, "with errors") && !strings.Contains(stdout, "(0 with errors)") {
		t.Errorf("collection had errors: %s", stdout)
	}
}
