package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// cloudfrontTask: every distribution with its full configuration (GetDistribution): the list
// summary does not always carry the viewer certificate and protocol policies.
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
			if err != nil {
				e.fail(KindDistributions, "ListDistributions", err)
				return
			}
			out := []cftypes.Distribution{}
			for _, d := range sortBy(ds, func(v cftypes.DistributionSummary) string { return aws.ToString(v.ARN) }) {
				got, err := c.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: d.Id})
				if err != nil {
					e.fail(KindDistributions, "GetDistribution", fmt.Errorf("distribution %s: %w", aws.ToString(d.Id), err))
					return
				}
				out = append(out, *got.Distribution)
			}
			e.ok(KindDistributions, "ListDistributions+GetDistribution", pages, out)
		}}
}
