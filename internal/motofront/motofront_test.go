package motofront_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/shoko-audit/shoko/internal/motofront"
	"github.com/shoko-audit/shoko/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedMoto()
	os.Exit(code)
}

func start(t *testing.T) (*motofront.Front, aws.Config) {
	t.Helper()
	m := testenv.NeedMoto(t)
	f, err := motofront.Start(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("ap-northeast-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIAFRONTTEST", "front-secret", "")))
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseEndpoint = aws.String(f.URL)
	return f, cfg
}

// The front answers what moto lacks, in the wire format the real SDK parses, paged; and
// forwards the rest to moto untouched.
func TestFrontServesWhatMotoLacksAndForwardsTheRest(t *testing.T) {
	f, cfg := start(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	for i := range 5 {
		f.AddRecoveryPoint("ap-northeast-1", motofront.RecoveryPoint{Vault: "v", RecoveryPointArn: string(rune('a' + i)),
			ResourceArn: "arn:db", ResourceType: "RDS", Status: "COMPLETED", Created: now.Add(-time.Duration(i) * 24 * time.Hour), DeleteAfterDays: 35})
	}
	f.AddRecoveryPoint("us-east-1", motofront.RecoveryPoint{Vault: "v", RecoveryPointArn: "elsewhere", Status: "COMPLETED", Created: now})
	f.AddFinding("ap-northeast-1", motofront.Finding{DetectorID: "d1", ID: "open", Severity: 8, Created: now, Updated: now})
	f.AddFinding("ap-northeast-1", motofront.Finding{DetectorID: "d1", ID: "archived", Severity: 8, Created: now, Updated: now, Archived: true})

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"recovery points of a vault in one region, every page", func(t *testing.T) {
			p := backup.NewListRecoveryPointsByBackupVaultPaginator(backup.NewFromConfig(cfg), &backup.ListRecoveryPointsByBackupVaultInput{BackupVaultName: aws.String("v")})
			n, pages := 0, 0
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, rp := range out.RecoveryPoints {
					n++
					if rp.CreationDate == nil || rp.Lifecycle == nil || aws.ToInt64(rp.Lifecycle.DeleteAfterDays) != 35 {
						t.Errorf("recovery point %s lost fields: %+v", aws.ToString(rp.RecoveryPointArn), rp)
					}
				}
			}
			if n != 5 || pages != 3 {
				t.Errorf("%d points in %d pages, want 5 in 3", n, pages)
			}
		}},
		{"unarchived findings only", func(t *testing.T) {
			c := guardduty.NewFromConfig(cfg)
			ids, err := c.ListFindings(ctx, &guardduty.ListFindingsInput{DetectorId: aws.String("d1"),
				FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"service.archived": {Equals: []string{"false"}}}}})
			if err != nil {
				t.Fatal(err)
			}
			if len(ids.FindingIds) != 1 || ids.FindingIds[0] != "open" {
				t.Fatalf("ids %v, want [open]", ids.FindingIds)
			}
			got, err := c.GetFindings(ctx, &guardduty.GetFindingsInput{DetectorId: aws.String("d1"), FindingIds: ids.FindingIds})
			if err != nil || len(got.Findings) != 1 || aws.ToFloat64(got.Findings[0].Severity) != 8 {
				t.Fatalf("findings %+v, %v", got, err)
			}
		}},
		{"a missing selection is AWS's not-found error", func(t *testing.T) {
			_, err := backup.NewFromConfig(cfg).GetBackupSelection(ctx, &backup.GetBackupSelectionInput{BackupPlanId: aws.String("p"), SelectionId: aws.String("s")})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" {
				t.Fatalf("error %v, want ResourceNotFoundException", err)
			}
		}},
		{"everything else reaches moto", func(t *testing.T) {
			if _, err := backup.NewFromConfig(cfg).CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String("real")}); err != nil {
				t.Fatal(err)
			}
			out, err := backup.NewFromConfig(cfg).ListBackupVaults(ctx, &backup.ListBackupVaultsInput{})
			if err != nil || len(out.BackupVaultList) != 1 {
				t.Fatalf("vaults %+v, %v", out, err)
			}
		}},
		{"root MFA rewritten in moto's account summary", func(t *testing.T) {
			c := iam.NewFromConfig(cfg)
			for _, on := range []bool{false, true} {
				f.SetRootMFA(on)
				out, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
				if err != nil {
					t.Fatal(err)
				}
				want := int32(0)
				if on {
					want = 1
				}
				if got := out.SummaryMap["AccountMFAEnabled"]; got != want {
					t.Errorf("root MFA %v: AccountMFAEnabled %d, want %d", on, got, want)
				}
			}
		}},
		{"EC2 denied in one region only", func(t *testing.T) {
			f.DenyEC2("eu-west-3")
			denied := cfg.Copy()
			denied.Region = "eu-west-3"
			_, err := ec2.NewFromConfig(denied).DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "UnauthorizedOperation" {
				t.Fatalf("eu-west-3: %v, want UnauthorizedOperation", err)
			}
			if _, err := ec2.NewFromConfig(cfg).DescribeVolumes(ctx, &ec2.DescribeVolumesInput{}); err != nil {
				t.Fatalf("ap-northeast-1: %v", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, tc.run)
	}
}

// SetLatency holds every answer back by at least the latency, and 0 takes it away again; the
// answer itself is unchanged.
func TestLatencyDelaysEveryAnswer(t *testing.T) {
	f, cfg := start(t)
	c := ec2.NewFromConfig(cfg)
	cases := []struct {
		name    string
		latency time.Duration
	}{
		{"no latency", 0},
		{"50 ms", 50 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.SetLatency(tc.latency)
			defer f.SetLatency(0)
			start := time.Now()
			out, err := c.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
			if err != nil || len(out.Regions) == 0 {
				t.Fatalf("regions %v, err %v", out, err)
			}
			if took := time.Since(start); took < tc.latency {
				t.Fatalf("answered in %s, before the latency of %s", took, tc.latency)
			}
		})
	}
}
