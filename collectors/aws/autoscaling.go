package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
)

// autoscalingTask: the auto scaling groups (launch templates, AZs, tags).
func autoscalingTask() task {
	return task{service: "autoscaling", kinds: []string{KindASGs},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := autoscaling.NewFromConfig(cfg)
			p := autoscaling.NewDescribeAutoScalingGroupsPaginator(c, &autoscaling.DescribeAutoScalingGroupsInput{})
			gs, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *autoscaling.DescribeAutoScalingGroupsOutput) []astypes.AutoScalingGroup {
				return o.AutoScalingGroups
			})
			emit(e, KindASGs, "DescribeAutoScalingGroups", pages, err, sortBy(gs, func(v astypes.AutoScalingGroup) string { return aws.ToString(v.AutoScalingGroupARN) }))
		}}
}
