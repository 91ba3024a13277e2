package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// cloudtrailTask: the trails whose home is this region, their logging status and event
// selectors.
//
// DescribeTrails is asked with includeShadowTrails=true: without shadow trails AWS leaves out
// the organization trails in a member account, so a member audited alone would show no trail
// although the organization's trail logs it. Shadows are copies of a trail in the other regions
// (and, for an organization trail, in the member accounts); keeping the trails whose HomeRegion
// is this region keeps one copy of each, the organization's trail included.
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
func cloudtrailTask() task {
	kinds := []string{KindTrails, KindTrailStatus, KindEventSelectors}
	return task{service: "cloudtrail", kinds: kinds,
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := cloudtrail.NewFromConfig(cfg)
			out, err := c.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
			if err != nil {
				e.failAll(kinds, "DescribeTrails", err)
				return
			}
			trails := []cttypes.Trail{}
			for _, t := range out.TrailList {
				if aws.ToString(t.HomeRegion) == e.region {
					trails = append(trails, t)
				}
			}
			trails = sortBy(trails, func(v cttypes.Trail) string { return aws.ToString(v.TrailARN) })
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
