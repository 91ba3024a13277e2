package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// logsTask: every log group with its retention (absent retentionInDays = never expire).
func logsTask() task {
	return task{service: "logs", kinds: []string{KindLogGroups},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := cloudwatchlogs.NewFromConfig(cfg)
			p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{})
			gs, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *cloudwatchlogs.DescribeLogGroupsOutput) []logtypes.LogGroup { return o.LogGroups })
			emit(e, KindLogGroups, "DescribeLogGroups", pages, err, sortBy(gs, func(v logtypes.LogGroup) string { return aws.ToString(v.LogGroupName) }))
		}}
}
