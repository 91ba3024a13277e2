package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	nfw "github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/shoko-audit/shoko/collectors/preflight"
)

// serviceProbe is the first read call of one collector task, with the smallest page size: if
// it answers, the audit role holds the task's first IAM action.
type serviceProbe struct {
	service, action string
	call            func(ctx context.Context, cfg aws.Config, account string) error
	// answered lists error codes that are an answer ("no organization", "nothing configured").
	answered []string
}

// serviceProbes is one probe per task of globalTasks and regionalTasks, in their order. Each
// action is in docs/iam-policy.json (TestDoctorPreflightCallsOnlyPolicyActions).
func serviceProbes() []serviceProbe {
	one := aws.Int32(1)
	return []serviceProbe{
		{"s3", "s3:ListAllMyBuckets", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := s3Client(cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}, nil},
		{"s3control", "s3:GetAccountPublicAccessBlock", func(ctx context.Context, cfg aws.Config, acct string) error {
			_, err := s3controlClient(cfg).GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(acct)})
			return err
		}, []string{"NoSuchPublicAccessBlockConfiguration"}},
		{"cloudfront", "cloudfront:ListDistributions", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := cloudfront.NewFromConfig(cfg).ListDistributions(ctx, &cloudfront.ListDistributionsInput{MaxItems: one})
			return err
		}, nil},
		{"iam", "iam:GetAccountSummary", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := iam.NewFromConfig(cfg).GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
			return err
		}, nil},
		{"iam", "iam:ListServerCertificates", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := iam.NewFromConfig(cfg).ListServerCertificates(ctx, &iam.ListServerCertificatesInput{MaxItems: one})
			return err
		}, nil},
		{"organizations", "organizations:DescribeOrganization", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := organizations.NewFromConfig(cfg).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}, []string{"AWSOrganizationsNotInUseException"}},
		{"ec2", "ec2:DescribeVolumes", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := ec2.NewFromConfig(cfg).DescribeVolumes(ctx, &ec2.DescribeVolumesInput{MaxResults: aws.Int32(5)})
			return err
		}, nil},
		{"ec2", "ec2:DescribeVpcs", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{MaxResults: aws.Int32(5)})
			return err
		}, nil},
		{"ec2", "ec2:DescribeImages", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := ec2.NewFromConfig(cfg).DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}, MaxResults: aws.Int32(6)})
			return err
		}, nil},
		{"rds", "rds:DescribeDBInstances", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(20)})
			return err
		}, nil},
		{"dynamodb", "dynamodb:ListTables", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{Limit: one})
			return err
		}, nil},
		{"kms", "kms:ListKeys", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := kms.NewFromConfig(cfg).ListKeys(ctx, &kms.ListKeysInput{Limit: one})
			return err
		}, nil},
		{"elbv2", "elasticloadbalancing:DescribeLoadBalancers", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := elb.NewFromConfig(cfg).DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{PageSize: one})
			return err
		}, nil},
		{"acm", "acm:ListCertificates", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := acm.NewFromConfig(cfg).ListCertificates(ctx, &acm.ListCertificatesInput{MaxItems: one})
			return err
		}, nil},
		{"backup", "backup:ListBackupVaults", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := backup.NewFromConfig(cfg).ListBackupVaults(ctx, &backup.ListBackupVaultsInput{MaxResults: one})
			return err
		}, nil},
		{"cloudtrail", "cloudtrail:DescribeTrails", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			return err
		}, nil},
		{"logs", "logs:DescribeLogGroups", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{Limit: one})
			return err
		}, nil},
		{"guardduty", "guardduty:ListDetectors", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := guardduty.NewFromConfig(cfg).ListDetectors(ctx, &guardduty.ListDetectorsInput{MaxResults: one})
			return err
		}, nil},
		{"network-firewall", "network-firewall:ListFirewalls", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := nfw.NewFromConfig(cfg).ListFirewalls(ctx, &nfw.ListFirewallsInput{MaxResults: one})
			return err
		}, nil},
		{"secretsmanager", "secretsmanager:ListSecrets", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := secretsmanager.NewFromConfig(cfg).ListSecrets(ctx, &secretsmanager.ListSecretsInput{MaxResults: one})
			return err
		}, nil},
		{"cloudwatch", "cloudwatch:DescribeAlarms", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := cloudwatch.NewFromConfig(cfg).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{MaxRecords: one})
			return err
		}, nil},
		{"autoscaling", "autoscaling:DescribeAutoScalingGroups", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := autoscaling.NewFromConfig(cfg).DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{MaxRecords: one})
			return err
		}, nil},
		{"apigateway", "apigateway:GET", func(ctx context.Context, cfg aws.Config, _ string) error {
			_, err := apigateway.NewFromConfig(cfg).GetDomainNames(ctx, &apigateway.GetDomainNamesInput{Limit: one})
			return err
		}, nil},
	}
}

