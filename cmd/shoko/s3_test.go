package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/shoko-audit/shoko/internal/testenv"
)

// TestAuditIntoS3WithObjectLock audits the records demo into an S3 store with Object Lock (on
// moto_server), lists it, bundles it out of S3, and verifies the bundle offline.
func TestAuditIntoS3WithObjectLock(t *testing.T) {
	moto := testenv.NeedMoto(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(moto.URL), UsePathStyle: true,
		DisableLogOutputChecksumValidationSkipped: true,
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")})
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("audit"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	priv, pub := keyPair(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "shoko.yaml", demoSources(t))
	b, _ := os.ReadFile(cfg)
	b = append(b, fmt.Sprintf("store:\n  location: s3://audit/shoko\n  region: us-east-1\n  endpoint: %s\n  object_lock: {mode: GOVERNANCE, retention_days: 1}\nsigning:\n  key: %s\n", moto.URL, priv)...)
	if err := os.WriteFile(cfg, b, 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := shoko(t, "audit", "--config", cfg, "--run-id", "s3run", "--lang", "en")
	if code != exitError || !strings.Contains(out, "run: s3://audit/shoko/runs/s3run") {
		t.Fatalf("audit: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = shoko(t, "runs", "list", "--config", cfg)
	if code != 0 || !strings.Contains(out, "s3run") || !strings.Contains(out, "signed") {
		t.Fatalf("runs list: exit %d\n%s%s", code, out, errOut)
	}
	head, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("audit"), Key: aws.String("shoko/runs/s3run/results.json")})
	if err != nil || head.ObjectLockMode != "GOVERNANCE" {
		t.Fatalf("results.json lock %q: %v", head.ObjectLockMode, err)
	}
	bundle := filepath.Join(t.TempDir(), "s3run.tar.gz")
	if code, out, errOut := shoko(t, "bundle", "--config", cfg, "s3run", "-o", bundle); code != 0 {
		t.Fatalf("bundle: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := shoko(t, "verify", bundle, "--pubkey", pub); code != 0 || !strings.Contains(out, "VERIFIED") {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}
}
