package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// cloudwatchTask: the metric alarms (which resources are watched).
func cloudwatchTask() task {
	return task{service: "cloudwatch", kinds: []string{KindAlarms},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := cloudwatch.NewFromConfig(cfg)
			p := cloudwatch.NewDescribeAlarmsPaginator(c, &cloudwatch.DescribeAlarmsInput{})
			as, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *cloudwatch.DescribeAlarmsOutput) []cwtypes.MetricAlarm { return o.MetricAlarms })
			emit(e, KindAlarms, "DescribeAlarms", pages, err, sortBy(as, func(v cwtypes.MetricAlarm) string { return aws.ToString(v.AlarmArn) }))
		}}
}
