// Verdicts that hold against AWS's documented behaviour, not only moto's (issue 14): versioned
// temporary buckets, organization trails seen from a member account, default event selectors,
// Aurora clusters backed up by cluster ARN.
package aws_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/engine"
)

// A versioned temporary bucket keeps a deleted file as a noncurrent version: ListObjectsV2 no
// longer shows it, but it is still stored. TMP-01 must see it (ListObjectVersions) and fail once
// it is older than 10 business days; a bucket whose files are all removed for good passes.
func TestTemporaryNoncurrentVersionIsJudged(t *testing.T) {
	cases := []struct {
		name     string
		deleteTo string // "marker": a delete leaves a noncurrent version; "version": deleted for good
		want     string
	}{
		{"a noncurrent version past the deadline fails", "marker", engine.StatusFail},
		{"a file deleted with all its versions passes", "version", engine.StatusPass},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			c := s3.NewFromConfig(e.cfg, func(o *s3.Options) { o.UsePathStyle = true })
			const bucket = "cardsvc-tmp-versioned"
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
				CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(awsestate.Region)}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
				LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{ID: aws.String("expire-temp"),
					Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("exports/")},
					Expiration:                  &s3types.LifecycleExpiration{Days: aws.Int32(7)},
					NoncurrentVersionExpiration: &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(7)}}}}}); err != nil {
				t.Fatal(err)
			}
			put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("exports/old.csv"), Body: strings.NewReader("id\n")})
			if err != nil {
				t.Fatal(err)
			}
			del := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("exports/old.csv")}
			if tc.deleteTo == "version" {
				del.VersionId = put.VersionId
			}
			if _, err := c.DeleteObject(ctx, del); err != nil {
				t.Fatal(err)
			}
			// Judged 30 days after the file was written (moto dates it now): ≥ 18 business days.
			now := time.Now().UTC().AddDate(0, 0, 30).Truncate(time.Second)
			items, err := shokoaws.New(shokoaws.Options{EndpointURL: e.front.URL, Regions: []string{awsestate.Region},
				TempBuckets: []string{bucket + "/exports/"}}).Collect(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			c0 := evaluateAt(t, items, now)["TMP-01"]
			if c0.Status != tc.want {
				t.Fatalf("TMP-01 %s, want %s: %s %v", c0.Status, tc.want, c0.Reason.EN, failing(c0))
			}
			if tc.want == engine.StatusFail {
				f := failing(c0)
				if len(f) != 1 || !strings.Contains(f[0], "s3://"+bucket+"/exports/old.csv") {
					t.Errorf("failing findings %v, want the noncurrent version of exports/old.csv", f)
				}
			}
		})
	}
}

// A member account audited alone sees its organization's trail (DescribeTrails with
// includeShadowTrails), which covers it for LOG-01, LOG-04 and RST-01; without it the account has
// no trail and each of them fails naming the account.
func TestOrganizationTrailCoversMemberAccount(t *testing.T) {
	cases := []struct {
		name     string
		orgTrail bool
		want     string
	}{
		{"the organization trail seen from a member account covers it", true, engine.StatusPass},
		{"a member account with no trail fails", false, engine.StatusFail},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seed(t, awsestate.Options{})
			if err := awsestate.SeedMemberOfOrganizationTrail(context.Background(), e.cfg, e.front, tc.orgTrail); err != nil {
				t.Fatal(err)
			}
			results := evaluate(t, e.collect(t, shokoaws.Options{}))
			for _, id := range []string{"LOG-01", "LOG-04", "RST-01"} {
				c := results[id]
				if c.Status != tc.want {
					t.Errorf("%s: %s, want %s: %s %v", id, c.Status, tc.want, c.Reason.EN, failing(c))
					continue
				}
				if tc.want == engine.StatusFail && !strings.Contains(strings.Join(failing(c), "\n"), awsestate.Account) {
					t.Errorf("%s: no failing finding names account %s: %v", id, awsestate.Account, failing(c))
				}
			}
		})
	}
}

// A trail created without event selectors logs every management event, read and write (AWS's
// default; moto answers no selectors, motofront serves AWS's answer): LOG-01 passes it.
func TestTrailWithoutSelectorsLogsManagementEvents(t *testing.T) {
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	ctx := context.Background()
	cfg := e.cfg.Copy()
	cfg.Region = awsestate.Region
	c := cloudtrail.NewFromConfig(cfg)
	if _, err := c.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(awsestate.TrailName)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("plain-trail"), S3BucketName: aws.String(awsestate.TrailBucket),
		IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("plain-trail")}); err != nil {
		t.Fatal(err)
	}
	if r := evaluate(t, e.collect(t, shokoaws.Options{}))["LOG-01"]; r.Status != engine.StatusPass {
		t.Errorf("LOG-01 %s, want pass: %s %v", r.Status, r.Reason.EN, failing(r))
	}
}

// An Aurora cluster is backed up by its cluster ARN: with the cluster's daily recovery points
// BAK-01 passes (its instances are not judged on their own); without them it fails naming the
// cluster.
func TestAuroraClusterBackedUpByClusterARN(t *testing.T) {
	cases := []struct {
		name   string
		points bool
		want   string
	}{
		{"recovery points of the cluster pass", true, engine.StatusPass},
		{"a cluster without recovery points fails", false, engine.StatusFail},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seed(t, awsestate.Options{})
			arn, err := awsestate.SeedAurora(context.Background(), e.cfg, e.front, testNow, tc.points)
			if err != nil {
				t.Fatal(err)
			}
			c := evaluate(t, e.collect(t, shokoaws.Options{Regions: []string{awsestate.Region}}))["BAK-01"]
			if c.Status != tc.want {
				t.Fatalf("BAK-01 %s, want %s: %s %v", c.Status, tc.want, c.Reason.EN, failing(c))
			}
			if f := failing(c); tc.want == engine.StatusFail && (len(f) != 1 || !strings.HasPrefix(f[0], arn)) {
				t.Errorf("failing findings %v, want only the cluster %s", f, arn)
			}
		})
	}
}
