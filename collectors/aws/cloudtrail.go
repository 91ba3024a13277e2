package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// cloudtrailTask: the trails whose home is this region (a multi-region trail shows as a
// shadow everywhere else; asking only its home region keeps one copy), their logging status
// and event selectors.
func cloudtrailTask() task {
	kinds := []string{KindTrails, KindTrailStatus, KindEventSelectors}
	return task{service: "cloudtrail", kinds: kinds,
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := cloudtrail.NewFromConfig(cfg)
			out, err := c.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})
			if err != nil {
				e.failAll(kinds, "DescribeTrails", err)
				return
			}
			trails := sortBy(out.TrailList, func(v cttypes.Trail) string { return aws.ToString(v.TrailARN) })
			if trails == nil {
				trails = []cttypes.Trail{}
			}
			e.ok(KindTrails, "DescribeTrails", 1, trails)
			statuses := []map[string]any{}
			selectors := []map[string]any{}
			for _, t := range trails {
				arn := aws.ToString(t.TrailARN)
				st, err := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: t.TrailARN})
				if err != nil {
					e.failAll([]string{KindTrailStatus, KindEventSelectors}, "GetTrailStatus", fmt.Errorf("trail %s: %w", arn, err))
					return
				}
				statuses = append(statuses, perResource("TrailARN", arn, st))
				sel, err := c.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: t.TrailARN})
				if err != nil {
					e.ok(KindTrailStatus, "GetTrailStatus", len(statuses), statuses)
					e.fail(KindEventSelectors, "GetEventSelectors", fmt.Errorf("trail %s: %w", arn, err))
					return
				}
				selectors = append(selectors, perResource("TrailARN", arn, sel))
			}
			e.ok(KindTrailStatus, "GetTrailStatus", len(statuses), statuses)
			e.ok(KindEventSelectors, "GetEventSelectors", len(selectors), selectors)
		}}
}