// accessDeniedCodes are the error codes AWS answers a call the caller's IAM policies do not allow with.
var accessDeniedCodes = []string{"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess", "AuthorizationError"}

// probeCause is why a probe failed, as the group its line lists it under: an access denial
// (the IAM action is missing), an SCP denial, a throttle, a 5xx, or the error itself.
func probeCause(err error) (cause string, denied bool) {
	code := errorCode(err)
	var re *awshttp.ResponseError
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	switch {
	case deniedBySCP(err):
		return "denied by a service control policy (explicit deny), not a missing IAM permission", false
	case slices.Contains(accessDeniedCodes, code):
		return code + ", the IAM action missing from the audit role", true
	case retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool() || status == 429:
		return fmt.Sprintf("throttled (%s, HTTP %d), not a missing permission", code, status), false
	case status >= 500:
		return fmt.Sprintf("HTTP %d %s (an AWS-side error), not a missing permission", status, code), false
	}
	msg := err.Error()
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		msg = oe.Err.Error()
	}
	return requestIDRE.ReplaceAllString(msg, ""), false
}

// preflightServices makes the first read call of every collector task at once in the home
// region, one attempt each, and reports one line for the services that answered and one line per
// cause of failure listing the IAM actions refused that way. These are failures the audit
// records (each task's controls error), not an unreachable source.
func (c *Collector) preflightServices(ctx context.Context, cfg aws.Config, account, role, label string) []preflight.Check {
	home := cfg.Copy()
	home.Region = c.Opts.HomeRegion
	probes := serviceProbes()
	errs := make([]error, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, preflightCallTimeout)
			defer cancel()
			err := p.call(cctx, home, account)
			if _, ok := isNotConfigured(err, p.answered...); ok {
				err = nil
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	okSet := map[string]bool{}
	failedSvc := map[string]bool{}
	byCause := map[string][]string{}
	deniedCause := map[string]bool{}
	for i, p := range probes {
		if errs[i] == nil {
			okSet[p.service] = true
			continue
		}
		failedSvc[p.service] = true
		cause, denied := probeCause(errs[i])
		byCause[cause] = append(byCause[cause], p.action)
		deniedCause[cause] = denied
	}
	var ok []string
	for s := range okSet {
		if !failedSvc[s] {
			ok = append(ok, s)
		}
	}
	sort.Strings(ok)
	var out []preflight.Check
	if len(ok) > 0 {
		out = append(out, preflight.Pass("aws", label+" services", fmt.Sprintf("%d answer the first call of their collection in %s: %s", len(ok), c.Opts.HomeRegion, strings.Join(ok, ", "))))
	}
	causes := make([]string, 0, len(byCause))
	for k := range byCause {
		causes = append(causes, k)
	}
	sort.Strings(causes)
	for _, cause := range causes {
		fix := "the audit retries these calls; run shoko doctor again, and check the network path to AWS if it persists"
		switch {
		case deniedCause[cause]:
			fix = "attach docs/iam-policy.json to " + role + " (it allows these actions)"
		case strings.HasPrefix(cause, "denied by a service control policy"):
			fix = "ask the organization's administrators to allow these services to " + role + " (the controls reading them will be error)"
		}
		out = append(out, preflight.Failed("aws", label+" services", cause+": "+strings.Join(byCause[cause], ", "), fix))
	}
	return out
}
