package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
)

// acmTask: every certificate's description (status, expiry, InUseBy).
//
// ListCertificates without Includes.keyTypes returns only RSA_1024 and RSA_2048 certificates
// (https://docs.aws.amazon.com/acm/latest/APIReference/API_Filters.html), so ECDSA and
// RSA-3072/4096 certificates would never be seen: every key type is asked for.
func acmTask() task {
	return task{service: "acm", kinds: []string{KindCertificates},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := acm.NewFromConfig(cfg)
			every := &acmtypes.Filters{KeyTypes: acmtypes.KeyAlgorithm("").Values()}
			p := acm.NewListCertificatesPaginator(c, &acm.ListCertificatesInput{Includes: every})
			sums, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *acm.ListCertificatesOutput) []acmtypes.CertificateSummary { return o.CertificateSummaryList })
			if err != nil {
				e.fail(KindCertificates, "ListCertificates", err)
				return
			}
			sums = sortBy(sums, func(v acmtypes.CertificateSummary) string { return aws.ToString(v.CertificateArn) })
			certs := []acmtypes.CertificateDetail{}
			for _, s := range sums {
				d, err := c.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: s.CertificateArn})
				if err != nil {
					e.fail(KindCertificates, "DescribeCertificate", fmt.Errorf("certificate %s: %w", aws.ToString(s.CertificateArn), err))
					return
				}
				certs = append(certs, *d.Certificate)
			}
			e.ok(KindCertificates, "ListCertificates+DescribeCertificate", pages, certs)
		}}
}
