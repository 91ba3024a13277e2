package aws

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// iamTask: the account summary (root MFA, root keys), the credential report (one row per
// user, parsed from its CSV) and the password policy ("none" recorded as a fact).
func iamTask() task {
	return task{service: "iam", kinds: []string{KindAccountSummary, KindCredentialReport, KindPasswordPolicy},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			cfg.Region = "us-east-1" // IAM is global; its endpoint lives in us-east-1.
			c := iam.NewFromConfig(cfg)
			sum, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
			if err != nil {
				e.fail(KindAccountSummary, "GetAccountSummary", err)
			} else {
				e.ok(KindAccountSummary, "GetAccountSummary", 1, []any{perResource("AccountId", e.account, sum)})
			}

			rows, err := credentialReport(ctx, c)
			if err != nil {
				e.fail(KindCredentialReport, "GetCredentialReport", err)
			} else {
				e.ok(KindCredentialReport, "GenerateCredentialReport+GetCredentialReport", 1, rows)
			}

			pol, err := c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
			if code, ok := isNotConfigured(err, "NoSuchEntity"); ok {
				e.ok(KindPasswordPolicy, "GetAccountPasswordPolicy", 1, []any{notConfigured("AccountId", e.account, code)})
			} else if err != nil {
				e.fail(KindPasswordPolicy, "GetAccountPasswordPolicy", err)
			} else {
				e.ok(KindPasswordPolicy, "GetAccountPasswordPolicy", 1, []any{perResource("AccountId", e.account, pol.PasswordPolicy)})
			}
		}}
}

// Polled are the calls the collector makes again on purpose, as motofront keys them
// ("service:operation signing-region"): iam:GenerateCredentialReport is asked until the report
// is ready. Counting calls made ÷ calls needed leaves their repeats out.
var Polled = map[string]bool{"iam:GenerateCredentialReport us-east-1": true}

// credentialReport asks IAM to generate the report, waits until it is ready, and returns its
// rows as objects keyed by the CSV header (user, arn, mfa_active, access_key_1_active …).
func credentialReport(ctx context.Context, c *iam.Client) ([]map[string]string, error) {
	for delay := 200 * time.Millisecond; ; delay = min(delay*2, 5*time.Second) {
		g, err := c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return nil, fmt.Errorf("generate credential report: %w", err)
		}
		if g.State == iamtypes.ReportStateTypeComplete {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("credential report not ready: %w", ctx.Err())
		case <-time.After(delay):
		}
	}
	out, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(bytes.NewReader(out.Content)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("parse credential report: %w", err)
	}
	if len(recs) < 1 {
		return nil, errors.New("credential report is empty (no header)")
	}
	rows := make([]map[string]string, 0, len(recs)-1)
	for _, r := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			if i < len(r) {
				row[h] = r[i]
			}
		}
		rows = append(rows, row)
	}
	return sortBy(rows, func(r map[string]string) string { return r["arn"] }), nil
}

// iamServerCertificatesTask: the server certificates stored in IAM (a load balancer listener or
// a CloudFront distribution may use one instead of an ACM certificate), with their expiry.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListServerCertificates.html
func iamServerCertificatesTask() task {
	return task{service: "iam", kinds: []string{KindServerCerts},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			cfg.Region = "us-east-1" // IAM is global; its endpoint lives in us-east-1.
			c := iam.NewFromConfig(cfg)
			p := iam.NewListServerCertificatesPaginator(c, &iam.ListServerCertificatesInput{})
			certs, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *iam.ListServerCertificatesOutput) []iamtypes.ServerCertificateMetadata {
				return o.ServerCertificateMetadataList
			})
			emit(e, KindServerCerts, "ListServerCertificates", pages, err, sortBy(certs, func(v iamtypes.ServerCertificateMetadata) string { return aws.ToString(v.Arn) }))
		}}
}
