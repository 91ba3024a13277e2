package aws_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
)

func find(items []evidence.Item, kind, account, region string) (evidence.Item, bool) {
	for _, it := range items {
		if it.Kind == kind && it.Scope["account"] == account && it.Scope["region"] == region {
			return it, true
		}
	}
	return evidence.Item{}, false
}

func rows(t *testing.T, it evidence.Item) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := jsonUnmarshal(it.Data, &out); err != nil {
		t.Fatalf("%s: %v", it.Kind, err)
	}
	return out
}

// Every paginated list is read to the end: more resources than one page, all counted.
func TestPaginationReadsEveryPage(t *testing.T) {
	e := newEnv(t)
	e.seed(t, awsestate.Options{Extra: 120})
	items := e.collect(t, shokoaws.Options{Regions: []string{awsestate.Region}})
	cases := []struct {
		kind, region string
		atLeast      int
	}{
		{shokoaws.KindTables, awsestate.Region, 121},        // ListTables: 100 a page
		{shokoaws.KindLogGroups, awsestate.Region, 124},     // DescribeLogGroups: 50 a page
		{shokoaws.KindRecoveryPoints, awsestate.Region, 41}, // motofront: 2 a page
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			it, ok := find(items, tc.kind, awsestate.Account, tc.region)
			if !ok || it.Status != evidence.StatusOK {
				t.Fatalf("no ok item for %s", tc.kind)
			}
			if n := len(rows(t, it)); n < tc.atLeast {
				t.Errorf("%s: %d rows, want at least %d (a page was missed)", tc.kind, n, tc.atLeast)
			}
			if it.Request.Pages < 2 {
				t.Errorf("%s: read in %d page(s); the test estate must need several", tc.kind, it.Request.Pages)
			}
			if len(it.Request.RequestIDs) < it.Request.Pages {
				t.Errorf("%s: %d request ids for %d pages", tc.kind, len(it.Request.RequestIDs), it.Request.Pages)
			}
		})
	}
}

// Two accounts: the caller's own and a second one through AssumeRole; each item is scoped to
// the account it describes, and the second account's bucket is only in its own evidence.
func TestTwoAccountsThroughAssumeRole(t *testing.T) {
	e := newEnv(t)
	const second = "111111111111"
	role := "arn:aws:iam::" + second + ":role/shoko-audit"
	cfg2 := e.cfg.Copy()
	cfg2.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(e.cfg), role))
	s3c := s3.NewFromConfig(cfg2, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("second-account-data"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(awsestate.Region)}}); err != nil {
		t.Fatal(err)
	}
	items := e.collect(t, shokoaws.Options{Regions: []string{awsestate.Region},
		Accounts: []shokoaws.Account{{ID: awsestate.Account}, {ID: second, RoleARN: role, ExternalID: "shoko"}}})
	cases := []struct {
		account    string
		wantBucket bool
	}{
		{awsestate.Account, false},
		{second, true},
	}
	for _, tc := range cases {
		it, ok := find(items, shokoaws.KindBuckets, tc.account, shokoaws.GlobalRegion)
		if !ok || it.Status != evidence.StatusOK {
			t.Fatalf("account %s: no ok bucket list", tc.account)
		}
		has := strings.Contains(string(it.Data), "second-account-data")
		if has != tc.wantBucket {
			t.Errorf("account %s: bucket listed %v, want %v", tc.account, has, tc.wantBucket)
		}
		if _, ok := find(items, shokoaws.KindRegions, tc.account, shokoaws.GlobalRegion); !ok {
			t.Errorf("account %s: no region list", tc.account)
		}
	}
}

// A configured account the credentials do not belong to is an error for every kind, never
// another account's evidence under its name.
func TestWrongAccountIsAnErrorForEveryKind(t *testing.T) {
	e := newEnv(t)
	items := e.collect(t, shokoaws.Options{Regions: []string{awsestate.Region}, Accounts: []shokoaws.Account{{ID: "222222222222"}}})
	if len(items) != len(shokoaws.Kinds()) {
		t.Fatalf("%d items, want one error per kind (%d)", len(items), len(shokoaws.Kinds()))
	}
	for _, it := range items {
		if it.Status != evidence.StatusError || !strings.Contains(*it.Error, "not the configured 222222222222") {
			t.Fatalf("%s: status %s, error %v", it.Kind, it.Status, it.Error)
		}
	}
}

// AccessDenied in one region makes that region's EC2 kinds error items; GEO-01, which must look
// everywhere, is then error, not pass, while controls that need no EC2 evidence carry on.
func TestAccessDeniedInOneRegionMakesGEO01Error(t *testing.T) {
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	e.front.DenyEC2("eu-west-3")
	items := e.collect(t, shokoaws.Options{})
	it, ok := find(items, shokoaws.KindVolumes, awsestate.Account, "eu-west-3")
	if !ok || it.Status != evidence.StatusError || !strings.Contains(*it.Error, "UnauthorizedOperation") {
		t.Fatalf("eu-west-3 volumes: %+v", it)
	}
	res := evaluate(t, items)
	cases := map[string]string{"GEO-01": engine.StatusError, "SEC-01": engine.StatusPass, "ENC-02": engine.StatusPass}
	for id, want := range cases {
		if got := res[id].Status; got != want {
			t.Errorf("%s: %s (%s), want %s", id, got, res[id].Reason.EN, want)
		}
	}
	if !strings.Contains(res["GEO-01"].Reason.EN, "eu-west-3") {
		t.Errorf("GEO-01 reason does not name the region: %s", res["GEO-01"].Reason.EN)
	}
}

