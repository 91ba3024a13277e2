package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// logsTask: every log group with its retention (absent retentionInDays = never expire), and
// its tags (GEO-01 judges the log groups tagged as holding customer data).
func logsTask() task {
	return task{service: "logs", kinds: []string{KindLogGroups, KindLogGroupTags},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := cloudwatchlogs.NewFromConfig(cfg)
			p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{})
			gs, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *cloudwatchlogs.DescribeLogGroupsOutput) []logtypes.LogGroup { return o.LogGroups })
			emit(e, KindLogGroups, "DescribeLogGroups", pages, err, sortBy(gs, func(v logtypes.LogGroup) string { return aws.ToString(v.LogGroupName) }))
			if err != nil {
				e.fail(KindLogGroupTags, "DescribeLogGroups", err)
				return
			}
			logGroupTags(ctx, c, e, gs)
		}}
}

// logGroupTags reads each log group's tags. DescribeLogGroups does not return them; the
// log group's ARN without the ":*" suffix names it:
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ListTagsForResource.html
// A log group deleted since it was listed (ResourceNotFoundException) is recorded as gone.
func logGroupTags(ctx context.Context, c *cloudwatchlogs.Client, e *emitter, gs []logtypes.LogGroup) {
	rows := make([]map[string]any, len(gs))
	errs := make([]error, len(gs))
	e.each(len(gs), func(i int) {
		arn := aws.ToString(gs[i].LogGroupArn)
		out, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if code, ok := isGone(err, "ResourceNotFoundException"); ok {
			rows[i] = gone("LogGroupArn", arn, code)
			return
		}
		if err != nil {
			errs[i] = fmt.Errorf("log group %s: %w", aws.ToString(gs[i].LogGroupName), err)
			return
		}
		rows[i] = perResource("LogGroupArn", arn, out)
	})
	for _, err := range errs {
		if err != nil {
			e.fail(KindLogGroupTags, "ListTagsForResource", err)
			return
		}
	}
	e.ok(KindLogGroupTags, "ListTagsForResource", len(rows), rows)
}
