package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// cloudfrontTask: every distribution's summary (viewer certificate and protocol policies).
func cloudfrontTask() task {
	return task{service: "cloudfront", kinds: []string{KindDistributions},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			// CloudFront is global and answers only in us-east-1 on AWS.
			cfg.Region = "us-east-1"
			c := cloudfront.NewFromConfig(cfg)
			p := cloudfront.NewListDistributionsPaginator(c, &cloudfront.ListDistributionsInput{})
			ds, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *cloudfront.ListDistributionsOutput) []cftypes.DistributionSummary {
				if o.DistributionList == nil {
					return nil
				}
				return o.DistributionList.Items
			})
			emit(e, KindDistributions, "ListDistributions", pages, err, sortBy(ds, func(v cftypes.DistributionSummary) string { return aws.ToString(v.ARN) }))
		}}
}