var (
	volatile   = regexp.MustCompile(`"(Latest\w*Time)": "[^"]*"`)
	requestIDs = regexp.MustCompile(`(?s)"request_ids": \[[^\]]*\]`)
)

// The same estate collected twice gives byte-identical evidence, and neither the credentials
// nor a secret in a launch template's user data appear in it.
func TestCollectionIsDeterministicAndHoldsNoCredentials(t *testing.T) {
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	encode := func(items []evidence.Item) []byte {
		var buf bytes.Buffer
		for _, it := range items {

			b, err := evidence.Encode(it)
			if err != nil {
				t.Fatal(err)
			}
			// moto stamps "latest" times (trail delivery attempts, RDS restorable time) with
			// the wall clock, as AWS does: the source moved between the two collections, not
			// the collector. Those values are blanked before comparing.
			b = volatile.ReplaceAll(b, []byte(`"$1": "…"`))
			// Request ids are new with every call, by design.
			b = requestIDs.ReplaceAll(b, []byte(`"request_ids": […]`))
			fmt.Fprintf(&buf, "%s\n", b)
		}
		return buf.Bytes()
	}
	first := encode(e.collect(t, shokoaws.Options{Concurrency: 16}))
	second := encode(e.collect(t, shokoaws.Options{Concurrency: 3}))
	if !bytes.Equal(first, second) {
		a, b := strings.Split(string(first), "\n"), strings.Split(string(second), "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("two collections of the same estate differ at line %d:\n%s\n%s", i, a[i], b[i])
			}
		}
		t.Fatal("two collections of the same estate differ in length")
	}
	if !bytes.Contains(first, []byte("removed by shoko")) {
		t.Error("the launch template's user data was not seen, so its removal is untested")
	}
	userData := base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\nexport DB_PASSWORD=" + awsestate.UserDataSecret + "\n"))
	for _, secret := range []string{testAccessKey, testSecretKey, awsestate.UserDataSecret, userData} {
		if bytes.Contains(first, []byte(secret)) {
			t.Errorf("evidence contains the credential %q", secret)
		}
	}
}

// With organization_role, every ACTIVE account of the organization is audited through that
// role (the management account included).
func TestOrganizationAccountsThroughNamedRole(t *testing.T) {
	e := newEnv(t)
	org := organizations.NewFromConfig(e.cfg)
	if _, err := org.CreateOrganization(context.Background(), &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	created, err := org.CreateAccount(context.Background(), &organizations.CreateAccountInput{AccountName: aws.String("cardsvc-prod"), Email: aws.String("prod@example.jp")})
	if err != nil {
		t.Fatal(err)
	}
	member := aws.ToString(created.CreateAccountStatus.AccountId)
	items := e.collect(t, shokoaws.Options{Regions: []string{awsestate.Region}, OrganizationRole: "shoko-audit"})
	for _, account := range []string{awsestate.Account, member} {
		it, ok := find(items, shokoaws.KindRegions, account, shokoaws.GlobalRegion)
		if !ok || it.Status != evidence.StatusOK {
			t.Errorf("account %s was not audited", account)
		}
	}
	// The organization's account list is read once, from the management account.
	var lists []evidence.Item
	for _, it := range items {
		if it.Kind == shokoaws.KindOrgAccounts {
			lists = append(lists, it)
		}
	}
	if len(lists) != 1 || lists[0].Status != evidence.StatusOK || lists[0].Scope["account"] != awsestate.Account ||
		!strings.Contains(string(lists[0].Data), member) {
		t.Errorf("organization account list: %d items, first %+v", len(lists), lists)
	}
}

// An endpoint that never answers costs one call timeout, not the run: every kind becomes an
// error item saying why.
func TestHungEndpointTimesOutIntoErrorItems(t *testing.T) {
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer hung.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", testAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecretKey)
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	start := time.Now()
	items, err := shokoaws.New(shokoaws.Options{EndpointURL: hung.URL, CallTimeout: 200 * time.Millisecond, MaxAttempts: 1}).
		Collect(context.Background(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %s; the call timeout did not bound the call", took)
	}
	if len(items) != len(shokoaws.Kinds()) {
		t.Fatalf("%d items, want one per kind (%d)", len(items), len(shokoaws.Kinds()))
	}
	for _, it := range items {
		if it.Status != evidence.StatusError || !strings.Contains(*it.Error, "deadline exceeded") {
			t.Fatalf("%s: %s %v", it.Kind, it.Status, it.Error)
		}
	}
}
